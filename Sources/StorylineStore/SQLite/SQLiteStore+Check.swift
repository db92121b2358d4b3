import StorylineCore
import StorylineVectors

/// The store's invariants, checked (`storyline check`).
extension SQLiteStore {
    /// What is wrong with the store, one line each; empty when nothing is.
    ///
    /// - every clustered article is in exactly one live story (its story exists and was not merged);
    /// - each live story's size and first/last publication are those of its articles, and it has some;
    /// - a merged story is empty and points at a live story;
    /// - every article's term counts name known terms in increasing id order, and the vocabulary's
    ///   document and collection frequencies are the sums over the articles (plus an imported
    ///   model's, which can only be checked as a lower bound);
    /// - SQLite's own integrity check passes.
    ///
    /// - Complexity: one pass over the articles' term counts; memory of one vocabulary.
    public func checkInvariants(limit: Int) throws -> [String] {
        var problems: [String] = []
        func each(_ sql: String, _ describe: (Statement) -> String) throws {
            let s = try db.prepare(sql)
            var n = 0
            while try s.step() {
                n += 1
                if n <= limit { problems.append(describe(s)) }
            }
            if n > limit { problems.append("... and \(n - limit) more like the one above") }
        }
        try each("PRAGMA integrity_check") { s in s.text(0) ?? "" }
        if problems == ["ok"] { problems.removeAll() }
        try each("""
            SELECT a.id, st.seq IS NULL, st.published IS NOT a.published FROM articles a LEFT JOIN article_state st ON st.seq = a.seq
            WHERE st.seq IS NULL OR st.published IS NOT a.published ORDER BY a.seq
            """) { s in "article \(s.text(0) ?? "?") " + (s.int(1) != 0 ? "has no state row" : "has another date in its state row") }
        try each("""
            SELECT a.id, a.date_source FROM articles a
            WHERE (a.published IS NULL) != (a.date_source IS NULL)
               OR a.date_source NOT IN ('given', 'url', 'text', 'meta', 'json-ld') ORDER BY a.seq
            """) { s in "article \(s.text(0) ?? "?") " + (s.text(1).map { "has date source \"\($0)\"" + " with no date or an unknown one" } ?? "has a date but no date source") }
        try each("""
            SELECT st.seq FROM article_state st LEFT JOIN articles a ON a.seq = st.seq WHERE a.seq IS NULL ORDER BY st.seq
            """) { s in "state row \(s.int(0)) has no article" }
        try each("""
            SELECT st.seq, st.analyzed, t.seq IS NOT NULL FROM article_state st LEFT JOIN article_terms t ON t.seq = st.seq
            WHERE st.analyzed != (t.seq IS NOT NULL) ORDER BY st.seq
            """) { s in "article \(s.int(0)) is marked " + (s.int(1) != 0 ? "analyzed but has no term counts" : "not analyzed but has term counts") }
        try each("""
            SELECT a.id, st.story_id FROM article_state st JOIN articles a ON a.seq = st.seq LEFT JOIN stories s ON s.id = st.story_id
            WHERE st.story_id IS NOT NULL AND s.id IS NULL ORDER BY st.seq
            """) { s in "article \(s.text(0) ?? "?") is in story \(s.int(1)), which does not exist" }
        try each("""
            SELECT a.id, st.story_id, s.merged_into FROM article_state st JOIN articles a ON a.seq = st.seq JOIN stories s ON s.id = st.story_id
            WHERE s.merged_into IS NOT NULL ORDER BY st.seq
            """) { s in "article \(s.text(0) ?? "?") is in story \(s.int(1)), which was merged into \(s.int(2))" }
        try each("""
            SELECT a.id FROM article_state st JOIN articles a ON a.seq = st.seq WHERE st.story_id IS NOT NULL AND st.analyzed = 0 ORDER BY st.seq
            """) { s in "article \(s.text(0) ?? "?") is in a story but was never analyzed" }
        try each("""
            SELECT s.id, s.size, COUNT(st.seq), s.first_published, MIN(st.published), s.last_published, MAX(st.published)
            FROM stories s LEFT JOIN article_state st ON st.story_id = s.id WHERE s.merged_into IS NULL GROUP BY s.id
            HAVING s.size != COUNT(st.seq) OR COUNT(st.seq) = 0
                OR s.first_published IS NOT MIN(st.published) OR s.last_published IS NOT MAX(st.published)
            ORDER BY s.id
            """) { s in
            let id = s.int(0), size = s.int(1), count = s.int(2)
            if count == 0 { return "story \(id) is live but has no articles" }
            if size != count { return "story \(id) has size \(size) but \(count) articles" }
            func date(_ c: Int32) -> String { s.double(c).map(ISODate.format) ?? "none" }
            return "story \(id) has first/last publication \(date(3)) / \(date(5)), its articles \(date(4)) / \(date(6))"
        }
        try each("""
            SELECT s.id, s.size, s.merged_into FROM stories s LEFT JOIN stories t ON t.id = s.merged_into
            WHERE s.merged_into IS NOT NULL AND (s.size != 0 OR t.id IS NULL OR t.merged_into IS NOT NULL) ORDER BY s.id
            """) { s in "story \(s.int(0)) was merged into \(s.int(2)), which is not a live story, or still has size \(s.int(1))" }
        problems += try checkTermCounts(limit: limit)
        return problems
    }

    private func checkTermCounts(limit: Int) throws -> [String] {
        var problems: [String] = []
        let vocabulary = try loadVocabulary()
        let count = vocabulary.terms.count
        var df = [Int64](repeating: 0, count: count), cf = [Int64](repeating: 0, count: count)
        let s = try db.prepare("SELECT a.id, t.terms FROM article_terms t JOIN articles a ON a.seq = t.seq ORDER BY t.seq")
        var bad = 0
        while try s.step() {
            guard let blob = s.blob(1) else { continue }
            let terms = ArticleTerms(EncodedTerms(blob))
            var previous: Int32 = -1
            for k in terms.ids.indices {
                let id = terms.ids[k]
                guard id > previous, Int(id) < count else {
                    bad += 1
                    if bad <= limit { problems.append("article \(s.text(0) ?? "?") has term id \(id) out of order or unknown (\(count) terms)") }
                    break
                }
                previous = id
                df[Int(id)] += 1
                cf[Int(id)] += Int64(terms.titleCounts[k]) + Int64(terms.textCounts[k])
            }
        }
        let imported = (Int(try meta("imported_documents") ?? "0") ?? 0) > 0
        var wrong = 0
        for id in 0..<count {
            let storedDF = Int64(vocabulary.documentFrequency[id]), storedCF = vocabulary.collectionFrequency[id]
            let ok = imported ? storedDF >= df[id] && storedCF >= cf[id] : storedDF == df[id] && storedCF == cf[id]
            if !ok {
                wrong += 1
                if wrong <= limit {
                    problems.append("term \"\(vocabulary.terms[id])\" (id \(id)) has df \(storedDF), cf \(storedCF); the articles give \(df[id]), \(cf[id])"
                                    + (imported ? " (plus an imported model's)" : ""))
                }
            }
        }
        if wrong > limit { problems.append("... and \(wrong - limit) more terms") }
        return problems
    }
}
