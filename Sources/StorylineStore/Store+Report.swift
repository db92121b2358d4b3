import StorylineCore
import StorylineVectors

/// What the framing report reads.
extension Store {
    package struct ReportArticle {
        package var seq: Int64
        package var id: String
        package var outlet: String
        package var published: Double?
        package var title: String
        package var text: String
        package var lang: String?
        package var extra: String?
        package var terms: ArticleTerms
    }

    /// Calls `body` with each live story of at least `minArticles` articles (or only story
    /// `only`), in id order, with its articles in publication order. Streams: one story in memory.
    package func forEachStory(minArticles: Int, only: Int64?, _ body: (_ id: Int64, _ title: String, _ articles: [ReportArticle]) throws -> Void) throws {
        let s = try db.prepare("""
            SELECT s.id, s.title, a.seq, a.id, a.outlet, a.published, a.title, a.text, a.lang, a.extra, a.terms
            FROM stories s JOIN articles a ON a.story_id = s.id
            WHERE s.merged_into IS NULL AND (?1 IS NULL AND s.size >= ?2 OR s.id = ?1)
            ORDER BY s.id, a.published IS NULL, a.published, a.seq
            """)
        try s.bind([.optional(only), .int(Int64(minArticles))])
        var current: Int64? = nil
        var title = ""
        var articles: [ReportArticle] = []
        while try s.step() {
            let id = s.int(0)
            if id != current {
                if let c = current { try body(c, title, articles) }
                current = id
                title = s.text(1) ?? ""
                articles.removeAll(keepingCapacity: true)
            }
            articles.append(ReportArticle(seq: s.int(2), id: s.text(3) ?? "", outlet: s.text(4) ?? "", published: s.double(5),
                                          title: s.text(6) ?? "", text: s.text(7) ?? "", lang: s.text(8), extra: s.text(9),
                                          terms: s.blob(10).map { ArticleTerms(decoding: $0) } ?? ArticleTerms()))
        }
        if let c = current { try body(c, title, articles) }
    }

    package func storyExists(_ id: Int64) throws -> Bool {
        try db.scalar("SELECT COUNT(*) FROM stories WHERE id = ? AND merged_into IS NULL", [.int(id)]) == 1
    }
}
