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
}
