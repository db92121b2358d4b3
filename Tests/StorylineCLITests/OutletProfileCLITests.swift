import Foundation
import StorylineTestSupport
import XCTest

/// Outlet profiles on real data (`tools/profile-eval.py` runs the binary on changed copies of
/// allsides-dev): a word planted in one outlet's articles of a dozen stories shows in its
/// profile, and with the outlets dealt at random among each story's articles (nothing to find)
/// at most 5% of the profiles show anything. The full evaluation (20 plants of 5, 10 and 20
/// stories; 20 rounds on allsides-dev and basil) is the tool's, for the figures in the README.
final class OutletProfileCLITests: XCTestCase {
    func evaluate(_ arguments: [String]) throws -> [String: Any] {
        let dump = try CLI.dataset("allsides-dev.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.root.appendingPathComponent("tools/profile-eval.py").path] + arguments
            + [dump, "--binary", CLI.binary.path]
        var env = ProcessInfo.processInfo.environment
        env["STORYLINE_MODELS"] = CLI.root.appendingPathComponent("Models").path
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        print(text)
        let last = try XCTUnwrap(text.split(separator: "\n").last.map(String.init))
        return try XCTUnwrap(CLI.json(last) as? [String: Any])
    }

    func testAPlantedWordShowsInItsOutletsProfile() throws {
        let result = try evaluate(["plant", "--plants", "2", "--sizes", "12", "--seed", "3"])
        let recall = try XCTUnwrap(result["recall"] as? [String: Double])
        XCTAssertEqual(recall["12"], 1.0, "both plants in 12 stories found")
    }

    func testOutletsDealtAtRandomShowNothing() throws {
        let result = try evaluate(["null", "--rounds", "2", "--seed", "5"])
        let share = try XCTUnwrap(result["null_share"] as? Double)
        XCTAssertGreaterThan(try XCTUnwrap(result["profiles"] as? Int), 100)
        XCTAssertLessThanOrEqual(share, 0.05)
    }

    /// The profiles pool the scratch files' buckets on all cores: the report is the same byte for
    /// byte whatever the number of threads (and basil's profiles are not empty, so there is
    /// something to compare). The scratch files go to $TMPDIR and are gone after the report; where
    /// they cannot be made, the report stops and says where and why.
    func testProfilesDoNotDependOnTheThreadCount() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["run", try CLI.dataset("basil.jsonl"), "--db", "basil.sqlite"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let scratch = dir.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var reports: [Data] = []
        for threads in ["1", "3"] {
            let r = try CLI.run(["report", "--db", "basil.sqlite", "--out", "out\(threads)", "--format", "json"], in: dir,
                                environment: ["STORYLINE_THREADS": threads, "SOURCE_DATE_EPOCH": "1714521600", "TMPDIR": scratch.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            reports.append(try Data(contentsOf: dir.appendingPathComponent("out\(threads)/report.json")))
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "no scratch files left")
        }
        XCTAssertEqual(reports[0], reports[1], "report.json with 1 and 3 threads")
        let blocked = try CLI.runBinary(["report", "--db", "basil.sqlite", "--out", "blocked", "--format", "json"], in: dir,
                                        environment: ["TMPDIR": dir.appendingPathComponent("basil.sqlite").path])
        XCTAssertNotEqual(blocked.status, 0)
        XCTAssertTrue(blocked.stderr.contains("scratch directory ($TMPDIR chooses where)") && blocked.stderr.contains("Not a directory"), blocked.stderr)
        let parsed = try XCTUnwrap(CLI.json(String(decoding: reports[0], as: UTF8.self)) as? [String: Any])
        let profiles = try XCTUnwrap(parsed["outlet_profiles"] as? [[String: Any]])
        XCTAssertEqual(profiles.count, 3)
        XCTAssertTrue(profiles.contains { !(($0["wording"] as? [Any]) ?? []).isEmpty }, "some outlet of basil has wording that stands out")
    }
}
