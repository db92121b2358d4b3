import Foundation
import XCTest

final class NightlyCLITests: XCTestCase {
    /// Two nights from one generated dump split by date.
    func nights(in dir: URL) throws {
        try CLI.generate(articles: 1500, seed: 11, into: dir.appendingPathComponent("all.jsonl"))
        let lines = try String(contentsOf: dir.appendingPathComponent("all.jsonl"), encoding: .utf8).split(separator: "\n")
        var n1 = "", n2 = ""
        for line in lines {
            let r = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if (r["published"] as! String) < "2024-03-16" { n1 += line + "\n" } else { n2 += line + "\n" }
        }
        try Data(n1.utf8).write(to: dir.appendingPathComponent("n1.jsonl"))
        try Data(n2.utf8).write(to: dir.appendingPathComponent("n2.jsonl"))
    }

    func stories(_ dir: URL, db: String) throws -> String {
        let r = try CLI.run(["stories", "--json", "--db", db], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testSecondNightKeepsIDsAndRerunChangesNothing() throws {
        let dir = CLI.temporaryDirectory()
        try nights(in: dir)
        XCTAssertEqual(try CLI.run(["run", "n1.jsonl"], in: dir).status, 0)
        let first = try XCTUnwrap(CLI.json(stories(dir, db: "storyline.sqlite")) as? [[String: Any]])
        XCTAssertEqual(try CLI.run(["run", "n2.jsonl"], in: dir).status, 0)
        let afterText = try stories(dir, db: "storyline.sqlite")
        let after = try XCTUnwrap(CLI.json(afterText) as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: after.map { ($0["id"] as! Int, Set($0["articles"] as! [String])) })
        let kept = first.filter { s in
            let mine = Set(s["articles"] as! [String])
            return byID[s["id"] as! Int].map { mine.isSubset(of: $0) } ?? false
        }
        XCTAssertGreaterThanOrEqual(Double(kept.count) / Double(first.count), 0.95)
        // Merged stories point at a live story.
        for s in after {
            if let into = s["merged_into"] as? Int {
                XCTAssertTrue((s["articles"] as! [String]).isEmpty)
                XCTAssertFalse((byID[into] ?? []).isEmpty)
            }
        }
        XCTAssertEqual(after.flatMap { $0["articles"] as! [String] }.count, 1500)
        XCTAssertEqual(try CLI.run(["run", "n2.jsonl"], in: dir).status, 0)
        XCTAssertEqual(try stories(dir, db: "storyline.sqlite"), afterText, "rerunning a night changes nothing")
        let runs = try XCTUnwrap(CLI.json(CLI.run(["runs", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(runs.count, 3)
        XCTAssertTrue(runs.allSatisfy { $0["status"] as? String == "ok" })
    }

    /// A night killed with SIGKILL at several points and run again ends exactly as an uninterrupted night.
    func testKilledNightFinishesExactlyOnRerun() throws {
        let dir = CLI.temporaryDirectory()
        try nights(in: dir)
        XCTAssertEqual(try CLI.run(["run", "n1.jsonl", "--db", "ref.sqlite"], in: dir).status, 0)
        XCTAssertEqual(try CLI.run(["run", "n2.jsonl", "--db", "ref.sqlite"], in: dir).status, 0)
        let reference = try stories(dir, db: "ref.sqlite")
        let small = ["STORYLINE_INGEST_BATCH": "100", "STORYLINE_VECTORIZE_BATCH": "100"]
        for point in ["ingest-batch", "vectorize-batch", "cluster-commit"] {
            let db = "\(point).sqlite"
            XCTAssertEqual(try CLI.run(["run", "n1.jsonl", "--db", db], in: dir).status, 0)
            var env = small
            env["STORYLINE_CRASH_AT"] = point
            let killed = try CLI.run(["run", "n2.jsonl", "--db", db], in: dir, environment: env)
            XCTAssertEqual(killed.status, 9, "\(point): the process was killed")
            XCTAssertNotEqual(try stories(dir, db: db), reference, "\(point): the kill left work undone")
            let rerun = try CLI.run(["run", "n2.jsonl", "--db", db], in: dir, environment: small)
            XCTAssertEqual(rerun.status, 0, rerun.stderr)
            XCTAssertEqual(try stories(dir, db: db), reference, "\(point): rerun ends as the uninterrupted night")
            let runs = try XCTUnwrap(CLI.json(CLI.run(["runs", "--json", "--db", db], in: dir).stdout) as? [[String: Any]])
            XCTAssertEqual(runs.map { $0["status"] as! String }, ["ok", "interrupted", "ok"])
        }
    }

    func testSecondWriterWaitsOrFailsClearly() throws {
        let dir = CLI.temporaryDirectory()
        try nights(in: dir)
        // Hold the store's lock from this process, as a running night would.
        let lockPath = dir.appendingPathComponent("storyline.sqlite.lock").path
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
        XCTAssertEqual(flock(fd, LOCK_EX), 0)
        _ = "\(getpid())\n".withCString { write(fd, $0, strlen($0)) }
        let busy = try CLI.run(["run", "n1.jsonl", "--wait", "0.3"], in: dir)
        XCTAssertEqual(busy.status, 1)
        XCTAssertTrue(busy.stderr.contains("another storyline process (pid \(getpid())) is writing to this store"), busy.stderr)
        // A lock whose holder is gone (closed here, as the kernel does when a process dies) is free.
        close(fd)
        let free = try CLI.run(["run", "n1.jsonl"], in: dir)
        XCTAssertEqual(free.status, 0, free.stderr)
    }
}
