import StorylineCore
import StorylineVectors

/// Stories: the commit of a clustering pass's plan, listing, and the report's reads.
extension PostgresStore {
    public func nextStoryID() throws -> Int64 { (try scalar("SELECT MAX(id) FROM stories") ?? 0) + 1 }

    /// The plan goes in by COPY (its stories, the stories they absorb, the articles they gain),
    /// then a fixed number of statements apply it, whatever its size.
    public func commit(_ changes: StoryChanges, runID: Int64) throws {
        guard !changes.stories.isEmpty else { return }
        try pg.transaction {
            try pg.copy(into: "plan_stories", columns: ["story", "is_new", "title_seq"]) { rows in
                for s in changes.stories { rows.int(s.id); rows.bool(s.isNew); rows.int(s.titleArticle); rows.endRow() }
            }
            try pg.copy(into: "plan_absorbed", columns: ["story", "other"]) { rows in
                for s in changes.stories { for other in s.absorbed { rows.int(s.id); rows.int(other); rows.endRow() } }
            }
            try pg.copy(into: "plan_added", columns: ["seq", "story"]) { rows in
                for s in changes.stories { for seq in s.added { rows.int(seq); rows.int(s.id); rows.endRow() } }
            }
            try pg.execute("ANALYZE plan_stories; ANALYZE plan_absorbed; ANALYZE plan_added")
            let run = PGConnection.Value.int(runID)
            try pg.query("INSERT INTO stories(id, title, size, created_run, updated_run) SELECT story, '', 0, $1, $1 FROM plan_stories WHERE is_new", [run])
            // Absorbed stories hand over their articles, point at the survivor, and so do the
            // stories merged into them earlier.
            try pg.execute("""
                UPDATE article_state st SET story_id = p.story FROM plan_absorbed p WHERE st.story_id = p.other;
                UPDATE stories s SET merged_into = p.story FROM plan_absorbed p WHERE s.merged_into = p.other;
                """)
            try pg.query("UPDATE stories s SET merged_into = p.story, size = 0, updated_run = $1 FROM plan_absorbed p WHERE s.id = p.other", [run])
            try pg.execute("UPDATE article_state st SET story_id = p.story FROM plan_added p WHERE st.seq = p.seq")
            try pg.query("""
                UPDATE stories s SET title = COALESCE(x.title, s.title), updated_run = $1, closed = false, names = NULL,
                    size = x.n, first_published = x.lo, last_published = x.hi
                FROM (SELECT p.story, a.title, agg.n, agg.lo, agg.hi
                      FROM plan_stories p LEFT JOIN articles a ON a.seq = p.title_seq
                      JOIN (SELECT story_id, COUNT(*) AS n, MIN(published) AS lo, MAX(published) AS hi FROM article_state
                            WHERE story_id IN (SELECT story FROM plan_stories) GROUP BY story_id) agg ON agg.story_id = p.story) x
                WHERE s.id = x.story
                """, [run])
            try pg.execute("TRUNCATE plan_stories, plan_absorbed, plan_added")
        }
    }

    public func closeStories(before: Double, runID: Int64) throws -> Int {
        let r = try pg.query("UPDATE stories SET closed = true, updated_run = $1 WHERE NOT closed AND merged_into IS NULL AND last_published < $2",
                             [.int(runID), .double(before)])
        return r.changes
    }

    public func latestPublished(notAfter: Double) throws -> Double? {
        let r = try pg.query("SELECT MAX(published) FROM article_state WHERE published <= $1", [.double(notAfter)])
        return r.double(0, 0)
    }

    public func stories(since: Double?, minArticles: Int) throws -> [StorySummary] {
        var out: [StorySummary] = []
        try pg.stream("""
            SELECT s.id, s.title, s.first_published, s.last_published, a.id, a.outlet, s.closed, a.published, a.date_source, s.storyline_id
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN articles a ON a.seq = st.seq
            WHERE s.merged_into IS NULL AND s.size >= $1 AND ($2::float8 IS NULL OR s.last_published IS NULL OR s.last_published >= $2::float8)
            ORDER BY s.first_published IS NULL, s.first_published, s.id, a.published IS NULL, a.published, a.id COLLATE "C"
            """, [.int(Int64(minArticles)), .optional(since)], batch: 16384) { r in
            for row in 0..<r.count {
                let id = r.int(row, 0)
                if out.last?.id != id {
                    out.append(StorySummary(id: id, title: r.text(row, 1) ?? "", articles: [], outlets: [],
                                            firstPublished: r.double(row, 2), lastPublished: r.double(row, 3), closed: r.bool(row, 6),
                                            storyline: r.optionalInt(row, 9)))
                }
                let article = r.text(row, 4) ?? ""
                out[out.count - 1].articles.append(article)
                if let published = r.double(row, 7) {
                    if let source = r.text(row, 8).flatMap(DateSource.init(rawValue:)), source != .given {
                        out[out.count - 1].inferredDates.append(InferredDate(id: article, published: published, source: source))
                    }
                } else {
                    out[out.count - 1].undated.append(article)
                }
                let outlet = r.text(row, 5) ?? ""
                if !out[out.count - 1].outlets.contains(outlet) { out[out.count - 1].outlets.append(outlet) }
            }
        }
        return out
    }

    public func mergedStories() throws -> [StorySummary] {
        let r = try pg.query("SELECT id, title, merged_into FROM stories WHERE merged_into IS NOT NULL ORDER BY id")
        return (0..<r.count).map {
            StorySummary(id: r.int($0, 0), title: r.text($0, 1) ?? "", articles: [], outlets: [],
                         firstPublished: nil, lastPublished: nil, mergedInto: r.int($0, 2))
        }
    }

    public func goldAndFound() throws -> [(item: ArticleLabel, gold: String, found: Int64)] {
        var out: [(ArticleLabel, String, Int64)] = []
        try pg.stream("""
            SELECT a.id, a.outlet, a.published, a.title, a.gold_story, st.story_id FROM article_state st JOIN articles a ON a.seq = st.seq
            WHERE st.story_id IS NOT NULL AND a.gold_story IS NOT NULL ORDER BY st.seq
            """) { r in
            for row in 0..<r.count {
                out.append((ArticleLabel(id: r.text(row, 0) ?? "", outlet: r.text(row, 1) ?? "", published: r.double(row, 2).map(ISODate.format),
                                         title: r.text(row, 3) ?? ""), r.text(row, 4) ?? "", r.int(row, 5)))
            }
        }
        return out
    }

    public func storyExists(_ id: Int64) throws -> Bool {
        try scalar("SELECT COUNT(*) FROM stories WHERE id = $1 AND merged_into IS NULL", [.int(id)]) == 1
    }

    public func forEachStory(minArticles: Int, only: Int64?, _ body: (_ id: Int64, _ title: String, _ articles: [StoredArticle]) throws -> Void) throws {
        var current: Int64? = nil
        var title = ""
        var articles: [StoredArticle] = []
        try pg.stream("""
            SELECT s.id, s.title, a.seq, t.terms, \(Article.columns)
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN articles a ON a.seq = st.seq
            LEFT JOIN article_terms t ON t.seq = st.seq
            WHERE s.merged_into IS NULL AND ($1::int8 IS NULL AND s.size >= $2 OR s.id = $1::int8)
            ORDER BY s.id, a.published IS NULL, a.published, a.id COLLATE "C"
            """, [.optional(only), .int(Int64(minArticles))]) { r in
            for row in 0..<r.count {
                let id = r.int(row, 0)
                if id != current {
                    if let c = current { try body(c, title, articles) }
                    current = id
                    title = r.text(row, 1) ?? ""
                    articles.removeAll(keepingCapacity: true)
                }
                articles.append(StoredArticle(seq: r.int(row, 2), article: Article(row: PGRow(result: r, row: row), from: 4), storyID: id,
                                              terms: r.bytes(row, 3).map { ArticleTerms(EncodedTerms($0)) }))
            }
        }
        if let c = current { try body(c, title, articles) }
    }

    // MARK: Storylines

    public func unnamedStories() throws -> [(id: Int64, firstPublished: Double?, seqs: [Int64])] {
        var out: [(id: Int64, firstPublished: Double?, seqs: [Int64])] = []
        try pg.stream("""
            SELECT s.id, st.seq, s.first_published FROM stories s JOIN article_state st ON st.story_id = s.id
            WHERE s.names IS NULL AND s.merged_into IS NULL ORDER BY s.id, st.seq
            """, batch: 16384) { r in
            for row in 0..<r.count {
                if out.last?.id != r.int(row, 0) { out.append((r.int(row, 0), r.double(row, 2), [])) }
                out[out.count - 1].seqs.append(r.int(row, 1))
            }
        }
        return out
    }

    public func storylineInputs(since: Double?) throws -> [StorylineInput] {
        var out: [StorylineInput] = []
        try pg.stream("""
            SELECT id, size, first_published, storyline_id, names FROM stories
            WHERE merged_into IS NULL AND ($1::float8 IS NULL OR last_published IS NULL OR last_published >= $1::float8) ORDER BY id
            """, [.optional(since)], batch: 16384) { r in
            for row in 0..<r.count {
                out.append(StorylineInput(id: r.int(row, 0), size: Int(r.int(row, 1)), firstPublished: r.double(row, 2),
                                          storyline: r.optionalInt(row, 3), names: r.text(row, 4).map(StorylinePlan.decode) ?? [:]))
            }
        }
        return out
    }

    public func storylines(of stories: [Int64]) throws -> [Int64: Int64] {
        let r = try pg.query("SELECT id, storyline_id FROM stories WHERE storyline_id IS NOT NULL AND id = ANY($1::int8[])", [.array(stories)])
        return Dictionary(uniqueKeysWithValues: (0..<r.count).map { (r.int($0, 0), r.int($0, 1)) })
    }

    public func mergedStorylines() throws -> [(id: Int64, into: Int64)] {
        let r = try pg.query("SELECT id, merged_into FROM storylines WHERE merged_into IS NOT NULL ORDER BY id")
        return (0..<r.count).map { (r.int($0, 0), r.int($0, 1)) }
    }

    public func nextStorylineID() throws -> Int64 { (try scalar("SELECT MAX(id) FROM storylines") ?? 0) + 1 }

    /// A fixed number of statements whatever the plan's size: each list goes in as arrays.
    public func commit(_ plan: StorylinePlan, runID: Int64) throws {
        let run = PGConnection.Value.int(runID)
        try pg.transaction {
            try pg.query("INSERT INTO storylines(id, created_run, updated_run) SELECT unnest($1::int8[]), $2, $2", [.array(plan.created), run])
            let merged = plan.merged.sorted { $0.key < $1.key }
            let from = PGConnection.Value.array(merged.map(\.key)), into = PGConnection.Value.array(merged.map(\.value))
            try pg.query("""
                UPDATE storylines l SET merged_into = m.into_id, updated_run = $3 FROM unnest($1::int8[], $2::int8[]) AS m(from_id, into_id)
                WHERE l.id = m.from_id
                """, [from, into, run])
            try pg.query("""
                UPDATE storylines l SET merged_into = m.into_id FROM unnest($1::int8[], $2::int8[]) AS m(from_id, into_id) WHERE l.merged_into = m.from_id
                """, [from, into])
            // Its stories, those outside this pass's window too, go with it.
            try pg.query("""
                UPDATE stories s SET storyline_id = m.into_id FROM unnest($1::int8[], $2::int8[]) AS m(from_id, into_id) WHERE s.storyline_id = m.from_id
                """, [from, into])
            let named = plan.names.sorted { $0.key < $1.key }
            try pg.query("UPDATE stories s SET names = x.names FROM unnest($1::int8[], $2::text[]) AS x(id, names) WHERE s.id = x.id",
                         [.array(named.map(\.key)), .textArray(named.map { StorylinePlan.encode($0.value) })])
            let assigned = plan.storyline.sorted { $0.key < $1.key }
            try pg.query("UPDATE stories s SET storyline_id = x.line FROM unnest($1::int8[], $2::int8[]) AS x(id, line) WHERE s.id = x.id",
                         [.array(assigned.map(\.key)), .array(assigned.map(\.value))])
            try pg.query("UPDATE storylines SET updated_run = $2 WHERE id = ANY($1::int8[])", [.array(assigned.map(\.value)), run])
        }
    }
}
