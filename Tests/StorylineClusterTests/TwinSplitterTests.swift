import XCTest
import StorylineCore
@testable import StorylineCluster

/// A story of two look-alike events is split by the names its articles use; one event whose
/// articles name different people, or a story with too few names, stays whole.
final class TwinSplitterTests: XCTestCase {
    /// Names shared by both events (the team, the league, the city), and each event's own.
    func article(_ own: [String], shared: [String] = ["saints", "orleans", "nfl", "reserve", "louisiana", "superdome", "payton"]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: (own + shared).map { ($0, 2) })
    }

    func documentFrequency(_ names: [[String: Int]]) -> [String: Int] {
        var df: [String: Int] = [:]
        for n in names { for k in n.keys { df[k, default: 0] += 1 } }
        // Most articles of the pass are of other stories: the shared names are common there too.
        for k in ["saints", "orleans", "nfl", "reserve", "louisiana", "superdome", "payton"] { df[k, default: 0] += 40 }
        return df
    }

    func testTwinEventsSplitByTheirOwnNames() {
        let bush = ["reggie", "bush", "knee"], thomas = ["pierre", "thomas", "ankle", "joique", "bell"]
        let names = [article(bush), article(thomas), article(bush), article(thomas), article(bush), article(thomas)]
        let parts = TwinSplitter(threshold: 0.3, share: 0.66).split(names, documentFrequency: documentFrequency(names), documents: 200)
        XCTAssertEqual(parts, [[0, 2, 4], [1, 3, 5]])
    }

    func testOneEventNamingDifferentPeopleStaysWhole() {
        // Each pair of articles quotes someone else, but all name the event's own actors.
        let event = ["klitschko", "thompson", "mannheim", "wba"]
        let names = [article(event + ["steward"]), article(event + ["steward"]), article(event + ["sauerland"]),
                     article(event + ["sauerland"]), article(event + ["arum"]), article(event + ["arum"])]
        let parts = TwinSplitter(threshold: 0.3, share: 0.66).split(names, documentFrequency: documentFrequency(names), documents: 200)
        XCTAssertEqual(parts, [Array(0..<6)])
    }

    func testTooFewNamesOrArticlesStayWhole() {
        let headlines: [[String: Int]] = [["bush": 1], ["thomas": 1], ["bush": 1], ["thomas": 1], ["bush": 1], ["thomas": 1]]
        XCTAssertEqual(TwinSplitter(threshold: 0.3, share: 0.66).split(headlines, documentFrequency: documentFrequency(headlines), documents: 200),
                       [Array(0..<6)], "headlines carry too few names to tell events apart")
        let three = [article(["reggie", "bush"]), article(["pierre", "thomas"]), article(["reggie", "bush"])]
        XCTAssertEqual(TwinSplitter(threshold: 0.3, share: 0.66).split(three, documentFrequency: documentFrequency(three), documents: 200),
                       [[0, 1, 2]])
        // Past `maxArticles` a story is not compared pair by pair: whole.
        var small = TwinSplitter(threshold: 0.3, share: 0.66)
        small.maxArticles = 5
        let six = [article(["reggie", "bush", "knee"]), article(["pierre", "thomas", "ankle", "joique", "bell"])]
        let many = (0..<6).map { six[$0 % 2] }
        XCTAssertEqual(TwinSplitter(threshold: 0.3, share: 0.66).split(many, documentFrequency: documentFrequency(many), documents: 200).count, 2)
        XCTAssertEqual(small.split(many, documentFrequency: documentFrequency(many), documents: 200), [Array(0..<6)])
    }
}
