import ArgumentParser
import Foundation
import Storyline

struct Storylines: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List storylines: the stories of one matter across weeks (a shooting, the charges, the trial).",
        discussion: """
            Each clustering pass links the stories it made or changed into storylines by the names \
            they share (people, places, organizations): two events of one kind (two shootings) stay \
            apart, the steps of one matter join. Storyline ids stay as the store grows; a storyline \
            that joins another points at it (its id is not reused).

            Lists storylines of at least --min-stories stories (2: those that joined anything), \
            earliest first: id, first date, stories, articles, outlets, title; then, indented, its \
            stories in time order with the outlets that covered each.

            --json prints an array of {id, title, first_published, last_published, articles, \
            outlets: [names], stories: [{id, title, first_published, last_published, articles, \
            outlets: [names]}], merged_into: null} (dates ISO 8601, UTC, or null; `articles` counts). \
            A storyline that joined another is listed after them as {id, merged_into} (the storyline \
            that holds its stories now), as `stories --json` lists merged stories.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Only storylines whose latest story ends on or after this date (ISO 8601).", valueName: "date"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only storylines of at least this many stories.", valueName: "n"))
    var minStories: Int = 2

    func validate() throws {
        if let since, ISODate.parse(since) == nil { throw ValidationError("--since: not a date: \(since)") }
        if minStories < 1 { throw ValidationError("--min-stories must be at least 1") }
    }

    /// A storyline, or one of its stories (`stories` nil: not printed).
    struct Row: Encodable {
        var id: Int64
        var title: String
        var first_published: String?
        var last_published: String?
        var articles: Int
        var outlets: [String]
        var stories: [Row]?
        /// Set on a storyline that joined another (then only `id` and this are printed).
        var merged_into: Int64? = nil

        /// Dates as null when missing (as `stories --json`); `stories` only on a storyline.
        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey { case id, title, first_published, last_published, articles, outlets, stories, merged_into }
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .id)
            if let merged_into {
                try c.encode(merged_into, forKey: .merged_into)
                return
            }
            try c.encode(title, forKey: .title)
            try c.encode(first_published, forKey: .first_published)
            try c.encode(last_published, forKey: .last_published)
            try c.encode(articles, forKey: .articles)
            try c.encode(outlets, forKey: .outlets)
            if let stories {
                try c.encode(stories, forKey: .stories)
                try c.encodeNil(forKey: .merged_into)
            }
        }
    }

    func run() throws {
        let (stories, merged) = try reportingErrors {
            let s = try store.open(readOnly: true)
            return (try s.stories(since: nil, minArticles: 1), try s.mergedStorylines())
        }
        let from = since.flatMap(ISODate.parse)
        let lines = StorylineSummary.group(stories).filter { line in
            line.stories.count >= minStories && (from == nil || line.lastPublished.map { $0 >= from! } ?? true)
        }
        if json {
            try printJSON(lines.map { line in
                Row(id: line.id, title: line.title, first_published: line.firstPublished.map(ISODate.format),
                    last_published: line.lastPublished.map(ISODate.format), articles: line.articleCount, outlets: line.outlets,
                    stories: line.stories.map {
                        Row(id: $0.id, title: $0.title, first_published: $0.firstPublished.map(ISODate.format),
                            last_published: $0.lastPublished.map(ISODate.format), articles: $0.articles.count, outlets: $0.outlets)
                    })
            } + merged.map { Row(id: $0.id, title: "", articles: 0, outlets: [], merged_into: $0.into) })
            return
        }
        func day(_ t: Double?) -> String { t.map { String(ISODate.format($0).prefix(10)) } ?? "undated   " }
        for line in lines {
            print("\(line.id)\t\(day(line.firstPublished))\t\(line.stories.count) stories\t\(line.articleCount) articles\t\(line.outlets.count) outlets\t\(DisplayText.field(line.title))")
            for s in line.stories {
                print("  story \(s.id)\t\(day(s.firstPublished))\t\(s.articles.count) articles\t\(DisplayText.field(s.title))\t\(s.outlets.map(DisplayText.field).joined(separator: ", "))")
            }
        }
    }
}
