import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport

/// The vectorize stage: analyzes articles not yet analyzed, stores their term counts under
/// stable feature ids, and updates document frequencies, one transaction per batch.
///
/// Analysis runs on all cores: each worker has its own ``Analyzer`` and takes a contiguous share
/// of each batch. Feature ids are then given in article order, each article's terms in order of
/// first occurrence, so ids (and vectors) are the same whatever the number of threads. While the
/// workers analyze a batch, this thread writes the previous one (its counts and the vocabulary's
/// changes as of that batch) and reads the next, so the store's writes overlap the analysis.
struct Vectorizer {
    let store: any TermCountStore
    let profile: Profile
    let models: ModelDirectory
    let progress: ProgressReporter
    var batchSize = Int(ProcessInfo.processInfo.environment["STORYLINE_VECTORIZE_BATCH"] ?? "") ?? 5000
    var threads = Parallel.cores

    /// The analysis side, handed to the thread that runs it, one batch at a time.
    private final class Analysis: @unchecked Sendable {
        var vocabulary: Vocabulary
        var merger: TermMerger
        var results: [ArticleTerms] = []
        init(vocabulary: Vocabulary, merger: TermMerger) {
            self.vocabulary = vocabulary
            self.merger = merger
        }
    }

    /// Returns how many articles were analyzed.
    func run() throws -> Int {
        let total = try store.unvectorizedCount()
        guard total > 0 else { return 0 }
        progress.begin("vectorize", total: total)
        let analysis = Analysis(vocabulary: try store.loadVocabulary(),
                                merger: TermMerger(workers: max(1, threads), profile: profile, models: models))
        var done = 0
        /// Writes an analyzed batch: its articles' counts and the vocabulary as of that batch.
        func write(_ seqs: [Int64], _ terms: [ArticleTerms], _ changes: Vocabulary.Changes) throws {
            try store.transaction {
                try store.setTerms(seqs, terms)
                try store.saveVocabulary(changes)
            }
            done += seqs.count
            progress.advance(seqs.count)
            FaultInjection.hit("vectorize-batch")
        }
        var written: (seqs: [Int64], terms: [ArticleTerms], changes: Vocabulary.Changes)? = nil
        var batch = try store.unvectorized(after: 0, limit: batchSize)
        while let tail = batch.last {
            let articles = batch.map { ($0.title, $0.text, $0.lang) }
            let analyzed = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                analysis.results = analysis.merger.analyze(articles, into: &analysis.vocabulary)
                analyzed.signal()
            }
            let next: [ArticleText]
            do {
                if let w = written { try write(w.seqs, w.terms, w.changes); written = nil }
                next = try store.unvectorized(after: tail.seq, limit: batchSize)
            } catch {
                analyzed.wait()   // the analysis must be done with the state before it goes
                throw error
            }
            analyzed.wait()
            written = (batch.map(\.seq), analysis.results, analysis.vocabulary.takeChanges())
            batch = next
        }
        if let w = written { try write(w.seqs, w.terms, w.changes) }
        progress.end("\(done) articles, \(analysis.vocabulary.count) terms")
        return done
    }
}
