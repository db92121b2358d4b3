/// Term counts of one article: local term indices (into ``Analyzer/terms``) with how often
/// each occurs in the title and in the text, sorted by index.
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
    private let minTokenLength: Int
    private let tokenizer = Tokenizer()
    private let folder = CaseFolder()
    private var folded: [UInt8] = []
    private var scratchTitle: [UInt16] = []
    private var scratchText: [UInt16] = []
    private var touched: [Int32] = []

    final class Pipeline {
        let stopwords: Stopwords
        let stemmer: SnowballStemmer?
        /// Hash of folded token bytes → local term, or -1 for a dropped token. A 64-bit hash:
        /// a collision between two distinct words (odds ~1e-7 at ten million words) merges them.
        var cache: [UInt64: Int32] = [:]
        init(stopwords: Stopwords, stemmer: SnowballStemmer?) {
            self.stopwords = stopwords
            self.stemmer = stemmer
        }
    }

    /// - Parameters:
    ///   - defaultLanguage: used for articles without a `lang`.
    ///   - minTokenLength: ASCII tokens shorter than this many bytes are dropped.
    ///   - stopwords: the stopword list for an ISO 639-1 code (empty when there is none).
    public init(defaultLanguage: String = "en", minTokenLength: Int = 2, stopwords: @escaping (String) -> Stopwords) {
        self.defaultLanguage = defaultLanguage
        self.minTokenLength = minTokenLength
        self.stopwordsFor = stopwords
    }

    private func pipeline(_ language: String) -> Pipeline {
        if let p = pipelines[language] { return p }
        let p = Pipeline(stopwords: stopwordsFor(language), stemmer: SnowballStemmer(language: language))
        pipelines[language] = p
        return p
    }

    /// The local term of a token, or -1 when it is dropped.
    @inline(__always)
    private func term(_ text: UnsafeBufferPointer<UInt8>, _ token: Token, _ p: Pipeline) -> Int32 {
        folder.fold(text, token, into: &folded)
        let key = folded.withUnsafeBufferPointer { Hashing.fnv1a($0) }
        if let cached = p.cache[key] { return cached }
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
        p.cache[key] = result
        return result
    }

    /// Analyzes one article.
    /// - Complexity: O(bytes of title and text).
    public func analyze(title: String, text: String, language: String?) -> TermCounts {
        let p = pipeline(language.flatMap { $0.isEmpty ? nil : String($0.prefix(2)) } ?? defaultLanguage)
        touched.removeAll(keepingCapacity: true)
        func count(_ s: String, isTitle: Bool) {
            var s = s
            s.withUTF8 { bytes in
                tokenizer.tokenize(bytes) { token in
                    let t = term(bytes, token, p)
                    guard t >= 0 else { return }
                    let i = Int(t)
                    if i >= scratchTitle.count {
                        let grow = max(i + 1, scratchTitle.count * 2)
                        scratchTitle.append(contentsOf: repeatElement(0, count: grow - scratchTitle.count))
                        scratchText.append(contentsOf: repeatElement(0, count: grow - scratchText.count))
                    }
                    if scratchTitle[i] == 0 && scratchText[i] == 0 { touched.append(t) }
                    if isTitle {
                        if scratchTitle[i] < UInt16.max { scratchTitle[i] += 1 }
                    } else {
                        if scratchText[i] < UInt16.max { scratchText[i] += 1 }
                    }
                }
            }
        }
        count(title, isTitle: true)
        count(text, isTitle: false)
        touched.sort()
        var out = TermCounts()
        out.terms.reserveCapacity(touched.count)
        out.titleCounts.reserveCapacity(touched.count)
        out.textCounts.reserveCapacity(touched.count)
        for t in touched {
            let i = Int(t)
            out.terms.append(t)
            out.titleCounts.append(scratchTitle[i])
            out.textCounts.append(scratchText[i])
            scratchTitle[i] = 0
            scratchText[i] = 0
        }
        return out
    }

    /// Calls `body` with the local term and the folded (unstemmed) word of each kept token.
    public func forEachTerm(_ text: String, language: String?, _ body: (Int32, String) -> Void) {
        let p = pipeline(language.flatMap { $0.isEmpty ? nil : String($0.prefix(2)) } ?? defaultLanguage)
        var s = text
        s.withUTF8 { bytes in
            tokenizer.tokenize(bytes) { token in
                let t = term(bytes, token, p)
                if t >= 0 { body(t, String(decoding: folded, as: UTF8.self)) }
            }
        }
    }

    /// The analyzed terms of a short text, as strings (for tests and diagnostics).
    public func terms(of text: String, language: String? = nil) -> [String] {
        var result: [String] = []
        let p = pipeline(language ?? defaultLanguage)
        var s = text
        s.withUTF8 { bytes in
            tokenizer.tokenize(bytes) { token in
                let t = term(bytes, token, p)
                if t >= 0 { result.append(terms[Int(t)]) }
            }
        }
        return result
    }
}
