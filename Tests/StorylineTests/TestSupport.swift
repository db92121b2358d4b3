import Foundation
import XCTest
@testable import Storyline

/// Paths and helpers shared by the unit tests.
enum TestSupport {
    /// The checkout's root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var models: ModelDirectory { try! ModelDirectory(path: root.appendingPathComponent("Models").path) }
    static var profile: Profile { try! Profile.load(models.profilePath) }

    /// `../shared/datasets/NAME`, or a skip with a visible message when it is not there.
    static func dataset(_ name: String) throws -> String {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/datasets/\(name) is not beside the checkout: skipping (CI has it)")
        }
        return path
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("storyline-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) {
        try! Data(text.utf8).write(to: url)
    }

    static func analyzer() -> Analyzer {
        let models = self.models
        return Analyzer(stopwords: { models.stopwords($0) })
    }

    /// Reads every record of a file with a reader.
    static func records(_ reader: ArticleReader, _ path: String) throws -> [RecordEvent] {
        var out: [RecordEvent] = []
        try reader.read(path) { out.append($0) }
        return out
    }
}

/// A seeded random number generator (SplitMix64), so a failing random test can be run again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension XCTestCase {
    /// A generator for a randomized test: seeded from `STORYLINE_TEST_SEED` when set, else with a
    /// fresh seed that is printed when the test fails, so the failing inputs can be made again.
    func seededGenerator() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["STORYLINE_TEST_SEED"].flatMap { UInt64($0) }
        let seed = given ?? UInt64.random(in: 1...UInt64.max)
        let name = self.name
        addTeardownBlock { [weak self] in
            guard let run = self?.testRun, run.totalFailureCount > 0 else { return }
            print("\(name): random seed \(seed); run again with STORYLINE_TEST_SEED=\(seed)")
        }
        return SeededGenerator(seed: seed)
    }
}
