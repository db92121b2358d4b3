import StorylineCore

/// A token: a byte range of the analyzed text.
public struct Token: Equatable, Sendable {
    /// Byte offsets into the UTF-8 text, `start..<end`.
    public var start: Int
    public var end: Int
    /// True when every byte is ASCII (then folding is a table lookup).
    public var isASCII: Bool
}

/// Splits UTF-8 text into word tokens, by bytes, without building strings.
///
/// Rules: a token is a run of letters, marks and digits (any script); an apostrophe or hyphen
/// between two letters or digits joins (`don't`, `covid-19`); `.` and `,` between two digits join
/// (`2,000`, `3.5`). Han, Hiragana and Katakana characters are one token each. A
/// whitespace-delimited run that is a URL (`://`, `www.`) or an e-mail address is dropped.
/// Emoji, symbols and punctuation separate tokens.
public struct Tokenizer: Sendable {
    public init() {}

    /// Character classes of ASCII bytes: 1 letter/digit, 2 digit (also 1), 0 other.
    static let asciiClass: [UInt8] = (0..<128).map { b -> UInt8 in
        if (0x30...0x39).contains(b) { return 3 }
        if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { return 1 }
        return 0
    }

    enum Kind { case word, digit, ideograph, joinerApostrophe, joinerHyphen, joinerNumeric, space, other }

    /// Decodes the code point at `i` (valid UTF-8 assumed; bad bytes become U+FFFD) and its length.
    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let c0 = UInt32(b[i])
        if c0 < 0x80 { return (c0, 1) }
        func cont(_ k: Int) -> UInt32? { i + k < b.count && b[i + k] & 0xC0 == 0x80 ? UInt32(b[i + k] & 0x3F) : nil }
        if c0 >= 0xC2, c0 < 0xE0, let c1 = cont(1) { return ((c0 & 0x1F) << 6 | c1, 2) }
        if c0 >= 0xE0, c0 < 0xF0, let c1 = cont(1), let c2 = cont(2) { return ((c0 & 0x0F) << 12 | c1 << 6 | c2, 3) }
        if c0 >= 0xF0, c0 < 0xF5, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            return ((c0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
        }
        return (0xFFFD, 1)
    }

    @inline(__always)
    static func kind(_ cp: UInt32) -> Kind {
        if cp < 0x80 {
            switch asciiClass[Int(cp)] {
            case 3: return .digit
            case 1: return .word
            default:
                switch cp {
                case 0x27: return .joinerApostrophe
                case 0x2D: return .joinerHyphen
                case 0x2C, 0x2E: return .joinerNumeric
                case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: return .space
                default: return .other
                }
            }
        }
        if cp == 0x2019 || cp == 0x02BC { return .joinerApostrophe }   // ’ ʼ
        if cp == 0x2010 || cp == 0x2011 { return .joinerHyphen }       // ‐ ‑
        if (0x3040...0x30FF).contains(cp) || (0x3400...0x4DBF).contains(cp) || (0x4E00...0x9FFF).contains(cp)
            || (0xF900...0xFAFF).contains(cp) || (0x20000...0x2FA1F).contains(cp) {
            return .ideograph
        }
        switch _UTF8Proc.categoryClass(cp) {
        case .letterOrMark: return .word
        case .digit: return .digit
        case .space: return .space
        case .other: return .other
        }
    }

    /// Calls `body` with each token of `text`, in order.
    public func tokenize(_ text: UnsafeBufferPointer<UInt8>, _ body: (Token) -> Void) {
        var tokens: [Token] = []
        tokenize(text, into: &tokens)
        for t in tokens { body(t) }
    }

    /// Replaces the contents of `tokens` with the tokens of `text`, in order.
    public func tokenize(_ text: UnsafeBufferPointer<UInt8>, into tokens: inout [Token]) {
        tokens = [Token](unsafeUninitializedCapacity: max(text.count, 1)) { buffer, initialized in
            initialized = tokenize(text, writingTo: buffer.baseAddress!)
        }
    }

    /// Writes the tokens of `text` to `out`, which has room for `text.count` tokens (a token
    /// is at least one byte long), and returns how many there are. The fast form: one pass over
    /// the bytes, no bounds checks, no closure per token.
    func tokenize(_ text: UnsafeBufferPointer<UInt8>, writingTo out: UnsafeMutablePointer<Token>) -> Int {
        guard let t = text.baseAddress else { return 0 }
        let n = text.count
        var count = 0
        var tokenStart = -1
        var ascii = true
        var lastKind = Kind.other
        // The whitespace-delimited run being read, the tokens it started at, and whether it has
        // a ':' or '@' (only such runs, or those starting "www.", can be URLs or e-mail addresses).
        var runStart = 0, runTokens = 0
        var colonOrAt = false
        @inline(__always) func endToken(_ end: Int) {
            if tokenStart >= 0 { out[count] = Token(start: tokenStart, end: end, isASCII: ascii); count += 1 }
            tokenStart = -1
            ascii = true
            lastKind = .other
        }
        @inline(__always) func endRun(_ end: Int) {
            if colonOrAt || (end - runStart >= 4 && t[runStart] == 0x77 && t[runStart + 1] == 0x77),
               Self.isURLOrEmail(text, runStart, end) {
                count = runTokens   // the run is dropped
            }
        }
        var i = 0
        while i < n {
            let c = t[i]
            // ASCII letters and digits: the common case, no decoding and no table. The rest of
            // the run is measured eight bytes at a time (no branch per byte).
            if c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 26 {
                if tokenStart < 0 { tokenStart = i }
                var j = i + 1
                while j + 8 <= n {
                    let stop = Self.notAlphanumeric(UnsafeRawPointer(t + j).loadUnaligned(as: UInt64.self))
                    if stop != 0 { j += stop.trailingZeroBitCount >> 3; break }
                    j += 8
                }
                if j + 8 > n { while j < n && (t[j] &- 0x30 < 10 || (t[j] | 0x20) &- 0x61 < 26) { j += 1 } }
                lastKind = t[j - 1] &- 0x30 < 10 ? .digit : .word
                i = j
                continue
            }
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D {
                endToken(i)
                endRun(i)
                i += 1
                runStart = i
                runTokens = count
                colonOrAt = false
                continue
            }
            if c == 0x3A || c == 0x40 { colonOrAt = true }
            let (cp, len) = Self.decode(text, i)
            let k = Self.kind(cp)
            switch k {
            case .word, .digit:
                if tokenStart < 0 { tokenStart = i }
                if cp >= 0x80 { ascii = false }
                lastKind = k
            case .ideograph:
                endToken(i)
                out[count] = Token(start: i, end: i + len, isASCII: false)
                count += 1
            case .joinerApostrophe, .joinerHyphen, .joinerNumeric:
                // Joins only between two word characters (numeric joiners: between two digits).
                if tokenStart >= 0, i + len < n {
                    let nk = Self.kind(Self.decode(text, i + len).0)
                    let joins = k == .joinerNumeric ? (lastKind == .digit && nk == .digit)
                                                    : ((lastKind == .word || lastKind == .digit) && (nk == .word || nk == .digit))
                    if joins {
                        if cp >= 0x80 { ascii = false }
                        i += len
                        continue
                    }
                }
                endToken(i)
            case .space, .other:
                endToken(i)
            }
            i += len
        }
        endToken(n)
        endRun(n)
        return count
    }

    /// The high bit of each byte of `w` (little endian) that is not an ASCII letter or digit.
    @inline(__always)
    static func notAlphanumeric(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        // With each byte's high bit set first, a subtraction cannot borrow from the next byte;
        // the high bit stays set exactly where the byte was at least the subtrahend.
        let x = w | high
        let digit = (x &- 0x3030_3030_3030_3030) & ~(x &- 0x3A3A_3A3A_3A3A_3A3A)
        let lower = w | 0x2020_2020_2020_2020 | high
        let letter = (lower &- 0x6161_6161_6161_6161) & ~(lower &- 0x7B7B_7B7B_7B7B_7B7B)
        return ~((digit | letter) & ~w) & high   // & ~w: bytes of 0x80 and above are not ASCII
    }

    /// `://`, a leading `www.`, or `@` followed later by `.`.
    static func isURLOrEmail(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        if end - start >= 4, t[start] == 0x77, t[start + 1] == 0x77, t[start + 2] == 0x77, t[start + 3] == 0x2E { return true }
        var at = -1
        var k = start
        while k < end {
            let c = t[k]
            if c == 0x3A, k + 2 < end, t[k + 1] == 0x2F, t[k + 2] == 0x2F { return true }
            if c == 0x40, k > start { at = k }
            if c == 0x2E, at >= 0, k > at + 1, k + 1 < end { return true }
            k += 1
        }
        return false
    }
}
