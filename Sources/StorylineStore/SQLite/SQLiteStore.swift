import Foundation
import StorylineCore
import StorylineVectors

/// The embedded store: one SQLite file (WAL) holding articles, their term counts, the
/// vocabulary with document frequencies, stories and runs. Every batch commits in one transaction.
/// The one place SQL is written (with ``Database``, the one place SQLite's C API is called).
public final class SQLiteStore: StoreBackend {
    let db: Database
    public var path: String { db.path }
    public var location: String { db.path }

    /// One machine's store: nothing to share with workers elsewhere.
    public var sharedWork: (any ClusterWorkStore)? { nil }

    /// Opens or creates the store at `path` (`":memory:"` for a private in-memory store) and
    /// brings its schema up to date. With `readOnly`, the store must exist (a mistyped path is an
    /// error, not a new empty store), nothing is written, and a read-only medium is fine.
    public init(path: String, readOnly: Bool = false) throws {
        db = try Database(path: path, mode: readOnly ? .readOnly : .readWrite)
        if readOnly {
            try db.execute("PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536")
            let version = schemaVersion
            let applied = (try? appliedMigrations()) ?? []
            let missing = Self.migrations.map(\.name).filter { !applied.contains($0) }
            let unknown = applied.subtracting(Self.migrations.map(\.name))
            guard version == Self.migrations.count, missing.isEmpty, unknown.isEmpty else {
                let why = version == 0 ? "not a Storyline store (no schema)"
                    : !unknown.isEmpty ? "the store has schema migrations this build does not know (\(unknown.sorted().joined(separator: ", "))): upgrade storyline"
                    : version > Self.migrations.count ? "store schema version \(version) is newer than this build knows (\(Self.migrations.count)): upgrade storyline"
                    : "the store lacks schema migrations \(missing.joined(separator: ", ")): run a writing command (storyline cluster) to upgrade it"
                throw StorylineError(.store, why, file: path)
            }
            return
        }
        if path != ":memory:" {
            try db.execute("PRAGMA journal_mode=WAL")
        }
        // No foreign keys are declared (adding them to a large store means rebuilding its tables):
        // `storyline check` verifies the references instead (``checkInvariants``).
        try db.execute("PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536")
        try migrate()
    }

    /// Runs `body` in one write transaction: everything it writes through the store commits
    /// together, or (when it throws) nothing does. Nested calls join the outer transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        inTransaction = true
        defer { inTransaction = false }
        return try db.transaction(body)
    }
    private var inTransaction = false

    // MARK: Schema

    /// A named schema change. Applied once, in order, each in its own transaction, and recorded
    /// by name in `schema_migrations` (with `PRAGMA user_version` kept equal to their count, which
    /// is how stores written before the names were recorded are read).

    /// The schema's migrations, oldest first. Append only: a name, once released, never changes.
    static let migrations: [SchemaMigration] = [
        SchemaMigration(name: "1-articles-terms-stories-runs", sql: """
        CREATE TABLE articles(
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            outlet TEXT NOT NULL,
            published REAL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            url TEXT,
            lang TEXT,
            gold_story TEXT,
            extra TEXT,
            content_hash TEXT NOT NULL UNIQUE,
            source TEXT,
            run_id INTEGER,
            terms BLOB,
            story_id INTEGER
        );
        CREATE INDEX articles_unvectorized ON articles(seq) WHERE terms IS NULL;
        CREATE INDEX articles_unclustered ON articles(seq) WHERE story_id IS NULL;
        CREATE INDEX articles_story ON articles(story_id);
        CREATE TABLE terms(id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
        CREATE TABLE stories(
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            size INTEGER NOT NULL,
            first_published REAL,
            last_published REAL,
            created_run INTEGER,
            updated_run INTEGER,
            merged_into INTEGER,
            closed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX stories_open ON stories(last_published) WHERE merged_into IS NULL AND closed = 0;
        CREATE TABLE runs(id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL, summary TEXT);
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """),
        // The collection frequency of each term (the prior of the framing report). Stores
        // vectorized before it start with cf = df.
        SchemaMigration(name: "2-terms-collection-frequency", sql: """
        ALTER TABLE terms ADD COLUMN cf INTEGER NOT NULL DEFAULT 0;
        UPDATE terms SET cf = df;
        """),
        // What the stages write moves out of the article rows. An article's row holds its text (a
        // few kilobytes, over several pages): writing its term counts and then its story into it
        // rewrote the whole row each time, and reading the counts read the text's pages (100k
        // articles: 5.0 s of the cluster stage was setting story ids). Now each article has a
        // narrow state row (written at ingest: its date, whether it was analyzed, its story) and
        // its term counts a row of their own, written once.
        SchemaMigration(name: "3-article-state-and-terms-apart", sql: """
        CREATE TABLE article_state(seq INTEGER PRIMARY KEY, published REAL, analyzed INTEGER NOT NULL DEFAULT 0, story_id INTEGER);
        CREATE TABLE article_terms(seq INTEGER PRIMARY KEY, terms BLOB NOT NULL);
        INSERT INTO article_state(seq, published, analyzed, story_id) SELECT seq, published, terms IS NOT NULL, story_id FROM articles;
        INSERT INTO article_terms(seq, terms) SELECT seq, terms FROM articles WHERE terms IS NOT NULL;
        DROP INDEX articles_unvectorized;
        DROP INDEX articles_unclustered;
        DROP INDEX articles_story;
        ALTER TABLE articles DROP COLUMN terms;
        ALTER TABLE articles DROP COLUMN story_id;
        CREATE INDEX article_state_unanalyzed ON article_state(seq) WHERE analyzed = 0;
        CREATE INDEX article_state_unclustered ON article_state(seq) WHERE story_id IS NULL;
        CREATE INDEX article_state_story ON article_state(story_id);
        """),
        // Where each article's date came from: given by the record, or found by ingest in its
        // URL, its text or its page's metadata. Older stores only held given dates.
        SchemaMigration(name: "4-date-source", sql: """
        ALTER TABLE articles ADD COLUMN date_source TEXT;
        UPDATE articles SET date_source = 'given' WHERE published IS NOT NULL;
        """),
        // Storylines: each story's storyline and the names it was linked by (NULL: to be found,
        // as for every story of an older store), and the storylines with their merges.
        SchemaMigration(name: "5-storylines", sql: """
        ALTER TABLE stories ADD COLUMN storyline_id INTEGER;
        ALTER TABLE stories ADD COLUMN names TEXT;
        CREATE INDEX stories_unnamed ON stories(id) WHERE names IS NULL AND merged_into IS NULL;
        CREATE INDEX stories_storyline ON stories(storyline_id);
        CREATE TABLE storylines(id INTEGER PRIMARY KEY, created_run INTEGER, updated_run INTEGER, merged_into INTEGER);
        """),
    ]

    func migrate() throws {
        let version = Int(try db.scalar("PRAGMA user_version") ?? 0)
        guard version <= Self.migrations.count else {
            throw StorylineError(.store, "store schema version \(version) is newer than this build knows (\(Self.migrations.count)): upgrade storyline", file: db.path)
        }
        try db.transaction {
            try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
            // A store from before the names were recorded: its first `version` migrations were applied.
            if (try db.scalar("SELECT COUNT(*) FROM schema_migrations") ?? 0) == 0 {
                for m in Self.migrations.prefix(version) { try record(m, at: "before-names") }
            }
        }
        let applied = try appliedMigrations()
        // A migration this build does not know was applied by a newer one: as PostgreSQL does, refuse.
        let unknown = applied.subtracting(Self.migrations.map(\.name))
        guard unknown.isEmpty else {
            throw StorylineError(.store, "the store has schema migrations this build does not know (\(unknown.sorted().joined(separator: ", "))): upgrade storyline", file: db.path)
        }
        for (index, m) in Self.migrations.enumerated() where !applied.contains(m.name) {
            try db.transaction {
                try db.execute(m.sql)
                try record(m, at: ISODate.format(Date().timeIntervalSince1970))
                try db.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    private func record(_ m: SchemaMigration, at time: String) throws {
        try db.prepare("INSERT INTO schema_migrations(name, applied) VALUES(?, ?)").run([.text(m.name), .text(time)])
    }

    /// The names of the migrations this store has applied.
    func appliedMigrations() throws -> Set<String> {
        guard (try db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") ?? 0) > 0 else {
            return Set(Self.migrations.prefix(schemaVersion).map(\.name))
        }
        let s = try db.prepare("SELECT name FROM schema_migrations")
        var names = Set<String>()
        while try s.step() { names.insert(s.text(0) ?? "") }
        return names
    }

    public var schemaVersion: Int { Int(((try? db.scalar("PRAGMA user_version")) ?? nil) ?? 0) }

    // MARK: Runs

    public func lockForWriting(wait: Double) throws -> WriterLock {
        // A private in-memory store has no other writer to keep out.
        path == ":memory:" ? .unneeded() : WriterLock(holding: try StoreLock(store: path, wait: wait))
    }

    public func beginRun(_ command: String) throws -> Int64 {
        try db.prepare("INSERT INTO runs(command, started, status) VALUES(?, ?, 'running')")
            .run([.text(command), .text(ISODate.format(Date().timeIntervalSince1970))])
        return db.lastInsertRowID
    }

    public func markInterruptedRuns() throws {
        try db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
    }

    public func runs(limit: Int) throws -> [RunRecord] {
        let writerAlive = path == ":memory:" || StoreLock.isHeld(store: path)
        let s = try db.prepare("SELECT \(RunRecord.columns()) FROM runs ORDER BY id DESC LIMIT ?")
        try s.bind([.int(Int64(limit))])
        var out: [RunRecord] = []
        while try s.step() {
            out.append(RunRecord(row: s))
            if !writerAlive && out[out.count - 1].status == .running { out[out.count - 1].status = .interrupted }
        }
        return out
    }

    public func finishRun(_ id: Int64, status: RunStatus, summary: String) throws {
        try db.prepare("UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?")
            .run([.text(ISODate.format(Date().timeIntervalSince1970)), .text(status.rawValue), .text(summary), .int(id)])
    }

    // MARK: Articles

    public func insert(_ articles: [(article: Article, source: String)], runID: Int64) throws -> Int {
        let stmt = try db.prepare("""
            INSERT OR IGNORE INTO articles(id, outlet, published, title, text, url, lang, gold_story, extra, content_hash, source, run_id, date_source)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let state = try db.prepare("INSERT INTO article_state(seq, published) VALUES(?, ?)")
        var inserted = 0
        for (a, source) in articles {
            try stmt.run([.text(a.id), .text(a.outlet), .optional(a.published), .text(a.title), .text(a.text),
                          .optional(a.url), .optional(a.lang), .optional(a.story), .optional(a.extra),
                          .text(a.contentHash), .text(source), .int(runID),
                          .optional(a.published == nil ? nil : (a.dateSource ?? .given).rawValue)])
            if db.changes == 1 {
                try state.run([.int(db.lastInsertRowID), .optional(a.published)])
                inserted += 1
            }
        }
        return inserted
    }

    public func articleCount() throws -> Int { Int(try db.scalar("SELECT COUNT(*) FROM articles") ?? 0) }

    public func texts(of seqs: [Int64]) throws -> [Int64: (title: String, text: String)] {
        var out: [Int64: (title: String, text: String)] = [:]
        try forEachRow(ofIDs: seqs, "SELECT seq, title, text FROM articles WHERE seq IN") { s in out[s.int(0)] = (s.text(1) ?? "", s.text(2) ?? "") }
        return out
    }

    /// Runs `select` (ending in `IN`) for `ids` in chunks of 500 bound parameters, calling `row` with each row.
    func forEachRow(ofIDs ids: [Int64], _ select: String, _ row: (Statement) throws -> Void) throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            let s = try db.prepare(select + " (" + chunk.map { _ in "?" }.joined(separator: ",") + ")")
            try s.bind(chunk.map { .int($0) })
            while try s.step() { try row(s) }
        }
    }

    public func articles(story: Int64?) throws -> [StoredArticle] {
        let sql = "SELECT a.seq, st.story_id, \(Article.columns)"
            + " FROM article_state st JOIN articles a ON a.seq = st.seq"
            + (story == nil ? "" : " WHERE st.story_id = ?") + " ORDER BY st.seq"
        let s = try db.prepare(sql)
        if let story { try s.bind([.int(story)]) }
        var out: [StoredArticle] = []
        while try s.step() {
            out.append(StoredArticle(seq: s.int(0), article: Article(row: s, from: 2), storyID: s.optionalInt(1)))
        }
        return out
    }

    // MARK: Meta

    func meta(_ key: String) throws -> String? {
        let s = try db.prepare("SELECT value FROM meta WHERE key = ?")
        try s.bind([.text(key)])
        return try s.step() ? s.text(0) : nil
    }

    func setMeta(_ key: String, _ value: String) throws {
        try db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .run([.text(key), .text(value)])
    }
}
