internal import CUTF8Proc
import Foundation

/// The one place utf8proc is called: Unicode general categories (for the tokenizer) and NFKC case
/// folding (for ``CaseFolder``).
enum _UTF8Proc {
    /// What the tokenizer needs to know of a code point's general category.
    enum CategoryClass { case letterOrMark, digit, space, other }

    static func categoryClass(_ codePoint: UInt32) -> CategoryClass {
        switch utf8proc_category(Int32(bitPattern: codePoint)) {
        case UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT, UTF8PROC_CATEGORY_LM,
             UTF8PROC_CATEGORY_LO, UTF8PROC_CATEGORY_MN, UTF8PROC_CATEGORY_MC, UTF8PROC_CATEGORY_ME:
            return .letterOrMark
        case UTF8PROC_CATEGORY_ND, UTF8PROC_CATEGORY_NL, UTF8PROC_CATEGORY_NO:
            return .digit
        case UTF8PROC_CATEGORY_ZS, UTF8PROC_CATEGORY_ZL, UTF8PROC_CATEGORY_ZP:
            return .space
        default:
            return .other
        }
    }

    /// Calls `body` with the NFKC case folding of `count` UTF-8 bytes at `bytes`, or nil when
    /// utf8proc refuses them (invalid UTF-8). The folded bytes are valid only during the call.
    static func withNFKCCaseFold<R>(_ bytes: UnsafePointer<UInt8>, count: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        var result: UnsafeMutablePointer<UInt8>? = nil
        let options = utf8proc_option_t(rawValue: UTF8PROC_STABLE.rawValue | UTF8PROC_COMPAT.rawValue
            | UTF8PROC_COMPOSE.rawValue | UTF8PROC_CASEFOLD.rawValue)
        let length = utf8proc_map(bytes, count, &result, options)
        defer { free(result) }
        guard length >= 0, let folded = result else { return body(nil) }
        return body(UnsafeBufferPointer(start: folded, count: length))
    }
}
