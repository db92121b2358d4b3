import StorylineCore
import StorylineVectors

/// The search's last step, one row at a time: which pairs of a row's sketch scores are candidates,
/// and which candidates are edges by their exact sparse cosine.
///
/// A pair's bar is `threshold / (boost · decay(Δt))`: the short-text boost of the shorter article
/// lowers it, days apart raise it (an undated end, `time.undatedFactor`). A pair is a candidate when its
/// sketch score is within `margin` of its bar (and, with a second sketch, when the mean of both
/// scores is within `refineMargin`); its edge weight is `min(1, cosine · boost · decay)`, kept when
/// it reaches the threshold. Scores are scanned 16 at a time against the cheapest bar, the one no
/// decay can lower: most rows have no candidate at all.
final class CandidateVerifier {
    let profile: Profile
    let plan: BlockPlan
    let threshold: Float
    let margin: Float
    /// The second sketch's margin and the kernel that scores it, when the search refines.
    let refine: (margin: Float, kernel: Int8Kernel)?
    let skip: ((Int, Int) -> Bool)?
    /// `threshold / boost` per sorted position: a pair's cheapest bar is the smaller of its two.
    let reach: UnsafeMutableBufferPointer<Float>
    /// The short-text boost per sorted position.
    let boost: UnsafeMutableBufferPointer<Float>

    /// One worker's state: a dense accumulator for scattering a row, and its findings.
    final class Worker {
        var accumulator: [Float]
        var edges: [SimilarityEdge] = []
        var candidates = 0
        init(features: Int) { accumulator = [Float](repeating: 0, count: features) }
    }

    /// A block pair being verified: its span, its scores (row-major, `span.columns.count` wide)
    /// and the two blocks' sketches.
    struct BlockPair {
        let a: Int, b: Int
        let span: (rows: Range<Int>, columns: Range<Int>)
        let scores: UnsafePointer<Float>
        let sa: SketchBlock, sb: SketchBlock
        let undated: Bool
    }

    init(profile: Profile, plan: BlockPlan, rows: SparseRows, margin: Float, refine: (margin: Float, kernel: Int8Kernel)?,
         skip: ((Int, Int) -> Bool)?) {
        self.profile = profile
        self.plan = plan
        threshold = Float(profile.similarity.threshold)
        self.margin = margin
        self.refine = refine
        self.skip = skip
        let count = plan.count
        boost = .allocate(capacity: max(1, count))
        reach = .allocate(capacity: max(1, count))
        for p in 0..<count {
            let row = plan.order[p]
            boost[p] = Float(profile.shortTextBoost(terms: rows.offsets[row + 1] - rows.offsets[row]))
            reach[p] = threshold / boost[p]
        }
    }

    deinit {
        reach.deallocate()
        boost.deallocate()
    }

    /// Verifies the candidates of sorted position `i` (a row of `pair`'s span) against its partners
    /// among the span's columns, appending edges to `worker`.
    @inline(__always)
    func verify(row i: Int, of pair: BlockPair, rows: UnsafeSparseRows, worker: Worker) {
        let columns = pair.span.columns
        let jStart = pair.a == pair.b ? i + 1 : columns.lowerBound
        if jStart >= columns.upperBound { return }
        // This row's partners end where its window does (times are sorted).
        let end = plan.windowEnd(of: i, in: jStart..<columns.upperBound, undated: pair.undated)
        let scores = pair.scores + (i - pair.span.rows.lowerBound) * columns.count - columns.lowerBound
        let a = plan.order[i]
        let reach = self.reach.baseAddress!, boost = self.boost.baseAddress!, t = plan.day.baseAddress!
        let reachI = SIMD16<Float>(repeating: reach[i]), margins = SIMD16<Float>(repeating: margin)
        let reachBase = UnsafeRawPointer(reach)
        var scattered = false
        worker.accumulator.withUnsafeMutableBufferPointer { acc in
            var j = jStart
            while j < end {
                if j + 16 <= end {
                    let chunk = UnsafeRawPointer(scores + j).loadUnaligned(as: SIMD16<Float>.self)
                    let reachJ = reachBase.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                    if !any(chunk .>= reachI.replacing(with: reachJ, where: reachJ .< reachI) - margins) { j += 16; continue }
                }
                let chunkEnd = min(j + 16, end)
                defer { j = chunkEnd }
                for j in j..<chunkEnd {
                    let s = scores[j]
                    // Cheapest cut first: no decay can lower the bar below this.
                    if s < min(reach[i], reach[j]) - margin { continue }
                    // The decay over the days apart, or the factor of the undated ends.
                    let factor = max(boost[i], boost[j]) * Float(profile.timeFactor(t[i], t[j]))
                    if s < threshold / factor - margin { continue }
                    if let refine {
                        let s2 = pair.sa.secondScore(i - plan.blocks[pair.a].lowerBound, pair.sb, j - plan.blocks[pair.b].lowerBound,
                                                     kernel: refine.kernel)
                        if (s + s2) / 2 < threshold / factor - refine.margin { continue }
                    }
                    let b = plan.order[j]
                    if let skip, skip(a, b) { continue }
                    worker.candidates += 1
                    if !scattered {
                        for k in rows.offsets[a]..<rows.offsets[a + 1] { acc[Int(rows.indices[k])] = rows.values[k] }
                        scattered = true
                    }
                    let dot = Self.gatherDot(acc.baseAddress!, rows.indices, rows.values, from: rows.offsets[b], to: rows.offsets[b + 1])
                    let weight = min(1, dot * factor)
                    if weight >= threshold {
                        worker.edges.append(SimilarityEdge(a: Int32(min(a, b)), b: Int32(max(a, b)), weight: weight))
                    }
                }
            }
            if scattered {
                for k in rows.offsets[a]..<rows.offsets[a + 1] { acc[Int(rows.indices[k])] = 0 }
            }
        }
    }

    /// `Σ acc[indices[k]] · values[k]` for k in `from..<to`: the exact sparse dot of a row against a
    /// scattered one. Four partial sums, so the adds do not wait on each other (one running sum made
    /// verification latency-bound: ~4 cycles per term); the same order for every pair and thread.
    @inline(__always)
    static func gatherDot(_ acc: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>, _ values: UnsafePointer<Float>,
                          from: Int, to: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var k = from
        while k + 4 <= to {
            s0 += acc[Int(indices[k])] * values[k]
            s1 += acc[Int(indices[k + 1])] * values[k + 1]
            s2 += acc[Int(indices[k + 2])] * values[k + 2]
            s3 += acc[Int(indices[k + 3])] * values[k + 3]
            k += 4
        }
        while k < to { s0 += acc[Int(indices[k])] * values[k]; k += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
