import StorylineTestSupport
import XCTest
@testable import StorylineSimilarity

/// The block plan alone: the pairs it puts in front of the verifier are exactly the pairs in the
/// time window (and every pair with an undated article, when those are compared), each once.
final class BlockPlanTests: XCTestCase {
    func testThePlanVisitsExactlyThePairsInTheWindow() {
        var rng = seededGenerator()
        for trial in 0..<40 {
            let n = Int.random(in: 0...120, using: &rng)
            let days: [Double?] = (0..<n).map { _ in
                Double.random(in: 0...1, using: &rng) < 0.15 ? nil : Double(Int.random(in: 0...60, using: &rng)) / 4
            }
            let window = [0.5, 3.0, 100.0][trial % 3]
            let compareUndated = trial % 2 == 0
            let plan = BlockPlan(days: days, blockSize: Int.random(in: 1...17, using: &rng), window: window, compareUndated: compareUndated)

            var visited: [Int: Int] = [:]   // pair key → times visited
            var counted = 0
            for a in plan.blocks.indices {
                for b in plan.partners(of: a) {
                    counted += plan.pairsInWindow(a, b)
                    guard let span = plan.span(a, b) else { continue }
                    for i in span.rows {
                        let start = a == b ? i + 1 : span.columns.lowerBound
                        guard start < span.columns.upperBound else { continue }
                        let end = plan.windowEnd(of: i, in: start..<span.columns.upperBound, undated: plan.isUndated[a] || plan.isUndated[b])
                        for j in start..<end {
                            let x = plan.order[i], y = plan.order[j]
                            visited[min(x, y) * 1000 + max(x, y), default: 0] += 1
                        }
                    }
                }
            }
            var expected = Set<Int>()
            for x in 0..<n {
                for y in (x + 1)..<max(x + 1, n) {
                    switch (days[x], days[y]) {
                    case let (p?, q?): if abs(p - q) <= window { expected.insert(x * 1000 + y) }
                    default: if compareUndated { expected.insert(x * 1000 + y) }
                    }
                }
            }
            XCTAssertEqual(Set(visited.keys), expected, "trial \(trial)")
            XCTAssertEqual(visited.values.filter { $0 != 1 }.count, 0, "each pair once (trial \(trial))")
            XCTAssertEqual(counted, expected.count, "pairs in window counted (trial \(trial))")
        }
    }
}
