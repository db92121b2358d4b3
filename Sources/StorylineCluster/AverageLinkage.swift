import Foundation
import Synchronization
import StorylineCore
import StorylineSimilarity

/// Average-linkage agglomerative clustering over a sparse similarity graph, every edge kept.
///
/// The similarity of two clusters is the mean over all their cross pairs, a pair absent from
/// the graph counting 0: `sim(A, B) = Σ w(a, b) / (|A|·|B|)`. The most similar pair of clusters
/// is merged while that mean is at least `threshold`. Ties break by cluster ids (the smaller pair
/// first), so the result depends neither on the order of the edges nor on the thread count.
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
/// Memory (see ``LinkageGraph``): each edge is one slot of sums (8 bytes, 16 where some item is
/// undated) and one 8-byte entry in the sorted neighbour list of each of its ends, so at most 32
/// bytes an edge, falling as clusters merge; no heap entry per edge: each cluster caches its best
/// partner, and a heap holds the clusters (one entry each). The merges are those of the greedy
/// algorithm that pops the best pair of a heap of all pairs, in the same order.
///
/// - Complexity: a merge costs the two neighbour lists merged, a binary search and a shift in the
///   list of each neighbour the absorbed cluster had, and a rescan of the lists of the neighbours
///   whose best partner was one of the two.
public struct AverageLinkage: Sendable {
    public var threshold: Double
    /// Whether two fixed groups may merge (stories brought together by new articles).
    public var mergeFixed: Bool

    public init(threshold: Double, mergeFixed: Bool = false) {
        self.threshold = threshold
        self.mergeFixed = mergeFixed
    }

    /// What a linkage held when its graph was built: the bytes that grow with the edges (list
    /// entries and slots of sums) and those that grow with the items (per-cluster state).
    public struct Memory: Sendable {
        public var edgeBytes = 0
        public var itemBytes = 0
        public var edges = 0
        public var bytes: Int { edgeBytes + itemBytes }
        /// The bytes that grow with the edges, per edge: at most 32 (24 where every item is dated).
        public var bytesPerEdge: Double { edges > 0 ? Double(edgeBytes) / Double(edges) : 0 }
        public init(edgeBytes: Int = 0, itemBytes: Int = 0, edges: Int = 0) {
            self.edgeBytes = edgeBytes
            self.itemBytes = itemBytes
            self.edges = edges
        }
    }

    /// - Parameters:
    ///   - count: number of items.
    ///   - edges: weighted pairs (a pair given twice counts twice; a pair of an item with itself is ignored).
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
    /// on any thread, with the merges (and their order) of the linkage over the whole graph.
    public func cluster(count: Int, edges: [SimilarityEdge], groups: [Int]? = nil, fixed: Set<Int> = [],
                        outside: [Int: Int] = [:], dated: [Bool]? = nil,
                        threads: Int = Parallel.cores) -> [Int] {
        var memory = Memory()
        return cluster(count: count, edges: edges, groups: groups, fixed: fixed, outside: outside, dated: dated, order: nil,
                       threads: threads, memory: &memory)
    }

    /// ``cluster(count:edges:groups:fixed:outside:dated:threads:)``, telling what its graph held.
    ///
    /// - Parameter order: each item's place in the order ties break by (a permutation of
    ///   `0..<count`; nil: the items' own order). Labels are then, for each cluster, the item
    ///   that comes first in that order. With an order that does not depend on how the items were
    ///   numbered, the clusters do not either.
    public func cluster(count: Int, edges: [SimilarityEdge], groups: [Int]? = nil, fixed: Set<Int> = [],
                        outside: [Int: Int] = [:], dated: [Bool]? = nil, order: [Int32]? = nil,
                        threads: Int = Parallel.cores, memory: inout Memory) -> [Int] {
        guard count > 0 else { return [] }
        guard let order else {
            return link(count: count, edges: edges, position: nil, groups: groups, fixed: fixed, outside: outside, dated: dated,
                        threads: threads, memory: &memory)
        }
        precondition(order.count == count)
        var item = [Int](repeating: 0, count: count)
        for i in 0..<count { item[Int(order[i])] = i }
        let ranked = link(count: count, edges: edges, position: order, groups: groups.map { g in item.map { g[$0] } }, fixed: fixed,
                          outside: outside, dated: dated.map { d in item.map { d[$0] } }, threads: threads, memory: &memory)
        return (0..<count).map { item[ranked[Int(order[$0])]] }
    }

    /// The linkage with every item at its place in the order (`position`: an edge's ends moved there).
    private func link(count: Int, edges: [SimilarityEdge], position: [Int32]?, groups: [Int]?, fixed: Set<Int>,
                      outside: [Int: Int], dated: [Bool]?, threads: Int, memory: inout Memory) -> [Int] {
        let graph = LinkageGraph(count: count, edges: edges, position: position, dated: dated, threads: threads)
        memory = Memory(edgeBytes: graph.edgeBytes, itemBytes: graph.itemBytes, edges: edges.count)
        // Initial clusters: each group's members under its smallest item.
        let state = ClusterState(count: count, dated: dated)
        var groupRoot: [Int: Int] = [:]
        if let groups {
            for i in 0..<count {
                if let r = groupRoot[groups[i]] {
                    graph.merge(keep: r, gone: i, state: state)
                } else {
                    groupRoot[groups[i]] = i
                }
            }
            for (g, r) in groupRoot {
                if fixed.contains(g) { state.isFixed[r] = true }
                let extra = outside[g] ?? 0
                state.size[r] += extra
                state.datedSize[r] += extra
            }
        }
        // Components over the (grouped) graph: a union-find of the roots along their lists.
        var parent = Array(0..<count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for r in 0..<count where state.parent[r] == Int32(r) {
            for k in 0..<Int(graph.lengths[r]) {
                let a = find(r), b = find(Int(graph.lists[r]![k] >> 32))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [Int: [Int32]] = [:]
        for r in 0..<count where state.parent[r] == Int32(r) && graph.lengths[r] > 0 { members[find(r), default: []].append(Int32(r)) }
        // Largest components first, so the threads finish together.
        let order = members.keys.sorted { members[$0]!.count != members[$1]!.count ? members[$0]!.count > members[$1]!.count : $0 < $1 }
            .map { members[$0]! }
        let next = Atomic<Int>(0)
        Parallel.perform(max(1, min(threads, order.count))) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < order.count else { return }
                link(order[k], graph: graph, state: state)
            }
        }
        // A merged cluster points at a smaller one: labels in one pass up.
        var labels = [Int](repeating: 0, count: count)
        for i in 0..<count { labels[i] = Int(state.parent[i]) == i ? i : labels[Int(state.parent[i])] }
        return labels
    }

    /// Greedy merging inside one component (`roots`: its clusters, in increasing order).
    private func link(_ roots: [Int32], graph: LinkageGraph, state: ClusterState) {
        var heap = ClusterHeap(state: state)
        for r in roots {
            rescan(Int(r), graph: graph, state: state)
            heap.update(Int(r))
        }
        while let u = heap.top {
            let v = Int(state.best[u])
            let (keep, gone) = u < v ? (u, v) : (v, u)
            graph.merge(keep: keep, gone: gone, state: state)
            heap.remove(gone)
            // keep's key changes while its list is read: out of the heap until then.
            heap.remove(keep)
            // Every cluster next to keep now: its score with keep changed (or its partner went).
            let list = graph.lists[keep]
            state.best[keep] = -1
            state.second[keep] = -1
            for k in 0..<Int(graph.lengths[keep]) {
                let c = Int(list![k] >> 32)
                let score = self.score(Int(list![k] & 0xFFFF_FFFF), keep, c, graph: graph, state: state)
                if let score { state.offer(score, c, to: keep) }   // keep's own best and second, from this one scan
                let (best, bestScore) = (state.best[c], state.bestScore[c])
                update(c, score: score, keep: keep, gone: gone, graph: graph, state: state)
                // Its place in the heap moves only with its key (the partner's id is part of it).
                if state.best[c] != best || state.bestScore[c] != bestScore { heap.update(c) }
            }
            heap.update(keep)
        }
    }

    /// Brings `c`'s best and second partners up to date after `gone` merged into `keep` (`score`:
    /// the pair of c and the merged cluster). Exact without reading c's list, except where the
    /// best partner went and the second is unknown: then c's list is read again.
    @inline(__always)
    private func update(_ c: Int, score: Double?, keep: Int, gone: Int, graph: LinkageGraph, state: ClusterState) {
        let best = Int(state.best[c]), second = Int(state.second[c])
        if best == keep || best == gone {
            if second >= 0 && second != keep && second != gone {
                // The new pair against the second: every other pair is below the second.
                if let score, ClusterState.pairBefore(score, c, keep, state.secondScore[c], c, second) {
                    state.best[c] = Int32(keep); state.bestScore[c] = score
                } else {
                    state.best[c] = Int32(second); state.bestScore[c] = state.secondScore[c]
                    state.second[c] = ClusterState.unknown
                }
            } else if second == -1 {
                // No other pair may merge: the new pair or none.
                state.best[c] = score == nil ? -1 : Int32(keep)
                if let score { state.bestScore[c] = score }
            } else {
                rescan(c, graph: graph, state: state)
            }
        } else if let score, best < 0 || ClusterState.pairBefore(score, c, keep, state.bestScore[c], c, best) {
            state.second[c] = Int32(best); state.secondScore[c] = state.bestScore[c]
            state.best[c] = Int32(keep); state.bestScore[c] = score
        } else if second == keep || second == gone {
            // The second went: the new pair is second only if it is at least the old second.
            if let score, ClusterState.pairBefore(score, c, keep, state.secondScore[c], c, second, orEqual: true) {
                state.second[c] = Int32(keep); state.secondScore[c] = score
            } else {
                state.second[c] = ClusterState.unknown
            }
        } else if let score, second == -1 || (second >= 0 && ClusterState.pairBefore(score, c, keep, state.secondScore[c], c, second)) {
            state.second[c] = Int32(keep); state.secondScore[c] = score
        }
    }

    /// Sets `x`'s best and second partners from its whole list.
    private func rescan(_ x: Int, graph: LinkageGraph, state: ClusterState) {
        state.best[x] = -1
        state.second[x] = -1
        guard let list = graph.lists[x] else { return }
        for k in 0..<Int(graph.lengths[x]) {
            let c = Int(list[k] >> 32)
            if let score = score(Int(list[k] & 0xFFFF_FFFF), x, c, graph: graph, state: state) { state.offer(score, c, to: x) }
        }
    }

    @inline(__always)
    private func score(_ slot: Int, _ a: Int, _ b: Int, graph: LinkageGraph, state: ClusterState) -> Double? {
        mergeScore(all: graph.all[slot], dated: graph.datedSums?[slot] ?? graph.all[slot],
                   state.size[a], state.size[b], state.datedSize[a], state.datedSize[b], state.isFixed[a] && state.isFixed[b])
    }

    /// The mean similarity of two clusters (sizes `na`, `nb`, of which `da`, `db` dated) when they
    /// may merge, else nil.
    @inline(__always)
    func mergeScore(all: Double, dated: Double, _ na: Int, _ nb: Int, _ da: Int, _ db: Int, _ bothFixed: Bool) -> Double? {
        let avg = all / Double(na * nb)
        guard avg >= threshold, mergeFixed || !bothFixed else { return nil }
        if da > 0, db > 0, da < na || db < nb {
            guard dated / Double(da * db) >= threshold else { return nil }
        }
        return avg
    }
}

/// Per-item cluster state, shared by the threads (each component touches only its own items).
final class ClusterState: @unchecked Sendable {
    /// The cluster an item was merged into (itself while it is a cluster).
    let parent: UnsafeMutablePointer<Int32>
    let size: UnsafeMutablePointer<Int>
    let datedSize: UnsafeMutablePointer<Int>
    let isFixed: UnsafeMutablePointer<Bool>
    /// Each cluster's best partner (-1: none may merge) and the score of that pair.
    let best: UnsafeMutablePointer<Int32>
    let bestScore: UnsafeMutablePointer<Double>
    /// Each cluster's second-best partner (-1: none, ``unknown``: not known since the best went),
    /// so that when its best partner merges, its new best is known without reading its list.
    let second: UnsafeMutablePointer<Int32>
    let secondScore: UnsafeMutablePointer<Double>
    static let unknown: Int32 = -2
    /// Position in its component's heap (-1: not in it).
    let heapPosition: UnsafeMutablePointer<Int32>
    let count: Int

    init(count: Int, dated: [Bool]?) {
        self.count = count
        parent = .allocate(capacity: count)
        size = .allocate(capacity: count)
        datedSize = .allocate(capacity: count)
        isFixed = .allocate(capacity: count)
        best = .allocate(capacity: count)
        bestScore = .allocate(capacity: count)
        second = .allocate(capacity: count)
        secondScore = .allocate(capacity: count)
        heapPosition = .allocate(capacity: count)
        for i in 0..<count {
            parent[i] = Int32(i)
            size[i] = 1
            datedSize[i] = dated.map { $0[i] ? 1 : 0 } ?? 1
            isFixed[i] = false
            best[i] = -1
            bestScore[i] = 0
            second[i] = -1
            secondScore[i] = 0
            heapPosition[i] = -1
        }
    }

    deinit {
        parent.deallocate(); size.deallocate(); datedSize.deallocate(); isFixed.deallocate()
        best.deallocate(); bestScore.deallocate(); second.deallocate(); secondScore.deallocate(); heapPosition.deallocate()
    }

    /// The state above, a heap slot, and the components' union-find and member lists.
    static let bytesPerItem = 4 + 8 + 8 + 1 + 4 + 8 + 4 + 8 + 4 + 4 + 8 + 4

    /// Takes the pair (x, c) into x's best and second partners (read from x's whole list, a pair at a time).
    @inline(__always)
    func offer(_ score: Double, _ c: Int, to x: Int) {
        let b = Int(best[x])
        if b < 0 || Self.pairBefore(score, x, c, bestScore[x], x, b) {
            second[x] = best[x]; secondScore[x] = bestScore[x]
            best[x] = Int32(c); bestScore[x] = score
        } else {
            let s = Int(second[x])
            if s < 0 || Self.pairBefore(score, x, c, secondScore[x], x, s) { second[x] = Int32(c); secondScore[x] = score }
        }
    }

    /// Whether pair (a1, b1) with score s1 comes before pair (a2, b2) with score s2.
    @inline(__always)
    static func pairBefore(_ s1: Double, _ a1: Int, _ b1: Int, _ s2: Double, _ a2: Int, _ b2: Int, orEqual: Bool = false) -> Bool {
        if s1 != s2 { return s1 > s2 }
        let (l1, h1) = a1 < b1 ? (a1, b1) : (b1, a1)
        let (l2, h2) = a2 < b2 ? (a2, b2) : (b2, a2)
        if l1 != l2 { return l1 < l2 }
        if h1 != h2 { return h1 < h2 }
        return orEqual
    }
}

/// A component's clusters that have a partner, best pair on top; one entry per cluster.
struct ClusterHeap {
    let state: ClusterState
    private var items: [Int32] = []

    init(state: ClusterState) { self.state = state }

    var top: Int? { items.first.map(Int.init) }

    @inline(__always)
    private func before(_ x: Int32, _ y: Int32) -> Bool {
        let x = Int(x), y = Int(y)
        return ClusterState.pairBefore(state.bestScore[x], x, Int(state.best[x]), state.bestScore[y], y, Int(state.best[y]))
    }

    /// Puts `x` where its best pair now belongs (in, out or moved).
    mutating func update(_ x: Int) {
        let p = Int(state.heapPosition[x])
        if state.best[x] < 0 {
            if p >= 0 { remove(x) }
            return
        }
        if p < 0 {
            items.append(Int32(x))
            state.heapPosition[x] = Int32(items.count - 1)
            up(items.count - 1)
        } else {
            up(p)
            down(Int(state.heapPosition[x]))
        }
    }

    mutating func remove(_ x: Int) {
        let p = Int(state.heapPosition[x])
        guard p >= 0 else { return }
        state.heapPosition[x] = -1
        let last = items.removeLast()
        guard p < items.count else { return }
        items[p] = last
        state.heapPosition[Int(last)] = Int32(p)
        up(p)
        down(Int(state.heapPosition[Int(last)]))
    }

    private mutating func up(_ i: Int) {
        var i = i
        let x = items[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(x, items[parent]) else { break }
            items[i] = items[parent]
            state.heapPosition[Int(items[i])] = Int32(i)
            i = parent
        }
        items[i] = x
        state.heapPosition[Int(x)] = Int32(i)
    }

    private mutating func down(_ i: Int) {
        var i = i
        let x = items[i]
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = -1
            if l < items.count { m = l }
            if r < items.count && before(items[r], items[l]) { m = r }
            guard m >= 0, before(items[m], x) else { break }
            items[i] = items[m]
            state.heapPosition[Int(items[i])] = Int32(i)
            i = m
        }
        items[i] = x
        state.heapPosition[Int(x)] = Int32(i)
    }
}

/// The graph between clusters: one slot of sums per pair of clusters with an edge (the sum of
/// their cross edges' weights, and where some item is undated the sum over dated cross pairs
/// alone), and for each cluster the list of its neighbours, sorted by id, each entry
/// `neighbour << 32 | slot` (8 bytes). When two clusters merge, their lists merge and the pair
/// keeps one of the two slots, so no memory is ever added.
final class LinkageGraph: @unchecked Sendable {
    let count: Int
    let lists: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    let lengths: UnsafeMutablePointer<Int32>
    let all: UnsafeMutablePointer<Double>
    let datedSums: UnsafeMutablePointer<Double>?
    /// What the graph held when built.
    private(set) var edgeBytes = 0
    private(set) var itemBytes = 0

    /// - Parameter position: where each edge's ends go (nil: their own indices); `dated` is by place.
    init(count: Int, edges: [SimilarityEdge], position: [Int32]?, dated: [Bool]?, threads: Int) {
        precondition(edges.count < Int(UInt32.max), "more than 4 billion edges")
        self.count = count
        lists = .allocate(capacity: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        all = .allocate(capacity: max(1, edges.count))
        let anyUndated = dated.map { $0.contains(false) } ?? false
        datedSums = anyUndated ? .allocate(capacity: max(1, edges.count)) : nil
        @inline(__always) func place(_ i: Int32) -> Int { position.map { Int($0[Int(i)]) } ?? Int(i) }
        for e in edges where e.a != e.b { lengths[place(e.a)] += 1; lengths[place(e.b)] += 1 }
        var entries = 0
        for i in 0..<count {
            let n = Int(lengths[i])
            lists[i] = n > 0 ? .allocate(capacity: n) : nil
            entries += n
            lengths[i] = 0
        }
        edgeBytes = entries * 8 + edges.count * (anyUndated ? 16 : 8)
        itemBytes = count * (8 + 4 + ClusterState.bytesPerItem)
        for (k, e) in edges.enumerated() where e.a != e.b {
            let a = place(e.a), b = place(e.b)
            all[k] = Double(e.weight)
            if let datedSums, let dated { datedSums[k] = dated[a] && dated[b] ? Double(e.weight) : 0 }
            lists[a]![Int(lengths[a])] = UInt64(b) << 32 | UInt64(k)
            lengths[a] += 1
            lists[b]![Int(lengths[b])] = UInt64(a) << 32 | UInt64(k)
            lengths[b] += 1
        }
        // Sorted by neighbour (then slot); a pair given twice keeps its first slot, holding both
        // weights (added on the side of the pair's smaller item, so once).
        let lists = self.lists, lengths = self.lengths, all = self.all, datedSums = self.datedSums
        Parallel.strided(count, workers: threads) { _, i in
            let n = Int(lengths[i])
            guard n > 1, let list = lists[i] else { return }
            var buffer = UnsafeMutableBufferPointer(start: list, count: n)
            buffer.sort()
            var w = 0
            for r in 0..<n {
                if w > 0, list[w - 1] >> 32 == list[r] >> 32 {
                    if i < Int(list[r] >> 32) {
                        let keep = Int(list[w - 1] & 0xFFFF_FFFF), drop = Int(list[r] & 0xFFFF_FFFF)
                        all[keep] += all[drop]
                        if let datedSums { datedSums[keep] += datedSums[drop] }
                    }
                    continue
                }
                list[w] = list[r]
                w += 1
            }
            lengths[i] = Int32(w)
        }
    }

    deinit {
        for i in 0..<count { lists[i]?.deallocate() }
        lists.deallocate()
        lengths.deallocate()
        all.deallocate()
        datedSums?.deallocate()
    }

    /// Merges cluster `gone` into `keep` (`keep < gone`, both clusters): their lists merge, the
    /// pair they formed goes, a neighbour of both keeps keep's slot with gone's sums added, a
    /// neighbour of gone alone keeps gone's slot under keep's id (moved in its own list).
    func merge(keep: Int, gone: Int, state: ClusterState) {
        precondition(keep < gone)
        let la = Int(lengths[keep]), lb = Int(lengths[gone])
        let a = lists[keep], b = lists[gone]
        let out: UnsafeMutablePointer<UInt64>? = la + lb > 0 ? .allocate(capacity: la + lb) : nil
        var i = 0, j = 0, n = 0
        while i < la || j < lb {
            let na = i < la ? Int(a![i] >> 32) : Int.max
            let nb = j < lb ? Int(b![j] >> 32) : Int.max
            if na == gone { i += 1; continue }
            if nb == keep { j += 1; continue }
            if na < nb {
                out![n] = a![i]; n += 1; i += 1
            } else if nb < na {
                out![n] = UInt64(nb) << 32 | (b![j] & 0xFFFF_FFFF); n += 1
                relabel(nb, from: gone, to: keep)
                j += 1
            } else {
                let sk = Int(a![i] & 0xFFFF_FFFF), sg = Int(b![j] & 0xFFFF_FFFF)
                all[sk] += all[sg]
                if let datedSums { datedSums[sk] += datedSums[sg] }
                out![n] = a![i]; n += 1
                drop(gone, from: na)
                i += 1; j += 1
            }
        }
        a?.deallocate()
        b?.deallocate()
        if n == 0 {
            out?.deallocate()
            lists[keep] = nil
        } else {
            lists[keep] = out
        }
        lengths[keep] = Int32(n)
        lists[gone] = nil
        lengths[gone] = 0
        state.parent[gone] = Int32(keep)
        state.size[keep] += state.size[gone]
        state.datedSize[keep] += state.datedSize[gone]
        state.isFixed[keep] = state.isFixed[keep] || state.isFixed[gone]
        state.best[gone] = -1
    }

    /// The position of neighbour `x` in `c`'s list (or where it would go).
    @inline(__always)
    private func position(of x: Int, in c: Int) -> Int {
        let list = lists[c]!
        var lo = 0, hi = Int(lengths[c])
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(list[mid] >> 32) < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// In `c`'s list, the entry of `from` becomes one of `to` (`to < from`, `to` not in the list).
    private func relabel(_ c: Int, from: Int, to: Int) {
        let list = lists[c]!
        let p = position(of: from, in: c)
        let q = position(of: to, in: c)
        let slot = list[p] & 0xFFFF_FFFF
        if q < p { (list + q + 1).update(from: list + q, count: p - q) }
        list[q] = UInt64(to) << 32 | slot
    }

    /// Removes `x` from `c`'s list.
    private func drop(_ x: Int, from c: Int) {
        let list = lists[c]!
        let p = position(of: x, in: c)
        let n = Int(lengths[c])
        if p + 1 < n { (list + p).update(from: list + p + 1, count: n - p - 1) }
        lengths[c] = Int32(n - 1)
    }
}
