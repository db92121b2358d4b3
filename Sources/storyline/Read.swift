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
            url, lang, story, extra, source} (published ISO 8601 UTC or null; date_source "given", "url", \
            "text", "meta", "json-ld" or null; extra the record's other fields, or a page's author and \
            publisher, or null; source FILE:LINE). Bad records are named on stderr as \
            ingest names them; the exit code is 0 unless a file could not be read at all or, with \
            --strict, a record was bad (65).

              storyline read page.html | jq -r .text
              storyline read dump.jsonl.gz --format jsonl | head -1
            """)

    @OptionGroup var input: InputOptions

    @Flag(help: "Exit 65 when any record was bad.")
    var strict = false

    @Argument(help: ArgumentHelp("Dump files or folders.", valueName: "path"))
    var paths: [String]

    func run() throws {
        var unreadable = false
        let out = FileHandle.standardOutput
        let outlets = try reportingErrors { try input.outlets() }
        let (_, rejected) = try readDumps(paths, format: input.format, outlets: outlets, onIssue: { issue in
            if issue.line == 0, !issue.isWarning { unreadable = true }
            printError(issue.description)
        }) { article, source in
            var extra: Any = NSNull()
            if let e = article.extra, let object = try? JSONSerialization.jsonObject(with: Data(e.utf8)) { extra = object }
            let row: [String: Any] = [
                "id": article.id, "outlet": article.outlet, "published": article.published.map(ISODate.format) ?? NSNull(),
                "date_source": article.dateSource?.rawValue ?? NSNull(), "title": article.title, "text": article.text,
                "url": article.url ?? NSNull(), "lang": article.lang ?? NSNull(), "story": article.story ?? NSNull(),
                "extra": extra, "source": source,
            ]
            var data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys, .withoutEscapingSlashes])
            data.append(0x0A)
            out.write(data)
        }
        if unreadable { throw ExitCode(1) }
        if strict, rejected > 0 { throw ExitCode(65) }
    }
}
