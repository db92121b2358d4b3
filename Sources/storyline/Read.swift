import ArgumentParser
import Foundation
import Storyline

struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the articles of dumps as ingest would store them, as JSON Lines; store nothing.",
        discussion: """
            Shows what Storyline reads from a file before it goes into a store: the headline and text \
            an HTML page yields, the date found in a URL or page, the fields a dump's names map to. \
            One JSON object per article on stdout: {id, outlet, published, date_source, title, text, \
            url, lang, story, source} (published ISO 8601 UTC or null; date_source "given", "url", \
            "text", "meta", "json-ld" or null; source FILE:LINE). Bad records are named on stderr as \
            ingest names them; the exit code is 0 unless a file could not be read at all or, with \
            --strict, a record was bad (65).

              storyline read page.html | jq -r .text
              storyline read dump.jsonl.gz --format jsonl | head -1
            """)

    @Option(help: "Input format: auto (by extension: .warc is WARC, .csv/.tsv CSV, folders and .html/.txt text, the rest JSON Lines), jsonl, csv, text or warc.")
    var format: DumpFormat = .auto

    @Option(help: ArgumentHelp("CSV with `host` and `outlet` columns: names for outlets that are hosts (WARC records, crawler domains).", valueName: "file"))
    var outletMap: String?

    @Flag(help: "Exit 65 when any record was bad.")
    var strict = false

    @Argument(help: ArgumentHelp("Dump files or folders.", valueName: "path"))
    var paths: [String]

    struct Row: Encodable {
        var id: String, outlet: String, published: String?, date_source: String?, title: String, text: String
        var url: String?, lang: String?, story: String?, source: String

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey { case id, outlet, published, date_source, title, text, url, lang, story, source }
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .id)
            try c.encode(outlet, forKey: .outlet)
            try c.encode(published, forKey: .published)
            try c.encode(date_source, forKey: .date_source)
            try c.encode(title, forKey: .title)
            try c.encode(text, forKey: .text)
            try c.encode(url, forKey: .url)
            try c.encode(lang, forKey: .lang)
            try c.encode(story, forKey: .story)
            try c.encode(source, forKey: .source)
        }
    }

    func run() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var unreadable = false
        let out = FileHandle.standardOutput
        let outlets = try reportingErrors { try outletMap.map(OutletMap.load) }
        let (_, rejected) = try readDumps(paths, format: format, outlets: outlets, onIssue: { issue in
            if issue.line == 0, !issue.isWarning { unreadable = true }
            printError(issue.description)
        }) { article, source in
            let row = Row(id: article.id, outlet: article.outlet, published: article.published.map(ISODate.format),
                          date_source: article.dateSource?.rawValue, title: article.title, text: article.text,
                          url: article.url, lang: article.lang, story: article.story, source: source)
            var data = try encoder.encode(row)
            data.append(0x0A)
            out.write(data)
        }
        if unreadable { throw ExitCode(1) }
        if strict, rejected > 0 { throw ExitCode(65) }
    }
}
