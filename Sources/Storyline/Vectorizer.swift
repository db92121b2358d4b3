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
    /// Split the analysis into this many pieces of articles (ranges of sequence numbers) that
    /// `storyline work` processes share through the store (1: analyze here alone).
    var pieces = 1
    var lease = 300.0
    var runID: Int64 = 0

    /// Returns how many articles were analyzed.
    func run() throws -> Int {
        let total = try store.unvectorizedCount()
        guard total > 0 else { return 0 }
        if pieces > 1, let work = store.sharedWork { return try runSplit(work, total: total) }
        progress.begin("vectorize", total: total)
        var vocabulary = try store.loadVocabulary()
        var merger = TermMerger(workers: max(1, threads), profile: profile, models: models)
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
            // This batch analyzed on one thread while the last one is written and the next read on another.
            let (results, next) = try Parallel.both({ merger.analyze(articles, into: &vocabulary) }, {
                if let w = written { try write(w.seqs, w.terms, w.changes); written = nil }
                return try store.unvectorized(after: tail.seq, limit: batchSize)
            })
            written = (batch.map(\.seq), results, vocabulary.takeChanges())
            batch = next
        }
        if let w = written { try write(w.seqs, w.terms, w.changes) }
        progress.end("\(done) articles, \(vocabulary.count) terms")
        return done
    }

    // MARK: Analysis in pieces

    /// What the terms an article yields depend on: the profile (sorted keys: one text in every
    /// process). A worker with another profile would give other terms, and does not join.
    var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(profile)) ?? Data()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return "analyze-" + String(h, radix: 16)
    }

    /// The coordinator: the articles to analyze in `pieces` ranges of sequence numbers, analyzed
    /// here and by workers; piece after piece in article order, as each is done, its terms get
    /// feature ids (new ones in order of first sight: the ids one process gives) and its articles'
    /// counts are written with the vocabulary's changes, one transaction per piece.
    private func runSplit(_ work: any ClusterWorkStore, total: Int) throws -> Int {
        let seqs = try work.unanalyzedSeqs()
        guard !seqs.isEmpty else { return 0 }
        let count = min(pieces, seqs.count)
        let ranges: [Range<Int>] = (0..<count).map { k in
            let lo = seqs[k * seqs.count / count], hi = k == count - 1 ? seqs[seqs.count - 1] + 1 : seqs[(k + 1) * seqs.count / count]
            return Int(lo)..<Int(hi)
        }
        let pass = try work.openPass(kind: .analyze, fingerprint: fingerprint, pieces: ranges, lease: lease, runID: runID)
        defer { try? work.closePass(pass) }
        progress.begin("vectorize", total: total)
        let clock = Stopwatch()
        var here = 0, storing = 0.0
        var vocabulary = try store.loadVocabulary()
        var analyzed = 0
        // The pieces analyzed here stay in memory (the store holds them only for workers' pieces):
        // a pass is never resumed, a coordinator that dies leaves it to be deleted.
        var kept: [Int: (terms: [String], articles: [(seq: Int64, terms: ArticleTerms)])] = [:]
        // Piece after piece in article order, each as soon as it is done (analyzed here or by a
        // worker), while the later ones are analyzed: ids are given in article order.
        var next = 0
        while next < ranges.count {
            let done = try work.donePieces(of: pass)
            if done.contains(next) {
                let step = Stopwatch()
                let (terms, articles) = try kept.removeValue(forKey: next) ?? work.analysisPiece(pass, number: next)
                let ids = terms.map { vocabulary.intern($0) }
                let counts = articles.map { a -> ArticleTerms in
                    let order = a.terms.ids.indices.sorted { ids[Int(a.terms.ids[$0])] < ids[Int(a.terms.ids[$1])] }
                    return ArticleTerms(ids: order.map { ids[Int(a.terms.ids[$0])] }, titleCounts: order.map { a.terms.titleCounts[$0] },
                                        textCounts: order.map { a.terms.textCounts[$0] })
                }
                for c in counts { vocabulary.countDocument(c) }
                try store.transaction {
                    try store.setTerms(articles.map(\.seq), counts)
                    try store.saveVocabulary(vocabulary.takeChanges())
                }
                analyzed += articles.count
                progress.advance(articles.count)
                storing += step.seconds
                next += 1
            } else if try analyze(pass, in: work, atMost: 1, keep: { kept[$0] = ($1, $2) }) > 0 {
                here += 1
            } else {
                usleep(100_000)   // the next piece is a worker's: wait for it, or for its lease to run out
            }
        }
        progress.end("\(analyzed) articles, \(vocabulary.count) terms; \(ranges.count) pieces (\(here) analyzed here), "
                     + "ids given and counts stored as they came (\(String(format: "%.2f", storing)) s of \(String(format: "%.2f", clock.seconds)) s)")
        return analyzed
    }

    /// A worker's (or the coordinator's) part of an analysis pass: claims pieces until none is
    /// left, analyzing each piece's articles with a vocabulary of the piece's own (its terms in
    /// order of first sight). Returns how many pieces this process analyzed. With `keep` (the
    /// coordinator), a piece's results go to `keep` instead of the store, which only marks it done.
    func analyze(_ pass: WorkPass, in work: any ClusterWorkStore, atMost limit: Int = .max,
                 keep: ((Int, [String], [(seq: Int64, terms: ArticleTerms)]) -> Void)? = nil) throws -> Int {
        let worker = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        var done = 0, claimed = 0
        while claimed < limit, let piece = try work.claimPiece(of: pass, worker: worker) {
            claimed += 1
            var local = Vocabulary(terms: [], documentFrequency: [], collectionFrequency: [], inStore: false)
            var merger = TermMerger(workers: max(1, threads), profile: profile, models: models)
            var results: [(seq: Int64, terms: ArticleTerms)] = []
            var after = Int64(piece.blocks.lowerBound) - 1
            while true {
                let batch = try store.unvectorized(after: after, limit: batchSize).filter { $0.seq < Int64(piece.blocks.upperBound) }
                guard let last = batch.last else { break }
                let terms = merger.analyze(batch.map { ($0.title, $0.text, $0.lang) }, into: &local)
                results += zip(batch.map(\.seq), terms).map { ($0, $1) }
                after = last.seq
            }
            FaultInjection.hit("work-piece")
            if let keep {
                if try work.finishAnalysisPiece(piece, worker: worker, terms: [], articles: []) {
                    keep(piece.number, local.terms, results)
                    done += 1
                }
            } else if try work.finishAnalysisPiece(piece, worker: worker, terms: local.terms, articles: results) {
                done += 1
            }
        }
        return done
    }
}
