import Foundation
import HeapModule
import Synchronization
import StorylineCore
import StorylineSimilarity

/// Average-linkage agglomerative clustering over a sparse similarity graph.
///
/// The similarity of two clusters is the mean over all their cross pairs, a pair absent from
/// the graph counting 0: `sim(A, B) = Σ w(a, b) / (|A|·|B|)`. The most similar pair of clusters
/// is merged while that mean is at least `threshold`. Ties break by cluster ids, so the result
/// does not depend on hashing or thread count.
///
/// Clusters may start from groups (stories that already exist). Two groups marked fixed are
/// merged with each other only when `mergeFixed` is set.
///
/// Undated items (where `dated` says so) never bridge: two clusters that both hold dated items
/// merge only when the mean over their dated cross pairs alone also clears the threshold. So an
/// undated article joins at most one dated story, and two stories that dated evidence keeps
/// apart (events years apart told in the same words) stay apart. Without undated items the
/// condition is the plain one.
///
/// - Complexity: O(E log E) heap work for E edges, plus merging neighbor maps (smaller into larger).
public struct AverageLinkage {
    public var threshold: Double
    /// Whether two fixed groups may merge (stories brought together by new articles).
    public var mergeFixed: Bool

    public init(threshold: Double, mergeFixed: Bool = false) {
        self.threshold = threshold
        self.mergeFixed = mergeFixed
    }

    /// - Parameters:
    ///   - count: number of items.
    ///   - edges: weighted pairs (each pair once).
    ///   - groups: initial cluster of each item (items with equal values start together), or nil for singletons.
    ///   - fixed: for each initial group value, whether it is fixed.
    ///   - outside: for a group value, how many of its members are not among the items (they have
    ///     no edges here but count in the group's size, so averages stay those over the whole group;
    ///     they are dated: only dated articles fall outside a time window).
    ///   - dated: whether each item has a publication date (nil: all have).
    ///   - threads: components are linked on this many threads.
    /// - Returns: a cluster label per item; labels are the smallest item index of each cluster.
    ///
    /// Two clusters merge only when some edge joins them, so no cluster spans two connected
    /// components of the graph (with the groups as links): each component is linked on its own,
    /// with its own small arrays, on any thread. Within a component the merges are the same, in
    /// the same order, as over the whole graph at once (``linkWhole``, which the tests compare).
    public func cluster(count: Int, edges: [SimilarityEdge], groups: [Int]? = nil, fixed: Set<Int> = [],
                        outside: [Int: Int] = [:], dated: [Bool]? = nil,
                        threads: Int = Parallel.cores) -> [Int] {
        // Components: union-find over the edges and the groups.
        var parent = Array(0..<count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        func union(_ x: Int, _ y: Int) {
            let a = find(x), b = find(y)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        if let groups {
            var first: [Int: Int] = [:]
            for i in 0..<count {
                if let r = first[groups[i]] { union(r, i) } else { first[groups[i]] = i }
            }
        }
        for e in edges { union(Int(e.a), Int(e.b)) }
        // Number the components in order of their smallest item; list each one's items in order.
        var component = [Int32](repeating: -1, count: count)
        var componentCount = 0
        var local = [Int32](repeating: 0, count: count)
        var sizes: [Int32] = []
        for i in 0..<count {
            let r = find(i)
            if component[r] < 0 { component[r] = Int32(componentCount); componentCount += 1; sizes.append(0) }
            let c = Int(component[r])
            component[i] = Int32(c)
            local[i] = sizes[c]
            sizes[c] += 1
        }
        var itemStart = [Int](repeating: 0, count: componentCount + 1)
        for c in 0..<componentCount { itemStart[c + 1] = itemStart[c] + Int(sizes[c]) }
        var items = [Int32](repeating: 0, count: count)
        for i in 0..<count { items[itemStart[Int(component[i])] + Int(local[i])] = Int32(i) }
        // Each component's edges, under local numbers, in input order.
        var edgeStart = [Int](repeating: 0, count: componentCount + 1)
        for e in edges { edgeStart[Int(component[Int(e.a)]) + 1] += 1 }
        for c in 0..<componentCount { edgeStart[c + 1] += edgeStart[c] }
        var fill = edgeStart
        var localEdges = [SimilarityEdge](repeating: SimilarityEdge(a: 0, b: 0, weight: 0), count: edges.count)
        for e in edges {
            let c = Int(component[Int(e.a)])
            localEdges[fill[c]] = SimilarityEdge(a: local[Int(e.a)], b: local[Int(e.b)], weight: e.weight)
            fill[c] += 1
        }
        // Largest components first, so the threads finish together.
        let order = (0..<componentCount).filter { sizes[$0] > 1 }.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        var labels = Array(0..<count)
        labels.withUnsafeMutableBufferPointer { out in
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: max(1, min(threads, order.count))) { _ in
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < order.count else { return }
                    let c = order[k]
                    let members = items[itemStart[c]..<itemStart[c + 1]]
                    let componentLabels = linkWhole(count: members.count, edges: Array(localEdges[edgeStart[c]..<edgeStart[c + 1]]),
                                                    groups: groups.map { g in members.map { g[Int($0)] } }, fixed: fixed,
                                                    outside: outside, dated: dated.map { d in members.map { d[Int($0)] } })
                    // Local numbers keep the items' order, so the smallest local index is the smallest item.
                    for (j, item) in members.enumerated() { out[Int(item)] = Int(members[members.startIndex + componentLabels[j]]) }
                }
            }
        }
        return labels
    }

    /// The linkage over the whole graph at once: what ``cluster(count:edges:groups:fixed:outside:dated:threads:)``
    /// runs on each component.
    package func linkWhole(count: Int, edges: [SimilarityEdge], groups: [Int]? = nil, fixed: Set<Int> = [],
                           outside: [Int: Int] = [:], dated: [Bool]? = nil) -> [Int] {
        // Union-find over items; cluster state keyed by root item.
        var parent = Array(0..<count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var size = [Int](repeating: 1, count: count)
        // Dated members of each root (equal to `size` where nothing is undated).
        var datedSize = dated.map { $0.map { $0 ? 1 : 0 } } ?? size
        var isFixed = [Bool](repeating: false, count: count)
        if let groups {
            var first: [Int: Int] = [:]
            for i in 0..<count {
                if let r = first[groups[i]] {
                    parent[i] = r; size[r] += 1; size[i] = 0
                    datedSize[r] += datedSize[i]; datedSize[i] = 0
                } else { first[groups[i]] = i }
            }
            for (g, r) in first where fixed.contains(g) { isFixed[r] = true }
            for (g, r) in first { size[r] += outside[g] ?? 0; datedSize[r] += outside[g] ?? 0 }
        }
        // Neighbor sums between roots: over all cross pairs, and over dated cross pairs.
        var neighbors = [[Int: Sums]](repeating: [:], count: count)
        for e in edges {
            let a = find(Int(e.a)), b = find(Int(e.b))
            if a == b { continue }
            let w = Double(e.weight)
            let bothDated = dated.map { $0[Int(e.a)] && $0[Int(e.b)] } ?? true
            let add = Sums(all: w, dated: bothDated ? w : 0)
            neighbors[a][b, default: Sums()] += add
            neighbors[b][a, default: Sums()] += add
        }
        var version = [Int](repeating: 0, count: count)
        var heap = Heap<Candidate>()
        for a in 0..<count where parent[a] == a {
            for (b, sums) in neighbors[a] where a < b {
                if let avg = mergeScore(sums, size[a], size[b], datedSize[a], datedSize[b], isFixed[a] && isFixed[b]) {
                    heap.insert(Candidate(score: avg, a: a, b: b, va: version[a], vb: version[b]))
                }
            }
        }
        while let top = heap.popMax() {
            let a = top.a, b = top.b
            guard parent[a] == a, parent[b] == b, version[a] == top.va, version[b] == top.vb else { continue }
            // Merge the smaller neighbor map into the larger; the survivor is the smaller index.
            let (keep, gone) = a < b ? (a, b) : (b, a)
            var merged = neighbors[keep].count >= neighbors[gone].count ? neighbors[keep] : neighbors[gone]
            let other = neighbors[keep].count >= neighbors[gone].count ? neighbors[gone] : neighbors[keep]
            neighbors[keep] = [:]
            neighbors[gone] = [:]
            for (c, w) in other { merged[c, default: Sums()] += w }
            merged[keep] = nil
            merged[gone] = nil
            parent[gone] = keep
            size[keep] += size[gone]
            size[gone] = 0
            datedSize[keep] += datedSize[gone]
            datedSize[gone] = 0
            isFixed[keep] = isFixed[keep] || isFixed[gone]
            version[keep] += 1
            version[gone] += 1
            for (c, w) in merged {
                neighbors[c][gone] = nil
                neighbors[c][keep] = w
                if let avg = mergeScore(w, size[keep], size[c], datedSize[keep], datedSize[c], isFixed[keep] && isFixed[c]) {
                    let (x, y) = keep < c ? (keep, c) : (c, keep)
                    heap.insert(Candidate(score: avg, a: x, b: y, va: version[x], vb: version[y]))
                }
            }
            neighbors[keep] = merged
            // Entries of (c, keep) pushed before this merge carry keep's old version: stale.
        }
        return (0..<count).map { find($0) }
    }

    /// The mean similarity of two clusters (sizes `na`, `nb`, of which `da`, `db` dated) when they
    /// may merge, else nil.
    @inline(__always)
    func mergeScore(_ sums: Sums, _ na: Int, _ nb: Int, _ da: Int, _ db: Int, _ bothFixed: Bool) -> Double? {
        let avg = sums.all / Double(na * nb)
        guard avg >= threshold, mergeFixed || !bothFixed else { return nil }
        if da > 0, db > 0, da < na || db < nb {
            guard sums.dated / Double(da * db) >= threshold else { return nil }
        }
        return avg
    }

    /// Edge weight sums between two clusters: over all cross pairs, and over those of two dated items.
    struct Sums {
        var all = 0.0
        var dated = 0.0
        static func += (l: inout Sums, r: Sums) { l.all += r.all; l.dated += r.dated }
    }

    /// A candidate merge. The heap's largest is the best: the highest score, then the smallest
    /// ids (so ties break the same way whatever the order of the edges).
    struct Candidate: Comparable {
        var score: Double
        var a: Int
        var b: Int
        var va: Int
        var vb: Int

        @inline(__always)
        static func < (l: Candidate, r: Candidate) -> Bool {
            if l.score != r.score { return l.score < r.score }
            if l.a != r.a { return l.a > r.a }
            return l.b > r.b
        }

        static func == (l: Candidate, r: Candidate) -> Bool { l.score == r.score && l.a == r.a && l.b == r.b }
    }
}
