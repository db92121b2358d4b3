import StorylineCore
import StorylineVectors

/// Bounds the similarity graph: each article keeps only its `k` strongest edges.
///
/// An edge stays when it is among the `k` strongest of either of its two articles, so a graph over
/// `n` articles has at most `n·k` edges whatever the input. Short headlines over a small
/// vocabulary (sports results, tickers) otherwise link every article to thousands of others, and
/// linkage then needs gigabytes. Ties are broken by the other article's index (the smaller first),
/// so identical copies are bounded too and the result does not depend on the order of the edges.
///
/// Pruning is exact when done in steps: an edge dropped from a part of the graph is outside the
/// k strongest of both its ends there, so it is outside them in the whole graph too, and an
/// article's k strongest edges are never dropped. So the search prunes as edges accumulate, and
/// the result equals pruning the whole graph once.
///
/// - Complexity: O(E log k) time; scratch of `n` counters and `k` 8-byte keys per article with
///   more than `k` edges.
public struct NeighborLimit: Sendable {
    public var k: Int

    public init(k: Int) {
        precondition(k >= 1)
        self.k = k
    }

    /// The edge count above which ``prune(_:nodes:)`` is worth calling while edges accumulate.
    public func pruneThreshold(nodes: Int) -> Int { max(1 << 20, 2 * nodes * k) }

    /// An edge's rank at one of its ends: by weight (positive floats order as their bits), then
    /// by the other end, smaller first. Larger is stronger; never 0.
    @inline(__always) static func key(_ weight: Float, other: Int32) -> UInt64 {
        UInt64(max(weight, .leastNonzeroMagnitude).bitPattern) << 32 | UInt64(~UInt32(bitPattern: other))
    }

    /// Removes from `edges` every edge that is not among the `k` strongest of either end.
    /// The order of the edges kept is unchanged.
    public func prune(_ edges: inout [SimilarityEdge], nodes: Int) {
        guard edges.count > k else { return }
        // Only nodes with more than k edges can drop any: a heap slot for each of those.
        var degree = [Int32](repeating: 0, count: nodes)
        for e in edges { degree[Int(e.a)] += 1; degree[Int(e.b)] += 1 }
        var slot = [Int32](repeating: -1, count: nodes)
        var hubs = 0
        for v in 0..<nodes where degree[v] > Int32(k) { slot[v] = Int32(hubs); hubs += 1 }
        guard hubs > 0 else { return }
        // A min-heap of the k largest keys per hub, in one flat array.
        var heaps = [UInt64](repeating: 0, count: hubs * k)
        var filled = [Int32](repeating: 0, count: hubs)
        heaps.withUnsafeMutableBufferPointer { heaps in
            func offer(_ hub: Int, _ key: UInt64) {
                let base = heaps.baseAddress! + hub * k
                let c = Int(filled[hub])
                if c < k {
                    var i = c
                    base[i] = key
                    while i > 0 {
                        let p = (i - 1) / 2
                        guard base[i] < base[p] else { break }
                        base.swapAt(i, p)
                        i = p
                    }
                    filled[hub] += 1
                } else if key > base[0] {
                    base[0] = key
                    var i = 0
                    while true {
                        let l = 2 * i + 1, r = l + 1
                        var m = i
                        if l < k && base[l] < base[m] { m = l }
                        if r < k && base[r] < base[m] { m = r }
                        if m == i { break }
                        base.swapAt(i, m)
                        i = m
                    }
                }
            }
            for e in edges {
                let sa = slot[Int(e.a)], sb = slot[Int(e.b)]
                if sa >= 0 { offer(Int(sa), Self.key(e.weight, other: e.b)) }
                if sb >= 0 { offer(Int(sb), Self.key(e.weight, other: e.a)) }
            }
        }
        // An edge goes when both its ends are hubs and it is below the k-th key of each.
        edges.removeAll { e in
            let sa = slot[Int(e.a)], sb = slot[Int(e.b)]
            return sa >= 0 && sb >= 0
                && Self.key(e.weight, other: e.b) < heaps[Int(sa) * k] && Self.key(e.weight, other: e.a) < heaps[Int(sb) * k]
        }
    }
}

extension UnsafeMutablePointer {
    @inline(__always) fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
