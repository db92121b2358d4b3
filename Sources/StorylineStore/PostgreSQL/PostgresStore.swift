import Foundation
import StorylineCore
import StorylineVectors

/// The shared store: a PostgreSQL database (or one schema of it, through `search_path`) holding
/// what the SQLite store holds, for many processes on many machines at once.
///
/// - Writers: `ingest` takes no lock (several crawlers write at once; a transaction-level advisory
///   lock orders their inserts, and the unique id and content hash keep each article once);
///   `vectorize`, `cluster` and `run` take the store's writer lock, a session advisory lock held
///   by a connection of its own, which the server releases when the process or its connection dies.
/// - Readers (`stories`, `report`, `check`): one REPEATABLE READ, READ ONLY transaction for the
///   store's life, so everything they read is one snapshot however long writers work.
/// - Bulk writes go through `COPY` into session temporary tables, then one statement each.
/// The one place PostgreSQL's SQL is written (with ``PGConnection``, the one place libpq is called).
public final class PostgresStore: StoreBackend {
    let pg: PGConnection
    let url: String
    let readOnly: Bool
    /// The advisory lock keys of this store: (class, key) with the key from its schema's name.
    let lockKey: Int64
    static let writerClass: Int64 = 0x5354_4F52  // "STOR"
    static let ingestClass: Int64 = 0x5354_4F53
    static let migrationClass: Int64 = 0x5354_4F54

    /// The store as the user named it, password hidden.
    public var location: String { pg.shownAs }

    public var sharedWork: (any ClusterWorkStore)? { self }

    /// Connects to the database at `url` and brings its schema up to date (creating it in an empty
    /// database). With `readOnly`, the schema must be there and current, and nothing is written.
    public init(url: String, readOnly: Bool = false) throws {
        self.url = url
        self.readOnly = readOnly
        pg = try PGConnection(url: url)
        let key = try pg.query("SELECT hashtext(current_schema()) & 2147483647")
        lockKey = key.int(0, 0)
        if readOnly {
            let applied = (try? appliedMigrations()) ?? []
            let missing = Self.migrations.map(\.name).filter { !applied.contains($0) }
            let unknown = applied.subtracting(Self.migrations.map(\.name))
            guard missing.isEmpty, unknown.isEmpty else {
                let why = applied.isEmpty ? "not a Storyline store (no schema)"
                    : !unknown.isEmpty ? "the store has schema migrations this build does not know (\(unknown.sorted().joined(separator: ", "))): upgrade storyline"
                    : "the store lacks schema migrations \(missing.joined(separator: ", ")): run a writing command (storyline cluster) to upgrade it"
                throw StorylineError(.store, why, file: location)
            }
            try pg.beginTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return
        }
        try migrate()
        // Article texts are compressed as they are stored: lz4 where the server has it (several
        // times faster than the default pglz, at about its ratio on prose).
        try? pg.execute("SET default_toast_compression = 'lz4'")
        try pg.execute("""
            CREATE TEMP TABLE IF NOT EXISTS incoming_vocabulary(id BIGINT, term TEXT, df BIGINT, cf BIGINT) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS plan_stories(story BIGINT, is_new BOOLEAN, title_seq BIGINT) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS plan_absorbed(story BIGINT, other BIGINT) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS plan_added(seq BIGINT, story BIGINT) ON COMMIT DELETE ROWS;
            """)
    }

    deinit { pg.endTransaction() }

    public func transaction<T>(_ body: () throws -> T) throws -> T { try pg.transaction(body) }

    // MARK: Schema

    /// The schema's migrations, oldest first, recorded by name in `schema_migrations`. Append
    /// only. The first is the SQLite store's schema as of its fourth migration.
    static let migrations: [SchemaMigration] = [
        SchemaMigration(name: "1-postgresql-schema", sql: """
        CREATE TABLE articles(
            seq BIGINT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            outlet TEXT NOT NULL,
            published DOUBLE PRECISION,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            url TEXT,
            lang TEXT,
            gold_story TEXT,
            extra TEXT,
            content_hash TEXT NOT NULL UNIQUE,
            source TEXT,
            run_id BIGINT,
            date_source TEXT
        );
        CREATE TABLE article_state(seq BIGINT PRIMARY KEY, published DOUBLE PRECISION, analyzed BOOLEAN NOT NULL DEFAULT false, story_id BIGINT);
        CREATE INDEX article_state_unanalyzed ON article_state(seq) WHERE NOT analyzed;
        CREATE INDEX article_state_unclustered ON article_state(seq) WHERE story_id IS NULL;
        CREATE INDEX article_state_story ON article_state(story_id);
        CREATE INDEX article_state_published ON article_state(published);
        CREATE TABLE article_terms(seq BIGINT PRIMARY KEY, terms BYTEA NOT NULL) WITH (toast_tuple_target = 8160);
        ALTER TABLE article_terms ALTER COLUMN terms SET STORAGE MAIN;
        CREATE TABLE terms(id BIGINT PRIMARY KEY, term TEXT NOT NULL UNIQUE, df BIGINT NOT NULL, cf BIGINT NOT NULL DEFAULT 0)
            WITH (fillfactor = 50);
        CREATE TABLE stories(
            id BIGINT PRIMARY KEY,
            title TEXT NOT NULL,
            size BIGINT NOT NULL,
            first_published DOUBLE PRECISION,
            last_published DOUBLE PRECISION,
            created_run BIGINT,
            updated_run BIGINT,
            merged_into BIGINT,
            closed BOOLEAN NOT NULL DEFAULT false
        );
        CREATE INDEX stories_open ON stories(last_published) WHERE merged_into IS NULL AND NOT closed;
        CREATE INDEX stories_merged ON stories(merged_into) WHERE merged_into IS NOT NULL;
        CREATE TABLE runs(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL,
                          finished TEXT, status TEXT NOT NULL, summary TEXT, backend_pid INTEGER);
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """),
        // A clustering pass's similarity search in pieces that workers claim (see ``ClusterWorkStore``).
        SchemaMigration(name: "2-cluster-work", sql: """
        CREATE TABLE cluster_passes(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, run_id BIGINT, kind TEXT NOT NULL, fingerprint TEXT NOT NULL,
                                    lease_seconds DOUBLE PRECISION NOT NULL, coordinator_pid INTEGER NOT NULL, opened TIMESTAMPTZ NOT NULL DEFAULT now());
        CREATE TABLE cluster_pieces(pass BIGINT NOT NULL, piece INTEGER NOT NULL, first_block INTEGER NOT NULL, end_block INTEGER NOT NULL,
                                    state TEXT NOT NULL DEFAULT 'pending', worker TEXT, attempt INTEGER NOT NULL DEFAULT 0, lease_until TIMESTAMPTZ,
                                    candidates BIGINT, pairs BIGINT, dense_flops DOUBLE PRECISION, dense_seconds DOUBLE PRECISION, seconds DOUBLE PRECISION,
                                    PRIMARY KEY(pass, piece));
        CREATE TABLE cluster_edges(pass BIGINT NOT NULL, piece INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, weight REAL NOT NULL);
        CREATE INDEX cluster_edges_pass ON cluster_edges(pass, piece);
        CREATE TABLE analysis_terms(pass BIGINT NOT NULL, piece INTEGER NOT NULL, ord INTEGER NOT NULL, term TEXT NOT NULL, PRIMARY KEY(pass, piece, ord));
        CREATE TABLE analysis_articles(pass BIGINT NOT NULL, piece INTEGER NOT NULL, seq BIGINT NOT NULL, terms BYTEA NOT NULL, PRIMARY KEY(pass, piece, seq));
        """),
        // Storylines: each story's storyline and the names it was linked by (NULL: to be found,
        // as for every story of an older store), and the storylines with their merges.
        SchemaMigration(name: "3-storylines", sql: """
        ALTER TABLE stories ADD COLUMN storyline_id BIGINT;
        ALTER TABLE stories ADD COLUMN names TEXT;
        CREATE INDEX stories_unnamed ON stories(id) WHERE names IS NULL AND merged_into IS NULL;
        CREATE INDEX stories_storyline ON stories(storyline_id);
        CREATE TABLE storylines(id BIGINT PRIMARY KEY, created_run BIGINT, updated_run BIGINT, merged_into BIGINT);
        """),
    ]

    /// Applies the missing migrations, each in its own transaction, under an advisory lock so that
    /// processes starting together against a new database do not race.
    func migrate() throws {
        try pg.transaction {
            try pg.query("SELECT pg_advisory_xact_lock($1, $2)", [.int(Self.migrationClass), .int(lockKey)])
            try pg.execute("CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
            let applied = try appliedMigrations()
            let unknown = applied.subtracting(Self.migrations.map(\.name))
            guard unknown.isEmpty else {
                throw StorylineError(.store, "the store has schema migrations this build does not know (\(unknown.sorted().joined(separator: ", "))): upgrade storyline", file: location)
            }
            for m in Self.migrations where !applied.contains(m.name) {
                try pg.execute(m.sql)
                try pg.query("INSERT INTO schema_migrations(name, applied) VALUES($1, $2)",
                             [.text(m.name), .text(ISODate.format(Date().timeIntervalSince1970))])
            }
        }
    }

    /// The names of the migrations this store has applied (empty when it has no schema).
    func appliedMigrations() throws -> Set<String> {
        let exists = try pg.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard exists.bool(0, 0) else { return [] }
        let r = try pg.query("SELECT name FROM schema_migrations")
        return Set((0..<r.count).map { r.text($0, 0) ?? "" })
    }

    // MARK: Runs

    /// The writer lock: a session advisory lock on a connection of its own, released when the
    /// returned object is (or when the process or its connection dies).
    public func lockForWriting(wait: Double) throws -> WriterLock {
        let connection = try PGConnection(url: url)
        let waited = Stopwatch()   // monotonic, unlike the wall clock
        while true {
            let r = try connection.query("SELECT pg_try_advisory_lock($1, $2)", [.int(Self.writerClass), .int(lockKey)])
            let taken = r.bool(0, 0)
            if taken { return WriterLock(holding: connection) }
            if waited.seconds >= wait { break }
            usleep(200_000)
        }
        let holder = try connection.query("""
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::int8::oid AND objid = $2::int8::oid AND objsubid = 2
            """, [.int(Self.writerClass), .int(lockKey)])
        let who = holder.count > 0 ? "PostgreSQL backend pid \(holder.int(0, 0))" : "?"
        throw StorylineError(.busy, "another storyline process (\(who)) is writing to this store; waited \(Int(wait)) s (use --wait SECONDS to wait longer)", file: location)
    }

    /// `ingest` writes beside other writers: its inserts are safe under concurrency.
    public func lockForIngest(wait: Double) throws -> WriterLock { .unneeded() }

    public func beginRun(_ command: String) throws -> Int64 {
        let r = try pg.query("INSERT INTO runs(command, started, status, backend_pid) VALUES($1, $2, 'running', pg_backend_pid()) RETURNING id",
                             [.text(command), .text(ISODate.format(Date().timeIntervalSince1970))])
        return r.int(0, 0)
    }

    /// A run is `running` while the server session that began it is alive: a dead process's
    /// session ends with it (and every session with a server restart).
    private static let runDied = "status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity p WHERE p.pid = runs.backend_pid)"

    public func markInterruptedRuns() throws {
        try pg.query("UPDATE runs SET status = 'interrupted' WHERE \(Self.runDied)")
    }

    public func runs(limit: Int) throws -> [RunRecord] {
        let r = try pg.query("""
            SELECT \(RunRecord.columns(status: "CASE WHEN \(Self.runDied) THEN 'interrupted' ELSE status END")) FROM runs ORDER BY id DESC LIMIT $1
            """, [.int(Int64(limit))])
        return (0..<r.count).map { RunRecord(row: PGRow(result: r, row: $0)) }
    }

    public func finishRun(_ id: Int64, status: RunStatus, summary: String) throws {
        try pg.query("UPDATE runs SET finished = $1, status = $2, summary = $3 WHERE id = $4",
                     [.text(ISODate.format(Date().timeIntervalSince1970)), .text(status.rawValue), .text(summary), .int(id)])
    }

    // MARK: Articles

    /// Concurrent ingesters take turns per transaction (an advisory lock), so each batch is checked
    /// against what is stored and then copied straight into the tables (no staging copy): two
    /// index lookups name the batch's ids and contents already stored, and the new articles get
    /// the sequence numbers after the largest stored.
    public func insert(_ articles: [(article: Article, source: String)], runID: Int64) throws -> Int {
        guard !articles.isEmpty else { return 0 }
        return try pg.transaction {
            try pg.query("SELECT pg_advisory_xact_lock($1, $2)", [.int(Self.ingestClass), .int(lockKey)])
            // Which ids and contents are stored already (index lookups: `= ANY` of the batch's
            // keys); then, in batch order, what a one-by-one insert would keep: a record whose id
            // or content is taken (stored, or earlier in the batch) goes.
            var ids = Set<String>(), hashes = Set<String>()
            let storedIDs = try pg.query("SELECT id FROM articles WHERE id = ANY($1::text[])", [.textArray(articles.map(\.article.id))])
            for row in 0..<storedIDs.count { ids.insert(storedIDs.text(row, 0) ?? "") }
            let storedHashes = try pg.query("SELECT content_hash FROM articles WHERE content_hash = ANY($1::text[])",
                                            [.textArray(articles.map(\.article.contentHash))])
            for row in 0..<storedHashes.count { hashes.insert(storedHashes.text(row, 0) ?? "") }
            var new: [Int] = []
            for (k, (a, _)) in articles.enumerated() where !ids.contains(a.id) && !hashes.contains(a.contentHash) {
                ids.insert(a.id)
                hashes.insert(a.contentHash)
                new.append(k)
            }
            guard !new.isEmpty else { return 0 }
            // Sequence numbers follow the stored ones: every insert holds the ingest lock.
            let before = try scalar("SELECT COALESCE(MAX(seq), 0) FROM articles") ?? 0
            try pg.copy(into: "articles", columns: ["seq", "id", "outlet", "published", "title", "text", "url", "lang", "gold_story",
                                                     "extra", "content_hash", "source", "run_id", "date_source"]) { rows in
                for (n, k) in new.enumerated() {
                    let (a, source) = articles[k]
                    rows.int(before + 1 + Int64(n)); rows.text(a.id); rows.text(a.outlet); rows.double(a.published); rows.text(a.title)
                    rows.text(a.text); rows.text(a.url); rows.text(a.lang); rows.text(a.story); rows.text(a.extra)
                    rows.text(a.contentHash); rows.text(source); rows.int(runID)
                    rows.text(a.published == nil ? nil : (a.dateSource ?? .given).rawValue)
                    rows.endRow()
                }
            }
            try pg.copy(into: "article_state", columns: ["seq", "published"]) { rows in
                for (n, k) in new.enumerated() { rows.int(before + 1 + Int64(n)); rows.double(articles[k].article.published); rows.endRow() }
            }
            return new.count
        }
    }

    public func articleCount() throws -> Int { Int(try scalar("SELECT COUNT(*) FROM articles") ?? 0) }

    public func texts(of seqs: [Int64]) throws -> [Int64: (title: String, text: String)] {
        var out: [Int64: (title: String, text: String)] = [:]
        for start in stride(from: 0, to: seqs.count, by: 5000) {
            let r = try pg.query("SELECT seq, title, text FROM articles WHERE seq = ANY($1::int8[])",
                                 [.array(Array(seqs[start..<min(seqs.count, start + 5000)]))])
            for row in 0..<r.count { out[r.int(row, 0)] = (r.text(row, 1) ?? "", r.text(row, 2) ?? "") }
        }
        return out
    }


    public func articles(story: Int64?) throws -> [StoredArticle] {
        var out: [StoredArticle] = []
        try pg.stream("""
            SELECT st.seq, st.story_id, \(Article.columns) FROM article_state st JOIN articles a ON a.seq = st.seq
            WHERE $1::int8 IS NULL OR st.story_id = $1::int8 ORDER BY st.seq
            """, [.optional(story)]) { r in
            for row in 0..<r.count {
                out.append(StoredArticle(seq: r.int(row, 0), article: Article(row: PGRow(result: r, row: row), from: 2), storyID: r.optionalInt(row, 1)))
            }
        }
        return out
    }

    // MARK: Helpers

    /// One value from a query: nil when there is no row or it is NULL.
    func scalar(_ sql: String, _ params: [PGConnection.Value] = []) throws -> Int64? {
        let r = try pg.query(sql, params)
        return r.count == 0 ? nil : r.optionalInt(0, 0)
    }

    func meta(_ key: String) throws -> String? {
        let r = try pg.query("SELECT value FROM meta WHERE key = $1", [.text(key)])
        return r.count == 0 ? nil : r.text(0, 0)
    }

    func setMeta(_ key: String, _ value: String) throws {
        try pg.query("INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [.text(key), .text(value)])
    }
}
