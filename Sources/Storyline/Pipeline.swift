import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport

/// The engine's one facade: what the CLI and library users call.
///
/// ```swift
/// let pipeline = try Pipeline(store: openStore("storyline.sqlite"))
/// let ingested = try pipeline.ingest(["dump.jsonl"])
/// let clustered = try pipeline.cluster()
/// for story in try pipeline.store.stories(minArticles: 2) { print(story.title) }
/// ```
public final class Pipeline {
    public let store: any StoreBackend
    public let profile: Profile
    public let models: ModelDirectory
    public let progress: ProgressReporter
    /// Called for each rejected record and each warning, in input order.
    public var onIssue: (IngestIssue) -> Void
    /// How long a writing command waits for another process's lock on the store (seconds).
    public var lockWait: Double = 0
    /// Measure the similarity search's recall against a brute-force graph on each clustering pass
    /// and log it (slow; `STORYLINE_MEASURE_RECALL=1`).
    public var measureRecall = ProcessInfo.processInfo.environment["STORYLINE_MEASURE_RECALL"] != nil
    /// The similarity search's dense kernel: automatic (the best this CPU runs), or one forced by
    /// `STORYLINE_DENSE_KERNEL` (`avx512-vnni`, `avx-vnni`, `avx2`, `neon-dot`, `portable`, `float32`)
    /// to measure a lower path on a machine that has a higher one.
    public var denseKernel: CandidateSearch.DenseKernel
    /// Split each clustering pass's similarity search into this many pieces for `storyline work`
    /// processes to share (PostgreSQL stores; 1: search alone).
    public var clusterPieces = 1
    /// How long a worker's claim on a piece holds before another process may take it (seconds).
    public var pieceLease = 300.0

    public init(store: any StoreBackend, models: ModelDirectory? = nil, profile: Profile? = nil,
                progress: ProgressReporter = ProgressReporter(style: .silent), onIssue: @escaping (IngestIssue) -> Void = { _ in }) throws {
        self.store = store
        let models = try models ?? ModelDirectory.locate()
        self.models = models
        self.profile = try profile ?? Profile.load(models.profilePath)
        self.progress = progress
        self.onIssue = onIssue
        denseKernel = try CandidateSearch.DenseKernel.fromEnvironment()
        // The analyzers are built later, one per thread, where an error cannot be thrown: a broken
        // language list, quick-words file or missing fingerprints must stop the command here
        // rather than silently analyze every article in the default language.
        _ = try models.languageIdentifier()
    }

    /// Stores the articles of `paths` (files or folders). See ``IngestSummary``.
    public func ingest(_ paths: [String], format: DumpFormat = .auto, strict: Bool = false, outlets: OutletMap? = nil) throws -> IngestSummary {
        try recordRun("ingest", exclusive: false) { runID in
            try Ingester(store: store, runID: runID, progress: progress, onIssue: onIssue)
                .ingest(paths: paths, format: format, strict: strict, outlets: outlets)
        }
    }

    /// Timings and counts of a clustering pass.
    public struct ClusterReport: Sendable, Codable {
        public var vectorized = 0
        public var vectorizeSeconds = 0.0
        public var cluster = ClusterSummary()
    }

    /// Analyzes every article not yet analyzed (term counts and document frequencies into the
    /// store). `cluster` does this first anyway; alone, it prepares a large store in bounded memory.
    public func vectorize() throws -> Int {
        try checkPieces()
        return try recordRun("vectorize") { runID in try vectorizer(runID).run() }
    }

    /// Vectorizes and clusters every article not yet in a story (incremental).
    public func cluster() throws -> ClusterReport {
        try checkPieces()
        return try recordRun("cluster") { runID in try clusterPass(runID: runID) }
    }

    private func clusterPass(runID: Int64) throws -> ClusterReport {
        var report = ClusterReport()
        var clock = Stopwatch()
        report.vectorized = try vectorizer(runID).run()
        report.vectorizeSeconds = clock.restart()
        report.cluster = try StoryClusterer(store: store, profile: profile, runID: runID, progress: progress,
                                            measureRecall: measureRecall, denseKernel: denseKernel, pieces: clusterPieces, lease: pieceLease).run()
        return report
    }

    /// Works on the clustering passes that `cluster --pieces N` opens in this (shared) store, on
    /// any machine, until none has been open for `idle` seconds. Takes no lock: the coordinator
    /// holds the writer lock; workers only read the input and write their pieces' edges.
    /// Returns how many pieces this process searched.
    public func work(idle: Double) throws -> Int {
        try StoryClusterer(store: store, profile: profile, runID: 0, progress: progress, denseKernel: denseKernel)
            .work(idle: idle, vectorizer: Vectorizer(store: store, profile: profile, models: models, progress: progress))
    }

    /// `--pieces` on a store that no worker can share is refused before any work (not after the
    /// analysis has run and committed alone).
    private func checkPieces() throws {
        if clusterPieces > 1, store.sharedWork == nil { throw StoryClusterer.notShared(store) }
    }

    /// The vectorize stage as this pipeline runs it (in pieces shared with workers when asked).
    private func vectorizer(_ runID: Int64) -> Vectorizer {
        var v = Vectorizer(store: store, profile: profile, models: models, progress: progress)
        v.pieces = clusterPieces
        v.lease = pieceLease
        v.runID = runID
        return v
    }

    /// The nightly job: ingest, then cluster what is new.
    public struct RunReport: Sendable, Codable {
        public var ingest: IngestSummary
        public var cluster: ClusterReport
    }

    public func run(_ paths: [String], format: DumpFormat = .auto, strict: Bool = false, outlets: OutletMap? = nil) throws -> RunReport {
        try checkPieces()
        return try recordRun("run") { runID in
            let ingested = try Ingester(store: store, runID: runID, progress: progress, onIssue: onIssue)
                .ingest(paths: paths, format: format, strict: strict, outlets: outlets)
            return RunReport(ingest: ingested, cluster: try clusterPass(runID: runID))
        }
    }

    /// Takes the store's lock (the writer lock, or for `ingest` what the backend asks of writers
    /// that may run beside others), records the command in the store's `runs` table around `body`.
    /// Runs left `running` by a process that died are marked `interrupted` first.
    private func recordRun<T: Encodable>(_ command: String, exclusive: Bool = true, _ body: (Int64) throws -> T) throws -> T {
        let lock = try exclusive ? store.lockForWriting(wait: lockWait) : store.lockForIngest(wait: lockWait)
        defer { withExtendedLifetime(lock) {} }
        try store.markInterruptedRuns()
        let runID = try store.beginRun(command)
        do {
            let result = try body(runID)
            let json = (try? JSONEncoder().encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            try store.finishRun(runID, status: .ok, summary: json)
            return result
        } catch {
            try? store.finishRun(runID, status: .failed, summary: "\(error)")
            throw error
        }
    }
}

extension Pipeline {
    /// Writes the store's vectorizer (vocabulary, feature ids, frequencies) to a model file.
    /// Vectorizes what is pending first, so the model covers every stored article.
    @discardableResult
    public func exportModel(to path: String) throws -> VectorizerModel {
        var model: VectorizerModel?
        _ = try recordRun("model export") { _ in
            _ = try Vectorizer(store: store, profile: profile, models: models, progress: progress).run()
            let vocabulary = try store.loadVocabulary()
            let exported = VectorizerModel(documents: try store.documentCount(), analyzer: .init(profile.analyzer), terms: vocabulary.terms,
                                           documentFrequency: vocabulary.documentFrequency, collectionFrequency: vocabulary.collectionFrequency)
            try exported.write(to: path)
            model = exported
            return ModelSummary(documents: exported.documents, terms: exported.terms.count)
        }
        return model!
    }

    /// Makes a model file the vocabulary of this (not yet vectorized) store: articles vectorized
    /// here get the model's feature ids, and idf counts the model's documents as well as these.
    @discardableResult
    public func importModel(from path: String) throws -> VectorizerModel {
        let model = try VectorizerModel.read(path)
        let here = VectorizerModel.AnalyzerFingerprint(profile.analyzer)
        guard model.analyzer == here else {
            throw StorylineError(.usage, "the model was fitted with analyzer settings \(model.analyzer), this profile has \(here): "
                                 + "the same text would give other terms", file: path)
        }
        _ = try recordRun("model import") { _ in
            try store.importModel(model)
            return ModelSummary(documents: model.documents, terms: model.terms.count)
        }
        return model
    }

    struct ModelSummary: Codable { var documents: Int; var terms: Int }

    /// Throws unless `directory` can take a report (see `report(to:)`): asked before a run's work.
    public static func checkReportFolder(_ directory: String) throws {
        try ReportWriter.checkFolder(URL(fileURLWithPath: directory))
    }

    /// Builds the framing report from the store and writes it into `directory` in `formats`.
    /// Returns the report and the files written (relative to `directory`).
    public func report(to directory: String, formats: Set<ReportFormat> = Set(ReportFormat.allCases),
                       options: ReportOptions = ReportOptions()) throws -> (FramingReport, [String]) {
        let folder = URL(fileURLWithPath: directory)
        try ReportWriter.checkFolder(folder)
        let report = try ReportBuilder(store: store, profile: profile, models: models, progress: progress).build(options)
        let files = try ReportWriter(report: report, directory: folder).write(formats)
        return (report, files)
    }
}

/// The result of ``Pipeline/evaluate(_:models:profile:progress:)``; keys as in the CLI contract.
public struct Evaluation: Sendable, Codable {
    public struct Timings: Sendable, Codable {
        public var ingest = 0.0, vectorize = 0.0, similarity = 0.0, cluster = 0.0, total = 0.0
    }
    public var articles = 0
    public var gold_stories = 0
    public var found_stories = 0
    public var b3_precision = 0.0, b3_recall = 0.0, b3_f1 = 0.0
    public var pair_precision = 0.0, pair_recall = 0.0, pair_f1 = 0.0
    public var ari = 0.0, ami = 0.0
    /// The storyline level scored against the same gold `story` (a storyline joins stories, so
    /// its precision is at most the stories'; on data whose gold is a matter followed across
    /// weeks, such as ECB+'s events, it is the level to score).
    public struct Storylines: Sendable, Codable {
        public var found = 0
        public var b3_precision = 0.0, b3_recall = 0.0, b3_f1 = 0.0, pair_f1 = 0.0
    }
    public var storylines = Storylines()
    public var timings = Timings()
    public var peak_rss_mb = 0.0
    /// The worst merges and splits, when asked for.
    public var explain: ErrorAnalysis?
}

extension Pipeline {
    /// Clusters a labeled dataset from scratch in a private temporary store (deleted afterwards;
    /// on disk, so memory stays bounded on large dumps) and scores the stories against its
    /// `story` field. Articles without a gold story are clustered but not scored.
    public static func evaluate(_ dataset: String, models: ModelDirectory? = nil, profile: Profile? = nil, explain: Int = 0,
                                progress: ProgressReporter = ProgressReporter(style: .silent),
                                onIssue: @escaping (IngestIssue) -> Void = { _ in }) throws -> Evaluation {
        let total = Stopwatch()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("storyline-eval-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let pipeline = try Pipeline(store: SQLiteStore(path: scratch.appendingPathComponent("eval.sqlite").path), models: models,
                                    profile: profile, progress: progress, onIssue: onIssue)
        var e = Evaluation()
        var clock = Stopwatch()
        let ingested = try pipeline.ingest([dataset])
        if !ingested.failedFiles.isEmpty {
            throw StorylineError(.badInput, "cannot read dataset", file: dataset)
        }
        e.timings.ingest = clock.restart()
        let report = try pipeline.cluster()
        e.timings.vectorize = report.vectorizeSeconds
        e.timings.similarity = report.cluster.similaritySeconds
        e.timings.cluster = report.cluster.clusterSeconds
        let labeled = try pipeline.store.goldAndFound()
        guard !labeled.isEmpty else {
            throw StorylineError(.badInput, "no article has a gold `story` field", file: dataset)
        }
        let metrics = ClusteringMetrics(gold: labeled.map(\.gold), found: labeled.map(\.found))
        if explain > 0 { e.explain = ErrorAnalysis(items: labeled, limit: explain) }
        e.articles = labeled.count
        e.gold_stories = Set(labeled.map(\.gold)).count
        e.found_stories = Set(labeled.map(\.found)).count
        e.b3_precision = metrics.b3Precision
        e.b3_recall = metrics.b3Recall
        e.b3_f1 = metrics.b3F1
        e.pair_precision = metrics.pairPrecision
        e.pair_recall = metrics.pairRecall
        e.pair_f1 = metrics.pairF1
        e.ari = metrics.ari
        e.ami = metrics.ami
        // Each article's storyline: its story's (a story not linked yet is a storyline of its own).
        let lineOf = try pipeline.store.storylines(of: Array(Set(labeled.map(\.found))))
        let lines = labeled.map { lineOf[$0.found].map { -$0 } ?? $0.found }
        let lineMetrics = ClusteringMetrics(gold: labeled.map(\.gold), found: lines)
        e.storylines = Evaluation.Storylines(found: Set(lines).count, b3_precision: lineMetrics.b3Precision, b3_recall: lineMetrics.b3Recall,
                                             b3_f1: lineMetrics.b3F1, pair_f1: lineMetrics.pairF1)
        e.timings.total = total.seconds
        e.peak_rss_mb = ProcessStats.peakRSSMegabytes()
        return e
    }
}
