import Foundation
import StorylineTestSupport
import XCTest
@testable import Storyline
@testable import StorylineCore
@testable import StorylineText
@testable import StorylineIngest
@testable import StorylineVectors
@testable import StorylineSimilarity
@testable import StorylineCluster
@testable import StorylineStore
@testable import StorylineReport

/// Paths and helpers shared by the unit tests.
enum TestSupport {
    static let root = TestPaths.root
    static var models: ModelDirectory { try! ModelDirectory(path: root.appendingPathComponent("Models").path) }
    static var profile: Profile { try! Profile.load(models.profilePath) }

    static func dataset(_ name: String) throws -> String { try TestPaths.dataset(name) }

    static func temporaryDirectory() -> URL { TestPaths.temporaryDirectory() }

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

