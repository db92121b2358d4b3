import StorylineCore
import StorylineVectors

/// The vocabulary and per-article term counts.
extension SQLiteStore {
    public func loadVocabulary() throws -> Vocabulary {
        let s = try db.prepare("SELECT id, term, df, cf FROM terms ORDER BY id")
        var terms: [String] = []
        var df: [Int32] = []
        var cf: [Int64] = []
        while try s.step() {
            let id = Int(s.int(0))
            guard id == terms.count else {
                throw StorylineError(.store, "vocabulary ids are not contiguous at \(id)", file: db.path)
            }
            terms.append(s.text(1) ?? "")
            df.append(Int32(s.int(2)))
            cf.append(s.int(3))
        }
        return Vocabulary(terms: terms, documentFrequency: df, collectionFrequency: cf, inStore: true)
    }

    /// New terms are inserted and known ones get their counts updated in id order (the b-tree's
    /// order; an upsert would bind and compare every term's text).
    public func saveVocabulary(_ changes: Vocabulary.Changes) throws {
        let insert = try db.prepare("INSERT INTO terms(id, term, df, cf) VALUES(?, ?, ?, ?)")
        let update = try db.prepare("UPDATE terms SET df = ?, cf = ? WHERE id = ?")
        for (k, id) in changes.ids.enumerated() {
            let df = Int64(changes.documentFrequency[k]), cf = changes.collectionFrequency[k]
            if let term = changes.newTerms[id] {
                try insert.run([.int(Int64(id)), .text(term), .int(df), .int(cf)])
            } else {
                try update.run([.int(df), .int(cf), .int(Int64(id))])
            }
        }
    }

    public func unvectorized(after seq: Int64, limit: Int) throws -> [ArticleText] {
        let s = try db.prepare("""
            SELECT a.seq, a.title, a.text, a.lang FROM article_state st JOIN articles a ON a.seq = st.seq
            WHERE st.analyzed = 0 AND st.seq > ? ORDER BY st.seq LIMIT ?
            """)
        try s.bind([.int(seq), .int(Int64(limit))])
        var out: [ArticleText] = []
        while try s.step() { out.append(ArticleText(seq: s.int(0), title: s.text(1) ?? "", text: s.text(2) ?? "", lang: s.text(3))) }
        return out
    }

    public func unvectorizedCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM article_state WHERE analyzed = 0") ?? 0) }

    func vectorizedCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM article_state WHERE analyzed = 1") ?? 0) }

    public func documentCount() throws -> Int { try vectorizedCount() + (Int(try meta("imported_documents") ?? "0") ?? 0) }

    public func importModel(_ model: VectorizerModel) throws {
        try db.transaction {
            guard (try db.scalar("SELECT COUNT(*) FROM terms") ?? 0) == 0, try vectorizedCount() == 0 else {
                throw StorylineError(.usage, "the store already has a vocabulary: a model can only be imported into a store before its first vectorize (feature ids never change)", file: db.path)
            }
            var vocabulary = Vocabulary(terms: model.terms, documentFrequency: model.documentFrequency,
                                        collectionFrequency: model.collectionFrequency, inStore: false)
            vocabulary.markAllDirty()
            try saveVocabulary(vocabulary.takeChanges())
            try setMeta("imported_documents", String(model.documents))
        }
    }

    public func setTerms(_ seqs: [Int64], _ terms: [ArticleTerms]) throws {
        let write = try db.prepare("INSERT OR REPLACE INTO article_terms(seq, terms) VALUES(?, ?)")
        let mark = try db.prepare("UPDATE article_state SET analyzed = 1 WHERE seq = ?")
        for (seq, t) in zip(seqs, terms) {
            try write.run([.int(seq), .blob(t.encoded())])
            try mark.run([.int(seq)])
        }
    }
}

extension SQLiteStore {
    public func forEachUnclustered(_ body: (ArticleRef, EncodedTerms) throws -> Void) throws {
        try streamTerms("""
            SELECT st.seq, st.published, st.story_id, t.terms FROM article_state st JOIN article_terms t ON t.seq = st.seq
            WHERE st.story_id IS NULL AND st.analyzed = 1 ORDER BY st.seq
            """, [], body)
    }

    public func forEachStoryArticle(near span: TimeSpan, window: Double,
                                    _ body: (ArticleRef, EncodedTerms) throws -> Void) throws -> [Int64: Int] {
        let lo = (span.earliest ?? -Double.greatestFiniteMagnitude) - window
        let hi = (span.latest ?? Double.greatestFiniteMagnitude) + window
        let near = "s.merged_into IS NULL AND (s.first_published IS NULL OR (s.last_published >= ?1 AND s.first_published <= ?2))"
        try streamTerms("""
            SELECT st.seq, st.published, st.story_id, t.terms
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN article_terms t ON t.seq = st.seq
            WHERE \(near) AND (st.published IS NULL OR st.published BETWEEN ?1 AND ?2)
            ORDER BY st.seq
            """, [.double(lo), .double(hi)], body)
        var sizes: [Int64: Int] = [:]
        let s = try db.prepare("SELECT s.id, s.size FROM stories s WHERE \(near)")
        try s.bind([.double(lo), .double(hi)])
        while try s.step() { sizes[s.int(0)] = Int(s.int(1)) }
        return sizes
    }

    public func unclusteredSpan() throws -> TimeSpan {
        let s = try db.prepare("SELECT MIN(published), MAX(published), COUNT(*) FROM article_state WHERE story_id IS NULL AND analyzed = 1")
        guard try s.step() else { return TimeSpan(earliest: nil, latest: nil, count: 0) }
        return TimeSpan(earliest: s.double(0), latest: s.double(1), count: Int(s.int(2)))
    }

    /// Streams term blobs straight from SQLite's row buffer (no copy per article).
    private func streamTerms(_ sql: String, _ args: [Statement.Value], _ body: (ArticleRef, EncodedTerms) throws -> Void) throws {
        let s = try db.prepare(sql)
        try s.bind(args)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        while try s.step() {
            try body(ArticleRef(seq: s.int(0), published: s.double(1), storyID: s.isNull(2) ? nil : s.int(2)),
                     EncodedTerms(s.blob(3) ?? empty))
        }
    }
}
