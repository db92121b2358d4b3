import Foundation
import StorylineCore
import StorylineText

/// A unit a story is read in for framing: one stem, or a phrase of two or three stems written
/// next to each other (nothing but spaces between: no stopword, no punctuation) within one
/// sentence. Terms are the analyzer's local ones; -1 pads.
struct UnitKey: Hashable {
    var a: Int32, b: Int32 = -1, c: Int32 = -1
    var length: Int { c >= 0 ? 3 : b >= 0 ? 2 : 1 }
    var terms: [Int32] { Array([a, b, c].prefix(length)) }

    /// One word for the hasher (this is hashed for every token of every report).
    func hash(into hasher: inout Hasher) {
        hasher.combine(UInt64(UInt32(bitPattern: a)) | UInt64(UInt32(bitPattern: b)) << 32 ^ UInt64(UInt32(bitPattern: c)) &* 0x9e37_79b9_7f4a_7c15)
    }
    var last: Int32 { c >= 0 ? c : b >= 0 ? b : a }

    /// Whether `other` is this unit or a contiguous part of it.
    func contains(_ other: UnitKey) -> Bool {
        let mine = terms, theirs = other.terms
        guard theirs.count <= mine.count else { return false }
        for start in 0...(mine.count - theirs.count) where Array(mine[start..<start + theirs.count]) == theirs { return true }
        return false
    }
}

/// A story's articles read once into units: for each article its sentences (the units in each,
/// repeated as often as they occur), and for each unit how it is written: with capitals (names)
/// or not, with digits (numbers).
///
/// Sentences end at `.`, `!`, `?` or a line break between tokens; a title is a sentence of its
/// own. Capitals count only inside a sentence of the text (a sentence's first word and headlines
/// are capitalized whatever they are).
struct StoryUnits {
    private(set) var index: [UnitKey: Int32] = [:]
    private(set) var keys: [UnitKey] = []
    /// Occurrences written with every word capitalized, and otherwise (inside text sentences only).
    private(set) var capitalized: [Int32] = []
    private(set) var lowercase: [Int32] = []
    private(set) var hasDigit: [Bool] = []
    /// Per article: its units' occurrences, sentence after sentence, and where each sentence starts.
    private(set) var occurrences: [[Int32]] = []
    private(set) var sentenceStarts: [[Int]] = []
    /// Per article, per sentence (its own: a sentence of stopwords only counts here): words, and
    /// loaded words (``LoadedWords``); and the loaded words the article uses, with their counts.
    private(set) var sentenceWords: [[Int32]] = []
    private(set) var sentenceLoaded: [[Int32]] = []
    private(set) var loadedUsed: [[Int32: Int]] = []

    var count: Int { keys.count }

    /// A unit is a name when at least 80% of its occurrences inside sentences are capitalized.
    func isName(_ u: Int32) -> Bool {
        let c = capitalized[Int(u)], l = lowercase[Int(u)]
        return c > 0 && c >= 4 * l
    }

    init(articles: [(title: String, text: String, language: String)], analyzer: Analyzer, loaded: LoadedWords? = nil) {
        for a in articles {
            var occ: [Int32] = [], starts: [Int] = []
            var words: [Int32] = [], loadedCounts: [Int32] = [], used: [Int32: Int] = [:]
            func endSentence() {
                if words.last != 0 { words.append(0); loadedCounts.append(0) }
            }
            for (part, isTitle) in [(a.title, true), (a.text, false)] {
                if starts.last != occ.count { starts.append(occ.count) }
                endSentence()
                let english = a.language == "en"
                Self.walk(part, language: a.language, analyzer: analyzer) { key, range, bytes, capitals, initial in
                    let u = self.unit(key, digits: Self.hasDigit(bytes, range))
                    occ.append(u)
                    if !isTitle && !initial {
                        if capitals { self.capitalized[Int(u)] += 1 } else { self.lowercase[Int(u)] += 1 }
                    }
                } sentence: {
                    if starts.last != occ.count { starts.append(occ.count) }
                    endSentence()
                } token: { token, bytes in
                    words[words.count - 1] += 1
                    if english, let loaded, let w = loaded.lookup(bytes, token.start..<token.end) {
                        loadedCounts[loadedCounts.count - 1] += 1
                        used[w, default: 0] += 1
                    }
                }
            }
            if starts.last == occ.count { starts.removeLast() }
            if words.last == 0 { words.removeLast(); loadedCounts.removeLast() }
            occurrences.append(occ)
            sentenceStarts.append(starts)
            sentenceWords.append(words)
            sentenceLoaded.append(loadedCounts)
            loadedUsed.append(used)
        }
    }

    private mutating func unit(_ key: UnitKey, digits: Bool) -> Int32 {
        if let u = index[key] { return u }
        let u = Int32(keys.count)
        index[key] = u
        keys.append(key)
        capitalized.append(0)
        lowercase.append(0)
        hasDigit.append(digits)
        return u
    }

    /// The units of `part` in order: `body(unit, byte range, bytes, every word capitalized,
    /// starts its sentence)`; `sentence()` where a new sentence begins.
    static func walk(_ part: String, language: String, analyzer: Analyzer,
                     _ body: (UnitKey, Range<Int>, UnsafeBufferPointer<UInt8>, Bool, Bool) -> Void, sentence: () -> Void,
                     token tokenBody: ((Token, UnsafeBufferPointer<UInt8>) -> Void)? = nil) {
        var run: [(term: Int32, start: Int, capital: Bool, initial: Bool)] = []
        var previousEnd = 0, inSentence = 0
        analyzer.forEachToken(part, language: language) { term, token, bytes in
            var sentenceEnds = false, phraseEnds = false
            var k = previousEnd
            while k < token.start {
                switch bytes[k] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"): break
                case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): sentenceEnds = true
                default: phraseEnds = true
                }
                k += 1
            }
            previousEnd = token.end
            if sentenceEnds && inSentence > 0 { sentence(); inSentence = 0 }
            tokenBody?(token, bytes)
            if sentenceEnds || phraseEnds || term < 0 { run.removeAll(keepingCapacity: true) }
            defer { inSentence += 1 }
            guard term >= 0 else { return }
            run.append((term, token.start, isCapital(bytes, token.start), inSentence == 0))
            if run.count > 3 { run.removeFirst() }
            for n in 1...run.count {
                let first = run.count - n
                let key = UnitKey(a: run[first].term, b: n > 1 ? run[first + 1].term : -1, c: n > 2 ? run[first + 2].term : -1)
                let capitals = run[first...].allSatisfy(\.capital)
                body(key, run[first].start..<token.end, bytes, capitals, run[first].initial)
            }
        }
    }

    static func isCapital(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        let b = bytes[at]
        if b < 0x80 { return b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
        var end = at + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self).unicodeScalars.first
        return scalar?.properties.isUppercase ?? false
    }

    static func hasDigit(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        bytes[range].contains { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// How each of the `wanted` units is written in `articles` (the text as written, with spaces
    /// folded to one): form → occurrences.
    /// The surface forms of the `wanted` units in each article, with their counts.
    static func formsPerArticle(of wanted: Set<UnitKey>, in articles: [(title: String, text: String, language: String)],
                                analyzer: Analyzer) -> [[UnitKey: [String: Int]]] {
        guard !wanted.isEmpty else { return articles.map { _ in [:] } }
        return articles.map { a in
            var out: [UnitKey: [String: Int]] = [:]
            for part in [a.title, a.text] {
                walk(part, language: a.language, analyzer: analyzer) { key, range, bytes, _, _ in
                    guard wanted.contains(key) else { return }
                    out[key, default: [:]][form(bytes, range), default: 0] += 1
                } sentence: {}
            }
            return out
        }
    }

    /// A unit as written at `range`: its text with spaces folded to one.
    static func form(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        return raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// Forms counted over several articles.
    static func sum(_ forms: [[UnitKey: [String: Int]]]) -> [UnitKey: [String: Int]] {
        var out: [UnitKey: [String: Int]] = [:]
        for f in forms {
            for (key, counts) in f { out[key, default: [:]].merge(counts, uniquingKeysWith: +) }
        }
        return out
    }
}
