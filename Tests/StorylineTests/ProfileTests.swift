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

    /// Two dated ends: the decay; each undated end (nil, or NaN in the search's sorted days): the
    /// undated factor once.
    func testTimeFactor() throws {
        var p = TestSupport.profile
        p.time.undatedFactor = 0.8
        XCTAssertEqual(p.timeFactor(3, 7), p.decay(days: 4))
        XCTAssertEqual(p.timeFactor(nil, 7), 0.8)
        XCTAssertEqual(p.timeFactor(.nan, 7), 0.8)
        XCTAssertEqual(p.timeFactor(nil, nil), 0.64, accuracy: 1e-12)
        XCTAssertEqual(p.timeFactor(.nan, .nan), 0.64, accuracy: 1e-12)
        p.time.undatedFactor = nil
        XCTAssertEqual(p.timeFactor(nil, nil), 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: TestSupport.models.profilePath))
        for bad in [0.0, 1.5, -0.2] {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            var time = object["time"] as! [String: Any]
            time["undatedFactor"] = bad
            object["time"] = time
            XCTAssertThrowsError(try Profile.decode(JSONSerialization.data(withJSONObject: object))) { error in
                XCTAssertTrue("\(error)".contains("time.undatedFactor must be in (0, 1]"), "\(error)")
            }
        }
    }
}
