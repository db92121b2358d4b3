import ArgumentParser
import Foundation
import Storyline

struct Stories: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stories.",
        discussion: """
            --json prints an array of {id, title, articles: [article ids], outlets: [names], \
            first_published, last_published, closed, merged_into, storyline, inferred_dates: [{id, published, source}], \
            undated: [article ids]} (dates ISO 8601, UTC, or null). `inferred_dates` lists the articles whose \
            record gave no date and whose date ingest found: source "url", "text" (a dateline such as \
            "Updated 09/14/2013"), "meta" or "json-ld" (an HTML page's metadata). Every \
            clustered article is in exactly one story. A story that was merged into another is listed \
            with no articles and `merged_into` set to the id that holds them now. `storyline` is the \
            id of the storyline the story belongs to (see `storyline storylines`; null for a merged story).
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Only stories whose latest article is on or after this date (ISO 8601).", valueName: "date"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only stories with at least this many articles.", valueName: "n"))
    var minArticles: Int = 1

    func validate() throws {
        if let since, ISODate.parse(since) == nil { throw ValidationError("--since: not a date: \(since)") }
        if minArticles < 1 { throw ValidationError("--min-articles must be at least 1") }
    }

    struct Row: Encodable {
        var id: Int64
        var title: String
        var articles: [String]
        var outlets: [String]
        var first_published: String?
        var last_published: String?
        var closed: Bool
        var merged_into: Int64?
        var storyline: Int64?
        var inferred_dates: [InferredDate]
        var undated: [String]

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey { case id, title, articles, outlets, first_published, last_published, closed, merged_into, storyline, inferred_dates, undated }
            enum DateKey: String, CodingKey { case id, published, source }
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .id)
            try c.encode(title, forKey: .title)
            try c.encode(articles, forKey: .articles)
            try c.encode(outlets, forKey: .outlets)
            try c.encode(first_published, forKey: .first_published)
            try c.encode(last_published, forKey: .last_published)
            try c.encode(closed, forKey: .closed)
            try c.encode(merged_into, forKey: .merged_into)
            try c.encode(storyline, forKey: .storyline)
            var dates = c.nestedUnkeyedContainer(forKey: .inferred_dates)
            for d in inferred_dates {
                var e = dates.nestedContainer(keyedBy: DateKey.self)
                try e.encode(d.id, forKey: .id)
                try e.encode(ISODate.format(d.published), forKey: .published)
                try e.encode(d.source.rawValue, forKey: .source)
            }
            try c.encode(undated, forKey: .undated)
        }
    }

    func run() throws {
        let (stories, merged) = try reportingErrors {
            let s = try store.open(readOnly: true)
            return (try s.stories(since: since.flatMap(ISODate.parse), minArticles: minArticles), try s.mergedStories())
        }
        if json {
            try printJSON((stories + merged).map {
                Row(id: $0.id, title: $0.title, articles: $0.articles, outlets: $0.outlets,
                    first_published: $0.firstPublished.map(ISODate.format), last_published: $0.lastPublished.map(ISODate.format),
                    closed: $0.closed, merged_into: $0.mergedInto, storyline: $0.storyline, inferred_dates: $0.inferredDates, undated: $0.undated)
            })
            return
        }
        for s in stories {
            let date = s.firstPublished.map { String(ISODate.format($0).prefix(10)) } ?? "undated   "
            print("\(s.id)\t\(date)\t\(s.articles.count) articles\t\(s.outlets.count) outlets\t\(DisplayText.field(s.title))")
        }
    }
}
