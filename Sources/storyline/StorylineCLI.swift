import ArgumentParser
import Foundation
import Logging
import Storyline
import Synchronization

@main
struct StorylineCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storyline",
        abstract: "Cluster news articles from many outlets into stories.",
        discussion: """
            Storyline reads article dumps (JSON Lines, JSON, CSV and TSV, folders of text and HTML pages, \
            web archives: WARC, also gzip- or zstd-compressed), stores them in an embedded SQLite store \
            (or a shared PostgreSQL one), turns them into TF-IDF vectors and groups the articles that cover the \
            same event into stories. Run it every night: new articles join the stories already known.

            Typical use:
              storyline run dump.jsonl                 # ingest + cluster into the store
              storyline run night.jsonl --report out/  # nightly job + framing report
              storyline stories --min-articles 2       # stories covered more than once
              storyline stories --json | jq '.[0]'
              storyline report --out out/ --outlets outlets.csv
              storyline eval labeled.jsonl --json      # score against gold `story` ids
              storyline model export vec.tsv           # vectorizer for another store

            Writing commands (ingest, vectorize, cluster, run, model) lock the store: a second one fails \
            at once, or waits with --wait SECONDS. `storyline runs` lists past runs. On a shared \
            PostgreSQL store (--db postgres://...), several ingests run at once, and `cluster --pieces N` \
            shares its similarity search with `storyline work` processes on other machines.

            Exit codes: 0 ok, 1 runtime failure, 64 usage, 65 bad input under --strict.
            """,
        subcommands: [Ingest.self, Read.self, Vectorize.self, Cluster.self, Work.self, Run.self, Stories.self, Storylines.self, Report.self, Runs.self, Check.self, Model.self, Eval.self]
    )

    /// Parses and runs; a first word that is no subcommand is named as such (the parser would
    /// name the first option after it instead: "Unknown option '--db'").
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0._commandName }
        if let first = arguments.first, !first.hasPrefix("-"), first != "help", !names.contains(first) {
            exit(withError: ValidationError("'\(first)' is not a storyline command; the commands are: \(names.joined(separator: ", "))"))
        }
        main(arguments)
    }
}

/// How dumps are read: what ingest, run and read take.
struct InputOptions: ParsableArguments {
    @Option(help: "Input format: auto (by extension: .warc is WARC, .csv/.tsv CSV, folders and .html/.txt text, the rest JSON Lines), jsonl, csv, text or warc.")
    var format: DumpFormat = .auto

    @Option(help: ArgumentHelp("CSV with `host` and `outlet` columns: names for outlets that are hosts (WARC records, crawler domains).", valueName: "file"))
    var outletMap: String?

    /// The outlet map, loaded, when one was named.
    func outlets() throws -> OutletMap? { try outletMap.map(OutletMap.load) }
}

/// How a clustering pass is shared with `storyline work` processes: what cluster and run take.
struct SplitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Split the analysis of new articles and the similarity search into N pieces each, which `storyline work` processes on any machine share with this one (PostgreSQL stores). The vocabulary and the stories are the same as alone.", valueName: "n"))
    var pieces: Int = 1

    @Option(help: ArgumentHelp("With --pieces: how long a claim on a piece holds; a piece whose worker died is taken again after it.", valueName: "seconds"))
    var lease: Double = 300

    func validate() throws {
        guard pieces >= 1 else { throw ValidationError("--pieces must be at least 1") }
        guard lease > 0 else { throw ValidationError("--lease must be positive") }
    }

    func apply(to pipeline: Pipeline) {
        pipeline.clusterPieces = pieces
        pipeline.pieceLease = lease
    }
}

/// Options every subcommand that touches a store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The store: a file (the embedded SQLite store), or a PostgreSQL URL postgres://user@host:port/dbname (shared by many processes and machines; password from ~/.pgpass or PGPASSWORD rather than the URL). Default: $STORYLINE_DB, else storyline.sqlite.",
        valueName: "path|url"))
    var dbOption: String?

    /// The store named by `--db`, else `STORYLINE_DB`, else `storyline.sqlite`. (No default in the
    /// option itself: `--help` would print a URL from the environment, password and all.)
    var db: String { dbOption ?? ProcessInfo.processInfo.environment["STORYLINE_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "storyline.sqlite" }

    /// The store as messages name it (a URL's password hidden).
    var shownDB: String { storeLocationForDisplay(db) }

    @Option(name: .long, help: ArgumentHelp("Folder of model files (profile.json, stopwords/). Default: found beside the binary or via $STORYLINE_MODELS.", valueName: "dir"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("A clustering profile to use instead of Models/profile.json.", valueName: "file"))
    var profile: String?

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Option(parsing: .unconditional, help: ArgumentHelp("If another process is writing to the store, wait this long for it (seconds) before failing.", valueName: "seconds"))
    var wait: Double = 0

    @Option(help: ArgumentHelp("Log lines as plain text or one JSON object per line (for log collectors). JSON turns the progress bar off.", valueName: "plain|json"))
    var logFormat: StderrLogHandler.Format = .plain

    func progress() -> ProgressReporter {
        let format = logFormat
        let first = processLogging.withLock { state in
            state.errorFormat = format
            defer { state.bootstrapped = true }
            return !state.bootstrapped
        }
        if first { LoggingSystem.bootstrap { StderrLogHandler(label: $0, format: format) } }
        return ProgressReporter(style: quiet ? .silent : (logFormat == .json ? .lines : .automatic))
    }

    func validate() throws {
        processLogging.withLock { $0.errorFormat = logFormat }
        guard wait.isFinite, wait >= 0 else { throw ValidationError("--wait must be a number of seconds, 0 or more: \(wait)") }
    }

    /// The store at `--db`, opened read-only for commands that only read (they never create one).
    func open(readOnly: Bool = false) throws -> any StoreBackend { try openStore(db, readOnly: readOnly) }

    func pipeline(readOnly: Bool = false) throws -> Pipeline {
        let models = try ModelDirectory.locate(self.models)
        let profile = try self.profile.map { try Profile.load($0) }
        let progress = progress()
        let pipeline = try Pipeline(store: open(readOnly: readOnly), models: models, profile: profile, progress: progress,
                                    onIssue: { issue in
                                        if logFormat == .json {
                                            progress.log(issue.reason, level: .warning, metadata: ["file": "\(issue.file)", "line": .stringConvertible(issue.line),
                                                                                  "kind": issue.isWarning ? "warning" : "rejected"])
                                        } else {
                                            printError("\(issue)")
                                        }
                                    })
        pipeline.lockWait = wait
        return pipeline
    }
}

/// `text` as one shell word (single-quoted when it holds anything a shell would read).
func shellQuoted(_ text: String) -> String {
    let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-:@,+=".unicodeScalars.contains($0) }
    return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The process's logging: how fatal errors are written on stderr (`--log-format json` makes them
/// JSON log lines too), and whether swift-log was bootstrapped (it allows no second bootstrap).
/// Behind a lock: a command sets them once, and any thread may read them.
let processLogging = Mutex<(errorFormat: StderrLogHandler.Format, bootstrapped: Bool)>((.plain, false))

/// Runs `body`, turning engine errors into a message on stderr and the contract's exit codes.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StorylineError {
        if processLogging.withLock({ $0.errorFormat }) == .json {
            var metadata: Logger.Metadata = ["code": "\(error.code)"]
            if let file = error.file { metadata["file"] = "\(file)" }
            if let line = error.line { metadata["line"] = .stringConvertible(line) }
            StderrLogHandler(label: "storyline", format: .json)
                .log(event: LogEvent(level: .error, message: "\(error.message)", metadata: metadata, source: "storyline", file: #fileID, function: #function, line: #line))
        } else {
            printError("storyline: error: \(error)")
        }
        throw ExitCode(error.code == .usage ? 64 : 1)
    }
}

/// Prints a value as JSON (sorted keys, pretty) on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

extension DumpFormat: ExpressibleByArgument {}
extension StderrLogHandler.Format: ExpressibleByArgument {}
