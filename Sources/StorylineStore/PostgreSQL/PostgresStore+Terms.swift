import StorylineCore
import StorylineVectors

/// The vocabulary and per-article term counts.
extension PostgresStore {
    public func loadVocabulary() throws -> Vocabulary {
        var terms: [String] = [], df: [Int32] = [], cf: [Int64] = []
        var failure: StorylineError?
        try pg.stream("SELECT id, term, df, cf FROM terms ORDER BY id", batch: 65536) { r in
            for row in 0..<r.count where failure == nil {
                let id = Int(r.int(row, 0))
                guard id == terms.count else {
                    failure = StorylineError(.store, "vocabulary ids are not contiguous at \(id)", file: location)
                    return
                }
                terms.append(r.text(row, 1) ?? "")
                df.append(Int32(r.int(row, 2)))
                cf.append(r.int(row, 3))
            }
        }
        if let failure { throw failure }
        return Vocabulary(terms: terms, documentFrequency: df, collectionFrequency: cf, inStore: true)
    }

    /// New terms and changed counts go through one COPY, then one INSERT and one UPDATE.
    public func saveVocabulary(_ changes: Vocabulary.Changes) throws {
        guard !changes.ids.isEmpty else { return }
        try pg.transaction {
            try pg.copy(into: "incoming_vocabulary", columns: ["id", "term", "df", "cf"]) { rows in
                for (k, id) in changes.ids.enumerated() {
                    rows.int(Int64(id)); rows.text(changes.newTerms[id]); rows.int(Int64(changes.documentFrequency[k])); rows.int(changes.collectionFrequency[k])
                    rows.endRow()
                }
            }
            try pg.execute("""
                ANALYZE incoming_vocabulary;
                INSERT INTO terms(id, term, df, cf) SELECT id, term, df, cf FROM incoming_vocabulary WHERE term IS NOT NULL;
                UPDATE terms t SET df = v.df, cf = v.cf FROM incoming_vocabulary v WHERE v.term IS NULL AND t.id = v.id;
                TRUNCATE incoming_vocabulary
                """)
        }
    }

    public func unvectorized(after seq: Int64, limit: Int) throws -> [ArticleText] {
        let r = try pg.query("""
            SELECT a.seq, a.title, a.text, a.lang FROM article_state st JOIN articles a ON a.seq = st.seq
            WHERE NOT st.analyzed AND st.seq > $1 ORDER BY st.seq LIMIT $2
            """, [.int(seq), .int(Int64(limit))])
        return (0..<r.count).map { ArticleText(seq: r.int($0, 0), title: r.text($0, 1) ?? "", text: r.text($0, 2) ?? "", lang: r.text($0, 3)) }
    }

    public func unvectorizedCount() throws -> Int { Int(try scalar("SELECT COUNT(*) FROM article_state WHERE NOT analyzed") ?? 0) }

    func vectorizedCount() throws -> Int { Int(try scalar("SELECT COUNT(*) FROM article_state WHERE analyzed") ?? 0) }

    public func documentCount() throws -> Int { try vectorizedCount() + (Int(try meta("imported_documents") ?? "0") ?? 0) }

    public func importModel(_ model: VectorizerModel) throws {
        try pg.transaction {
            guard try scalar("SELECT COUNT(*) FROM terms") == 0, try vectorizedCount() == 0 else {
                throw StorylineError(.usage, "the store already has a vocabulary: a model can only be imported into a store before its first vectorize (feature ids never change)", file: location)
            }
            var vocabulary = Vocabulary(terms: model.terms, documentFrequency: model.documentFrequency,
                                        collectionFrequency: model.collectionFrequency, inStore: false)
            vocabulary.markAllDirty()
            try saveVocabulary(vocabulary.takeChanges())
            try setMeta("imported_documents", String(model.documents))
        }
    }

    public func setTerms(_ seqs: [Int64], _ terms: [ArticleTerms]) throws {
        guard !seqs.isEmpty else { return }
        // Straight into the table: counts an article already had (analyzed again) go first.
        try pg.transaction {
            let list = PGConnection.Value.array(seqs)
            try pg.query("DELETE FROM article_terms WHERE seq = ANY($1::int8[])", [list])
            try pg.copy(into: "article_terms", columns: ["seq", "terms"]) { rows in
                for (seq, t) in zip(seqs, terms) { rows.int(seq); rows.bytes(t.encoded()); rows.endRow() }
            }
            try pg.query("UPDATE article_state SET analyzed = true WHERE seq = ANY($1::int8[])", [list])
        }
    }

    /// The new articles of a clustering pass: analyzed, in no story.
    static func unclusteredQuery(_ columns: String) -> String {
        """
        SELECT \(columns) FROM article_state st JOIN article_terms t ON t.seq = st.seq
        WHERE st.story_id IS NULL AND st.analyzed ORDER BY st.seq
        """
    }

    /// The articles of the live stories within `window` of `span` (undated ones too). Numbers
    /// formatted into the query (COPY takes no parameters): computed here, not given.
    static func storyArticlesQuery(_ columns: String, near span: TimeSpan, window: Double) -> String {
        let lo = PGConnection.text((span.earliest ?? -Double.greatestFiniteMagnitude) - window)
        let hi = PGConnection.text((span.latest ?? Double.greatestFiniteMagnitude) + window)
        return """
            SELECT \(columns)
            FROM stories s JOIN article_state st ON st.story_id = s.id JOIN article_terms t ON t.seq = st.seq
            WHERE s.merged_into IS NULL AND (s.first_published IS NULL OR (s.last_published >= \(lo)::float8 AND s.first_published <= \(hi)::float8))
              AND (st.published IS NULL OR st.published BETWEEN \(lo)::float8 AND \(hi)::float8)
            ORDER BY st.seq
            """
    }

    /// The whole sizes of the live stories within `window` of `span`.
    func storySizes(near span: TimeSpan, window: Double) throws -> [Int64: Int] {
        let lo = (span.earliest ?? -Double.greatestFiniteMagnitude) - window
        let hi = (span.latest ?? Double.greatestFiniteMagnitude) + window
        var sizes: [Int64: Int] = [:]
        try pg.stream("""
            SELECT s.id, s.size FROM stories s
            WHERE s.merged_into IS NULL AND (s.first_published IS NULL OR (s.last_published >= $1::float8 AND s.first_published <= $2::float8))
            """, [.double(lo), .double(hi)], batch: 65536) { r in
            for row in 0..<r.count { sizes[r.int(row, 0)] = Int(r.int(row, 1)) }
        }
        return sizes
    }

    public func forEachUnclustered(_ body: (ArticleRef, EncodedTerms) throws -> Void) throws {
        try streamTerms(Self.unclusteredQuery("st.seq, st.published, st.story_id, t.terms"), body)
    }

    public func forEachStoryArticle(near span: TimeSpan, window: Double,
                                    _ body: (ArticleRef, EncodedTerms) throws -> Void) throws -> [Int64: Int] {
        try streamTerms(Self.storyArticlesQuery("st.seq, st.published, st.story_id, t.terms", near: span, window: window), body)
        return try storySizes(near: span, window: window)
    }

    public func passArticles(near span: TimeSpan, window: Double) throws -> (settled: [ArticleRef], new: [ArticleRef], storySizes: [Int64: Int]) {
        func refs(_ query: String) throws -> [ArticleRef] {
            var out: [ArticleRef] = []
            try pg.copyOut(query) { row in out.append(ArticleRef(seq: row.int(0) ?? 0, published: row.double(1), storyID: row.int(2))) }
            return out
        }
        let columns = "st.seq, st.published, st.story_id"
        return (try refs(Self.storyArticlesQuery(columns, near: span, window: window)), try refs(Self.unclusteredQuery(columns)),
                try storySizes(near: span, window: window))
    }

    public func terms(of seqs: [Int64], _ body: (Int64, EncodedTerms) throws -> Void) throws {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        // In slices: one query's array literal stays a few megabytes. Sequence numbers are integers formatted here.
        for start in stride(from: 0, to: seqs.count, by: 200_000) {
            let slice = seqs[start..<min(seqs.count, start + 200_000)].map(String.init).joined(separator: ",")
            try pg.copyOut("SELECT seq, terms FROM article_terms WHERE seq = ANY('{\(slice)}'::int8[])") { row in
                try body(row.int(0) ?? 0, EncodedTerms(row.bytes(1) ?? empty))
            }
        }
    }

    /// Called first by every clustering pass: the tables' statistics are refreshed here, since a
    /// night's bulk writes leave them stale until autovacuum comes by, and the planner then joins
    /// the stories' articles by nested loops over estimates of a handful of rows (seconds instead
    /// of milliseconds). ANALYZE samples a fixed number of rows: a fraction of a second at any size.
    public func unclusteredSpan() throws -> TimeSpan {
        if !readOnly { try pg.execute("ANALYZE article_state, article_terms, stories, terms") }
        let r = try pg.query("SELECT MIN(published), MAX(published), COUNT(*) FROM article_state WHERE story_id IS NULL AND analyzed")
        return TimeSpan(earliest: r.double(0, 0), latest: r.double(0, 1), count: Int(r.int(0, 2)))
    }

    /// Streams term blobs by binary COPY, straight from libpq's row buffers (no copy per article).
    private func streamTerms(_ sql: String, _ body: (ArticleRef, EncodedTerms) throws -> Void) throws {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        try pg.copyOut(sql) { row in
            try body(ArticleRef(seq: row.int(0) ?? 0, published: row.double(1), storyID: row.int(2)), EncodedTerms(row.bytes(3) ?? empty))
        }
    }
}
