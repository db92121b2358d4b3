/// Benjamini-Hochberg's false discovery rate, for the report's many tests (loaded language over
/// story-outlet pairs; each outlet's profile units), and Tarone's rule for discrete tests.
enum FalseDiscovery {
    /// The tests that count (Gilbert 2005, Tarone's rule for the false discovery rate of discrete
    /// tests): the smallest K such that at most K tests could reach p <= alpha / K; those tests.
    /// A test that cannot reach it whatever its data cannot be called and does not dilute the rest.
    static func testable(_ tested: [Int], smallest: [Double], alpha: Double) -> [Int] {
        let sorted = tested.map { smallest[$0] }.sorted()
        var k = 1
        while true {
            let bar = alpha / Double(k)
            // how many could reach the bar
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= bar { lo = mid + 1 } else { hi = mid } }
            if lo <= k { return tested.filter { smallest[$0] <= bar } }
            k += 1
        }
    }

    /// q of each of `tested` (indices into `p`): the false discovery rate at which it is called.
    static func q(_ p: [Double], _ tested: [Int]) -> [Int: Double] {
        let sorted = tested.sorted { (p[$0], $0) < (p[$1], $1) }
        var q: [Int: Double] = [:]
        var running = 1.0
        for k in sorted.indices.reversed() {
            running = min(running, p[sorted[k]] * Double(sorted.count) / Double(k + 1))
            q[sorted[k]] = running
        }
        return q
    }
}
