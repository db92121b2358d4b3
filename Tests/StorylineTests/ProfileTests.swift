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

final class ProfileTests: XCTestCase {
    func testShippedProfileLoads() throws {
        let p = TestSupport.profile
        XCTAssertEqual(p.version, Profile.currentVersion)
        XCTAssertGreaterThan(p.windowDays, p.time.graceDays)
    }

    func testUnknownKeysAndVersionsAreRejected() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestSupport.models.profilePath))
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var similarity = object["similarity"] as! [String: Any]
        similarity["treshold"] = 0.2
        object["similarity"] = similarity
        XCTAssertThrowsError(try Profile.decode(JSONSerialization.data(withJSONObject: object))) { error in
            XCTAssertTrue("\(error)".contains("unknown key \"similarity.treshold\""), "\(error)")
        }
        object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["version"] = 99
        XCTAssertThrowsError(try Profile.decode(JSONSerialization.data(withJSONObject: object))) { error in
            XCTAssertEqual((error as? StorylineError)?.code, .model)
        }
    }

    func testDecay() {
        var p = TestSupport.profile
        p.time.windowDays = nil   // the derived window
        XCTAssertEqual(p.decay(days: 0), 1)
        XCTAssertEqual(p.decay(days: -p.time.graceDays), 1)
        XCTAssertEqual(p.decay(days: p.time.graceDays + p.time.decayDays), exp(-1), accuracy: 1e-12)
        // At the window's edge a perfect match of the shortest texts just reaches the threshold.
        XCTAssertEqual(p.decay(days: p.windowDays) * p.maxShortTextBoost, p.similarity.threshold, accuracy: 1e-9)
        XCTAssertEqual(p.shortTextBoost(terms: 1000), 1)
        XCTAssertEqual(p.shortTextBoost(terms: 1), p.similarity.threshold / p.similarity.shortTextThreshold!, accuracy: 1e-12)
    }
}
