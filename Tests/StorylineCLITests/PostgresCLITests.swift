import Foundation
import StorylineTestSupport
import XCTest

/// The binary against a PostgreSQL store, on the tests' own server (``TestPostgres``): every
/// command as on SQLite, several ingesters at once, credentials kept out of every output.
final class PostgresCLITests: XCTestCase {
    func stories(_ dir: URL, db: String) throws -> String {
        let r = try CLI.run(["stories", "--json", "--db", db], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    /// Two nights and a repeated one, on SQLite and on PostgreSQL: the same stories, ids and
    /// merges; the same report; a repeated night changes nothing.
    func testNightsOnPostgreSQLGiveTheStoriesOfSQLite() throws {
        let server = try TestPostgres.shared()
        let url = try server.newDatabase("nights")
        let dir = CLI.temporaryDirectory()
        let lines = try String(contentsOfFile: CLI.dataset("allsides-dev.jsonl"), encoding: .utf8).split(separator: "\n")
        try Data((lines.prefix(600).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n1.jsonl"))
        try Data((lines.dropFirst(600).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n2.jsonl"))
        for night in ["n1.jsonl", "n2.jsonl"] {
            for db in ["storyline.sqlite", url] {
                let r = try CLI.run(["run", "-q", "--db", db, night], in: dir)
                XCTAssertEqual(r.status, 0, "\(night) on \(db): \(r.stderr)")
            }
        }
        let sqlite = try stories(dir, db: "storyline.sqlite")
        let postgres = try stories(dir, db: url)
        XCTAssertEqual(postgres, sqlite, "the same stories, ids and merges")
        let parsed = try XCTUnwrap(CLI.json(postgres) as? [[String: Any]])
        XCTAssertGreaterThan(parsed.count, 100)
        // A repeated night stores nothing and changes no story.
        let again = try CLI.run(["run", "--db", url, "n2.jsonl"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("0 new, \(lines.count - 600) duplicate"), again.stderr)
        XCTAssertEqual(try stories(dir, db: url), postgres)
        // The report reads the same.
        for (db, out) in [("storyline.sqlite", "r1"), (url, "r2")] {
            let r = try CLI.run(["report", "-q", "--db", db, "--out", out, "--format", "json,md"], in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for file in ["report.md", "report.json"] {
            let a = try String(contentsOf: dir.appendingPathComponent("r1/\(file)"), encoding: .utf8)
            let b = try String(contentsOf: dir.appendingPathComponent("r2/\(file)"), encoding: .utf8)
            // The same but for the time each was written.
            let stable = { (t: String) in t.split(separator: "\n").filter { !$0.contains("\"generated\" :") && !$0.contains(". Generated ") }.joined(separator: "\n") }
            XCTAssertEqual(stable(a), stable(b), file)
        }
        let runs = try CLI.run(["runs", "--json", "--db", url], in: dir)
        let listed = try XCTUnwrap(CLI.json(runs.stdout) as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["status"] as? String }, ["ok", "ok", "ok"])
    }

    /// Four crawlers ingest overlapping dumps into one store at once: every article is stored
    /// once (by id, and by content under another id), none is lost; then one clustering run puts
    /// each in exactly one story.
    func testFourConcurrentIngestersLoseAndDuplicateNothing() throws {
        let server = try TestPostgres.shared()
        let url = try server.newDatabase("crawlers")
        let dir = CLI.temporaryDirectory()
        let lines = try String(contentsOfFile: CLI.dataset("allsides-dev.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        // Four overlapping halves, each shuffled differently; every tenth article also comes back
        // under a new id (a wire copy re-crawled from another URL: same outlet, title and text).
        var contents = Set<String>()
        var records: [String] = []
        for line in lines {
            var r = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            contents.insert("\(r["outlet"] ?? "")\u{1}\(r["title"] ?? "")\u{1}\(r["text"] ?? "")")
            records.append(line)
            if records.count % 10 == 0 {
                r["id"] = "copy-\(r["id"] ?? "")"
                records.append(String(decoding: try JSONSerialization.data(withJSONObject: r), as: UTF8.self))
            }
        }
        var generator = seededGenerator()
        for k in 0..<4 {
            let start = k * records.count / 4
            var part = (0..<(records.count / 2)).map { records[(start + $0) % records.count] }
            part.shuffle(using: &generator)
            try Data((part.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("crawl\(k).jsonl"))
        }
        // Small batches: many transactions interleave.
        var results = [CLI.Result?](repeating: nil, count: 4)
        let box = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            let r = try? CLI.runBinary(["ingest", "--db", url, "crawl\(k).jsonl"], in: dir, environment: ["STORYLINE_INGEST_BATCH": "50"])
            box.lock(); results[k] = r; box.unlock()
        }
        var stored = 0
        for r in results {
            let r = try XCTUnwrap(r)
            XCTAssertEqual(r.status, 0, r.stderr)
            let match = try XCTUnwrap(r.stderr.range(of: #"records: [0-9]+ new"#, options: .regularExpression), r.stderr)
            stored += Int(r.stderr[match].split(separator: " ")[1])!
        }
        XCTAssertEqual(stored, contents.count, "each article stored by exactly one ingester")
        let cluster = try CLI.run(["cluster", "-q", "--db", url], in: dir)
        XCTAssertEqual(cluster.status, 0, cluster.stderr)
        let listed = try XCTUnwrap(CLI.json(stories(dir, db: url)) as? [[String: Any]])
        let ids = listed.flatMap { $0["articles"] as? [String] ?? [] }
        XCTAssertEqual(ids.count, contents.count, "every article in one story")
        XCTAssertEqual(Set(ids).count, ids.count, "none twice")
    }

    /// A password given in the URL (or by PGPASSWORD) works and is never printed: not in
    /// progress lines, errors, `runs`, or `--help`.
    func testCredentialsAreNeverPrinted() throws {
        let server = try TestPostgres.shared()
        let name = try server.newDatabase("secrets").split(separator: "?")[0].split(separator: "/").last.map(String.init)!
        let secret = "s3cret-\(UInt32.random(in: 0...UInt32.max))"
        try server.psql("CREATE ROLE crawler LOGIN PASSWORD '\(secret)'; GRANT ALL ON DATABASE \(name) TO crawler; ALTER DATABASE \(name) OWNER TO crawler")
        let dir = CLI.temporaryDirectory()
        let dump = try CLI.dataset("basil.jsonl")
        let withPassword = server.tcpURL(name, user: "crawler", password: secret)
        var outputs: [String] = []
        let run = try CLI.run(["run", "--db", withPassword, dump], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        outputs += [run.stdout, run.stderr]
        let env = ["PGPASSWORD": secret, "STORYLINE_DB": server.tcpURL(name, user: "crawler")]
        let runs = try CLI.run(["runs", "--json"], in: dir, environment: env)
        XCTAssertEqual(runs.status, 0, runs.stderr)
        outputs += [runs.stdout, runs.stderr]
        let help = try CLI.run(["stories", "--help"], in: dir, environment: ["STORYLINE_DB": withPassword])
        outputs += [help.stdout, help.stderr]
        let wrong = try CLI.run(["stories", "--db", server.tcpURL(name, user: "crawler", password: secret + "x")], in: dir)
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("password authentication failed"), wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("crawler:***@127.0.0.1"), wrong.stderr)
        outputs += [wrong.stdout, wrong.stderr]
        // A URL libpq cannot parse: its message quotes the password's token back (a bad %-escape).
        let broken = "postgres://crawler:\(secret)%zz9@127.0.0.1:\(server.port)/\(name)"
        let unparsable = try CLI.run(["stories", "--db", broken], in: dir)
        XCTAssertNotEqual(unparsable.status, 0)
        XCTAssertTrue(unparsable.stderr.contains("cannot connect to PostgreSQL"), unparsable.stderr)
        outputs += [unparsable.stdout, unparsable.stderr]
        for output in outputs { XCTAssertFalse(output.contains(secret), output) }
    }

    /// Clear errors: no server there, and a database that is not a store.
    func testUnreachableServerAndEmptyDatabase() throws {
        let server = try TestPostgres.shared()
        let dir = CLI.temporaryDirectory()
        let nowhere = try CLI.run(["stories", "--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"], in: dir)
        XCTAssertEqual(nowhere.status, 1)
        XCTAssertTrue(nowhere.stderr.contains("cannot connect to PostgreSQL"), nowhere.stderr)
        let empty = try server.newDatabase("empty")
        let read = try CLI.run(["stories", "--db", empty], in: dir)
        XCTAssertEqual(read.status, 1)
        XCTAssertTrue(read.stderr.contains("not a Storyline store"), read.stderr)
    }

    /// A `storyline` process started in the background, its output in files.
    struct Background {
        let process: Process
        let log: URL

        /// `wrapper`: a command the binary runs under (`ip netns exec NAME`).
        init(_ arguments: [String], in dir: URL, environment: [String: String] = [:], wrapper: [String] = []) throws {
            process = Process()
            if let first = wrapper.first {
                process.executableURL = URL(fileURLWithPath: first)
                process.arguments = Array(wrapper.dropFirst()) + [CLI.binary.path] + arguments
            } else {
                process.executableURL = CLI.binary
                process.arguments = arguments
            }
            process.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["STORYLINE_MODELS"] = CLI.root.appendingPathComponent("Models").path
            for (k, v) in environment { env[k] = v }
            process.environment = env
            log = dir.appendingPathComponent("\(arguments[0])-\(UUID().uuidString).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        /// Waits for the process (killing it after `timeout` seconds); its exit status (or signal) and output.
        func finish(timeout: Double = 300) -> (status: Int32, reason: Process.TerminationReason, output: String) {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return (process.terminationStatus, process.terminationReason, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }

    /// One coordinator and two workers on a generated dump, over two nights: the stories, ids and
    /// merges of one process on SQLite; one worker is SIGKILLed holding a piece, which is taken
    /// again when its lease runs out; a repeated night changes nothing.
    func testThreeWorkerProcessesGiveTheStoriesOfOne() throws {
        let server = try TestPostgres.shared()
        let url = try server.newDatabase("workers")
        let dir = CLI.temporaryDirectory()
        try CLI.generate(articles: 9000, seed: 23, into: dir.appendingPathComponent("all.jsonl"))
        let lines = try String(contentsOf: dir.appendingPathComponent("all.jsonl"), encoding: .utf8).split(separator: "\n")
        try Data((lines.prefix(6000).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n1.jsonl"))
        try Data((lines.dropFirst(6000).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n2.jsonl"))
        // Smaller blocks than the shipped profile's: more pieces from a small dump.
        let shipped = try String(contentsOf: CLI.root.appendingPathComponent("Models/profile.json"), encoding: .utf8)
        XCTAssertTrue(shipped.contains(#""blockSize": 2048"#))
        try Data(shipped.replacingOccurrences(of: #""blockSize": 2048"#, with: #""blockSize": 512"#).utf8)
            .write(to: dir.appendingPathComponent("profile.json"))
        let profile = ["--profile", "profile.json"]
        for night in ["n1.jsonl", "n2.jsonl"] {
            XCTAssertEqual(try CLI.run(["run", "-q", "--db", "one.sqlite", night] + profile, in: dir).status, 0)
        }
        let alone = try stories(dir, db: "one.sqlite")

        // Night 1: the coordinator is slow on each of its pieces, so the workers take some; one
        // worker dies (SIGKILL) with a piece claimed and its edges not stored.
        XCTAssertEqual(try CLI.run(["ingest", "-q", "--db", url, "n1.jsonl"], in: dir).status, 0)
        let doomed = try Background(["work", "--db", url, "--idle", "20"] + profile, in: dir, environment: ["STORYLINE_CRASH_AT": "work-piece"])
        let worker = try Background(["work", "--db", url, "--idle", "4"] + profile, in: dir, environment: ["STORYLINE_DELAY_AT": "work-piece:0.3"])
        let coordinator = try Background(["cluster", "--db", url, "--pieces", "8", "--lease", "3"] + profile, in: dir,
                                         environment: ["STORYLINE_DELAY_AT": "work-piece:1"])
        let c = coordinator.finish()
        XCTAssertEqual(c.status, 0, c.output)
        XCTAssertTrue(c.output.contains("pieces: 8 ("), "eight pieces, all done: \(c.output)")
        let d = doomed.finish()
        XCTAssertEqual(d.reason, .uncaughtSignal, "the doomed worker was killed at its piece: \(d.output)")
        let w = worker.finish()
        XCTAssertEqual(w.status, 0, w.output)
        let here = Int(c.output.firstRange(of: "pieces: 8 (").map { c.output[$0.upperBound...].prefix { $0.isNumber } } ?? "") ?? 8
        XCTAssertLessThan(here, 8, "the workers searched pieces: \(c.output)\n\(w.output)")
        XCTAssertTrue(w.output.contains("pieces searched here"), w.output)

        // Night 2: two healthy workers.
        XCTAssertEqual(try CLI.run(["ingest", "-q", "--db", url, "n2.jsonl"], in: dir).status, 0)
        let workers = try (0..<2).map { _ in try Background(["work", "--db", url, "--idle", "4"] + profile, in: dir) }
        let second = try CLI.run(["cluster", "--db", url, "--pieces", "8"] + profile, in: dir)
        XCTAssertEqual(second.status, 0, second.stderr)
        for w in workers { XCTAssertEqual(w.finish().status, 0) }
        XCTAssertEqual(try stories(dir, db: url), alone, "the stories, ids and merges of one process")
        // Analyzed in pieces by three processes, the vocabulary is the one process's: the same
        // feature ids (terms in order of first sight), document and collection frequencies.
        for (db, file) in [("one.sqlite", "one.tsv"), (url, "split.tsv")] {
            XCTAssertEqual(try CLI.run(["model", "export", "-q", "--db", db, file] + profile, in: dir).status, 0)
        }
        let one = try String(contentsOf: dir.appendingPathComponent("one.tsv"), encoding: .utf8)
        XCTAssertGreaterThan(one.count, 10_000)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("split.tsv"), encoding: .utf8), one)

        // The same night again: nothing stored, nothing changed.
        let again = try CLI.run(["run", "--db", url, "--pieces", "8", "n2.jsonl"] + profile, in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try stories(dir, db: url), alone)
    }

    /// A folder with a generated dump (`dump.jsonl`) and a profile of smaller blocks than the
    /// shipped one's (more pieces from a small dump); the stories one process finds on SQLite.
    func splitFixture(articles: Int, seed: Int) throws -> (dir: URL, profile: [String], alone: String) {
        let dir = CLI.temporaryDirectory()
        try CLI.generate(articles: articles, seed: seed, into: dir.appendingPathComponent("dump.jsonl"))
        let shipped = try String(contentsOf: CLI.root.appendingPathComponent("Models/profile.json"), encoding: .utf8)
        XCTAssertTrue(shipped.contains(#""blockSize": 2048"#))
        try Data(shipped.replacingOccurrences(of: #""blockSize": 2048"#, with: #""blockSize": 512"#).utf8)
            .write(to: dir.appendingPathComponent("profile.json"))
        let profile = ["--profile", "profile.json"]
        XCTAssertEqual(try CLI.run(["run", "-q", "--db", "one.sqlite", "dump.jsonl"] + profile, in: dir).status, 0)
        return (dir, profile, try stories(dir, db: "one.sqlite"))
    }

    /// The database restarts (crash and recovery) in the middle of a split pass: the coordinator
    /// fails cleanly (nothing half committed, `check` passes), the worker connects again, and the
    /// rerun gives the stories of one process.
    func testDatabaseRestartMidPass() throws {
        let server = try TestPostgres.shared()
        let url = try server.newDatabase("restart")
        let (dir, profile, alone) = try splitFixture(articles: 5000, seed: 29)

        XCTAssertEqual(try CLI.run(["ingest", "-q", "--db", url, "dump.jsonl"], in: dir).status, 0)
        let worker = try Background(["work", "--db", url, "--idle", "8"] + profile, in: dir, environment: ["STORYLINE_DELAY_AT": "work-piece:0.5"])
        let coordinator = try Background(["cluster", "--db", url, "--pieces", "8", "--lease", "3"] + profile, in: dir,
                                         environment: ["STORYLINE_DELAY_AT": "work-piece:1"])
        // Once the pass is open (and pieces are being searched), the server crashes and restarts.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: coordinator.log, encoding: .utf8)) ?? "").contains("similarity in") { usleep(100_000) }
        usleep(1_500_000)
        try server.restart()
        let c = coordinator.finish()
        XCTAssertEqual(c.status, 1, c.output)
        XCTAssertTrue(c.output.contains("PostgreSQL"), c.output)
        XCTAssertEqual(try CLI.run(["check", "--db", url], in: dir).status, 0)

        let rerun = try CLI.run(["cluster", "--db", url, "--pieces", "8"] + profile, in: dir)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let w = worker.finish()
        XCTAssertEqual(w.status, 0, w.output)
        XCTAssertTrue(w.output.contains("connecting again") || w.output.contains("joined pass"), w.output)
        XCTAssertEqual(try stories(dir, db: url), alone, "the stories of one process, nothing lost or doubled")
        let runs = try XCTUnwrap(CLI.json(try CLI.run(["runs", "--json", "--db", url], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(runs.compactMap { $0["status"] as? String }.sorted(), ["interrupted", "ok", "ok"], "the crashed pass is listed as interrupted")
    }

    /// The cable between a worker's host (a network namespace of the test's own) and the server is
    /// pulled while the worker holds a piece: its lease runs out, another process searches the
    /// piece again, the worker's late result (if it comes) is refused, and the stories are those
    /// of one process.
    func testNetworkCutBetweenWorkerAndServer() throws {
        let network = try TestNetwork()
        let server = try TestPostgres.shared()
        try server.listen(also: network.hostAddress)
        let name = try server.newDatabase("netcut").split(separator: "?")[0].split(separator: "/").last.map(String.init)!
        try server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'remote') THEN CREATE ROLE remote LOGIN PASSWORD 'cable'; END IF; END $$;"
                        + "ALTER DATABASE \(name) OWNER TO remote")
        let here = server.tcpURL(name, user: "remote", password: "cable")
        let there = "postgresql://remote:cable@\(network.hostAddress):\(server.port)/\(name)"
        let (dir, profile, alone) = try splitFixture(articles: 5000, seed: 31)
        XCTAssertEqual(try CLI.run(["ingest", "-q", "--db", here, "dump.jsonl"], in: dir).status, 0)

        // The worker claims a piece as it joins, and holds its result 4 s; one second after it
        // joined, its cable is pulled for eight: its lease (3 s) runs out, the coordinator (quick
        // with its own pieces) searches the piece again, and the worker's result is refused.
        let worker = try Background(["work", "--db", there, "--idle", "10"] + profile, in: dir,
                                    environment: ["STORYLINE_DELAY_AT": "work-piece:4"], wrapper: network.command([]))
        let coordinator = try Background(["cluster", "--db", here, "--pieces", "8", "--lease", "3"] + profile, in: dir,
                                         environment: ["STORYLINE_DELAY_AT": "work-piece:0.3"])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: worker.log, encoding: .utf8)) ?? "").contains("joined pass") { usleep(50_000) }
        sleep(1)
        try network.cut()
        sleep(8)
        try network.restore()
        let c = coordinator.finish(timeout: 120)
        XCTAssertEqual(c.status, 0, c.output)
        let w = worker.finish(timeout: 120)
        XCTAssertEqual(w.reason, .exit, "the worker ends by itself: \(w.output)")
        XCTAssertTrue(w.output.contains("joined pass"), w.output)
        XCTAssertTrue(c.output.contains("pieces: 8 (8 here)"), "the coordinator searched the cut worker's piece again: \(c.output)")
        XCTAssertFalse(w.output.contains("searched here"), "the cut worker's late result was refused: \(w.output)")
        XCTAssertEqual(try stories(dir, db: here), alone, "nothing lost or doubled")
        XCTAssertEqual(try CLI.run(["check", "--db", here], in: dir).status, 0)
    }

    /// The labeled datasets in nights, each night's pass split into pieces (small blocks, so these
    /// small files make several) that a coordinator and two workers share: the stories of one
    /// process on SQLite.
    func testSplitPassesOnTheLabeledDatasets() throws {
        let server = try TestPostgres.shared()
        for dataset in ["basil.jsonl", "allsides-dev.jsonl"] {
            let url = try server.newDatabase("labeled")
            let dir = CLI.temporaryDirectory()
            let shipped = try String(contentsOf: CLI.root.appendingPathComponent("Models/profile.json"), encoding: .utf8)
            try Data(shipped.replacingOccurrences(of: #""blockSize": 2048"#, with: #""blockSize": 64"#).utf8)
                .write(to: dir.appendingPathComponent("profile.json"))
            let profile = ["--profile", "profile.json"]
            let lines = try String(contentsOfFile: CLI.dataset(dataset), encoding: .utf8).split(separator: "\n")
            let half = lines.count / 2
            try Data((lines.prefix(half).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n1.jsonl"))
            try Data((lines.dropFirst(half).joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("n2.jsonl"))
            for night in ["n1.jsonl", "n2.jsonl"] {
                XCTAssertEqual(try CLI.run(["run", "-q", "--db", "one.sqlite", night] + profile, in: dir).status, 0)
                let workers = try (0..<2).map { _ in try Background(["work", "--db", url, "--idle", "3"] + profile, in: dir) }
                let split = try CLI.run(["run", "--db", url, "--pieces", "6", night] + profile, in: dir, environment: ["STORYLINE_DELAY_AT": "work-piece:0.2"])
                XCTAssertEqual(split.status, 0, split.stderr)
                XCTAssertTrue(split.stderr.contains("pieces: ") && !split.stderr.contains("pieces: 1 ("), "several pieces (at most one per block): \(split.stderr)")
                for w in workers { XCTAssertEqual(w.finish(timeout: 60).status, 0) }
            }
            XCTAssertEqual(try stories(dir, db: url), try stories(dir, db: "one.sqlite"), dataset)
        }
    }
}
