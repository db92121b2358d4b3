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
    public static let minimumHits = 5
    /// How many times the runner-up's hits the leader needs.
    public static let lead = 4

    private let languages: [String]
    /// FNV-1a of a word (lowercased) → its language's index.
    private let languageOfWord: [UInt64: UInt8]

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
        languageOfWord = map
    }

    /// The language of `sample` (UTF-8) when the evidence is clear, else nil.
    public func guess(_ sample: UnsafeBufferPointer<UInt8>) -> String? {
        var script = ScriptCounts()
        var hits = [Int](repeating: 0, count: languages.count)
        var word = [UInt8]()
        word.reserveCapacity(32)
        func endWord() {
            if !word.isEmpty {
                if let language = word.withUnsafeBufferPointer({ languageOfWord[Hashing.fnv1a($0)] }) { hits[Int(language)] += 1 }
                word.removeAll(keepingCapacity: true)
            }
        }
        var i = 0
        let n = sample.count
        while i < n {
            let b = sample[i]
            if b < 0x80 {
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) {
                    word.append(b | 0x20)
                    script.latin += 1
                } else if b == 0x27 && !word.isEmpty {
                    word.append(b)
                } else {
                    endWord()
                }
                i += 1
                continue
            }
            // A multibyte character: decode it, count its script, keep it in the word.
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            guard i + length <= n, length > 1 else { endWord(); i += 1; continue }
            var scalar = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length { scalar = scalar << 6 | UInt32(sample[i + k] & 0x3F) }
            if script.count(scalar) {
                for k in 0..<length { word.append(sample[i + k]) }
            } else {
                endWord()
            }
            i += length
        }
        endWord()
        if let byScript = script.language() { return byScript }
        var best = -1, bestHits = 0, second = 0
        for (k, h) in hits.enumerated() {
            if h > bestHits { second = bestHits; bestHits = h; best = k } else if h > second { second = h }
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
