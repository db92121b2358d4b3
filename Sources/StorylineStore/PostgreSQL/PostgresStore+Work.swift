import StorylineCore
import StorylineVectors

/// The work table of split clustering passes: pieces claimed with `FOR UPDATE SKIP LOCKED` under
/// a lease on the server's clock (no two machines' clocks are compared).
extension PostgresStore: ClusterWorkStore {
    public func openPass(kind: WorkPass.Kind, fingerprint: String, pieces: [Range<Int>], lease: Double, runID: Int64) throws -> WorkPass {
        try pg.transaction {
            // Passes left by a coordinator that died: their pieces and results go.
            try pg.execute("""
                DELETE FROM cluster_edges; DELETE FROM analysis_terms; DELETE FROM analysis_articles; DELETE FROM cluster_pieces; DELETE FROM cluster_passes
                """)
            let r = try pg.query("""
                INSERT INTO cluster_passes(run_id, kind, fingerprint, lease_seconds, coordinator_pid) VALUES($1, $2, $3, $4, pg_backend_pid()) RETURNING id
                """, [.int(runID), .text(kind.rawValue), .text(fingerprint), .double(lease)])
            let id = r.int(0, 0)
            try pg.copy(into: "cluster_pieces", columns: ["pass", "piece", "first_block", "end_block"]) { rows in
                for (k, p) in pieces.enumerated() {
                    rows.int(id); rows.int32(Int32(k)); rows.int32(Int32(p.lowerBound)); rows.int32(Int32(p.upperBound)); rows.endRow()
                }
            }
            return WorkPass(id: id, kind: kind, fingerprint: fingerprint, pieces: pieces, lease: lease)
        }
    }

    public func activePass() throws -> WorkPass? {
        let r = try pg.query("""
            SELECT p.id, p.fingerprint, p.lease_seconds, p.kind FROM cluster_passes p
            WHERE EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p.coordinator_pid) ORDER BY p.id DESC LIMIT 1
            """)
        guard r.count == 1 else { return nil }
        let id = r.int(0, 0)
        let pieces = try pg.query("SELECT first_block, end_block FROM cluster_pieces WHERE pass = $1 ORDER BY piece", [.int(id)])
        return WorkPass(id: id, kind: WorkPass.Kind(rawValue: r.text(0, 3) ?? "") ?? .search, fingerprint: r.text(0, 1) ?? "",
                        pieces: (0..<pieces.count).map { Int(pieces.int($0, 0))..<Int(pieces.int($0, 1)) }, lease: r.double(0, 2) ?? 60)
    }

    public func claimPiece(of pass: WorkPass, worker: String) throws -> WorkPiece? {
        let r = try pg.query("""
            UPDATE cluster_pieces c SET state = 'running', worker = $2, attempt = c.attempt + 1,
                lease_until = clock_timestamp() + make_interval(secs => $3)
            WHERE (c.pass, c.piece) = (
                SELECT pass, piece FROM cluster_pieces
                WHERE pass = $1 AND (state = 'pending' OR (state = 'running' AND lease_until < clock_timestamp()))
                ORDER BY piece LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING c.piece, c.first_block, c.end_block, c.attempt
            """, [.int(pass.id), .text(worker), .double(pass.lease)])
        guard r.count == 1 else { return nil }
        return WorkPiece(pass: pass.id, number: Int(r.int(0, 0)), blocks: Int(r.int(0, 1))..<Int(r.int(0, 2)), attempt: Int(r.int(0, 3)))
    }

    public func finishPiece(_ piece: WorkPiece, worker: String, edges: [(a: Int32, b: Int32, weight: Float)], stats: PieceStats) throws -> Bool {
        try pg.transaction {
            let r = try pg.query("""
                UPDATE cluster_pieces SET state = 'done', lease_until = NULL, candidates = $5, pairs = $6, dense_flops = $7, dense_seconds = $8, seconds = $9
                WHERE pass = $1 AND piece = $2 AND worker = $3 AND attempt = $4 AND state = 'running'
                """, [.int(piece.pass), .int(Int64(piece.number)), .text(worker), .int(Int64(piece.attempt)),
                      .int(Int64(stats.candidates)), .int(Int64(stats.pairsInWindow)), .double(stats.denseFlops),
                      .double(stats.denseSeconds), .double(stats.seconds)])
            let mine = r.changes == 1
            guard mine else { return false }
            try pg.copy(into: "cluster_edges", columns: ["pass", "piece", "a", "b", "weight"]) { rows in
                for e in edges {
                    rows.int(piece.pass); rows.int32(Int32(piece.number)); rows.int32(e.a); rows.int32(e.b); rows.float(e.weight); rows.endRow()
                }
            }
            return true
        }
    }

    public func progress(of pass: WorkPass) throws -> (done: Int, total: Int) {
        let r = try pg.query("SELECT COUNT(*) FILTER (WHERE state = 'done'), COUNT(*) FROM cluster_pieces WHERE pass = $1", [.int(pass.id)])
        return (Int(r.int(0, 0)), Int(r.int(0, 1)))
    }

    public func donePieces(of pass: WorkPass) throws -> Set<Int> {
        let r = try pg.query("SELECT piece FROM cluster_pieces WHERE pass = $1 AND state = 'done'", [.int(pass.id)])
        return Set((0..<r.count).map { Int(r.int($0, 0)) })
    }

    public func passEdges(_ pass: WorkPass, _ body: (Int32, Int32, Float) -> Void) throws -> PieceStats {
        // Only done pieces' edges exist: a piece's edges and its `done` commit together.
        try pg.copyOut("SELECT a, b, weight FROM cluster_edges WHERE pass = \(pass.id)") { row in
            body(row.int32(0) ?? 0, row.int32(1) ?? 0, row.float(2) ?? 0)
        }
        let r = try pg.query("""
            SELECT COALESCE(SUM(candidates), 0)::int8, COALESCE(SUM(pairs), 0)::int8, COALESCE(SUM(dense_flops), 0), COALESCE(SUM(dense_seconds), 0),
                   COALESCE(SUM(seconds), 0), COUNT(*) FROM cluster_pieces WHERE pass = $1 AND state = 'done'
            """, [.int(pass.id)])
        var stats = PieceStats()
        stats.candidates = Int(r.int(0, 0))
        stats.pairsInWindow = Int(r.int(0, 1))
        stats.denseFlops = r.double(0, 2) ?? 0
        stats.denseSeconds = r.double(0, 3) ?? 0
        stats.seconds = r.double(0, 4) ?? 0
        stats.pieces = Int(r.int(0, 5))
        return stats
    }

    public func closePass(_ pass: WorkPass) throws {
        try pg.transaction {
            try pg.query("DELETE FROM cluster_edges WHERE pass = $1", [.int(pass.id)])
            try pg.query("DELETE FROM analysis_terms WHERE pass = $1", [.int(pass.id)])
            try pg.query("DELETE FROM analysis_articles WHERE pass = $1", [.int(pass.id)])
            try pg.query("DELETE FROM cluster_pieces WHERE pass = $1", [.int(pass.id)])
            try pg.query("DELETE FROM cluster_passes WHERE id = $1", [.int(pass.id)])
        }
    }

    public func unanalyzedSeqs() throws -> [Int64] {
        var out: [Int64] = []
        try pg.copyOut("SELECT seq FROM article_state WHERE NOT analyzed ORDER BY seq") { row in out.append(row.int(0) ?? 0) }
        return out
    }

    public func finishAnalysisPiece(_ piece: WorkPiece, worker: String, terms: [String], articles: [(seq: Int64, terms: ArticleTerms)]) throws -> Bool {
        try pg.transaction {
            let r = try pg.query("""
                UPDATE cluster_pieces SET state = 'done', lease_until = NULL WHERE pass = $1 AND piece = $2 AND worker = $3 AND attempt = $4 AND state = 'running'
                """, [.int(piece.pass), .int(Int64(piece.number)), .text(worker), .int(Int64(piece.attempt))])
            let mine = r.changes == 1
            guard mine else { return false }
            try pg.copy(into: "analysis_terms", columns: ["pass", "piece", "ord", "term"]) { rows in
                for (k, t) in terms.enumerated() { rows.int(piece.pass); rows.int32(Int32(piece.number)); rows.int32(Int32(k)); rows.text(t); rows.endRow() }
            }
            try pg.copy(into: "analysis_articles", columns: ["pass", "piece", "seq", "terms"]) { rows in
                for a in articles { rows.int(piece.pass); rows.int32(Int32(piece.number)); rows.int(a.seq); rows.bytes(a.terms.encoded()); rows.endRow() }
            }
            return true
        }
    }

    public func analysisPiece(_ pass: WorkPass, number: Int) throws -> (terms: [String], articles: [(seq: Int64, terms: ArticleTerms)]) {
        var terms: [String] = []
        try pg.stream("SELECT term FROM analysis_terms WHERE pass = $1 AND piece = $2 ORDER BY ord", [.int(pass.id), .int(Int64(number))], batch: 65536) { r in
            for row in 0..<r.count { terms.append(r.text(row, 0) ?? "") }
        }
        var articles: [(seq: Int64, terms: ArticleTerms)] = []
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        try pg.copyOut("SELECT seq, terms FROM analysis_articles WHERE pass = \(pass.id) AND piece = \(number) ORDER BY seq") { row in
            articles.append((row.int(0) ?? 0, ArticleTerms(EncodedTerms(row.bytes(1) ?? empty))))
        }
        return (terms, articles)
    }
}
