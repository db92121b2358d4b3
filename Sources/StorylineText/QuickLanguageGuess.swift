import Foundation
import StorylineCore

/// The first, cheap pass of language identification: the script an article is written in, then
/// hits of each language's distinctive frequent words (`Models/quickwords.txt`: "the", "and",
/// "of" for English; "und", "ist", "nicht" for German; ...). It answers only when the evidence
/// is clear — one script of one language, or one language with at least ``minimumHits`` hits and
/// ``lead`` times the hits of the next — and leaves the rest to libexttextcat's n-gram
/// fingerprints (``LanguageIdentifier``), which cost a hundred times more.
///
/// - Complexity: O(bytes of the sample), one hash lookup per word.
public struct QuickLanguageGuess: Sendable {
    /// Hits needed before a word count decides.
    public static let minimumHits = 6
    /// How many times the runner-up's hits the leader needs.
    public static let lead = 6

    private let languages: [String]
    /// FNV-1a of a word (lowercased) → its language's index + 1, open addressing (0: empty slot).
    private let keys: [UInt64]
    private let values: [UInt8]
    private let mask: Int

    /// Reads a quick-words file: `<code> <word> <word> ...` per line, `#` comments.
    /// - Throws: a model error with the file and line of a bad line.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw StorylineError(.model, "cannot read the quick-words file", file: path)
        }
        var languages: [String] = []
        var map: [UInt64: UInt8] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ")
            guard let code = fields.first, !code.hasPrefix("#") else { continue }
            guard fields.count >= 2, code.count == 2 || code.count == 3, languages.count < 255 else {
                throw StorylineError(.model, "expected a language code and its words", file: path, line: number + 1)
            }
            let index = UInt8(languages.count)
            languages.append(String(code))
            for word in fields.dropFirst() { map[Hashing.fnv1a(String(word))] = index }
        }
        self.languages = languages
        var capacity = 64
        while capacity < map.count * 4 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity), values = [UInt8](repeating: 0, count: capacity)
        for (key, language) in map {
            var slot = Int(truncatingIfNeeded: Hashing.mix(key)) & (capacity - 1)
            while values[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = language + 1
        }
        self.keys = keys
        self.values = values
        mask = capacity - 1
    }

    /// The language index + 1 of the word whose FNV-1a is `h`, or 0.
    @inline(__always)
    private func lookup(_ h: UInt64, _ keys: UnsafePointer<UInt64>, _ values: UnsafePointer<UInt8>) -> Int {
        var slot = Int(truncatingIfNeeded: Hashing.mix(h)) & mask
        while values[slot] != 0 {
            if keys[slot] == h { return Int(values[slot]) }
            slot = (slot + 1) & mask
        }
        return 0
    }

    /// The language of `sample` (UTF-8) when the evidence is clear, else nil.
    public func guess(_ sample: UnsafeBufferPointer<UInt8>) -> String? {
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: languages.count + 1) { hits in
                    hits.initialize(repeating: 0)
                    return guess(sample, k.baseAddress!, v.baseAddress!, hits)
                }
            }
        }
    }

    /// Hits that decide at once when no other language has a ``lead``-th of them (the rest of the
    /// sample is not read).
    static let early = 12

    private func guess(_ sample: UnsafeBufferPointer<UInt8>, _ keys: UnsafePointer<UInt64>, _ values: UnsafePointer<UInt8>,
                       _ hits: UnsafeMutableBufferPointer<Int>) -> String? {
        var script = ScriptCounts()
        var decided = -1
        // Each word's FNV-1a is computed as its bytes go by (ASCII letters lowercased).
        let offset: UInt64 = 0xcbf2_9ce4_8422_2325, prime: UInt64 = 0x0000_0100_0000_01b3
        var h = offset, length = 0
        @inline(__always) func endWord() {
            if length > 0 {
                let language = lookup(h, keys, values)
                hits[language] += 1
                if language > 0 && hits[language] == Self.early
                    && (1..<hits.count).allSatisfy({ $0 == language || hits[$0] * Self.lead <= Self.early }) {
                    decided = language - 1
                }
                h = offset
                length = 0
            }
        }
        var i = 0
        let n = sample.count
        while i < n && decided < 0 {
            let b = sample[i]
            if b < 0x80 {
                let lower = b | 0x20
                if lower >= 0x61 && lower <= 0x7A {
                    h = (h ^ UInt64(lower)) &* prime
                    length += 1
                    script.latin += 1
                } else if b == 0x27 && length > 0 {
                    h = (h ^ UInt64(b)) &* prime
                    length += 1
                } else {
                    endWord()
                }
                i += 1
                continue
            }
            // A multibyte character: decode it, count its script, keep it in the word.
            let count = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            guard i + count <= n, count > 1 else { endWord(); i += 1; continue }
            var scalar = UInt32(b) & (count == 2 ? 0x1F : count == 3 ? 0x0F : 0x07)
            for k in 1..<count { scalar = scalar << 6 | UInt32(sample[i + k] & 0x3F) }
            if script.count(scalar) {
                for k in 0..<count { h = (h ^ UInt64(sample[i + k])) &* prime }
                length += count
            } else {
                endWord()
            }
            i += count
        }
        endWord()
        if let byScript = script.language() { return byScript }
        if decided >= 0 { return script.latin + script.cyrillic > 0 ? languages[decided] : nil }
        var best = -1, bestHits = 0, second = 0
        for k in 1..<hits.count {
            let h = hits[k]
            if h > bestHits { second = bestHits; bestHits = h; best = k - 1 } else if h > second { second = h }
        }
        guard best >= 0, bestHits >= Self.minimumHits, bestHits >= Self.lead * second else { return nil }
        return languages[best]
    }

    /// Letters by script, and the language a script alone decides.
    private struct ScriptCounts {
        var latin = 0, greek = 0, cyrillic = 0, armenian = 0, arabic = 0, hangul = 0, kana = 0, han = 0, other = 0

        /// Counts a non-ASCII scalar; returns whether it is a letter (part of a word).
        mutating func count(_ s: UInt32) -> Bool {
            switch s {
            case 0x00C0...0x024F where s != 0x00D7 && s != 0x00F7: latin += 1
            case 0x0370...0x03FF, 0x1F00...0x1FFF: greek += 1
            case 0x0400...0x04FF: cyrillic += 1
            case 0x0530...0x058F: armenian += 1
            case 0x0600...0x06FF: arabic += 1
            case 0xAC00...0xD7AF, 0x1100...0x11FF: hangul += 1
            case 0x3040...0x30FF: kana += 1
            case 0x4E00...0x9FFF, 0x3400...0x4DBF: han += 1
            case 0x0900...0x0DFF, 0x0E00...0x0FFF, 0x10A0...0x10FF: other += 1
            case 0x2000...0x2BFF, 0x3000...0x303F, 0xFF00...0xFFEF: return false   // punctuation, symbols
            default: other += 1
            }
            return true
        }

        /// The language when one script of one listed language holds most letters; nil otherwise
        /// (Latin and Cyrillic script: several languages, decided by words).
        func language() -> String? {
            let total = latin + greek + cyrillic + armenian + arabic + hangul + kana + han + other
            guard total > 0 else { return nil }
            func most(_ k: Int) -> Bool { k * 10 >= total * 6 }
            if most(greek) { return "el" }
            if most(armenian) { return "hy" }
            if most(arabic) { return "ar" }
            if most(hangul) { return "ko" }
            if most(kana + han) { return kana * 10 >= (kana + han) ? "ja" : "zh" }
            return nil
        }
    }
}
