import Foundation

/// The vectorize stage: analyzes articles not yet analyzed, stores their term counts under
/// stable feature ids, and updates document frequencies, one transaction per batch.
///
/// Analysis runs on all cores: each worker has its own ``Analyzer`` and takes a contiguous share
/// of each batch. Feature ids are then given in article order, each article's terms in order of
/// first occurrence, so ids (and vectors) are the same whatever the number of threads.
struct Vectorizer {
    let store: Store
    let profile: Profile
    let models: ModelDirectory
    let progress: ProgressReporter
    var batchSize = Int(ProcessInfo.processInfo.environment["STORYLINE_VECTORIZE_BATCH"] ?? "") ?? 5000
    var threads = ProcessInfo.processInfo.activeProcessorCount

    /// Returns how many articles were analyzed.
    func run() throws -> Int {
        let total = try store.unvectorizedCount()
        guard total > 0 else { return 0 }
        progress.begin("vectorize", total: total)
        var vocabulary = try store.loadVocabulary()
        var merger = TermMerger(workers: max(1, threads), profile: profile, models: models)
        let update = try store.setTermsStatement()
        var last: Int64 = 0
        var done = 0
        while true {
            let batch = try store.unvectorized(after: last, limit: batchSize)
            guard let tail = batch.last else { break }
            last = tail.seq
            let results = merger.analyze(batch.map { ($0.title, $0.text, $0.lang) }, into: &vocabulary)
            try store.db.transaction {
                for (article, terms) in zip(batch, results) { try store.setTerms(article.seq, terms, statement: update) }
                try store.saveVocabulary(&vocabulary)
            }
            done += batch.count
            progress.advance(batch.count)
            FaultInjection.hit("vectorize-batch")
        }
        progress.end("\(done) articles, \(vocabulary.count) terms")
        return done
    }
}

/// Analyzes batches of articles on several workers and merges their terms into one vocabulary,
/// deterministically.
struct TermMerger {
    private let analyzers: [Analyzer]
    /// Per worker: local term → feature id (-1 until seen by the merge).
    private var localToGlobal: [[Int32]]

    init(workers: Int, profile: Profile, models: ModelDirectory) {
        analyzers = (0..<workers).map { _ in
            Analyzer(defaultLanguage: profile.analyzer.defaultLanguage, minTokenLength: profile.analyzer.minTokenLength,
                     identifier: try? models.languageIdentifier(),
                     stopwords: { models.stopwords($0) })
        }
        localToGlobal = Array(repeating: [], count: workers)
    }

    /// Term counts under feature ids (sorted), one per article, in input order. Counts each
    /// article's terms into the vocabulary's document and collection frequencies.
    mutating func analyze(_ articles: [(title: String, text: String, lang: String?)], into vocabulary: inout Vocabulary) -> [ArticleTerms] {
        analyze(count: articles.count, input: { articles[$0] }, into: &vocabulary).map { $0! }
    }

    /// As above, with the input made by `input(k)` on the workers (parsing can run there too);
    /// nil input gives a nil result.
    mutating func analyze(count n: Int, input: (Int) -> (title: String, text: String, lang: String?)?,
                          into vocabulary: inout Vocabulary) -> [ArticleTerms?] {
        let workers = analyzers.count
        var local = [TermCounts?](repeating: nil, count: n)
        let share = (n + workers - 1) / max(workers, 1)
        local.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            let analyzers = self.analyzers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * share, hi = min(n, lo + share)
                guard lo < hi else { return }
                for k in lo..<hi {
                    guard let a = input(k) else { continue }
                    base[k] = analyzers[w].analyze(title: a.title, text: a.text, language: a.lang)
                }
            }
        }
        // In order: feature ids (first sight), document and collection frequencies.
        var keys = [[Int64]](repeating: [], count: n)
        for k in 0..<n {
            let w = share > 0 ? k / share : 0
            guard let counts = local[k] else { continue }
            let terms = analyzers[w].terms
            // Sort by feature id: keys pack (id, position) into one integer.
            var order: [Int64] = []
            order.reserveCapacity(counts.terms.count)
            for (j, t) in counts.terms.enumerated() {
                let i = Int(t)
                if i >= localToGlobal[w].count {
                    localToGlobal[w].append(contentsOf: repeatElement(-1, count: terms.count - localToGlobal[w].count))
                }
                let id = localToGlobal[w][i] >= 0 ? localToGlobal[w][i] : vocabulary.intern(terms[i])
                localToGlobal[w][i] = id
                order.append(Int64(id) << 32 | Int64(j))
                vocabulary.count(id, occurrences: Int64(counts.titleCounts[j]) + Int64(counts.textCounts[j]))
            }
            keys[k] = order
        }
        // On the workers: sort each article's terms by feature id.
        var results = [ArticleTerms?](repeating: nil, count: n)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * share, hi = min(n, lo + share)
                guard lo < hi else { return }
                for k in lo..<hi {
                    guard let counts = local[k] else { continue }
                    var order = keys[k]
                    _quickSort(&order)
                    var a = ArticleTerms()
                    a.ids = order.map { Int32(truncatingIfNeeded: $0 >> 32) }
                    a.titleCounts = order.map { counts.titleCounts[Int($0 & 0xFFFF_FFFF)] }
                    a.textCounts = order.map { counts.textCounts[Int($0 & 0xFFFF_FFFF)] }
                    base[k] = a
                }
            }
        }
        return results
    }
}
