import ArgumentParser
import Storyline

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store the articles of dumps.",
        discussion: """
            Reads JSON Lines (one object per line: id, outlet, published, title, text, url, lang, story; \
            other fields are kept; common other names too: headline, maintext, articleBody, date_publish, \
            source_domain, sitename...), a .json file that is one object (a crawler's file per article, as \
            news-please writes them) or an array of objects, CSV with a header row, TSV (tabs, no quoting), \
            or folders of .txt/.md/.html/.json files (first line the headline; the first subfolder names the \
            outlet). Gzip- and zstd-compressed files \
            (dump.jsonl.gz, dump.jsonl.zst; recognized by their bytes) are read as they stream. Articles already stored (same id, or same outlet, \
            title and text) are skipped.

            A bad record (malformed line, invalid UTF-8, no title and no text) is skipped and named on \
            stderr as FILE:LINE: reason. With --strict, one bad record fails its whole file: nothing from \
            it is stored and the exit code is 65.

            Dates before 1990 or more than a day after now are kept undated, with a warning: they never \
            move the store's clock (which closes stories).

            A record without a date gets one from its URL (/2013/09/14/, 2013-09-14, 20130914), from a \
            "Published ..."/"Updated ..." line or dateline at the start of its text, or (HTML pages) from \
            JSON-LD datePublished and the page's meta tags; `stories --json` shows each found date and \
            its source. A given date is never replaced.
            """)

    @OptionGroup var store: StoreOptions

    @OptionGroup var input: InputOptions

    @Flag(help: "Fail a file on its first bad record; store nothing from it.")
    var strict = false

    @Argument(help: ArgumentHelp("Dump files or folders.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline() }
        let outlets = try reportingErrors { try input.outlets() }
        let summary = try reportingErrors { try pipeline.ingest(paths, format: input.format, strict: strict, outlets: outlets) }
        try finish(summary, pipeline.progress)
    }
}

/// Logs an ingest summary and exits per the contract.
func finish(_ summary: IngestSummary, _ progress: ProgressReporter) throws {
    progress.log("\(summary.records) records: \(summary.stored) new, \(summary.duplicates) duplicate, \(summary.rejected) rejected, \(summary.warnings) warnings",
                 metadata: ["records": .stringConvertible(summary.records), "new": .stringConvertible(summary.stored),
                            "duplicate": .stringConvertible(summary.duplicates), "rejected": .stringConvertible(summary.rejected),
                            "warnings": .stringConvertible(summary.warnings)])
    if summary.strictFailure { throw ExitCode(65) }
    if !summary.failedFiles.isEmpty { throw ExitCode(1) }
}
