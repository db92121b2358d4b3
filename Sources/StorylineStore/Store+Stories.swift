import StorylineCore
import StorylineVectors

/// Stories: assignment of articles, and listing.
extension Store {
    /// The headlines of the articles with these store sequence numbers.
    package func titles(ofSeqs seqs: [Int64]) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        let s = try db.prepare("SELECT title FROM articles WHERE seq = ?")
        for seq in seqs {
            s.reset()
            try s.bind([.int(seq)])
            if try s.step() { out[seq] = s.text(0) }
        }
        return out
    }

    /// The next story id to give: one more than any id ever given (ids are never reused).
    package func nextStoryID() throws -> Int64 { (try db.scalar("SELECT MAX(id) FROM stories") ?? 0) + 1 }

    /// Puts articles into a story (creating it when new), reopens it if it was closed, and
    /// refreshes its summary fields. Call inside a transaction.
    package func assign(story id: Int64, articles seqs: [Int64], title: String, isNew: Bool, runID: Int64) throws {
        if isNew {
            try db.prepare("INSERT INTO stories(id, title, size, created_run, updated_run) VALUES(?, ?, 0, ?, ?)")
                .run([.int(id), .text(title), .int(runID), .int(runID)])
        }
        let s = try db.prepare("UPDATE articles SET story_id = ? WHERE seq = ?")
        for seq in seqs { try s.run([.int(id), .int(seq)]) }
        try db.prepare("""
            UPDATE stories SET title = ?, updated_run = ?, closed = 0,
              size = (SELECT COUNT(*) FROM articles WHERE story_id = stories.id),
              first_published = (SELECT MIN(published) FROM articles WHERE story_id = stories.id),
              last_published = (SELECT MAX(published) FROM articles WHERE story_id = stories.id)
            WHERE id = ?
            """).run([.text(title), .int(runID), .int(id)])
    }

    /// Moves every article of story `from` into story `into` and records the merge. Call inside a transaction.
    package func merge(story from: Int64, into: Int64, runID: Int64) throws {
        try db.prepare("UPDATE articles SET story_id = ? WHERE story_id = ?").run([.int(into), .int(from)])
        try db.prepare("UPDATE stories SET merged_into = ?, size = 0, updated_run = ? WHERE id = ?").run([.int(into), .int(runID), .int(from)])
        // Stories merged into `from` earlier now point at the survivor.
        try db.prepare("UPDATE stories SET merged_into = ? WHERE merged_into = ?").run([.int(into), .int(from)])
    }

    /// Closes open stories whose last article is before `before` (seconds). Returns how many.
    package func closeStories(before: Double, runID: Int64) throws -> Int {
        try db.prepare("UPDATE stories SET closed = 1, updated_run = ? WHERE closed = 0 AND merged_into IS NULL AND last_published < ?")
            .run([.int(runID), .double(before)])
        return db.changes
    }

    /// The newest publication time in the store no later than `notAfter` (a store written by an
    /// older build may hold implausible future dates: they must not move the clock).
    package func latestPublished(notAfter: Double) throws -> Double? {
        let s = try db.prepare("SELECT MAX(published) FROM articles WHERE published <= ?")
        try s.bind([.double(notAfter)])
        return try s.step() ? s.double(0) : nil
    }

    /// Stories with at least `minArticles` articles, whose latest article is not before `since`
    /// (undated stories always pass), ordered by first publication then id.
    public func stories(since: Double? = nil, minArticles: Int = 1) throws -> [StorySummary] {
        let s = try db.prepare("""
            SELECT s.id, s.title, s.first_published, s.last_published, a.id, a.outlet, s.closed
            FROM stories s JOIN articles a ON a.story_id = s.id
            WHERE s.merged_into IS NULL AND s.size >= ? AND (? IS NULL OR s.last_published IS NULL OR s.last_published >= ?)
            ORDER BY s.first_published IS NULL, s.first_published, s.id, a.published IS NULL, a.published, a.seq
            """)
        try s.bind([.int(Int64(minArticles)), .optional(since), .optional(since)])
        var out: [StorySummary] = []
        while try s.step() {
            let id = s.int(0)
            if out.last?.id != id {
                out.append(StorySummary(id: id, title: s.text(1) ?? "", articles: [], outlets: [],
                                        firstPublished: s.double(2), lastPublished: s.double(3), closed: s.int(6) != 0))
            }
            out[out.count - 1].articles.append(s.text(4) ?? "")
            let outlet = s.text(5) ?? ""
            if !out[out.count - 1].outlets.contains(outlet) { out[out.count - 1].outlets.append(outlet) }
        }
        return out
    }

    /// Stories that were merged into others, by id.
    public func mergedStories() throws -> [StorySummary] {
        let s = try db.prepare("SELECT id, title, merged_into FROM stories WHERE merged_into IS NOT NULL ORDER BY id")
        var out: [StorySummary] = []
        while try s.step() {
            out.append(StorySummary(id: s.int(0), title: s.text(1) ?? "", articles: [], outlets: [],
                                    firstPublished: nil, lastPublished: nil, mergedInto: s.int(2)))
        }
        return out
    }

    /// Gold and found story of every clustered article with a gold story (for evaluation), in store order.
    package func goldAndFound() throws -> [(item: ArticleLabel, gold: String, found: Int64)] {
        let s = try db.prepare("""
            SELECT id, outlet, published, title, gold_story, story_id FROM articles
            WHERE story_id IS NOT NULL AND gold_story IS NOT NULL ORDER BY seq
            """)
        var out: [(ArticleLabel, String, Int64)] = []
        while try s.step() {
            out.append((ArticleLabel(id: s.text(0) ?? "", outlet: s.text(1) ?? "", published: s.double(2).map(ISODate.format),
                                           title: s.text(3) ?? ""), s.text(4) ?? "", s.int(5)))
        }
        return out
    }

    func storyCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM stories WHERE merged_into IS NULL") ?? 0) }
}

/// A story as `storyline stories` lists it.
public struct StorySummary: Sendable, Equatable {
    public var id: Int64
    public var title: String
    /// Article ids, earliest first.
    public var articles: [String]
    /// Outlets, in order of their first article.
    public var outlets: [String]
    public var firstPublished: Double?
    public var lastPublished: Double?
    /// Set on a story that was merged into another (it then has no articles).
    public var mergedInto: Int64? = nil
    public var closed = false
}

/// How an article is named to a person: its id, outlet, date (ISO 8601) and headline.
public struct ArticleLabel: Sendable, Codable {
    public var id: String
    public var outlet: String
    public var published: String?
    public var title: String

    public init(id: String, outlet: String, published: String?, title: String) {
        self.id = id
        self.outlet = outlet
        self.published = published
        self.title = title
    }
}
