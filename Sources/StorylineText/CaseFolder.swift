import Foundation
import StorylineCore

/// Folds a token for matching: ASCII by table (lowercase); anything else through utf8proc as
/// NFKC case folding. Typographic apostrophes and hyphens become ASCII ones.
public struct CaseFolder: Sendable {
    public init() {}

    static let lower: [UInt8] = (0..<256).map { b in (0x41...0x5A).contains(b) ? UInt8(b + 32) : UInt8(b) }

    /// Replaces the contents of `out` with the folded bytes of `token`.
    @inline(__always)
    public func fold(_ text: UnsafeBufferPointer<UInt8>, _ token: Token, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        if token.isASCII {
            for k in token.start..<token.end { out.append(Self.lower[Int(text[k])]) }
            return
        }
        _UTF8Proc.withNFKCCaseFold(text.baseAddress! + token.start, count: token.end - token.start) { folded in
            guard let folded else {
                for k in token.start..<token.end { out.append(Self.lower[Int(text[k])]) }
                return
            }
            let length = folded.count
            var k = 0
            while k < length {
                // U+2019 ’ and U+02BC ʼ → ', U+2010/U+2011 → -
                if k + 2 < length, folded[k] == 0xE2, folded[k + 1] == 0x80, folded[k + 2] == 0x99 {
                    out.append(0x27); k += 3; continue
                }
                if k + 2 < length, folded[k] == 0xE2, folded[k + 1] == 0x80, folded[k + 2] == 0x90 || folded[k + 2] == 0x91 {
                    out.append(0x2D); k += 3; continue
                }
                if k + 1 < length, folded[k] == 0xCA, folded[k + 1] == 0xBC { out.append(0x27); k += 2; continue }
                out.append(folded[k])
                k += 1
            }
        }
    }
}
