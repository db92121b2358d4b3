import Foundation
import XCTest

/// What every test target shares: the checkout, the shared datasets, temporary folders and
/// seeded randomness.
public enum TestPaths {
    /// The checkout's root.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/datasets/NAME`, or a skip with a visible message when it is not beside the
    /// checkout (a failure in CI, which has it: see ``cannotRun(_:)``).
    public static func dataset(_ name: String) throws -> String {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw cannotRun("../shared/datasets/\(name) is not beside the checkout (CI has it)")
        }
        return path
    }

    /// Whether the tests run in CI (`CI=true`, as `.ci/run` sets it).
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// What a test throws when something it needs is not here (a dataset, a server, a browser,
    /// warcio, an emulator): in a user's clone a skip that names the reason; in CI a failure,
    /// because there a check that cannot run must not pass.
    public static func cannotRun(_ reason: String) -> Error {
        inCI ? MissingInCI(reason: reason) : XCTSkip(reason + ": skipping")
    }
}

/// A test's requirement missing in CI: thrown, it fails the test with the reason.
public struct MissingInCI: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "CI=true and \(reason): a check that cannot run must not pass" }
}

extension TestPaths {

    /// A fresh temporary folder whose name starts with `prefix`.
    public static func temporaryDirectory(_ prefix: String = "storyline-tests") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A seeded random number generator (SplitMix64), so a failing random test can be run again.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
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
    public func seededGenerator() -> SeededGenerator {
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
