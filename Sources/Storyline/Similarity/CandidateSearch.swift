import Foundation

/// An edge of the similarity graph: two articles (indices into the input) and their
/// time-decayed exact cosine.
public struct SimilarityEdge: Sendable, Equatable {
    public var a: Int32
    public var b: Int32
    public var weight: Float
}

/// All pairs of articles whose time-decayed cosine reaches the threshold, at matrix-multiply speed.
///
/// Articles are sorted by time and cut into blocks; a block is compared, by one sgemm of dense
/// sketches, with itself and the following blocks its time window reaches. A pair whose sketch
/// score is above `threshold / decay(Δt) − margin` is verified with the exact sparse cosine, so
/// every reported weight is exact; a pair the sketch underestimates by more than the margin is missed
/// (measure that recall with ``bruteForce``). Articles without a date follow the profile's policy.
///
/// Memory: the sketches of the blocks one window spans plus one block × block score matrix.
public struct CandidateSearch {
    public var profile: Profile

    public init(profile: Profile) { self.profile = profile }

    /// Statistics of one search.
    public struct Stats: Sendable {
        public var pairsInWindow = 0
        public var candidates = 0
        public var edges = 0
        public var denseFlops = 0.0
        public var denseSeconds = 0.0
    }

    /// - Parameters:
    ///   - rows: unit-norm TF-IDF rows.
    ///   - days: each row's time in days (nil when undated).
    ///   - skip: pairs that need no edge (both in one fixed group), by row.
    public func edges(rows: SparseRows, days: [Double?], skip: ((Int, Int) -> Bool)? = nil) -> ([SimilarityEdge], Stats) {
        let n = rows.count
        precondition(days.count == n)
        let threshold = Float(profile.similarity.threshold)
        let margin = Float(profile.similarity.margin)
        let window = profile.windowDays
        let d = profile.similarity.sketchDimension
        let blockSize = profile.similarity.blockSize
        let sketcher = Sketcher(dimension: d, seed: profile.similarity.seed)

        var dated = (0..<n).filter { days[$0] != nil }
        dated.sort { (days[$0]!, $0) < (days[$1]!, $1) }
        let undated = (0..<n).filter { days[$0] == nil }
        let compareUndated = profile.similarity.undated == .compareAll
        // Sorted order: dated by time, then undated. Blocks never straddle the two.
        var order: [Int] = []
        var blocks: [Range<Int>] = []
        for group in [dated, compareUndated ? undated : []] where !group.isEmpty {
            let base = order.count
            order.append(contentsOf: group)
            var s = 0
            while s < group.count {
                blocks.append((base + s)..<(base + min(s + blockSize, group.count)))
                s += blockSize
            }
        }
        let t: [Double] = order.map { days[$0] ?? .nan }
        let isUndatedBlock = blocks.map { t[$0.lowerBound].isNaN }
        let termCount = (0..<n).map { rows.offsets[$0 + 1] - rows.offsets[$0] }

        var stats = Stats()
        var edges: [SimilarityEdge] = []
        var sketches: [Int: [Float]] = [:]
        func sketch(_ b: Int) -> [Float] {
            if let s = sketches[b] { return s }
            let range = blocks[b]
            var m = [Float](repeating: 0, count: range.count * d)
            m.withUnsafeMutableBufferPointer { p in
                for (r, k) in range.enumerated() { sketcher.sketch(rows, order[k], into: p.baseAddress! + r * d) }
            }
            sketches[b] = m
            return m
        }
        var scores = [Float](repeating: 0, count: blockSize * blockSize)
        var clock = Stopwatch()

        for bi in 0..<blocks.count {
            // Drop sketches of blocks no later block can reach.
            for key in sketches.keys where key < bi { sketches[key] = nil }
            let ri = blocks[bi]
            // The dated blocks the window reaches, then every undated block.
            let datedEnd = isUndatedBlock.firstIndex(of: true) ?? blocks.count
            var partners: [Int] = []
            if bi < datedEnd {
                for bj in bi..<datedEnd {
                    if t[blocks[bj].lowerBound] - t[ri.upperBound - 1] > window { break }
                    partners.append(bj)
                }
            }
            partners.append(contentsOf: max(bi, datedEnd)..<blocks.count)
            for bj in partners {
                let rj = blocks[bj]
                let undatedPair = isUndatedBlock[bi] || isUndatedBlock[bj]
                let si = sketch(bi), sj = sketch(bj)
                clock = Stopwatch()
                si.withUnsafeBufferPointer { a in
                    sj.withUnsafeBufferPointer { b in
                        scores.withUnsafeMutableBufferPointer { c in
                            BLAS.multiplyTransposed(a.baseAddress!, rows: ri.count, b.baseAddress!, rows: rj.count, width: d, into: c.baseAddress!)
                        }
                    }
                }
                stats.denseSeconds += clock.seconds
                stats.denseFlops += 2 * Double(ri.count) * Double(rj.count) * Double(d)
                for (x, i) in ri.enumerated() {
                    let jStart = bi == bj ? i + 1 : rj.lowerBound
                    if jStart >= rj.upperBound { continue }
                    let rowBase = x * rj.count - rj.lowerBound
                    for j in jStart..<rj.upperBound {
                        let s = scores[rowBase + j]
                        if s < threshold - margin { continue }
                        let a = order[i], b = order[j]
                        var factor = Float(profile.shortTextBoost(terms: min(termCount[a], termCount[b])))
                        if s * factor < threshold - margin * factor { continue }
                        if !undatedPair {
                            let gap = t[j] - t[i]
                            if gap > window { break }
                            factor *= Float(profile.decay(days: gap))
                            if s < threshold / factor - margin { continue }
                        }
                        if let skip, skip(a, b) { continue }
                        stats.candidates += 1
                        let w = min(1, rows.dot(a, b) * factor)
                        if w >= threshold {
                            edges.append(SimilarityEdge(a: Int32(min(a, b)), b: Int32(max(a, b)), weight: w))
                        }
                    }
                }
                if !undatedPair {
                    // In-window pairs, for statistics.
                    for i in ri {
                        let lo = bi == bj ? i + 1 : rj.lowerBound
                        var j = lo
                        while j < rj.upperBound && t[j] - t[i] <= window { j += 1 }
                        stats.pairsInWindow += j - lo
                    }
                } else {
                    stats.pairsInWindow += bi == bj ? ri.count * (ri.count - 1) / 2 : ri.count * rj.count
                }
            }
        }
        edges.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        stats.edges = edges.count
        return (edges, stats)
    }

    /// The same graph by exact cosine over every in-window pair: the reference for recall tests.
    /// - Complexity: O(n² · nnz).
    public func bruteForce(rows: SparseRows, days: [Double?]) -> [SimilarityEdge] {
        let threshold = Float(profile.similarity.threshold)
        let window = profile.windowDays
        let compareUndated = profile.similarity.undated == .compareAll
        var edges: [SimilarityEdge] = []
        for a in 0..<rows.count {
            for b in (a + 1)..<max(a + 1, rows.count) {
                var factor = Float(profile.shortTextBoost(terms: min(rows.offsets[a + 1] - rows.offsets[a], rows.offsets[b + 1] - rows.offsets[b])))
                if let ta = days[a], let tb = days[b] {
                    if abs(ta - tb) > window { continue }
                    factor *= Float(profile.decay(days: ta - tb))
                } else if !compareUndated {
                    continue
                }
                let w = min(1, rows.dot(a, b) * factor)
                if w >= threshold { edges.append(SimilarityEdge(a: Int32(a), b: Int32(b), weight: w)) }
            }
        }
        return edges
    }
}
