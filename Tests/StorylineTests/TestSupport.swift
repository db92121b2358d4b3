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
