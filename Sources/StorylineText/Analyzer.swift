import StorylineCore

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
    /// Room for the tokens of one title or text (at most one per byte).
    private var tokenBuffer = UnsafeMutablePointer<Token>.allocate(capacity: 0)
    /// Per token: its key (ASCII tokens) and its term.
    private var keyBuffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 0)
    private var termBuffer = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    private var tokenCapacity = 0

    final class Pipeline {
        let stopwords: Stopwords
        let stemmer: SnowballStemmer?
        /// Key of a token's bytes (``Analyzer/key(_:_:)``) → local term, or -1 for a dropped
        /// token. A 64-bit hash: a collision between two distinct words (odds ~1e-7 at ten
        /// million words) merges them.
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

    /// The cache key of a token, eight bytes at a time: one unaligned load and one mix per
    /// word, instead of a multiply per byte. An ASCII token is keyed by its lowercased bytes (a
    /// SWAR lowercase: 'A'...'Z' get 0x20), any other by its raw bytes, with another seed.
    /// Either way nothing is folded to look a token up; a word spelled two ways ("Über",
    /// "über") gets two cache entries for the same term.
    @inline(__always)
    static func key(_ text: UnsafeBufferPointer<UInt8>, _ token: Token) -> UInt64 {
        token.isASCII ? wordKey(text, token.start, token.end, lowercase: true)
                      : wordKey(text, token.start, token.end, lowercase: false)
    }

    @inline(__always)
    private static func wordKey(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, lowercase: Bool) -> UInt64 {
        let base = UnsafeRawPointer(text.baseAddress!)
        var h: UInt64 = (lowercase ? 0x243F_6A88_85A3_08D3 : 0x1319_8A2E_0370_7344) ^ UInt64(truncatingIfNeeded: end - start)
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
            if lowercase {
                // Bytes are < 0x80 (and those past the token zero), so no add carries into the next byte.
                let atLeastA = w &+ 0x3F3F_3F3F_3F3F_3F3F, pastZ = w &+ 0x2525_2525_2525_2525
                w |= ((atLeastA & ~pastZ) & 0x8080_8080_8080_8080) &>> 2
            }
            h = Hashing.mix(h ^ w)
            k += 8
        }
        return h
    }

    /// The local term of a token, or -1 when it is dropped. `key` is the token's ``key(_:_:)``.
    /// `cache` is the pipeline's, moved out of the class for the duration of a call (no
    /// exclusivity checks in the hot loop).
    @inline(__always)
    private func term(_ text: UnsafeBufferPointer<UInt8>, _ token: Token, _ key: UInt64, _ p: Pipeline, _ cache: inout _TermCache,
                      _ folded: inout [UInt8]) -> Int32 {
        // The common case inline: a word seen before, hashed in place, nothing folded.
        if let cached = cache.get(key) { return cached }
        return uncachedTerm(text, token, key, p, &cache, &folded)
    }

    /// ``term(_:_:_:_:_:_:)`` for a token not in the cache: folded, checked against the
    /// stopwords and stemmed, once.
    @inline(never)
    private func uncachedTerm(_ text: UnsafeBufferPointer<UInt8>, _ token: Token, _ key: UInt64, _ p: Pipeline,
                              _ cache: inout _TermCache, _ folded: inout [UInt8]) -> Int32 {
        folder.fold(text, token, into: &folded)
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
        var out = TermCounts()
        let n = count(title: title, text: text, language: language)
        out.terms.reserveCapacity(n)
        out.titleCounts.reserveCapacity(n)
        out.textCounts.reserveCapacity(n)
        drain { t, title, text in
            out.terms.append(t)
            out.titleCounts.append(title)
            out.textCounts.append(text)
        }
        return out
    }

    /// Counts the terms of one article, to be taken with ``drain(_:)`` before the next; returns
    /// how many distinct terms it has.
    package func count(title: String, text: String, language: String?) -> Int {
        let p = pipeline(self.language(title: title, text: text, given: language))
        // Move the mutable state into locals (unique, so no copies), and back at the end.
        var cache = p.cache; p.cache = _TermCache.placeholder
        var folded = self.folded; self.folded = []
        defer {
            p.cache = cache
            self.folded = folded
        }
        countPart(title, isTitle: true, p, &cache, &folded)
        countPart(text, isTitle: false, p, &cache, &folded)
        return touchedCount
    }

    /// Calls `body(term, title count, text count)` for each term counted since the last drain,
    /// in order of first occurrence (title first), and resets the counts.
    @inline(__always)
    package func drain(_ body: (Int32, UInt16, UInt16) -> Void) {
        for k in 0..<touchedCount {
            let t = touched[k]
            let v = tally[Int(t)]
            body(t, UInt16(truncatingIfNeeded: v >> 16), UInt16(truncatingIfNeeded: v))
            tally[Int(t)] = 0
        }
        touchedCount = 0
    }

    /// Per local term: title count << 16 | text count, for the article being counted (0 else).
    private var tally = UnsafeMutablePointer<UInt32>.allocate(capacity: 0)
    private var tallyCapacity = 0
    /// The terms counted since the last drain, in order of first occurrence.
    private var touched = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    private var touchedCount = 0

    deinit {
        tally.deallocate()
        touched.deallocate()
        tokenBuffer.deallocate()
        keyBuffer.deallocate()
        termBuffer.deallocate()
    }

    /// Room in `tally` (and `touched`) for local term `i`.
    private func reserveTally(_ i: Int) {
        let capacity = max(i + 1, 2 * tallyCapacity, 1024)
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        t.update(from: tally, count: tallyCapacity)
        (t + tallyCapacity).initialize(repeating: 0, count: capacity - tallyCapacity)
        tally.deallocate()
        tally = t
        let u = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        u.update(from: touched, count: touchedCount)
        touched.deallocate()
        touched = u
        tallyCapacity = capacity
    }

    private func countPart(_ part: String, isTitle: Bool, _ p: Pipeline, _ cache: inout _TermCache, _ folded: inout [UInt8]) {
        var s = part
        let one: UInt32 = isTitle ? 1 << 16 : 1
        s.withUTF8 { bytes in
            if bytes.count > tokenCapacity {
                tokenBuffer.deallocate(); keyBuffer.deallocate(); termBuffer.deallocate()
                tokenCapacity = max(bytes.count, 2 * tokenCapacity)
                tokenBuffer = .allocate(capacity: tokenCapacity)
                keyBuffer = .allocate(capacity: tokenCapacity)
                termBuffer = .allocate(capacity: tokenCapacity)
            }
            let tokenCount = tokenizer.tokenize(bytes, writingTo: tokenBuffer)
            // In passes over the tokens: keys, then terms, then counts. Each pass's memory
            // accesses (the cache's slots, the tallies) are independent from token to token, so
            // their cache misses overlap, and with the keys known the lookups can ask for their
            // slots ahead.
            let keys = keyBuffer, termBuffer = self.termBuffer
            for j in 0..<tokenCount {
                let token = tokenBuffer[j]
                keys[j] = Self.key(bytes, token)
            }
            let ahead = 16
            for j in 0..<min(ahead, tokenCount) { cache.prefetch(keys[j]) }
            for j in 0..<tokenCount {
                if j + ahead < tokenCount { cache.prefetch(keys[j + ahead]) }
                termBuffer[j] = term(bytes, tokenBuffer[j], keys[j], p, &cache, &folded)
            }
            var tally = self.tally, touched = self.touched, capacity = self.tallyCapacity, n = self.touchedCount
            defer { self.touchedCount = n }
            for j in 0..<tokenCount {
                let t = termBuffer[j]
                guard t >= 0 else { continue }
                let i = Int(t)
                if i >= capacity {
                    self.touchedCount = n
                    reserveTally(i)
                    tally = self.tally; touched = self.touched; capacity = self.tallyCapacity
                }
                let v = tally[i]
                if v == 0 { touched[n] = t; n += 1 }
                // Each count stops at 65,535 (UInt16).
                if (isTitle ? v >> 16 : v & 0xFFFF) != 0xFFFF { tally[i] = v &+ one }
            }
        }
    }

    /// Calls `body` with the local term and the folded (unstemmed) word of each kept token.
    /// `language` is used as given (see ``language(title:text:given:)``), the default when nil.
    public func forEachTerm(_ text: String, language: String?, _ body: (Int32, String) -> Void) {
        var folded: [UInt8] = []
        forEachToken(text, language: language) { t, token, bytes in
            guard t >= 0 else { return }
            folder.fold(bytes, token, into: &folded)
            body(t, String(decoding: folded, as: UTF8.self))
        }
    }

    /// Calls `body` with every token of `text` in order: its local term (-1 when the token is
    /// dropped: a stopword, too short), its byte range, and the text's UTF-8 bytes (valid during
    /// the call). For callers that need what lies between terms: phrases, sentences, capitals.
    public func forEachToken(_ text: String, language: String?, _ body: (Int32, Token, UnsafeBufferPointer<UInt8>) -> Void) {
        let p = pipeline(language.flatMap { $0.isEmpty ? nil : String($0.prefix(2)) } ?? defaultLanguage)
        var cache = p.cache; p.cache = _TermCache.placeholder
        var folded: [UInt8] = []
        defer { p.cache = cache }
        var s = text
        s.withUTF8 { bytes in
            tokenizer.tokenize(bytes) { token in
                body(term(bytes, token, Self.key(bytes, token), p, &cache, &folded), token, bytes)
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
