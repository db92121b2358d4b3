import ArgumentParser
import Foundation
import Storyline

struct Stories: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stories.",
        discussion: """
            --json prints an array of {id, title, articles: [article ids], outlets: [names], \
            first_published, last_published} (dates ISO 8601, UTC, or null). Every clustered article \
            is in exactly one story.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Only stories whose latest article is on or after this date (ISO 8601).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only stories with at least this many articles.", valueName: "n"))
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
    }

    func run() throws {
        let stories = try reportingErrors { try Store(path: store.db).stories(since: since.flatMap(ISODate.parse), minArticles: minArticles) }
        if json {
            try printJSON(stories.map {
                Row(id: $0.id, title: $0.title, articles: $0.articles, outlets: $0.outlets,
                    first_published: $0.firstPublished.map(ISODate.format), last_published: $0.lastPublished.map(ISODate.format))
            })
            return
        }
        for s in stories {
            let date = s.firstPublished.map { String(ISODate.format($0).prefix(10)) } ?? "undated   "
            print("\(s.id)\t\(date)\t\(s.articles.count) articles\t\(s.outlets.count) outlets\t\(s.title)")
        }
    }
}
