import StorylineCore
import StorylineVectors

/// Stories: the commit of a clustering pass's plan, listing, and the report's reads.
extension SQLiteStore {
    public func nextStoryID() throws -> Int64 { (try db.scalar("SELECT MAX(id) FROM stories") ?? 0) + 1 }

    public func commit(_ changes: StoryChanges, runID: Int64) throws {
        let create = try db.prepare("INSERT INTO stories(id, title, size, created_run, updated_run) VALUES(?, '', 0, ?, ?)")
        let moveAll = try db.prepare("UPDATE article_state SET story_id = ? WHERE story_id = ?")
        let markMerged = try db.prepare("UPDATE stories SET merged_into = ?, size = 0, updated_run = ? WHERE id = ?")
        let repoint = try db.prepare("UPDATE stories SET merged_into = ? WHERE merged_into = ?")
        let assign = try db.prepare("UPDATE article_state SET story_id = ? WHERE seq = ?")
        let refresh = try db.prepare("""
            UPDATE stories SET title = COALESCE((SELECT title FROM articles WHERE seq = ?), title), updated_run = ?, closed = 0, names = NULL,
              size = (SELECT COUNT(*) FROM article_state WHERE story_id = stories.id),
              first_published = (SELECT MIN(published) FROM article_state WHERE story_id = stories.id),
              last_published = (SELECT MAX(published) FROM article_state WHERE story_id = stories.id)
            WHERE id = ?
            """)
        for story in changes.stories {
            let id = story.id
            if story.isNew { try create.run([.int(id), .int(runID), .int(runID)]) }
            for other in story.absorbed {
                try moveAll.run([.int(id), .int(other)])
                try markMerged.run([.int(id), .int(runID), .int(other)])
                // Stories merged into `other` earlier now point at the survivor.
                try repoint.run([.int(id), .int(other)])
            }
            for seq in story.added { try assign.run([.int(id), .int(seq)]) }
            try refresh.run([.int(story.titleArticle), .int(runID), .int(id)])
        }
    }

    public func closeStories(before: Double, runID: Int64) throws -> Int {
        try db.prepare("UPDATE stories SET closed = 1, updated_run = ? WHERE closed = 0 AND merged_into IS NULL AND last_published < ?")
            .run([.int(runID), .double(before)])
        return db.changes
    }

    public func latestPublished(notAfter: Double) throws -> Double? {
        let s = try db.prepare("SELECT MAX(published) FROM article_state WHERE published <= ?")
        try s.bind([.double(notAfter)])
        return try s.step() ? s.double(0) : nil
    }

    public func stories(since: Double?, minArticles: Int) throws -> [StorySummary] {
        let s = try db.prepare("""
            SELECT s.id, s.title, s.first_published, s.last_published, a.id, a.outlet, s.closed, a.published, a.date_source, s.storyline_id
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN articles a ON a.seq = st.seq
            WHERE s.merged_into IS NULL AND s.size >= ? AND (? IS NULL OR s.last_published IS NULL OR s.last_published >= ?)
            ORDER BY s.first_published IS NULL, s.first_published, s.id, a.published IS NULL, a.published, a.id
            """)
        try s.bind([.int(Int64(minArticles)), .optional(since), .optional(since)])
        var out: [StorySummary] = []
        while try s.step() {
            let id = s.int(0)
            if out.last?.id != id {
                out.append(StorySummary(id: id, title: s.text(1) ?? "", articles: [], outlets: [],
                                        firstPublished: s.double(2), lastPublished: s.double(3), closed: s.int(6) != 0,
                                        storyline: s.optionalInt(9)))
            }
            let article = s.text(4) ?? ""
            out[out.count - 1].articles.append(article)
            if let published = s.double(7) {
                if let source = s.text(8).flatMap(DateSource.init(rawValue:)), source != .given {
                    out[out.count - 1].inferredDates.append(InferredDate(id: article, published: published, source: source))
                }
            } else {
                out[out.count - 1].undated.append(article)
            }
            let outlet = s.text(5) ?? ""
            if !out[out.count - 1].outlets.contains(outlet) { out[out.count - 1].outlets.append(outlet) }
        }
        return out
    }

    public func mergedStories() throws -> [StorySummary] {
        let s = try db.prepare("SELECT id, title, merged_into FROM stories WHERE merged_into IS NOT NULL ORDER BY id")
        var out: [StorySummary] = []
        while try s.step() {
            out.append(StorySummary(id: s.int(0), title: s.text(1) ?? "", articles: [], outlets: [],
                                    firstPublished: nil, lastPublished: nil, mergedInto: s.int(2)))
        }
        return out
    }

    public func goldAndFound() throws -> [(item: ArticleLabel, gold: String, found: Int64)] {
        let s = try db.prepare("""
            SELECT a.id, a.outlet, a.published, a.title, a.gold_story, st.story_id FROM article_state st JOIN articles a ON a.seq = st.seq
            WHERE st.story_id IS NOT NULL AND a.gold_story IS NOT NULL ORDER BY st.seq
            """)
        var out: [(ArticleLabel, String, Int64)] = []
        while try s.step() {
            out.append((ArticleLabel(id: s.text(0) ?? "", outlet: s.text(1) ?? "", published: s.double(2).map(ISODate.format),
                                           title: s.text(3) ?? ""), s.text(4) ?? "", s.int(5)))
        }
        return out
    }

    public func storyExists(_ id: Int64) throws -> Bool {
        try db.scalar("SELECT COUNT(*) FROM stories WHERE id = ? AND merged_into IS NULL", [.int(id)]) == 1
    }

    public func forEachStory(minArticles: Int, only: Int64?, _ body: (_ id: Int64, _ title: String, _ articles: [StoredArticle]) throws -> Void) throws {
        let s = try db.prepare("""
            SELECT s.id, s.title, a.seq, t.terms, \(Article.columns)
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN articles a ON a.seq = st.seq
            LEFT JOIN article_terms t ON t.seq = st.seq
            WHERE s.merged_into IS NULL AND (?1 IS NULL AND s.size >= ?2 OR s.id = ?1)
            ORDER BY s.id, a.published IS NULL, a.published, a.id
            """)
        try s.bind([.optional(only), .int(Int64(minArticles))])
        var current: Int64? = nil
        var title = ""
        var articles: [StoredArticle] = []
        while try s.step() {
            let id = s.int(0)
            if id != current {
                if let c = current { try body(c, title, articles) }
                current = id
                title = s.text(1) ?? ""
                articles.removeAll(keepingCapacity: true)
            }
            articles.append(StoredArticle(seq: s.int(2), article: Article(row: s, from: 4), storyID: id,
                                          terms: s.blob(3).map { ArticleTerms(EncodedTerms($0)) }))
        }
        if let c = current { try body(c, title, articles) }
    }

    // MARK: Storylines

    public func unnamedStories() throws -> [(id: Int64, firstPublished: Double?, seqs: [Int64])] {
        let s = try db.prepare("""
            SELECT s.id, st.seq, s.first_published FROM stories s JOIN article_state st ON st.story_id = s.id
            WHERE s.names IS NULL AND s.merged_into IS NULL ORDER BY s.id, st.seq
            """)
        var out: [(id: Int64, firstPublished: Double?, seqs: [Int64])] = []
        while try s.step() {
            if out.last?.id != s.int(0) { out.append((s.int(0), s.double(2), [])) }
            out[out.count - 1].seqs.append(s.int(1))
        }
        return out
    }

    public func storylineInputs(since: Double?) throws -> [StorylineInput] {
        let s = try db.prepare("""
            SELECT id, size, first_published, storyline_id, names FROM stories
            WHERE merged_into IS NULL AND (?1 IS NULL OR last_published IS NULL OR last_published >= ?1) ORDER BY id
            """)
        try s.bind([.optional(since)])
        var out: [StorylineInput] = []
        while try s.step() {
            out.append(StorylineInput(id: s.int(0), size: Int(s.int(1)), firstPublished: s.double(2), storyline: s.optionalInt(3),
                                      names: s.text(4).map(StorylinePlan.decode) ?? [:]))
        }
        return out
    }

    public func storylines(of stories: [Int64]) throws -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        try forEachRow(ofIDs: stories, "SELECT id, storyline_id FROM stories WHERE storyline_id IS NOT NULL AND id IN") { s in out[s.int(0)] = s.int(1) }
        return out
    }

    public func mergedStorylines() throws -> [(id: Int64, into: Int64)] {
        let s = try db.prepare("SELECT id, merged_into FROM storylines WHERE merged_into IS NOT NULL ORDER BY id")
        var out: [(id: Int64, into: Int64)] = []
        while try s.step() { out.append((s.int(0), s.int(1))) }
        return out
    }

    public func nextStorylineID() throws -> Int64 { (try db.scalar("SELECT MAX(id) FROM storylines") ?? 0) + 1 }

    public func commit(_ plan: StorylinePlan, runID: Int64) throws {
        let create = try db.prepare("INSERT INTO storylines(id, created_run, updated_run) VALUES(?, ?, ?)")
        let merge = try db.prepare("UPDATE storylines SET merged_into = ?, updated_run = ? WHERE id = ?")
        let repoint = try db.prepare("UPDATE storylines SET merged_into = ? WHERE merged_into = ?")
        let handOver = try db.prepare("UPDATE stories SET storyline_id = ? WHERE storyline_id = ?")
        let name = try db.prepare("UPDATE stories SET names = ? WHERE id = ?")
        let assign = try db.prepare("UPDATE stories SET storyline_id = ? WHERE id = ?")
        let touch = try db.prepare("UPDATE storylines SET updated_run = ? WHERE id = ?")
        for id in plan.created { try create.run([.int(id), .int(runID), .int(runID)]) }
        for (from, into) in plan.merged.sorted(by: { $0.key < $1.key }) {
            try merge.run([.int(into), .int(runID), .int(from)])
            try repoint.run([.int(into), .int(from)])
            // Its stories, those outside this pass's window too, go with it.
            try handOver.run([.int(into), .int(from)])
        }
        for (story, names) in plan.names.sorted(by: { $0.key < $1.key }) { try name.run([.text(StorylinePlan.encode(names)), .int(story)]) }
        for (story, line) in plan.storyline.sorted(by: { $0.key < $1.key }) { try assign.run([.int(line), .int(story)]) }
        for line in Set(plan.storyline.values).subtracting(plan.created).sorted() { try touch.run([.int(runID), .int(line)]) }
    }
}
