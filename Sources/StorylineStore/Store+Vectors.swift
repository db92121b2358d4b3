import StorylineCore
import StorylineVectors

/// The vocabulary and per-article term counts.
extension Store {
    /// Loads the whole vocabulary (ids, stems, document frequencies).
    package func loadVocabulary() throws -> Vocabulary {
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

    /// Writes the vocabulary entries changed since the last save. Call inside a transaction.
    func saveVocabulary(_ vocabulary: inout Vocabulary) throws {
        try saveVocabulary(vocabulary.takeChanges())
    }

    /// Writes vocabulary changes: new terms are inserted, known ones get their counts updated,
    /// in id order (the b-tree's order; an upsert would bind and compare every term's text).
    /// Call inside a transaction.
    package func saveVocabulary(_ changes: Vocabulary.Changes) throws {
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

    /// Articles not yet analyzed, in store order, after `seq`.
    package func unvectorized(after seq: Int64, limit: Int) throws -> [(seq: Int64, title: String, text: String, lang: String?)] {
        let s = try db.prepare("SELECT seq, title, text, lang FROM articles WHERE terms IS NULL AND seq > ? ORDER BY seq LIMIT ?")
        try s.bind([.int(seq), .int(Int64(limit))])
        var out: [(Int64, String, String, String?)] = []
        while try s.step() { out.append((s.int(0), s.text(1) ?? "", s.text(2) ?? "", s.text(3))) }
        return out
    }

    package func unvectorizedCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM articles WHERE terms IS NULL") ?? 0) }

    func vectorizedCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM articles WHERE terms IS NOT NULL") ?? 0) }

    /// The articles document frequencies count: the store's vectorized ones plus those of an
    /// imported vectorizer model. The N of idf.
    package func documentCount() throws -> Int { try vectorizedCount() + (Int(try meta("imported_documents") ?? "0") ?? 0) }

    /// The store's vocabulary as a model file's contents.
    package func exportModel(analyzer: Profile.AnalyzerSettings) throws -> VectorizerModel {
        let v = try loadVocabulary()
        return VectorizerModel(documents: try documentCount(), analyzer: .init(analyzer), terms: v.terms,
                               documentFrequency: v.documentFrequency, collectionFrequency: v.collectionFrequency)
    }

    /// Makes a model the store's vocabulary: its feature ids, and its counts as the base that
    /// this store's articles add to. Only into a store without a vocabulary (ids never change).
    package func importModel(_ model: VectorizerModel) throws {
        try db.transaction {
            guard (try db.scalar("SELECT COUNT(*) FROM terms") ?? 0) == 0, try vectorizedCount() == 0 else {
                throw StorylineError(.usage, "the store already has a vocabulary: a model can only be imported into a store before its first vectorize (feature ids never change)", file: db.path)
            }
            var vocabulary = Vocabulary(terms: model.terms, documentFrequency: model.documentFrequency,
                                        collectionFrequency: model.collectionFrequency, inStore: false)
            vocabulary.markAllDirty()
            try saveVocabulary(&vocabulary)
            try setMeta("imported_documents", String(model.documents))
        }
    }

    /// Stores the term counts of articles (by store sequence number). Call inside a transaction.
    package func setTerms(_ seqs: [Int64], _ terms: [ArticleTerms]) throws {
        let statement = try db.prepare("UPDATE articles SET terms = ? WHERE seq = ?")
        for (seq, t) in zip(seqs, terms) { try statement.run([.blob(t.encoded()), .int(seq)]) }
    }
}

/// An article as the similarity and clustering stages see it (its vector is a row of the
/// ``SparseRows`` read with it).
package struct ClusterInput {
    package var seq: Int64
    package var published: Double?
    package var storyID: Int64?
}

extension Store {
    /// Vectorized articles not yet in a story; their TF-IDF rows are appended to `rows`.
    package func unclustered(weighting: TFIDFWeighting, into rows: inout SparseRows) throws -> [ClusterInput] {
        try clusterInputs("SELECT seq, published, story_id, terms FROM articles WHERE story_id IS NULL AND terms IS NOT NULL ORDER BY seq", [],
                          weighting: weighting, into: &rows)
    }

    /// The articles of stories that lie within `window` of `[from, to]` (undated ones too);
    /// their rows are appended to `rows`. Articles outside the window can have no edge to the new
    /// ones, so they are not read: each story's size is returned instead, for the averages.
    /// Closed stories are read too when the window reaches them: a story closed before an
    /// article of its days arrived (a late or back-filled dump) reopens when that article joins it.
    package func openStoryArticles(from: Double?, to: Double?, windowSeconds: Double, weighting: TFIDFWeighting,
                           into rows: inout SparseRows) throws -> (articles: [ClusterInput], storySizes: [Int64: Int]) {
        let lo = (from ?? -Double.greatestFiniteMagnitude) - windowSeconds
        let hi = (to ?? Double.greatestFiniteMagnitude) + windowSeconds
        let window = "s.merged_into IS NULL AND (s.first_published IS NULL OR (s.last_published >= ?1 AND s.first_published <= ?2))"
        let articles = try clusterInputs("""
            SELECT a.seq, a.published, a.story_id, a.terms FROM articles a JOIN stories s ON a.story_id = s.id
            WHERE \(window) AND a.terms IS NOT NULL AND (a.published IS NULL OR a.published BETWEEN ?1 AND ?2)
            ORDER BY a.seq
            """, [.double(lo), .double(hi)], weighting: weighting, into: &rows)
        var sizes: [Int64: Int] = [:]
        let s = try db.prepare("SELECT s.id, s.size FROM stories s WHERE \(window)")
        try s.bind([.double(lo), .double(hi)])
        while try s.step() { sizes[s.int(0)] = Int(s.int(1)) }
        return (articles, sizes)
    }

    /// Publication times of vectorized articles not yet in a story.
    package func unclusteredTimes() throws -> (min: Double?, max: Double?, count: Int) {
        let s = try db.prepare("SELECT MIN(published), MAX(published), COUNT(*) FROM articles WHERE story_id IS NULL AND terms IS NOT NULL")
        guard try s.step() else { return (nil, nil, 0) }
        return (s.double(0), s.double(1), Int(s.int(2)))
    }

    /// Streams rows: each blob becomes a TF-IDF row as it is read (no per-article arrays kept).
    private func clusterInputs(_ sql: String, _ args: [Statement.Value], weighting: TFIDFWeighting,
                               into rows: inout SparseRows) throws -> [ClusterInput] {
        let s = try db.prepare(sql)
        try s.bind(args)
        var out: [ClusterInput] = []
        while try s.step() {
            if let blob = s.blob(3) { weighting.appendRow(blob, to: &rows) } else { rows.append(indices: [], values: []) }
            out.append(ClusterInput(seq: s.int(0), published: s.double(1), storyID: s.isNull(2) ? nil : s.int(2)))
        }
        return out
    }
}
