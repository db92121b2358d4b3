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

    @OptionGroup var input: InputOptions

    @OptionGroup var split: SplitOptions

    @Flag(help: "Fail a file on its first bad record; store nothing from it.")
    var strict = false

    @Option(help: ArgumentHelp("Also write the framing report (all formats) into this folder.", valueName: "dir"))
    var report: String?

    @Option(help: ArgumentHelp("With --report: CSV of outlet groups (outlet, group[, country]).", valueName: "file"))
    var outlets: String?

    @Argument(help: ArgumentHelp("Dump files or folders.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline() }
        split.apply(to: pipeline)
        let hosts = try reportingErrors { try input.outlets() }
        if let dir = report { try reportingErrors { try Pipeline.checkReportFolder(dir) } }   // before the night's work
        let result = try reportingErrors { try pipeline.run(paths, format: input.format, strict: strict, outlets: hosts) }
        printClusterSummary(result.cluster, pipeline.progress)
        pipeline.progress.log("stories are in \(store.shownDB): `storyline stories\(store.dbOption == nil ? "" : " --db " + shellQuoted(store.shownDB))` lists them")
        if let dir = report {
            var options = ReportOptions()
            options.groups = try reportingErrors { try outlets.map { try OutletGroups.load($0) } }
            let (written, files) = try reportingErrors { try pipeline.report(to: dir, options: options) }
            pipeline.progress.log("report: \(written.stories.count) stories, \(files.count) files in \(dir)")
        }
        try finish(result.ingest, pipeline.progress)
    }
}
