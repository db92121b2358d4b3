/// Term counts of one article: local term indices (into ``Analyzer/terms``) with how often
/// each occurs in the title and in the text, in order of first occurrence (title first).
public struct TermCounts: Sendable, Equatable {
    public var terms: [Int32] = []
    public var titleCounts: [UInt16] = []
    public var textCounts: [UInt16] = []
    public init() {}
}

/// The analyzer chain: ``Tokenizer`` → ``CaseFolder`` → ``Stopwords`` → ``SnowballStemmer``,
/// per language, with a cache from folded token to term so that each distinct word is
/// stemmed once. Not thread-safe: one per thread.
///
/// Terms are stems, as strings; an analyzer numbers them in order of first sight.
public final class Analyzer {
    /// Folded stems by local index.
    public private(set) var terms: [String] = []
    private var termIndex: [String: Int32] = [:]
    private var pipelines: [String: Pipeline] = [:]
    private let stopwordsFor: (String) -> Stopwords
    private let defaultLanguage: String
    private let identifier: LanguageIdentifier?
    private let minTokenLength: Int
    private let tokenizer = Tokenizer()
    private let folder = CaseFolder()
    private var folded: [UInt8] = []
    private var scratchTitle: [UInt16] = []
    private var scratchText: [UInt16] = []
    private var touched: [Int32] = []
    private var tokens: [Token] = []

    final class Pipeline {
        let stopwords: Stopwords
        let stemmer: SnowballStemmer?
        /// Hash of folded token bytes → local term, or -1 for a dropped token. A 64-bit hash:
        /// a collision between two distinct words (odds ~1e-7 at ten million words) merges them.
        var cache = _TermCache()
        init(stopwords: Stopwords, stemmer: SnowballStemmer?) {
            self.stopwords = stopwords
            self.stemmer = stemmer
        }
    }

    /// - Parameters:
    ///   - defaultLanguage: for articles without a `lang` whose language is not identified.
    ///   - minTokenLength: ASCII tokens shorter than this many bytes are dropped.
    ///   - identifier: identifies the language of articles without a `lang` (nil: use the default).
    ///   - stopwords: the stopword list for an ISO 639-1 code (empty when there is none).
    public init(defaultLanguage: String = "en", minTokenLength: Int = 2, identifier: LanguageIdentifier? = nil,
                stopwords: @escaping (String) -> Stopwords) {
        self.defaultLanguage = defaultLanguage
        self.identifier = identifier
        self.minTokenLength = minTokenLength
        self.stopwordsFor = stopwords
    }

    private func pipeline(_ language: String) -> Pipeline {
        if let p = pipelines[language] { return p }
        let p = Pipeline(stopwords: stopwordsFor(language), stemmer: SnowballStemmer(language: language))
        pipelines[language] = p
        return p
    }

    /// A 64-bit key of the lowercased bytes `start..<end` of an ASCII token, eight bytes at a time:
    /// one unaligned load, a SWAR lowercase ('A'...'Z' get 0x20) and one mix per word, instead
    /// of a multiply per byte. (Non-ASCII tokens are keyed by their folded bytes; a word reached
    /// both ways gets two cache entries for the same term.)
    @inline(__always)
    static func asciiKey(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        let base = UnsafeRawPointer(text.baseAddress!)
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(truncatingIfNeeded: end - start)
        var k = start
        while k < end {
            let n = end - k
            var w: UInt64 = 0
            if k + 8 <= text.count {
                w = base.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                if n < 8 { w &= (1 &<< UInt64(8 * n)) &- 1 }   // little endian: the token's bytes are the low ones
            } else {
                for b in 0..<min(n, 8) { w |= UInt64(text[k + b]) &<< UInt64(8 * b) }
            }
            // Bytes are < 0x80 (and those past the token zero), so no add carries into the next byte.
            let atLeastA = w &+ 0x3F3F_3F3F_3F3F_3F3F, pastZ = w &+ 0x2525_2525_2525_2525
            w |= ((atLeastA & ~pastZ) & 0x8080_8080_8080_8080) &>> 2
            h = Hashing.mix(h ^ w)
            k += 8
        }
        return h
    }

    /// The local term of a token, or -1 when it is dropped. `cache` is the pipeline's, moved
    /// out of the class for the duration of a call (no exclusivity checks in the hot loop).
    @inline(__always)
    private func term(_ text: UnsafeBufferPointer<UInt8>, _ token: Token, _ p: Pipeline, _ cache: inout _TermCache,
                      _ folded: inout [UInt8]) -> Int32 {
        let key: UInt64
        if token.isASCII {
            // Hash the lowercased bytes in place; fold into the buffer only on a miss.
            key = Self.asciiKey(text, token.start, token.end)
            if let cached = cache.get(key) { return cached }
            folder.fold(text, token, into: &folded)
        } else {
            folder.fold(text, token, into: &folded)
            key = folded.withUnsafeBufferPointer { Hashing.fnv1a($0) }
            if let cached = cache.get(key) { return cached }
        }
        var result: Int32 = -1
        let word = String(decoding: folded, as: UTF8.self)
        if !(token.isASCII && folded.count < minTokenLength) && !p.stopwords.contains(word) {
            let stem: String
            if let stemmer = p.stemmer {
                stem = folded.withUnsafeBufferPointer { String(decoding: stemmer.stem($0), as: UTF8.self) }
            } else {
                stem = word
            }
            if let existing = termIndex[stem] {
                result = existing
            } else {
                result = Int32(terms.count)
                terms.append(stem)
                termIndex[stem] = result
            }
        }
        cache.set(key, result)
        return result
    }

    /// The language an article is analyzed in: its `lang` (first two letters), else the
    /// identified one, else the default. Unknown languages get no stemmer and no stopwords.
    public func language(title: String, text: String, given: String?) -> String {
        if let given, !given.isEmpty { return String(given.prefix(2)).lowercased() }
        return identifier?.identify(title: title, text: text) ?? defaultLanguage
    }

    /// Analyzes one article.
    /// - Complexity: O(bytes of title and text).
    public func analyze(title: String, text: String, language: String?) -> TermCounts {
        let p = pipeline(self.language(title: title, text: text, given: language))
        // Move the mutable state into locals (unique, so no copies), and back at the end.
        var cache = p.cache; p.cache = _TermCache(capacity: 0)
        var folded = self.folded; self.folded = []
        var counts = self.scratchTitle; self.scratchTitle = []
        var textCounts = self.scratchText; self.scratchText = []
        var touched = self.touched; self.touched = []
        defer {
            p.cache = cache
            self.folded = folded
            self.scratchTitle = counts
            self.scratchText = textCounts
            self.touched = touched
        }
        touched.removeAll(keepingCapacity: true)
        var tokens = self.tokens; self.tokens = []
        defer { self.tokens = tokens }
        for (part, isTitle) in [(title, true), (text, false)] {
            var s = part
            s.withUTF8 { bytes in
                tokenizer.tokenize(bytes, into: &tokens)
                for token in tokens {
                    let t = term(bytes, token, p, &cache, &folded)
                    guard t >= 0 else { continue }
                    let i = Int(t)
                    if i >= counts.count {
                        let grow = max(i + 1, counts.count * 2)
                        counts.append(contentsOf: repeatElement(0, count: grow - counts.count))
                        textCounts.append(contentsOf: repeatElement(0, count: grow - textCounts.count))
                    }
                    if counts[i] == 0 && textCounts[i] == 0 { touched.append(t) }
                    if isTitle {
                        if counts[i] < UInt16.max { counts[i] += 1 }
                    } else {
                        if textCounts[i] < UInt16.max { textCounts[i] += 1 }
                    }
                }
            }
        }
        var out = TermCounts()
        out.terms.reserveCapacity(touched.count)
        out.titleCounts.reserveCapacity(touched.count)
        out.textCounts.reserveCapacity(touched.count)
        for t in touched {
            let i = Int(t)
            out.terms.append(t)
            out.titleCounts.append(counts[i])
            out.textCounts.append(textCounts[i])
            counts[i] = 0
            textCounts[i] = 0
        }
        return out
    }

    /// Calls `body` with the local term and the folded (unstemmed) word of each kept token.
    /// `language` is used as given (see ``language(title:text:given:)``), the default when nil.
    public func forEachTerm(_ text: String, language: String?, _ body: (Int32, String) -> Void) {
        let p = pipeline(language.flatMap { $0.isEmpty ? nil : String($0.prefix(2)) } ?? defaultLanguage)
        var cache = p.cache; p.cache = _TermCache(capacity: 0)
        var folded: [UInt8] = []
        defer { p.cache = cache }
        var s = text
        s.withUTF8 { bytes in
            tokenizer.tokenize(bytes) { token in
                let t = term(bytes, token, p, &cache, &folded)
                if t >= 0 {
                    if token.isASCII || folded.isEmpty { folder.fold(bytes, token, into: &folded) }
                    body(t, String(decoding: folded, as: UTF8.self))
                }
            }
        }
    }

    /// The analyzed terms of a short text, as strings (for tests and diagnostics).
    public func terms(of text: String, language: String? = nil) -> [String] {
        var result: [String] = []
        forEachTerm(text, language: language) { t, _ in result.append(terms[Int(t)]) }
        return result
    }
}
