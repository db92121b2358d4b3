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
        let integrity = try db.prepare("PRAGMA integrity_check")
        while try integrity.step() { problems.append(integrity.text(0) ?? "") }
        if problems == ["ok"] { problems.removeAll() }
        problems += try Invariant.check(limit: limit) { sql, row in
            let s = try db.prepare(sql)
            while try s.step() { row(s) }
        }
        problems += try checkTermCounts(limit: limit)
        return problems
    }

    private func checkTermCounts(limit: Int) throws -> [String] {
        var check = TermCountCheck(vocabulary: try loadVocabulary(), imported: (Int(try meta("imported_documents") ?? "0") ?? 0) > 0, limit: limit)
        let s = try db.prepare("SELECT a.id, t.terms FROM article_terms t JOIN articles a ON a.seq = t.seq ORDER BY t.seq")
        while try s.step() {
            guard let blob = s.blob(1) else { continue }
            check.add(article: s.text(0) ?? "?", EncodedTerms(blob))
        }
        return check.finish()
    }
}

