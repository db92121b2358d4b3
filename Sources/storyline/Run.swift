import ArgumentParser
import Storyline

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly job: ingest dumps, then cluster what is new.",
        discussion: """
            Equivalent to `storyline ingest PATH...` followed by `storyline cluster`. Running the same \
            input twice changes nothing. Bad records are handled as by `ingest`.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Input format: auto, jsonl, csv or text.")
    var format: DumpFormat = .auto

    @Flag(help: "Fail a file on its first bad record; store nothing from it.")
    var strict = false

    @Argument(help: ArgumentHelp("Dump files or folders.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline() }
        let report = try reportingErrors { try pipeline.run(paths, format: format, strict: strict) }
        printClusterSummary(report.cluster, pipeline.progress)
        pipeline.progress.log("stories are in \(store.db): `storyline stories --db \(store.db)` lists them")
        try finish(report.ingest, pipeline.progress)
    }
}
