import XCTest
import StorylineCore
import StorylineSimilarity
import StorylineTestSupport
@testable import StorylineCluster

final class AverageLinkageTests: XCTestCase {
    func edge(_ a: Int32, _ b: Int32, _ w: Float) -> SimilarityEdge { SimilarityEdge(a: a, b: b, weight: w) }

    func testAverageLinkageDoesNotChain() {
        // 0-1 strong, 1-2 medium, 0-2 absent: average of {0,1} with 2 is 0.3/2 = 0.15 < 0.2.
        let labels = AverageLinkage(threshold: 0.2).cluster(count: 3, edges: [edge(0, 1, 0.9), edge(1, 2, 0.3)])
        XCTAssertEqual(labels, [0, 0, 2])
        // With a lower threshold they join.
        XCTAssertEqual(AverageLinkage(threshold: 0.15).cluster(count: 3, edges: [edge(0, 1, 0.9), edge(1, 2, 0.3)]), [0, 0, 0])
    }

    func testMembersOutsideTheItemsCountInAverages() {
        // Story 10 has items 0 and 1 here; item 2 is new with edges 0.5 to both (average 0.5).
        let edges = [edge(0, 1, 0.9), edge(0, 2, 0.5), edge(1, 2, 0.5)]
        let linkage = AverageLinkage(threshold: 0.3)
        XCTAssertEqual(linkage.cluster(count: 3, edges: edges, groups: [10, 10, -1], fixed: [10]), [0, 0, 0])
        // The same story with two more articles outside the window: 1.0 / (4·1) = 0.25 < 0.3.
        XCTAssertEqual(linkage.cluster(count: 3, edges: edges, groups: [10, 10, -1], fixed: [10], outside: [10: 2]), [0, 0, 2])
        // One more: 1.0 / 3 = 0.33 joins.
        XCTAssertEqual(linkage.cluster(count: 3, edges: edges, groups: [10, 10, -1], fixed: [10], outside: [10: 1]), [0, 0, 0])
    }

    func testFixedGroupsDoNotMergeButNewItemsJoin() {
        // Items 0,1 are story A; 2,3 story B; 4 is new and close to both; 5 is new and alone.
        let edges = [edge(0, 2, 0.9), edge(1, 3, 0.9), edge(0, 4, 0.8), edge(1, 4, 0.8), edge(2, 4, 0.5), edge(3, 4, 0.5)]
        let labels = AverageLinkage(threshold: 0.3).cluster(count: 6, edges: edges, groups: [10, 10, 20, 20, -1, -2], fixed: [10, 20])
        XCTAssertEqual(labels[0], labels[1])
        XCTAssertEqual(labels[2], labels[3])
        XCTAssertNotEqual(labels[0], labels[2], "two existing stories never merge")
        XCTAssertEqual(labels[4], labels[0], "the new article joins the closer story")
        XCTAssertEqual(labels[5], 5)
    }

    func testUndatedItemsDoNotBridgeDatedClusters() {
        // 0,1,2 dated (one event), 3,4,5 dated (the same words years later: no edges between the
        // two groups), 6 undated and close to all.
        var edges: [SimilarityEdge] = []
        for (a, b) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] { edges.append(edge(Int32(a), Int32(b), 0.9)) }
        for a in 0..<6 { edges.append(edge(Int32(a), 6, 0.8)) }
        let dated = [true, true, true, true, true, true, false]
        let plain = AverageLinkage(threshold: 0.15).cluster(count: 7, edges: edges)
        XCTAssertEqual(Set(plain).count, 1, "without dates the undated article bridges the two")
        let labels = AverageLinkage(threshold: 0.15).cluster(count: 7, edges: edges, dated: dated)
        XCTAssertEqual(Set(labels[0..<3]).count, 1)
        XCTAssertEqual(Set(labels[3..<6]).count, 1)
        XCTAssertNotEqual(labels[0], labels[3], "dated evidence keeps the two apart")
        XCTAssertTrue(labels[6] == labels[0] || labels[6] == labels[3], "the undated article joins one of them")
        // With every item dated, the condition is the plain one.
        XCTAssertEqual(AverageLinkage(threshold: 0.15).cluster(count: 7, edges: edges, dated: Array(repeating: true, count: 7)), plain)
        // Fixed groups: story 10 (0,1,2) and story 20 (3,4,5) exist, 6 is new.
        let grouped = AverageLinkage(threshold: 0.15, mergeFixed: true)
            .cluster(count: 7, edges: edges, groups: [10, 10, 10, 20, 20, 20, -1], fixed: [10, 20], dated: dated)
        XCTAssertNotEqual(grouped[0], grouped[3])
    }

    func testDeterministicUnderEdgeOrder() {
        var rng = seededGenerator()
        var edges: [SimilarityEdge] = []
        for a in 0..<120 { for b in (a + 1)..<120 where Int.random(in: 0..<10, using: &rng) == 0 {
            edges.append(edge(Int32(a), Int32(b), Float(Int.random(in: 1...10, using: &rng)) / 10))
        } }
        let reference = AverageLinkage(threshold: 0.3).cluster(count: 120, edges: edges)
        for _ in 0..<5 {
            XCTAssertEqual(AverageLinkage(threshold: 0.3).cluster(count: 120, edges: edges.shuffled(using: &rng)), reference)
        }
    }

    /// The compact linkage, each connected component apart on several threads, gives the labels
    /// of the reference linkage (dictionaries and a heap of pairs) over the whole graph: sparse graphs of many small and a few large
    /// components, with fixed groups, members outside the window, undated items and ties.
    func testComponentsApartEqualTheWholeGraph() {
        var rng = seededGenerator()
        for round in 0..<40 {
            let count = Int.random(in: 50...400, using: &rng)
            var edges: [SimilarityEdge] = []
            // Clumps of neighbouring items (stories), a few links between clumps.
            var start = 0
            while start < count {
                let size = min(count - start, Int.random(in: 1...(round % 4 == 0 ? 60 : 12), using: &rng))
                for a in start..<(start + size) { for b in (a + 1)..<(start + size) where Int.random(in: 0..<3, using: &rng) == 0 {
                    edges.append(edge(Int32(a), Int32(b), Float(Int.random(in: 1...20, using: &rng)) / 20))
                } }
                start += size
            }
            for _ in 0..<(count / 20) {
                let a = Int.random(in: 0..<count, using: &rng), b = Int.random(in: 0..<count, using: &rng)
                if a < b { edges.append(edge(Int32(a), Int32(b), Float(Int.random(in: 1...20, using: &rng)) / 20)) }
            }
            edges.shuffle(using: &rng)
            // Existing stories: groups of a few items each, some fixed, some with members outside.
            let groups = (0..<count).map { i in Int.random(in: 0..<4, using: &rng) == 0 ? 1000 + i / 5 : -(i + 1) }
            let fixed = Set(groups.filter { $0 >= 1000 && $0 % 2 == 0 })
            var outside: [Int: Int] = [:]
            for g in Set(groups) where g >= 1000 && g % 3 == 0 { outside[g] = Int.random(in: 1...3, using: &rng) }
            let dated = (0..<count).map { _ in Int.random(in: 0..<8, using: &rng) != 0 }
            for mergeFixed in [false, true] {
                let linkage = AverageLinkage(threshold: [0.15, 0.3, 0.5][round % 3], mergeFixed: mergeFixed)
                let reference = ReferenceLinkage(threshold: linkage.threshold, mergeFixed: mergeFixed)
                XCTAssertEqual(linkage.cluster(count: count, edges: edges, threads: 2), reference.linkWhole(count: count, edges: edges), "round \(round)")
                let whole = reference.linkWhole(count: count, edges: edges, groups: groups, fixed: fixed, outside: outside, dated: dated)
                for threads in [1, 2, 3] {
                    XCTAssertEqual(linkage.cluster(count: count, edges: edges, groups: groups, fixed: fixed, outside: outside, dated: dated,
                                                   threads: threads), whole, "round \(round), \(threads) threads")
                }
            }
        }
    }
}

extension AverageLinkageTests {
    /// Dense stories (most pairs linked, weights of any value, some pairs given twice, a few self
    /// pairs) with undated items and links between stories: the compact linkage merges as the
    /// reference does, and holds at most 32 bytes an edge.
    func testCompactLinkageEqualsReferenceOnDenseStories() {
        var rng = seededGenerator()
        for round in 0..<12 {
            var edges: [SimilarityEdge] = []
            var start = 0
            let sizes = (0..<Int.random(in: 2...5, using: &rng)).map { _ in Int.random(in: 20...150, using: &rng) }
            for size in sizes {
                for a in start..<(start + size) { for b in (a + 1)..<(start + size) where Int.random(in: 0..<10, using: &rng) < 7 {
                    edges.append(edge(Int32(a), Int32(b), Float.random(in: 0.05...0.6, using: &rng)))
                } }
                start += size
            }
            let count = start
            for _ in 0..<count {
                let a = Int32.random(in: 0..<Int32(count), using: &rng), b = Int32.random(in: 0..<Int32(count), using: &rng)
                edges.append(edge(min(a, b), max(a, b), Float.random(in: 0.05...0.4, using: &rng)))
            }
            edges.shuffle(using: &rng)
            let dated = round % 2 == 0 ? nil : (0..<count).map { _ in Int.random(in: 0..<6, using: &rng) != 0 }
            let threshold = [0.12, 0.2, 0.3][round % 3]
            var memory = AverageLinkage.Memory()
            let labels = AverageLinkage(threshold: threshold).cluster(count: count, edges: edges, dated: dated, threads: 2, memory: &memory)
            XCTAssertEqual(labels, ReferenceLinkage(threshold: threshold, mergeFixed: false).linkWhole(count: count, edges: edges, dated: dated),
                           "round \(round)")
            XCTAssertGreaterThan(Set(labels).count, 1)
            XCTAssertLessThan(Set(labels).count, count)
            // Per edge: 2 list entries of 8 bytes and a slot of 8 (16 with undated items); per item, its state.
            XCTAssertLessThanOrEqual(memory.bytesPerEdge, dated == nil ? 24 : 32, "round \(round)")
            XCTAssertLessThanOrEqual(memory.itemBytes, 80 * count, "round \(round)")
        }
    }
}
