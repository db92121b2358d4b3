internal import CSQLite
import Foundation
import StorylineCore
import StorylineVectors

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A connection to a SQLite database: the one place that imports SQLite's C API.
final class Database {
    let handle: OpaquePointer
    let path: String

    /// How a database is opened.
    enum Mode {
        /// Read and write, created when missing.
        case readWrite
        /// Read only; the file must exist. On read-only media, where SQLite cannot create the
        /// WAL's shared-memory file, it is opened `immutable` (no locking: nothing can write there).
        case readOnly
    }

    /// Opens the database at `path`; `":memory:"` for a private in-memory one.
    init(path: String, mode: Mode = .readWrite, busyTimeoutMilliseconds: Int32 = 30_000) throws {
        self.path = path
        switch mode {
        case .readWrite:
            handle = try Self.open(path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX)
        case .readOnly:
            guard path == ":memory:" || FileManager.default.fileExists(atPath: path) else {
                throw StorylineError(.io, "no such store (check --db; reading commands never create one)", file: path)
            }
            let uri = "file:" + Self.uriPath(path)
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
            let db = try Self.open(uri + "?mode=ro", flags: flags, shownAs: path)
            // A WAL store on read-only media cannot be read without creating its -shm file.
            if sqlite3_exec(db, "SELECT COUNT(*) FROM sqlite_master", nil, nil, nil) == SQLITE_OK {
                handle = db
            } else {
                sqlite3_close_v2(db)
                handle = try Self.open(uri + "?immutable=1", flags: flags, shownAs: path)
            }
        }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    private static func open(_ name: String, flags: Int32, shownAs path: String? = nil) throws -> OpaquePointer {
        var db: OpaquePointer? = nil
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw StorylineError(.store, "cannot open store: \(message)", file: path ?? name)
        }
        return db
    }

    /// `path` percent-encoded for a `file:` URI (`?`, `#` and `%` in file names).
    private static func uriPath(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case 0x3F, 0x23, 0x25, 0x00...0x20, 0x7F...0xFF: out += String(format: "%%%02X", b)
            default: out.unicodeScalars.append(Unicode.Scalar(b))
            }
        }
        return out
    }

    deinit { sqlite3_close_v2(handle) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func fail(_ what: String) -> StorylineError {
        let code = sqlite3_errcode(handle)
        if code == SQLITE_BUSY || code == SQLITE_LOCKED {
            return StorylineError(.busy, "the store is in use by another process: \(what)", file: path, underlying: errorMessage)
        }
        return StorylineError(.store, what, file: path, underlying: errorMessage)
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(error)
            throw fail("SQL failed: \(sql.prefix(80))… \(message)")
        }
    }

    func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer? = nil
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw fail("cannot prepare: \(sql.prefix(80))")
        }
        return Statement(stmt, db: self)
    }

    /// Runs `body` in one transaction (`BEGIN IMMEDIATE`, so writers queue on the busy timeout);
    /// rolls back on error.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// One integer from a query, or nil when it returns no row or NULL.
    func scalar(_ sql: String, _ args: [Statement.Value] = []) throws -> Int64? {
        let s = try prepare(sql)
        try s.bind(args)
        guard try s.step(), !s.isNull(0) else { return nil }
        return s.int(0)
    }
}

/// A prepared statement. Reuse it: `reset`, bind, step.
final class Statement {
    let handle: OpaquePointer
    unowned let db: Database

    enum Value {
        case int(Int64), double(Double), text(String), blob([UInt8]), null
        static func optional(_ s: String?) -> Value { s.map { .text($0) } ?? .null }
        static func optional(_ d: Double?) -> Value { d.map { .double($0) } ?? .null }
        static func optional(_ i: Int64?) -> Value { i.map { .int($0) } ?? .null }
    }

    init(_ handle: OpaquePointer, db: Database) {
        self.handle = handle
        self.db = db
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [Value]) throws {
        for (k, v) in values.enumerated() { try bind(Int32(k + 1), v) }
    }

    func bind(_ index: Int32, _ value: Value) throws {
        let rc: Int32
        switch value {
        case .int(let i): rc = sqlite3_bind_int64(handle, index, i)
        case .double(let d): rc = sqlite3_bind_double(handle, index, d)
        case .text(var s):
            rc = s.withUTF8 { utf8 in
                guard let base = utf8.baseAddress, utf8.count > 0 else { return sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT) }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(utf8.count), SQLITE_TRANSIENT)
                }
            }
        case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), SQLITE_TRANSIENT) }
        case .null: rc = sqlite3_bind_null(handle, index)
        }
        if rc != SQLITE_OK { throw db.fail("cannot bind parameter \(index)") }
    }

    /// Advances; true when a row is available.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw db.fail("statement failed: \(String(cString: sqlite3_sql(handle)).prefix(80))")
        }
    }

    /// Binds, runs to completion, resets.
    func run(_ values: [Value]) throws {
        reset()
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    func blob(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard let p = sqlite3_column_blob(handle, column) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, column)))
    }
}

extension Statement: StoreRow {}
