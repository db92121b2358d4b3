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
}
