import StorylineCore

/// One of the store's invariants: a query that returns the rows that break it (SQL both
/// backends run: booleans as `NOT x`, `IS DISTINCT FROM`), and how to name each.
struct Invariant: Sendable {
    var sql: String
    var describe: @Sendable (StoreRow) -> String

    /// Every clustered article in exactly one live story (its story exists and was not merged);
    /// each live story's size and first/last publication those of its articles, and it has some;
    /// a merged story empty and pointing at a live story; state rows and term rows matching articles;
    /// a linked live story in a live storyline, a merged storyline pointing at a live one, a live
    /// storyline holding a live story.
    static let all: [Invariant] = [
        Invariant(sql: """
            SELECT a.id, st.seq IS NULL, st.published IS DISTINCT FROM a.published FROM articles a LEFT JOIN article_state st ON st.seq = a.seq
            WHERE st.seq IS NULL OR st.published IS DISTINCT FROM a.published ORDER BY a.seq
            """,
                  describe: { s in "article \(s.text(0) ?? "?") " + (s.int(1) != 0 ? "has no state row" : "has another date in its state row") }),
        Invariant(sql: """
            SELECT a.id, a.date_source FROM articles a
            WHERE (a.published IS NULL) != (a.date_source IS NULL)
               OR a.date_source NOT IN ('given', 'url', 'text', 'meta', 'json-ld') ORDER BY a.seq
            """,
                  describe: { s in "article \(s.text(0) ?? "?") " + (s.text(1).map { "has date source \"\($0)\"" + " with no date or an unknown one" } ?? "has a date but no date source") }),
        Invariant(sql: """
            SELECT st.seq FROM article_state st LEFT JOIN articles a ON a.seq = st.seq WHERE a.seq IS NULL ORDER BY st.seq
            """,
                  describe: { s in "state row \(s.int(0)) has no article" }),
        Invariant(sql: """
            SELECT st.seq, st.analyzed, t.seq IS NOT NULL FROM article_state st LEFT JOIN article_terms t ON t.seq = st.seq
            WHERE st.analyzed != (t.seq IS NOT NULL) ORDER BY st.seq
            """,
                  describe: { s in "article \(s.int(0)) is marked " + (s.int(1) != 0 ? "analyzed but has no term counts" : "not analyzed but has term counts") }),
        Invariant(sql: """
            SELECT a.id, st.story_id FROM article_state st JOIN articles a ON a.seq = st.seq LEFT JOIN stories s ON s.id = st.story_id
            WHERE st.story_id IS NOT NULL AND s.id IS NULL ORDER BY st.seq
            """,
                  describe: { s in "article \(s.text(0) ?? "?") is in story \(s.int(1)), which does not exist" }),
        Invariant(sql: """
            SELECT a.id, st.story_id, s.merged_into FROM article_state st JOIN articles a ON a.seq = st.seq JOIN stories s ON s.id = st.story_id
            WHERE s.merged_into IS NOT NULL ORDER BY st.seq
            """,
                  describe: { s in "article \(s.text(0) ?? "?") is in story \(s.int(1)), which was merged into \(s.int(2))" }),
        Invariant(sql: """
            SELECT a.id FROM article_state st JOIN articles a ON a.seq = st.seq WHERE st.story_id IS NOT NULL AND NOT st.analyzed ORDER BY st.seq
            """,
                  describe: { s in "article \(s.text(0) ?? "?") is in a story but was never analyzed" }),
        Invariant(sql: """
            SELECT s.id, s.size, COUNT(st.seq), s.first_published, MIN(st.published), s.last_published, MAX(st.published)
            FROM stories s LEFT JOIN article_state st ON st.story_id = s.id WHERE s.merged_into IS NULL GROUP BY s.id
            HAVING s.size != COUNT(st.seq) OR COUNT(st.seq) = 0
                OR s.first_published IS DISTINCT FROM MIN(st.published) OR s.last_published IS DISTINCT FROM MAX(st.published)
            ORDER BY s.id
            """,
                  describe: { s in
            let id = s.int(0), size = s.int(1), count = s.int(2)
            if count == 0 { return "story \(id) is live but has no articles" }
            if size != count { return "story \(id) has size \(size) but \(count) articles" }
            func date(_ c: Int32) -> String { s.double(c).map(ISODate.format) ?? "none" }
            return "story \(id) has first/last publication \(date(3)) / \(date(5)), its articles \(date(4)) / \(date(6))"
        }),
        Invariant(sql: """
            SELECT s.id, s.size, s.merged_into FROM stories s LEFT JOIN stories t ON t.id = s.merged_into
            WHERE s.merged_into IS NOT NULL AND (s.size != 0 OR t.id IS NULL OR t.merged_into IS NOT NULL) ORDER BY s.id
            """,
                  describe: { s in "story \(s.int(0)) was merged into \(s.int(2)), which is not a live story, or still has size \(s.int(1))" }),
        Invariant(sql: """
            SELECT s.id, s.storyline_id FROM stories s LEFT JOIN storylines l ON l.id = s.storyline_id
            WHERE s.merged_into IS NULL AND s.names IS NOT NULL AND (l.id IS NULL OR l.merged_into IS NOT NULL) ORDER BY s.id
            """,
                  describe: { s in "story \(s.int(0)) was linked but its storyline (\(s.isNull(1) ? "none" : String(s.int(1)))) is not a live storyline" }),
        Invariant(sql: """
            SELECT l.id, l.merged_into FROM storylines l LEFT JOIN storylines t ON t.id = l.merged_into
            WHERE l.merged_into IS NOT NULL AND (t.id IS NULL OR t.merged_into IS NOT NULL) ORDER BY l.id
            """,
                  describe: { s in "storyline \(s.int(0)) was merged into \(s.int(1)), which is not a live storyline" }),
        Invariant(sql: """
            SELECT l.id FROM storylines l
            WHERE l.merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.storyline_id = l.id AND s.merged_into IS NULL) ORDER BY l.id
            """,
                  describe: { s in "storyline \(s.int(0)) is live but has no live story" }),
    ]

    /// Runs each invariant with `rows` (which calls its body with each row the query returns) and
    /// names at most `limit` offenders of each.
    static func check(limit: Int, _ rows: (String, (StoreRow) -> Void) throws -> Void) throws -> [String] {
        var problems: [String] = []
        for invariant in all {
            var n = 0
            try rows(invariant.sql) { row in
                n += 1
                if n <= limit { problems.append(invariant.describe(row)) }
            }
            if n > limit { problems.append("... and \(n - limit) more like the one above") }
        }
        return problems
    }
}
