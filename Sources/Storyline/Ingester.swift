import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport

/// A record that was rejected or warned about, with where it is.
public struct IngestIssue: Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    /// A warning: the record was kept.
    public var isWarning: Bool
    public var description: String {
        (line > 0 ? "\(file):\(line): " : "\(file): ") + (isWarning ? "warning: " : "") + reason
    }
}

/// What an ingest did.
public struct IngestSummary: Sendable, Codable {
    public var files = 0
    public var records = 0
    public var stored = 0
    public var duplicates = 0
    public var rejected = 0
    public var warnings = 0
    /// Files that failed as a whole (unreadable, or a bad record under `--strict`).
    public var failedFiles: [String] = []
    /// True when a file failed because of `--strict`.
    public var strictFailure = false

    /// Adds one file's record counts.
    mutating func add(_ file: IngestSummary) {
        records += file.records
        stored += file.stored
        duplicates += file.duplicates
        rejected += file.rejected
        warnings += file.warnings
    }
}

/// Reads dumps into the store, in batches of one transaction each. Under `strict`, each file is
/// one transaction: a bad record rolls the whole file back.
struct Ingester {
    let store: any ArticleStore
    let runID: Int64
    let progress: ProgressReporter
    let onIssue: (IngestIssue) -> Void
    var batchSize = Int(ProcessInfo.processInfo.environment["STORYLINE_INGEST_BATCH"] ?? "") ?? 2000

    private struct StrictAbort: Error {}

    func ingest(paths: [String], format: DumpFormat, strict: Bool, outlets: OutletMap? = nil) throws -> IngestSummary {
        var summary = IngestSummary()
        for path in paths {
            summary.files += 1
            let fileFormat = format == .auto ? DumpFormat.detect(path) : format
            guard FileManager.default.fileExists(atPath: path) else {
                onIssue(IngestIssue(file: path, line: 0, reason: "no such file or folder", isWarning: false))
                summary.failedFiles.append(path)
                continue
            }
            progress.begin("ingest \((path as NSString).lastPathComponent)", total: 0)
            var fileSummary = IngestSummary()
            do {
                if strict {
                    try store.transaction {
                        try ingestFile(path, format: fileFormat, strict: true, outlets: outlets, into: &fileSummary)
                    }
                } else {
                    try ingestFile(path, format: fileFormat, strict: false, outlets: outlets, into: &fileSummary)
                }
            } catch is StrictAbort {
                summary.failedFiles.append(path)
                summary.strictFailure = true
                summary.records += fileSummary.records
                summary.rejected += fileSummary.rejected
                progress.end("rejected as a whole (--strict): nothing stored from it")
                continue
            } catch let error as StorylineError where error.code == .io || error.code == .badInput {
                onIssue(IngestIssue(file: error.file ?? path, line: error.line ?? 0, reason: error.message, isWarning: false))
                summary.failedFiles.append(path)
                if strict {
                    summary.strictFailure = true
                } else {
                    // What was read before the failure (a truncated file) is stored.
                    summary.add(fileSummary)
                }
                progress.end("failed after \(fileSummary.records) records (\(fileSummary.stored) new)")
                continue
            }
            summary.add(fileSummary)
            progress.end("\(fileSummary.records) records, \(fileSummary.stored) new, \(fileSummary.duplicates) duplicate, \(fileSummary.rejected) rejected")
        }
        return summary
    }

    /// Reads one file, writing each full batch while the next one is parsed: the store's inserts
    /// run on a second thread, one batch at a time, in order (so the writer sees the batches as a
    /// serial loop would: same transactions, same dedupe). A failed write stops the reading at the
    /// next batch and is rethrown.
    private func ingestFile(_ path: String, format: DumpFormat, strict: Bool, outlets: OutletMap?, into summary: inout IngestSummary) throws {
        let writer = BatchWriter(store: store, runID: runID, strict: strict)
        var batch: [(article: Article, source: String)] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            try writer.submit(batch)
            batch = []
            batch.reserveCapacity(batchSize)
        }
        defer { writer.finish() }
        do {
            try format.reader(outlets: outlets).read(path) { event in
                if event.isRecord { summary.records += 1 }
                for w in event.warnings {
                    summary.warnings += 1
                    onIssue(IngestIssue(file: event.file, line: event.line, reason: w, isWarning: true))
                }
                if let problem = event.problem {
                    summary.rejected += 1
                    onIssue(IngestIssue(file: event.file, line: event.line, reason: problem, isWarning: false))
                    if strict { throw StrictAbort() }
                    return
                }
                if let article = event.article {
                    batch.append((article, "\(event.file):\(event.line)"))
                    if batch.count >= batchSize { try flush() }
                }
                progress.advance()
            }
        } catch let error as StorylineError where !strict && (error.code == .io || error.code == .badInput) {
            // Records read before a failure (a damaged file) are kept, as records before a bad one are.
            try flush()
            try writer.drain(into: &summary)
            throw error
        } catch {
            writer.finish()
            throw error
        }
        try flush()
        try writer.drain(into: &summary)
    }

    /// Writes batches on a serial queue, one in flight while the reader fills the next.
    private final class BatchWriter: @unchecked Sendable {
        let store: any ArticleStore
        let runID: Int64
        let strict: Bool
        private let queue = DispatchQueue(label: "storyline.ingest.writer")
        private let idle = DispatchSemaphore(value: 1)
        // Written by the queue, read by the reader after `idle` is taken (which orders the two).
        private var stored = 0, written = 0
        private var failure: Error?

        init(store: any ArticleStore, runID: Int64, strict: Bool) {
            self.store = store
            self.runID = runID
            self.strict = strict
        }

        /// Waits for the batch in flight, rethrows its failure, and starts writing this one.
        func submit(_ batch: [(article: Article, source: String)]) throws {
            idle.wait()
            if let failure { idle.signal(); throw failure }
            queue.async { [self] in
                defer { idle.signal() }
                do {
                    let n = strict ? try store.insert(batch, runID: runID)
                                   : try store.transaction { try store.insert(batch, runID: runID) }
                    stored += n
                    written += batch.count
                    if !strict { FaultInjection.hit("ingest-batch") }
                } catch {
                    failure = error
                }
            }
        }

        /// Waits for the last batch, adds what was stored to `summary`, rethrows a failure.
        func drain(into summary: inout IngestSummary) throws {
            idle.wait()
            defer { idle.signal() }
            summary.stored += stored
            summary.duplicates += written - stored
            stored = 0
            written = 0
            if let failure { throw failure }
        }

        /// Waits for the batch in flight (after a failure elsewhere: nothing is left running).
        func finish() {
            idle.wait()
            idle.signal()
        }
    }
}

/// Reads dumps as ingest would, without a store: each article as it would be stored (dates
/// found, fields normalized), with where it came from (`FILE:LINE`). Bad records and warnings
/// go to `onIssue`, as ingest names them; a file that cannot be read at all too. Returns the
/// number of records read and of those rejected.
public func readDumps(_ paths: [String], format: DumpFormat, outlets: OutletMap? = nil, onIssue: (IngestIssue) -> Void,
                      _ body: (Article, String) throws -> Void) throws -> (records: Int, rejected: Int) {
    var records = 0, rejected = 0
    for path in paths {
        let fileFormat = format == .auto ? DumpFormat.detect(path) : format
        do {
            try fileFormat.reader(outlets: outlets).read(path) { event in
                if event.isRecord { records += 1 }
                for w in event.warnings { onIssue(IngestIssue(file: event.file, line: event.line, reason: w, isWarning: true)) }
                if let problem = event.problem {
                    rejected += 1
                    onIssue(IngestIssue(file: event.file, line: event.line, reason: problem, isWarning: false))
                } else if let article = event.article {
                    try body(article, "\(event.file):\(event.line)")
                }
            }
        } catch let error as StorylineError where error.code == .io || error.code == .badInput {
            onIssue(IngestIssue(file: error.file ?? path, line: error.line ?? 0, reason: error.message, isWarning: false))
            rejected += 1
        }
    }
    return (records, rejected)
}
