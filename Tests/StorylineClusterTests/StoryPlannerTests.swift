import XCTest
import StorylineCore
import StorylineSimilarity
import StorylineCluster

/// The plan of story changes, from labels and edges alone: no store.
final class StoryPlannerTests: XCTestCase {
    typealias Item = ArticleRef

    func testNewGrownMergedAndUntouchedStories() {
        let day = 86400.0
        let items = [
            Item(seq: 1, published: 3 * day, storyID: 5),     // 0: story 5
            Item(seq: 2, published: 3 * day, storyID: 5),     // 1: story 5
            Item(seq: 3, published: 3 * day, storyID: 3),     // 2: story 3
            Item(seq: 4, published: 1 * day, storyID: 7),     // 3: story 7, untouched
            Item(seq: 10, published: 2 * day, storyID: nil),  // 4: joins 3 and 5 together
            Item(seq: 11, published: 1 * day, storyID: nil),  // 5: new story with 12
            Item(seq: 12, published: nil, storyID: nil),      // 6
            Item(seq: 13, published: 4 * day, storyID: nil),  // 7: new story alone
            Item(seq: 14, published: nil, storyID: nil),      // 8: new undated story alone
        ]
        let labels = [0, 0, 0, 3, 0, 5, 5, 7, 8]
        let edges = [
            SimilarityEdge(a: 0, b: 4, weight: 0.3), SimilarityEdge(a: 2, b: 4, weight: 0.4), SimilarityEdge(a: 1, b: 2, weight: 0.2),
            SimilarityEdge(a: 5, b: 6, weight: 0.5),
        ]
        let plan = StoryPlanner().plan(items: items, labels: labels, edges: edges, firstNewID: 100)
        XCTAssertEqual(plan.stories, [
            // By first publication: day 1 (11, 12), day 2 (the merge), day 4 (13), then undated (14).
            .init(id: 100, isNew: true, absorbed: [], added: [11, 12], titleArticle: 11),    // tie on centrality: the earlier stored
            .init(id: 3, isNew: false, absorbed: [5], added: [10], titleArticle: 10),       // the older id survives; 10 is most central (0.7)
            .init(id: 101, isNew: true, absorbed: [], added: [13], titleArticle: 13),
            .init(id: 102, isNew: true, absorbed: [], added: [14], titleArticle: 14),
        ])
        XCTAssertEqual(plan.newCount, 3)
        XCTAssertEqual(plan.grownCount, 1)
        XCTAssertEqual(plan.mergedCount, 1)
    }

    func testLabelsAndEdgeOrderDoNotMatter() {
        var items: [Item] = []
        for k in 0..<6 {
            let day = Double(k % 3) * 86400
            items.append(Item(seq: Int64(10 + k), published: day, storyID: k < 2 ? 1 : nil))
        }
        let edges = [SimilarityEdge(a: 0, b: 2, weight: 0.5), SimilarityEdge(a: 3, b: 4, weight: 0.4), SimilarityEdge(a: 4, b: 5, weight: 0.6)]
        let a = StoryPlanner().plan(items: items, labels: [0, 0, 0, 3, 3, 3], edges: edges, firstNewID: 2)
        let b = StoryPlanner().plan(items: items, labels: [9, 9, 9, -4, -4, -4], edges: edges.reversed(), firstNewID: 2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.stories.map(\.id), [1, 2])
        XCTAssertEqual(a.stories.map(\.titleArticle), [10, 14])
    }
}
