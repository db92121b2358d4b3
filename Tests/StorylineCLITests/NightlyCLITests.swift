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

    /// Storylines across nights (allsides-dev cut at mid-June 2021): every story is in one, a
    /// storyline of the first night is never split by the second (its stories stay together, under
    /// its id or the one it merged into), and `storylines --json` agrees with `stories --json`.
    func testStorylinesHoldAcrossNights() throws {
        let dir = CLI.temporaryDirectory()
        var n1 = "", n2 = ""
        for line in try String(contentsOfFile: CLI.dataset("allsides-dev.jsonl"), encoding: .utf8).split(separator: "\n") {
            let r = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if (r["published"] as? String ?? "9") < "2021-06-15" { n1 += line + "\n" } else { n2 += line + "\n" }
        }
        try Data(n1.utf8).write(to: dir.appendingPathComponent("n1.jsonl"))
        try Data(n2.utf8).write(to: dir.appendingPathComponent("n2.jsonl"))
        func lines() throws -> [Int: Int] {
            let all = try XCTUnwrap(CLI.json(stories(dir, db: "storyline.sqlite")) as? [[String: Any]])
            var out: [Int: Int] = [:]
            for s in all where s["merged_into"] is NSNull {
                out[s["id"] as! Int] = try XCTUnwrap(s["storyline"] as? Int, "every live story has a storyline")
            }
            return out
        }
        XCTAssertEqual(try CLI.run(["run", "-q", "n1.jsonl"], in: dir).status, 0)
        let first = try lines()
        XCTAssertEqual(try CLI.run(["run", "-q", "n2.jsonl"], in: dir).status, 0)
        let second = try lines()
        var together = 0
        for (a, la) in first { for (b, lb) in first where a < b && la == lb {
            guard let x = second[a], let y = second[b] else { continue }   // a story merged into another
            XCTAssertEqual(x, y, "stories \(a) and \(b) shared storyline \(la) on the first night")
            together += 1
        } }
        XCTAssertGreaterThan(together, 10, "the first night joins stories into storylines")
        XCTAssertGreaterThan(Set(second.values).count, Set(first.values).count, "the second night adds storylines")
        let listed = try XCTUnwrap(CLI.json(CLI.run(["storylines", "--json", "--min-stories", "1"], in: dir).stdout) as? [[String: Any]])
        var fromList: [Int: Int] = [:]
        let merged = listed.filter { $0["merged_into"] is Int }
        for line in merged { XCTAssertNil(second.values.first { $0 == line["id"] as! Int }, "a merged storyline holds no story") }
        for line in listed where !(line["merged_into"] is Int) {
            let steps = line["stories"] as! [[String: Any]]
            XCTAssertEqual(line["articles"] as? Int, steps.reduce(0) { $0 + ($1["articles"] as! Int) })
            for step in steps { fromList[step["id"] as! Int] = line["id"] as? Int }
            let days = steps.compactMap { $0["first_published"] as? String }
            XCTAssertEqual(days, days.sorted(), "steps in time order")
        }
        XCTAssertEqual(fromList, second)
        let text = try CLI.run(["storylines", "--since", "2021-08-01"], in: dir)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("\tstories\t") || text.stdout.contains(" stories\t"), text.stdout)
        XCTAssertTrue(text.stdout.contains("  story "), text.stdout)
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
