import StorylineCore

/// A fast reader for one flat JSON object per line, by bytes: the fields an article has are
/// decoded as strings (numbers and `null` accepted); other fields, whatever their type, are kept
/// as their raw JSON text. Strict JSON: anything else is an error with a reason.
///
/// Foundation's JSONSerialization reads dumps at ~50 MB/s; this reads them several times faster.
struct JSONObjectScanner {
    enum Value: Equatable {
        case string(String)
        case null
        /// A number, `true`/`false`, an object or an array, as raw JSON text.
        case raw(String)
    }

    struct Failure: Error, Equatable { var reason: String }

    /// The high bit of each byte of `w` (little endian) that ends the plain part of a JSON
    /// string: `"`, `\`, or a control byte (below 0x20).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        // A byte of t is zero exactly where its high bit survives: (t | 0x80) - 1 cannot borrow
        // from the next byte, and its high bit is clear only when t's low seven bits are zero.
        func zero(_ t: UInt64) -> UInt64 { ~((t | high) &- ones) & ~t & high }
        let control = ~((w | high) &- 0x2020_2020_2020_2020) & ~w & high
        return zero(w ^ 0x2222_2222_2222_2222) | zero(w ^ 0x5C5C_5C5C_5C5C_5C5C) | control
    }

    /// Parses `bytes` (UTF-8, already validated) as one JSON object; calls `field` with each key and value.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ field: (String, Value) throws -> Void) throws {
        var i = 0
        let n = bytes.count
        func fail(_ why: String = "malformed JSON") -> Failure { Failure(reason: why) }
        func skipSpace() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 } }
        func hex(_ c: UInt8) -> UInt32? {
            switch c {
            case 0x30...0x39: return UInt32(c - 0x30)
            case 0x41...0x46: return UInt32(c - 0x41 + 10)
            case 0x61...0x66: return UInt32(c - 0x61 + 10)
            default: return nil
            }
        }
        /// Moves `i` to the next quote, backslash or control byte (or the end): eight bytes at a time.
        func skipPlain() {
            if let base = bytes.baseAddress {
                while i + 8 <= n {
                    let stop = Self.specialBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                    if stop != 0 { i += stop.trailingZeroBitCount >> 3; return }
                    i += 8
                }
            }
            while i < n, bytes[i] != 0x22, bytes[i] != 0x5C, bytes[i] >= 0x20 { i += 1 }
        }
        func readString() throws -> String {
            guard i < n, bytes[i] == 0x22 else { throw fail() }
            i += 1
            let start = i
            // Fast path: no escapes, one copy. Otherwise the plain runs between escapes are
            // copied whole (news text has a `\n` every paragraph).
            skipPlain()
            guard i < n else { throw fail() }
            if bytes[i] == 0x22 {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            var out = [UInt8]()
            out.reserveCapacity(min(n - start, 2 * (i - start) + 64))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            while i < n {
                let c = bytes[i]
                if c == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
                if c < 0x20 { throw fail() }
                if c != 0x5C {
                    let run = i
                    skipPlain()
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    continue
                }
                guard i + 1 < n else { throw fail() }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    func unit() throws -> UInt32 {
                        guard i + 4 <= n, let a = hex(bytes[i]), let b = hex(bytes[i + 1]), let c = hex(bytes[i + 2]), let d = hex(bytes[i + 3]) else { throw fail() }
                        i += 4
                        return a << 12 | b << 8 | c << 4 | d
                    }
                    var scalar = try unit()
                    if (0xD800...0xDBFF).contains(scalar), i + 6 <= n, bytes[i] == 0x5C, bytes[i + 1] == 0x75 {
                        i += 2
                        let low = try unit()
                        scalar = (0xDC00...0xDFFF).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail()
                }
            }
            throw fail()
        }
        /// Skips one JSON value; returns its raw text range.
        func skipValue(depth: Int = 0) throws -> Range<Int> {
            guard depth < 64 else { throw fail("JSON nested too deeply") }
            skipSpace()
            let start = i
            guard i < n else { throw fail() }
            switch bytes[i] {
            case 0x22: _ = try readString()
            case 0x7B, 0x5B:
                let close: UInt8 = bytes[i] == 0x7B ? 0x7D : 0x5D
                let isObject = close == 0x7D
                i += 1
                skipSpace()
                if i < n, bytes[i] == close { i += 1; break }
                while true {
                    if isObject {
                        skipSpace()
                        _ = try readString()
                        skipSpace()
                        guard i < n, bytes[i] == 0x3A else { throw fail() }
                        i += 1
                    }
                    _ = try skipValue(depth: depth + 1)
                    skipSpace()
                    guard i < n else { throw fail() }
                    if bytes[i] == 0x2C { i += 1; continue }
                    if bytes[i] == close { i += 1; break }
                    throw fail()
                }
            default:
                // Number or literal.
                while i < n, !(bytes[i] == 0x2C || bytes[i] == 0x7D || bytes[i] == 0x5D || bytes[i] == 0x20
                               || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D) { i += 1 }
                let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                guard token == "true" || token == "false" || token == "null" || Double(token) != nil,
                      token.first != "+", !(token.hasPrefix("0") && token.count > 1 && token.dropFirst().first?.isNumber == true) else {
                    throw fail()
                }
            }
            return start..<i
        }

        skipSpace()
        guard i < n, bytes[i] == 0x7B else { throw fail(i < n && bytes[i] == 0x5B ? "not a JSON object" : "malformed JSON") }
        i += 1
        skipSpace()
        if i < n, bytes[i] == 0x7D {
            i += 1
        } else {
            while true {
                skipSpace()
                let key = try readString()
                skipSpace()
                guard i < n, bytes[i] == 0x3A else { throw fail() }
                i += 1
                skipSpace()
                guard i < n else { throw fail() }
                if bytes[i] == 0x22 {
                    try field(key, .string(try readString()))
                } else {
                    let range = try skipValue()
                    let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                    try field(key, raw == "null" ? .null : .raw(raw))
                }
                skipSpace()
                guard i < n else { throw fail() }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == 0x7D { i += 1; break }
                throw fail()
            }
        }
        skipSpace()
        guard i == n else { throw fail() }
    }
}
