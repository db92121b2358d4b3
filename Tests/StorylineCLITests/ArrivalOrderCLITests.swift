import Foundation
import StorylineTestSupport
import XCTest

/// The same articles give the same stories whatever order they arrive in: one file shuffled or
/// reversed, the dump split into files given in another order, four ingesters at once into
/// PostgreSQL. Each is clustered in one pass and `stories --json` compared byte for byte.
final class ArrivalOrderCLITests: XCTestCase {
    func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: CLI.dataset(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], _ name: String, in dir: URL) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent(name))
    }

    /// `storyline run` of `files` into a new SQLite store; its `stories --json`.
    func storiesOfOneRun(_ files: [String], in dir: URL, db: String) throws -> String {
        let r = try CLI.run(["run", "-q", "--db", db] + files, in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let s = try CLI.run(["stories", "--json", "--db", db], in: dir)
        XCTAssertEqual(s.status, 0, s.stderr)
        return s.stdout
    }

    func testShuffledReversedAndSplitDumpsGiveTheSameStories() throws {
        for name in ["allsides-dev.jsonl", "basil.jsonl", "ecbplus-dev.jsonl"] {   // ecbplus: twin events split by names
            let dir = CLI.temporaryDirectory()
            let all = try lines(name)
            var generator = seededGenerator()
            try write(all, "given.jsonl", in: dir)
            try write(all.reversed(), "reversed.jsonl", in: dir)
            try write(all.shuffled(using: &generator), "shuffled.jsonl", in: dir)
            // Three files, given to one run in another order than they were cut.
            let third = all.count / 3
            try write(Array(all[..<third]), "part1.jsonl", in: dir)
            try write(Array(all[third..<(2 * third)]), "part2.jsonl", in: dir)
            try write(Array(all[(2 * third)...]), "part3.jsonl", in: dir)
            let reference = try storiesOfOneRun(["given.jsonl"], in: dir, db: "given.sqlite")
            let parsed = try XCTUnwrap(CLI.json(reference) as? [[String: Any]])
            XCTAssertGreaterThan(parsed.count, 50, name)
            XCTAssertEqual(parsed.reduce(0) { $0 + (($1["articles"] as? [Any])?.count ?? 0) }, all.count, name)
            for (files, db) in [(["reversed.jsonl"], "reversed.sqlite"), (["shuffled.jsonl"], "shuffled.sqlite"),
                                (["part3.jsonl", "part1.jsonl", "part2.jsonl"], "parts.sqlite")] {
                let stories = try storiesOfOneRun(files, in: dir, db: db)
                XCTAssertTrue(stories == reference, "\(name): \(files) give other stories than the file as given")
            }
        }
    }

    /// PostgreSQL: a shuffled dump, and four ingesters at once (each a quarter, shuffled, in small
    /// batches so that their transactions interleave), then one clustering pass: the stories of
    /// the SQLite run of the file as given, byte for byte.
    func testConcurrentIngestersIntoPostgreSQLGiveTheStoriesOfOneFile() throws {
        let server = try TestPostgres.shared()
        let dir = CLI.temporaryDirectory()
        let all = try lines("allsides-dev.jsonl")
        try write(all, "given.jsonl", in: dir)
        let reference = try storiesOfOneRun(["given.jsonl"], in: dir, db: "given.sqlite")

        var generator = seededGenerator()
        try write(all.shuffled(using: &generator), "shuffled.jsonl", in: dir)
        let shuffled = try server.newDatabase("shuffled")
        XCTAssertTrue(try storiesOfOneRun(["shuffled.jsonl"], in: dir, db: shuffled) == reference, "shuffled, PostgreSQL")

        let crawled = try server.newDatabase("crawled")
        let order = all.shuffled(using: &generator)
        for k in 0..<4 {
            try write(Array(order[(k * order.count / 4)..<((k + 1) * order.count / 4)]), "crawl\(k).jsonl", in: dir)
        }
        var results = [CLI.Result?](repeating: nil, count: 4)
        let box = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            let r = try? CLI.runBinary(["ingest", "-q", "--db", crawled, "crawl\(k).jsonl"], in: dir, environment: ["STORYLINE_INGEST_BATCH": "40"])
            box.lock(); results[k] = r; box.unlock()
        }
        for r in results { XCTAssertEqual(try XCTUnwrap(r).status, 0, r?.stderr ?? "") }
        let cluster = try CLI.run(["cluster", "-q", "--db", crawled], in: dir)
        XCTAssertEqual(cluster.status, 0, cluster.stderr)
        let s = try CLI.run(["stories", "--json", "--db", crawled], in: dir)
        XCTAssertTrue(s.stdout == reference, "four concurrent ingesters, PostgreSQL")
    }
}

/// Big stories stay whole: every edge is kept (no neighbour cap), so stories of 100 to 1,000
/// headlines whose headlines are only weakly alike pair by pair are not cut apart.
final class BigStoriesCLITests: XCTestCase {
    func testStoriesOfHundredsOfHeadlinesStayWhole() throws {
        let dir = CLI.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.root.appendingPathComponent("tools/gen-big-stories.py").path,
                             "--big", "24", "--min", "100", "--max", "1000", "--small", "300", "--seed", "3",
                             "--out", dir.appendingPathComponent("big.jsonl").path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "gen-big-stories.py failed")
        let r = try CLI.run(["eval", "big.jsonl", "--json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let e = try XCTUnwrap(CLI.json(r.stdout) as? [String: Any])
        let f1 = try XCTUnwrap(e["b3_f1"] as? Double)
        print("eval big stories (24 of 100-1000 headlines, 300 small): B-cubed F1 \(f1), precision \(e["b3_precision"] ?? ""), recall \(e["b3_recall"] ?? "")")
        XCTAssertGreaterThanOrEqual(f1, 0.95, "big stories cut apart or merged")
    }
}
