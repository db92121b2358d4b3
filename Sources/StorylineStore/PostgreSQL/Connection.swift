internal import CPostgreSQL
import Foundation
import StorylineCore

/// A connection to a PostgreSQL server: the one place that imports libpq.
///
/// Parameters go as text (bytes as binary), results come back in binary (no escaping of the
/// term-count blobs, numbers without parsing text). Large reads stream through a cursor in
/// batches; bulk writes go through `COPY`.
final class PGConnection {
    let handle: OpaquePointer
    /// The store as the user named it, with any password replaced (for messages).
    let shownAs: String
    private var cursors = 0

    /// Connects with a libpq URL or conninfo (`postgres://user@host:port/db?sslmode=require`);
    /// credentials may come from the URL, `PGPASSWORD`, `~/.pgpass` or the `PG*` environment
    /// (libpq's own rules).
    init(url: String) throws {
        shownAs = PGConnection.redact(url)
        // Defaults first, the user's URL after them (its values win): a dead server or a cut
        // network is noticed within about a minute instead of TCP's quarter of an hour.
        let defaults: [(String, String)] = [("connect_timeout", "15"), ("keepalives", "1"), ("keepalives_idle", "20"),
                                            ("keepalives_interval", "5"), ("keepalives_count", "3"), ("tcp_user_timeout", "60000"),
                                            ("application_name", "storyline"), ("dbname", url)]
        let keys = defaults.map { strdup($0.0) }, values = defaults.map { strdup($0.1) }
        defer { (keys + values).forEach { free($0) } }
        let connection = (keys.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in PQconnectdbParams(k.baseAddress, v.baseAddress, 1) }
        }
        guard let c = connection else { throw StorylineError(.store, "cannot connect: out of memory", file: shownAs) }
        guard PQstatus(c) == CONNECTION_OK else {
            // libpq may quote the URL's parts back (`invalid percent-encoded token: "..."`): never the password.
            let message = PGConnection.scrub(String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines), of: url)
            PQfinish(c)
            // A server that is down or restarting may come back; wrong credentials or a missing database will not.
            let lasting = ["authentication", "does not exist", "permission denied", "no password supplied", "invalid"].contains { message.contains($0) }
            throw StorylineError(lasting ? .store : .unavailable, "cannot connect to PostgreSQL: \(message)", file: shownAs)
        }
        handle = c
        // Notices (e.g. "relation already exists, skipping") are not the user's business.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard PQsetClientEncoding(handle, "UTF8") == 0 else {
            throw StorylineError(.store, "cannot set the client encoding to UTF8", file: shownAs)
        }
        // Cursors here are read to the end: plan them for the whole result, not its first rows
        // (the default, 0.1, picks index-order nested loops that read a million rows slowly).
        try execute("SET cursor_tuple_fraction = 1.0")
    }

    deinit { PQfinish(handle) }

    /// `url` with its password (in the user info or a `password=` parameter) replaced by `***`.
    static func redact(_ url: String) -> String {
        var out = url
        if let scheme = out.range(of: "://"), let at = out[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = out[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        if let range = out.range(of: #"password=[^&\s]*"#, options: [.regularExpression, .caseInsensitive]) {
            out.replaceSubrange(range, with: "password=***")
        }
        return out
    }

    /// The passwords a URL carries (in its user info or a `password=` parameter), as written and
    /// percent-decoded.
    static func passwords(in url: String) -> [String] {
        var found: [String] = []
        if let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = url[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") { found.append(String(userInfo[userInfo.index(after: colon)...])) }
        }
        if let range = url.range(of: #"password=[^&\s]*"#, options: [.regularExpression, .caseInsensitive]) {
            found.append(String(url[range].dropFirst("password=".count)))
        }
        return Array(Set(found + found.compactMap { $0.removingPercentEncoding })).filter { !$0.isEmpty }
    }

    /// `message` (libpq's, which may quote the URL back) with the URL's passwords replaced by
    /// `***`; a password of under 4 characters cannot be told from the words around it, so then
    /// the message is withheld.
    static func scrub(_ message: String, of url: String) -> String {
        var out = message
        for password in passwords(in: url).sorted(by: { $0.count > $1.count }) {
            guard out.contains(password) else { continue }
            if password.count < 4 { return "libpq's message is withheld: it may hold the password" }
            out = out.replacingOccurrences(of: password, with: "***")
        }
        return out
    }

    /// The server process serving this connection (`pg_backend_pid()`).
    var backendPID: Int32 { PQbackendPID(handle) }

    /// Whether the connection still works (false after the server went away).
    var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    // MARK: Statements

    enum Value {
        case int(Int64), double(Double), text(String), bytes([UInt8]), null
        static func optional(_ s: String?) -> Value { s.map { .text($0) } ?? .null }
        static func optional(_ d: Double?) -> Value { d.map { .double($0) } ?? .null }
        static func optional(_ i: Int64?) -> Value { i.map { .int($0) } ?? .null }
        /// A PostgreSQL array literal of integers (`{1,2,3}`), for `= ANY($1::int8[])`.
        static func array(_ values: [Int64]) -> Value { .text("{" + values.map(String.init).joined(separator: ",") + "}") }
        /// A PostgreSQL array literal of texts, each double-quoted with `"` and `\` escaped, for `= ANY($1::text[])`.
        static func textArray(_ values: [String]) -> Value {
            var out = "{"
            for (k, v) in values.enumerated() {
                if k > 0 { out += "," }
                out += "\""
                for c in v.unicodeScalars {
                    if c == "\"" || c == "\\" { out += "\\" }
                    out.unicodeScalars.append(c)
                }
                out += "\""
            }
            return .text(out + "}")
        }
    }

    /// Runs one statement with parameters (`$1`, `$2`, ...); returns its rows.
    @discardableResult
    func query(_ sql: String, _ params: [Value] = []) throws -> PGResult {
        // Text parameters as NUL-terminated UTF-8 (NULs inside text cannot be stored: dropped);
        // bytes as binary.
        var buffers: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for p in params {
            switch p {
            case .int(let i): buffers.append(Array(String(i).utf8CString)); lengths.append(0); formats.append(0)
            case .double(let d): buffers.append(Array(Self.text(d).utf8CString)); lengths.append(0); formats.append(0)
            case .text(let s): buffers.append(Array(Self.withoutNUL(s).utf8CString)); lengths.append(0); formats.append(0)
            case .bytes(let b):
                buffers.append(b.map { CChar(bitPattern: $0) }); lengths.append(Int32(b.count)); formats.append(1)
            case .null: buffers.append(nil); lengths.append(0); formats.append(0)
            }
        }
        let result: OpaquePointer? = withPointers(buffers) { pointers in
            PQexecParams(handle, sql, Int32(params.count), nil, pointers, lengths, formats, 1)
        }
        return try check(result, sql)
    }

    /// Runs statements without parameters (several, separated by `;`).
    func execute(_ sql: String) throws {
        try check(PQexec(handle, sql), sql)
    }

    private func withPointers<T>(_ buffers: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        var pointers: [UnsafePointer<CChar>?] = []
        var pinned: [UnsafeMutablePointer<CChar>] = []
        defer { pinned.forEach { $0.deallocate() } }
        for b in buffers {
            guard let b else { pointers.append(nil); continue }
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, b.count))
            p.initialize(from: b, count: b.count)
            pinned.append(p)
            pointers.append(UnsafePointer(p))
        }
        return body(pointers)
    }

    static func text(_ d: Double) -> String {
        d.isFinite ? "\(d)" : d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity"
    }

    static func withoutNUL(_ s: String) -> String {
        s.utf8.contains(0) ? String(s.unicodeScalars.filter { $0 != "\0" }.map(Character.init)) : s
    }

    /// Turns a libpq result into rows, or into the error it carries.
    @discardableResult
    private func check(_ result: OpaquePointer?, _ sql: String) throws -> PGResult {
        guard let result else { throw fail("statement failed: \(sql.prefix(80))", state: nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return PGResult(result)
        default:
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            PQclear(result)
            throw fail("\(message) (in: \(sql.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }?.prefix(80) ?? ""))", state: state)
        }
    }

    /// An error for a failed statement: `busy` for lock timeouts, serialization failures and
    /// deadlocks, `store` otherwise (with the connection's state when it was lost).
    func fail(_ what: String, state: String?) -> StorylineError {
        // The server went away: the connection is bad, or the error says so (SQLSTATE class 08,
        // an administrator's or a crash's shutdown, or libpq's own words, which carry no SQLSTATE).
        let lostWords = ["server closed the connection", "no connection to the server", "terminating connection", "could not receive data", "could not send data"]
        let lost = !isAlive || state.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains($0) } ?? lostWords.contains { what.contains($0) }
        if lost {
            let reason = String(cString: PQerrorMessage(handle)).split(separator: "\n").first.map(String.init) ?? ""
            return StorylineError(.unavailable, "lost the connection to PostgreSQL: \(reason.isEmpty ? what : reason)", file: shownAs, underlying: state)
        }
        if let state, ["55P03", "40001", "40P01"].contains(state) {
            return StorylineError(.busy, "the store is in use by another process: \(what)", file: shownAs, underlying: state)
        }
        return StorylineError(.store, what, file: shownAs, underlying: state)
    }

    // MARK: Transactions and cursors

    private(set) var inTransaction = false

    /// Runs `body` in one transaction; rolls back when it throws. Nested calls join the outer one.
    func transaction<T>(begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        try execute(begin)
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isAlive { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Keeps a transaction open until ``endTransaction()`` (a reader's snapshot for its lifetime).
    func beginTransaction(_ begin: String) throws {
        try execute(begin)
        inTransaction = true
    }

    func endTransaction() {
        if inTransaction, isAlive { try? execute("COMMIT") }
        inTransaction = false
    }

    /// Streams the rows of `sql` through a cursor, `batch` rows at a time: `body` gets each batch
    /// (valid only during the call). Inside the current transaction, or a read-only one of its own.
    func stream(_ sql: String, _ params: [Value] = [], batch: Int = 4096, _ body: (PGResult) throws -> Void) throws {
        try transaction(begin: "BEGIN READ ONLY") {
            cursors += 1
            let name = "storyline_cursor_\(cursors)"
            try query("DECLARE \(name) BINARY NO SCROLL CURSOR FOR \(sql)", params)
            defer { if isAlive { try? execute("CLOSE \(name)") } }
            while true {
                let rows = try query("FETCH \(batch) FROM \(name)")
                if rows.count == 0 { break }
                try body(rows)
                if rows.count < batch { break }
            }
        }
    }

    // MARK: COPY

    /// Loads rows with `COPY ... FROM STDIN` in the binary format; `fill` writes them with a ``CopyRows``.
    func copy(into table: String, columns: [String], _ fill: (inout CopyRows) throws -> Void) throws {
        let sql = "COPY \(table)(\(columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)"
        try check(PQexec(handle, sql), sql)
        var rows = CopyRows(self, fields: columns.count)
        var failure: Error?
        do { try fill(&rows) } catch { failure = error }
        rows.finish()
        let end = PQputCopyEnd(handle, failure == nil ? nil : "aborted by the client")
        var firstError: Error? = end == 1 ? nil : fail("COPY into \(table) could not finish", state: nil)
        while let r = PQgetResult(handle) {
            do { try check(r, sql) } catch { if firstError == nil { firstError = error } }
        }
        if let failure { throw failure }
        if let firstError { throw firstError }
    }

    /// Streams the rows of a query with `COPY (query) TO STDOUT (FORMAT binary)`: the server's
    /// fastest way out, a row per message, no result sets to build. `query` takes no parameters:
    /// only numbers computed here are formatted into it, never text.
    func copyOut(_ query: String, _ body: (CopyRow) throws -> Void) throws {
        let sql = "COPY (\(query)) TO STDOUT (FORMAT binary)"
        guard let start = PQexec(handle, sql) else { throw fail("statement failed: \(sql.prefix(80))", state: nil) }
        if PQresultStatus(start) != PGRES_COPY_OUT { try check(start, sql); throw fail("COPY did not start", state: nil) }
        PQclear(start)
        var headerSeen = false
        var failure: Error?
        while true {
            var buffer: UnsafeMutablePointer<CChar>? = nil
            let n = PQgetCopyData(handle, &buffer, 0)
            if n == -1 { break }
            if n == -2 { throw fail("COPY failed", state: nil) }
            guard let buffer else { continue }
            defer { PQfreemem(buffer) }
            if failure != nil { continue }   // drain: the connection must reach the end of the COPY
            var bytes = UnsafeRawBufferPointer(start: buffer, count: Int(n))
            if !headerSeen {
                headerSeen = true
                // Signature (11 bytes), flags, then a header extension of the given length.
                guard bytes.count >= 19, bytes.starts(with: Array("PGCOPY\n".utf8)) else { failure = fail("COPY sent no binary header", state: nil); continue }
                let extensionLength = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 15, as: UInt32.self)))
                bytes = UnsafeRawBufferPointer(rebasing: bytes[(19 + extensionLength)...])
                if bytes.isEmpty { continue }
            }
            let row = CopyRow(bytes)
            if row.isTrailer { continue }
            do { try body(row) } catch { failure = error }
        }
        while let r = PQgetResult(handle) { try check(r, sql) }
        if let failure { throw failure }
    }

    fileprivate func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { _ = PQputCopyData(handle, $0, Int32(b.count)) }
        }
    }
}

/// Rows for `COPY ... FROM STDIN (FORMAT binary)`, sent in chunks of about a megabyte: each
/// row a field count, each field its length and its bytes (integers `bigint`, numbers `double
/// precision`, text UTF-8 as is, bytes raw), so nothing is escaped or parsed as text. The
/// columns' types must be exactly those.
struct CopyRows {
    private let connection: PGConnection
    private let fields: Int16
    private var buffer: [UInt8] = []
    private var inRow = false

    fileprivate init(_ connection: PGConnection, fields: Int) {
        self.connection = connection
        self.fields = Int16(fields)
        buffer.reserveCapacity(1 << 20 + 65536)
        // Signature, flags, header extension length.
        buffer.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        append(UInt32(0)); append(UInt32(0))
    }

    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func field(length: Int) {
        if !inRow { append(fields); inRow = true }
        append(Int32(length))
    }

    mutating func int(_ i: Int64) { field(length: 8); append(i) }
    mutating func int(_ i: Int64?) { if let i { int(i) } else { null() } }
    mutating func double(_ d: Double?) {
        guard let d else { null(); return }
        field(length: 8); append(d.bitPattern)
    }
    mutating func bool(_ b: Bool) { field(length: 1); buffer.append(b ? 1 : 0) }
    /// An `integer` (int4) column.
    mutating func int32(_ i: Int32) { field(length: 4); append(i) }
    /// A `real` (float4) column.
    mutating func float(_ f: Float) { field(length: 4); append(f.bitPattern) }

    /// Text as UTF-8; NUL characters cannot be stored and are dropped.
    mutating func text(_ value: String?) {
        guard var s = value else { null(); return }
        if s.utf8.contains(0) { s = PGConnection.withoutNUL(s) }
        s.withUTF8 { field(length: $0.count); buffer.append(contentsOf: $0) }
    }

    mutating func bytes(_ b: [UInt8]) { field(length: b.count); buffer.append(contentsOf: b) }

    mutating func null() { field(length: -1) }

    mutating func endRow() {
        inRow = false
        flush(force: false)
    }

    /// The rows written so far, handed to the connection once a megabyte has gathered (or when forced).
    fileprivate mutating func flush(force: Bool) {
        guard !buffer.isEmpty, force || buffer.count >= 1 << 20 else { return }
        connection.put(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// The end-of-data marker.
    fileprivate mutating func finish() {
        append(Int16(-1))
        flush(force: true)
    }
}

/// One row of a binary COPY out: its fields by index (up to 8), valid during the call that gets it.
struct CopyRow {
    private var offsets: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var lengths: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0, 0, 0)
    private let bytes: UnsafeRawBufferPointer
    let isTrailer: Bool

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        let count = Int(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
        isTrailer = count < 0
        var at = 2
        withUnsafeMutableBytes(of: &offsets) { o in
            withUnsafeMutableBytes(of: &lengths) { l in
                for k in 0..<min(max(count, 0), 8) {
                    let length = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self))
                    o.storeBytes(of: at + 4, toByteOffset: k * 8, as: Int.self)
                    l.storeBytes(of: length, toByteOffset: k * 4, as: Int32.self)
                    at += 4 + max(0, Int(length))
                }
            }
        }
    }

    private func field(_ k: Int) -> (offset: Int, length: Int32) {
        (withUnsafeBytes(of: offsets) { $0.load(fromByteOffset: k * 8, as: Int.self) },
         withUnsafeBytes(of: lengths) { $0.load(fromByteOffset: k * 4, as: Int32.self) })
    }

    func isNull(_ k: Int) -> Bool { field(k).length < 0 }
    func int(_ k: Int) -> Int64? {
        let f = field(k)
        return f.length == 8 ? Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: f.offset, as: Int64.self)) : nil
    }
    func double(_ k: Int) -> Double? {
        let f = field(k)
        return f.length == 8 ? Double(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: f.offset, as: UInt64.self))) : nil
    }
    func int32(_ k: Int) -> Int32? {
        let f = field(k)
        return f.length == 4 ? Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: f.offset, as: Int32.self)) : nil
    }
    func float(_ k: Int) -> Float? {
        let f = field(k)
        return f.length == 4 ? Float(bitPattern: UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self))) : nil
    }
    func bytes(_ k: Int) -> UnsafeRawBufferPointer? {
        let f = field(k)
        return f.length < 0 ? nil : UnsafeRawBufferPointer(rebasing: bytes[f.offset..<(f.offset + Int(f.length))])
    }
}

/// Rows of a result in binary format; read them by row and column. Freed with its last
/// reference (what ``bytes(_:_:)`` points into lives as long as the result).
final class PGResult {
    private let handle: OpaquePointer
    let count: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        count = Int(PQntuples(handle))
    }

    deinit { PQclear(handle) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    var changes: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) != 0 }

    private func raw(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let p = PQgetvalue(handle, Int32(row), Int32(column))
        return UnsafeRawBufferPointer(start: p, count: Int(PQgetlength(handle, Int32(row), Int32(column))))
    }

    private func bigEndian<T: FixedWidthInteger>(_ row: Int, _ column: Int, as: T.Type) -> T {
        T(bigEndian: raw(row, column).loadUnaligned(as: T.self))
    }

    /// An integer column (int2/4/8, bool, or a float8 with an integral value).
    func int(_ row: Int, _ column: Int) -> Int64 {
        if isNull(row, column) { return 0 }
        switch PQftype(handle, Int32(column)) {
        case 20: return bigEndian(row, column, as: Int64.self)
        case 23: return Int64(bigEndian(row, column, as: Int32.self))
        case 21: return Int64(bigEndian(row, column, as: Int16.self))
        case 16: return raw(row, column).first == 0 ? 0 : 1
        case 701: return Int64(double(row, column) ?? 0)
        case 26: return Int64(bigEndian(row, column, as: UInt32.self))
        default: return Int64(text(row, column) ?? "") ?? 0
        }
    }

    func optionalInt(_ row: Int, _ column: Int) -> Int64? { isNull(row, column) ? nil : int(row, column) }

    func double(_ row: Int, _ column: Int) -> Double? {
        if isNull(row, column) { return nil }
        switch PQftype(handle, Int32(column)) {
        case 701: return Double(bitPattern: bigEndian(row, column, as: UInt64.self))
        case 700: return Double(Float(bitPattern: bigEndian(row, column, as: UInt32.self)))
        default: return Double(int(row, column))
        }
    }

    func bool(_ row: Int, _ column: Int) -> Bool { int(row, column) != 0 }

    func text(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(decoding: raw(row, column), as: UTF8.self)
    }

    /// A `bytea` value's bytes, valid while the result lives.
    func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer? { isNull(row, column) ? nil : raw(row, column) }
}

/// One row of a result, read as any backend's row is (``StoreRow``).
struct PGRow: StoreRow {
    let result: PGResult
    let row: Int
    func text(_ column: Int32) -> String? { result.text(row, Int(column)) }
    func int(_ column: Int32) -> Int64 { result.int(row, Int(column)) }
    func double(_ column: Int32) -> Double? { result.double(row, Int(column)) }
    func isNull(_ column: Int32) -> Bool { result.isNull(row, Int(column)) }
}
