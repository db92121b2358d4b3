import HeapModule
import StorylineSimilarity

/// The linkage as it was before issue 28 (each cluster's neighbours in a dictionary, a heap entry
/// per pair): ~170 bytes an edge, but short and plainly the greedy algorithm, so it is the
/// reference the compact ``AverageLinkage`` must agree with, merge for merge.
struct ReferenceLinkage {
    var threshold: Double
    var mergeFixed: Bool

    /// runs on each component.
    func linkWhole(count: Int, edges: [SimilarityEdge], groups: [Int]? = nil, fixed: Set<Int> = [],
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
