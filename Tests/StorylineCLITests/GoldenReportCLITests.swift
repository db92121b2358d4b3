import Foundation
import StorylineTestSupport
import XCTest

/// The report's files for a small fixture, byte for byte. Re-record after an intended change with
/// `STORYLINE_RECORD_GOLDEN=1 swift test --filter GoldenReportCLITests` and review the diff.
final class GoldenReportCLITests: XCTestCase {
    static let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/report")
    static let files = ["report.json", "report.md", "stories.csv", "story_outlets.csv", "storyline_outlets.csv", "outlet_profiles.csv"]

    func testReportMatchesGoldenFiles() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["run", Self.fixture.appendingPathComponent("dump.jsonl").path], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        // A low bar (the fixture's articles are a few sentences each) so that terms, their stability
        // and the chance rate are all in the files.
        let report = try CLI.run(["report", "--out", "out", "--group-field", "stance", "--min-articles", "1",
                                  "--format", "json,md,csv", "--min-z", "0.5", "--bootstrap", "20"], in: dir, environment: ["SOURCE_DATE_EPOCH": "1714521600"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let record = ProcessInfo.processInfo.environment["STORYLINE_RECORD_GOLDEN"] == "1"
        // Recording compares nothing: in CI it would pass whatever the report is.
        if record && TestPaths.inCI {
            XCTFail("STORYLINE_RECORD_GOLDEN=1 with CI=true: recording the golden files checks nothing (nothing recorded)")
            return
        }
        for name in Self.files {
            let produced = dir.appendingPathComponent("out/\(name)")
            let golden = Self.fixture.appendingPathComponent("golden/\(name)")
            if record {
                _ = try? FileManager.default.removeItem(at: golden)
                try FileManager.default.copyItem(at: produced, to: golden)
                continue
            }
            let expected = try Data(contentsOf: golden), actual = try Data(contentsOf: produced)
            if expected != actual {
                XCTFail("\(name) differs from Tests/Fixtures/report/golden/\(name) (re-record with STORYLINE_RECORD_GOLDEN=1 if intended):\n"
                        + diff(golden.path, produced.path))
            }
        }
    }

    func diff(_ a: String, _ b: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["diff", "-u", a, b]
        let out = Pipe()
        p.standardOutput = out
        try? p.run()
        p.waitUntilExit()
        return String(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(4000))
    }
}
