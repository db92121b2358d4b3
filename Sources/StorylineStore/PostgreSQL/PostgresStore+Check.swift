import StorylineCore
import StorylineVectors

/// The store's invariants, checked (`storyline check`): the same ones as the SQLite store's
/// (``Invariant``), and its term counts against the vocabulary. (PostgreSQL checks its own pages.)
extension PostgresStore {
    public func checkInvariants(limit: Int) throws -> [String] {
        var problems = try Invariant.check(limit: limit) { sql, body in
            try pg.stream(sql) { r in
                for row in 0..<r.count { body(PGRow(result: r, row: row)) }
            }
        }
        var check = TermCountCheck(vocabulary: try loadVocabulary(), imported: (Int(try meta("imported_documents") ?? "0") ?? 0) > 0, limit: limit)
        try pg.stream("SELECT a.id, t.terms FROM article_terms t JOIN articles a ON a.seq = t.seq ORDER BY t.seq", batch: 8192) { r in
            for row in 0..<r.count {
                guard let blob = r.bytes(row, 1) else { continue }
                check.add(article: r.text(row, 0) ?? "?", EncodedTerms(blob))
            }
        }
        problems += check.finish()
        return problems
    }
}

