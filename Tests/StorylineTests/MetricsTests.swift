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

final class ClusteringMetricsTests: XCTestCase {
    let gold = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4]
    let found = ["a", "a", "b", "b", "b", "b", "c", "d", "d", "d"]

    func testAgainstHandAndReferenceValues() {
        let m = ClusteringMetrics(gold: gold, found: found)
        // B-cubed by hand: precision 6.5/10, recall (5/3 + 6)/10.
        XCTAssertEqual(m.b3Precision, 0.65, accuracy: 1e-12)
        XCTAssertEqual(m.b3Recall, (5.0 / 3 + 6) / 10, accuracy: 1e-12)
        // Pairs by hand: 4 true of 10 found, 7 gold.
        XCTAssertEqual(m.pairPrecision, 0.4, accuracy: 1e-12)
        XCTAssertEqual(m.pairRecall, 4.0 / 7, accuracy: 1e-12)
        // scikit-learn 1.x adjusted_rand_score / adjusted_mutual_info_score on the same labels.
        XCTAssertEqual(m.ari, 0.352, accuracy: 1e-9)
        XCTAssertEqual(m.ami, 0.37012773799660464, accuracy: 1e-9)
    }

    func testPerfectAndDegenerate() {
        let perfect = ClusteringMetrics(gold: gold, found: gold.map { "x\($0)" })
        XCTAssertEqual(perfect.b3F1, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.pairF1, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.ari, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.ami, 1, accuracy: 1e-9)
        let oneCluster = ClusteringMetrics(gold: gold, found: gold.map { _ in 0 })
        XCTAssertEqual(oneCluster.b3Recall, 1, accuracy: 1e-12)
        XCTAssertEqual(oneCluster.ari, 0, accuracy: 1e-12)
    }
}
