import Foundation

/// The vectorize stage: analyzes articles not yet analyzed, stores their term counts under
/// stable feature ids, and updates document frequencies, one transaction per batch.
struct Vectorizer {
    let store: Store
    let profile: Profile
    let models: ModelDirectory
    let progress: ProgressReporter
    var batchSize = Int(ProcessInfo.processInfo.environment["STORYLINE_VECTORIZE_BATCH"] ?? "") ?? 5000

    /// Returns how many articles were analyzed.
    func run() throws -> Int {
        let total = try store.unvectorizedCount()
        guard total > 0 else { return 0 }
        progress.begin("vectorize", total: total)
        var vocabulary = try store.loadVocabulary()
        let models = self.models
        let analyzer = Analyzer(defaultLanguage: profile.analyzer.defaultLanguage,
                                minTokenLength: profile.analyzer.minTokenLength,
                                stopwords: { models.stopwords($0) })
        var localToGlobal: [Int32] = []
        let update = try store.setTermsStatement()
        var last: Int64 = 0
        var done = 0
        while true {
            let batch = try store.unvectorized(after: last, limit: batchSize)
            guard let tail = batch.last else { break }
            last = tail.seq
            var results: [(Int64, ArticleTerms)] = []
            results.reserveCapacity(batch.count)
            for article in batch {
                let counts = analyzer.analyze(title: article.title, text: article.text, language: article.lang)
                while localToGlobal.count < analyzer.terms.count {
                    localToGlobal.append(vocabulary.intern(analyzer.terms[localToGlobal.count]))
                }
                var order = Array(0..<counts.terms.count)
                order.sort { localToGlobal[Int(counts.terms[$0])] < localToGlobal[Int(counts.terms[$1])] }
                var terms = ArticleTerms()
                for k in order {
                    terms.ids.append(localToGlobal[Int(counts.terms[k])])
                    terms.titleCounts.append(counts.titleCounts[k])
                    terms.textCounts.append(counts.textCounts[k])
                }
                vocabulary.countDocument(terms)
                results.append((article.seq, terms))
            }
            try store.db.transaction {
                for (seq, terms) in results { try store.setTerms(seq, terms, statement: update) }
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
