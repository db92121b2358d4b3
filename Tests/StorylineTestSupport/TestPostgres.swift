import Foundation
import XCTest

/// A PostgreSQL server of the tests' own: a cluster made with `initdb` in a temporary folder,
/// listening on a Unix socket there (and on a loopback port, for tests that cut the network),
/// started on first use and stopped when the test process exits. Run as the `postgres` user when
/// the tests run as root (the server refuses root). Needs Debian's `postgresql` (`tools/setup
/// --browser` installs it); without it the tests that need it skip with a message, except in CI.
public final class TestPostgres: @unchecked Sendable {
    public let directory: URL
    public let socketDirectory: String
    public let port: Int
    let bin: URL
    private let asUser: String?
    private var databases = 0
    private let lock = NSLock()

    /// The server, started once per test process.
    public static func shared() throws -> TestPostgres {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let server = sharedServer { return server }
        if let failure = sharedFailure { throw failure }
        do {
            let server = try TestPostgres()
            sharedServer = server
            return server
        } catch {
            sharedFailure = error
            throw error
        }
    }
    nonisolated(unsafe) private static var sharedServer: TestPostgres?
    nonisolated(unsafe) private static var sharedFailure: Error?
    private static let sharedLock = NSLock()

    /// The newest PostgreSQL server binaries installed (`/usr/lib/postgresql/N/bin`).
    static func binaries() -> URL? {
        let base = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { base.appendingPathComponent("\($0)/bin") }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) ? $0 : nil }
    }

    private init() throws {
        guard let bin = Self.binaries() else {
            let message = "PostgreSQL server binaries are not installed (/usr/lib/postgresql/N/bin): run tools/setup --browser"
            throw TestPaths.cannotRun(message)
        }
        self.bin = bin
        asUser = getuid() == 0 ? "postgres" : nil
        // A short path: a socket's path must fit in 107 bytes.
        directory = URL(fileURLWithPath: "/tmp/storyline-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketDirectory = directory.path
        port = Self.freePort()
        if let asUser {
            try Self.run("/bin/chown", ["-R", asUser, directory.path])
        }
        let data = directory.appendingPathComponent("data").path
        try run("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"])
        try startServer(["-o", options(listen: "127.0.0.1"), "-w", "-t", "60", "start"])
        try watch()
    }

    /// A watcher that stops the server and removes its folder once the test process is gone,
    /// however it ends (XCTest does not run `atexit` handlers; a crash runs nothing).
    private func watch() throws {
        let pgCtl = bin.appendingPathComponent("pg_ctl").path
        let data = directory.appendingPathComponent("data").path
        let stop = (asUser.map { "/usr/sbin/runuser -u \($0) -- " } ?? "") + "\(pgCtl) -D '\(data)' -m immediate -w stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done; \(stop) >/dev/null 2>&1; rm -rf '\(directory.path)'"
        try Self.run("/bin/sh", ["-c", script], capture: false, wait: false)
    }

    /// A URL for a new, empty database on this server (over the Unix socket).
    public func newDatabase(_ prefix: String = "storyline") throws -> String {
        lock.lock()
        databases += 1
        let name = "\(prefix)_\(databases)"
        lock.unlock()
        try psql("CREATE DATABASE \(name)")
        return url(name)
    }

    /// The URL of database `name` over the Unix socket.
    public func url(_ name: String) -> String { "postgresql:///\(name)?host=\(socketDirectory)&port=\(port)&user=postgres" }

    /// The URL of database `name` over TCP on 127.0.0.1.
    public func tcpURL(_ name: String, user: String = "postgres", password: String? = nil) -> String {
        "postgresql://\(user)\(password.map { ":" + $0 } ?? "")@127.0.0.1:\(port)/\(name)"
    }

    /// Runs SQL with `psql` on database `database` as the superuser; returns its output (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try run("psql", ["-h", socketDirectory, "-p", "\(port)", "-U", "postgres", "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// The server's options (pg_ctl -o): its socket, port and addresses; made for tests, not durability.
    private func options(listen: String) -> String {
        "-k \(socketDirectory) -p \(port) -c listen_addresses=\(listen) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    }

    /// Also listens on `address` (a loopback-range address of a test host's link) and lets password
    /// logins come from 127.0.0.0/8; restarts the server.
    public func listen(also address: String) throws {
        let data = directory.appendingPathComponent("data")
        let hba = data.appendingPathComponent("pg_hba.conf")
        var rules = try String(contentsOf: hba, encoding: .utf8)
        if !rules.contains("127.0.0.0/8") {
            rules += "\nhost all all 127.0.0.0/8 scram-sha-256\n"
            try Data(rules.utf8).write(to: hba)
        }
        try startServer(["-o", options(listen: "127.0.0.1,\(address)"), "-m", "fast", "-w", "-t", "60", "restart"])
    }

    /// Stops the server immediately (as a crash would) and starts it again on the same data.
    public func restart() throws {
        try startServer(["-m", "immediate", "-w", "-t", "60", "restart"])
    }

    /// `pg_ctl` with the server's output in `server.log`: the server it starts keeps its output
    /// open, so a pipe there would never end.
    private func startServer(_ arguments: [String]) throws {
        let log = directory.appendingPathComponent("server.log").path
        do {
            try run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-l", log] + arguments, capture: false)
        } catch {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
            throw TestPostgresError("\(error)\n\(tail)")
        }
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String], capture: Bool = true) throws -> String {
        let path = bin.appendingPathComponent(tool).path
        let executable = FileManager.default.isExecutableFile(atPath: path) ? path : "/usr/bin/\(tool)"
        if let asUser { return try Self.run("/usr/sbin/runuser", ["-u", asUser, "--", executable] + arguments, capture: capture) }
        return try Self.run(executable, arguments, capture: capture)
    }

    /// Runs a program to its end, its output in a file (not a pipe: a server it starts keeps
    /// its output open; and spawned directly, as Foundation's `Process` can miss the exit of a
    /// child whose own children live on).
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String], capture: Bool = true, wait: Bool = true) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("storyline-pg-run-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestPostgresError("cannot run \(executable): \(String(cString: strerror(rc)))") }
        if !wait { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw TestPostgresError("\(executable) \(arguments.prefix(3).joined(separator: " ")): " + (exited ? "exit \(code)" : "signal \(status & 0x7f)") + ": " + output)
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A loopback port nobody listens on now.
    private static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
