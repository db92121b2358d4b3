import Foundation
import XCTest

/// What every test target shares: the checkout, the shared datasets, temporary folders and
/// seeded randomness.
public enum TestPaths {
    /// The checkout's root.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/datasets/NAME`, or a skip with a visible message when it is not beside the checkout.
    public static func dataset(_ name: String) throws -> String {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/datasets/\(name) is not beside the checkout: skipping (CI has it)")
        }
        return path
    }

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
