import StorylineCore
import StorylineVectors

/// The search's last step: which pairs of a block pair are candidates, and which candidates are
/// edges by their exact sparse cosine.
///
/// A pair's bar is `threshold / (boost · decay(Δt))`: the short-text boost of the shorter article
/// lowers it, days apart raise it (an undated end, `time.undatedFactor`). The dense kernel keeps
/// only the pairs whose sketch score clears a cheaper bar (``cut(for:)``: a lower bound of this one,
/// so nothing is lost there); here a pair is a candidate when its sketch score is within `margin`
/// of its bar (and, with a second sketch, when the mean of both scores is within `refineMargin`);
/// its edge weight is `min(1, cosine · boost · decay)`, kept when it reaches the threshold.
final class CandidateVerifier {
    let profile: Profile
    let plan: BlockPlan
    let threshold: Float
    let margin: Float
    /// The second sketch's margin and the kernel that scores it, when the search refines.
    let refine: (margin: Float, kernel: Int8Kernel)?
    let skip: ((Int, Int) -> Bool)?
    /// `threshold / boost` per sorted position (padded by a tile's columns for the kernel's cut): a
    /// pair's cheapest bar is the smaller of its two.
    let reach: UnsafeMutablePointer<Float>
    /// The short-text boost per sorted position.
    let boost: UnsafeMutablePointer<Float>
    /// The current block pair's row and column times for the cut, in days from its first row.
    private let rowTime: UnsafeMutablePointer<Float>, columnTime: UnsafeMutablePointer<Float>
    private let timeCapacity: Int

    /// One worker's state: a dense accumulator for scattering a row, the kernel's candidates of one
    /// call, and its findings.
    final class Worker {
        var accumulator: [Float]
        let found: UnsafeMutablePointer<KernelCandidate>
        var edges: [SimilarityEdge] = []
        var candidates = 0
        /// Seconds in the dense kernel, and the pairs its cut let through.
        var denseSeconds = 0.0
        var cutPassed = 0
        init(features: Int, foundCapacity: Int) {
            accumulator = [Float](repeating: 0, count: features)
            found = .allocate(capacity: max(1, foundCapacity))
        }
        deinit { found.deallocate() }
    }

    /// A block pair being verified: its span and the two blocks' sketches.
    struct BlockPair {
        let a: Int, b: Int
        let span: (rows: Range<Int>, columns: Range<Int>)
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
        let count = plan.count, pad = SketchBlock.tileColumns
        boost = .allocate(capacity: max(1, count))
        reach = .allocate(capacity: count + pad)
        reach.initialize(repeating: threshold, count: count + pad)
        for p in 0..<count {
            let row = plan.order[p]
            boost[p] = Float(profile.shortTextBoost(terms: rows.offsets[row + 1] - rows.offsets[row]))
            reach[p] = threshold / boost[p]
        }
        timeCapacity = (plan.blocks.map(\.count).max() ?? 0) + pad
        rowTime = .allocate(capacity: timeCapacity)
        columnTime = .allocate(capacity: timeCapacity)
        columnTime.initialize(repeating: 0, count: timeCapacity)
    }

    deinit {
        reach.deallocate()
        boost.deallocate()
        rowTime.deallocate()
        columnTime.deallocate()
    }

    /// The dense kernel's cut for `pair`: min(reach) · 1/undated factor · (1 + x + x²/2) − margin,
    /// with x the days apart past the grace over the decay days: never above a pair's bar here
    /// (1 + x + x²/2 ≤ eˣ; 1e-4 more room for rounding), so the cut drops no candidate, but it
    /// drops most pairs days apart in the kernel, where the bar has risen. Valid until the next call.
    func cut(for pair: BlockPair) -> KernelCut {
        let rows = pair.span.rows, columnStart = plan.blocks[pair.b].lowerBound, width = pair.span.columns.count
        precondition(rows.count + SketchBlock.tileColumns <= timeCapacity && width + SketchBlock.tileColumns <= timeCapacity)
        var factor: Float = 1, inverseDecay: Float = 0
        if pair.undated {
            // Undated ends weigh the same at any time: one factor for the whole block pair.
            factor = Float(1 / profile.timeFactor(plan.isUndated[pair.a] ? nil : 0, plan.isUndated[pair.b] ? nil : 0))
            rowTime.update(repeating: 0, count: rows.count)
            columnTime.update(repeating: 0, count: width)
        } else {
            let origin = plan.day[rows.lowerBound]
            for r in rows { rowTime[r - rows.lowerBound] = Float(plan.day[r] - origin) }
            for c in 0..<width { columnTime[c] = Float(plan.day[columnStart + c] - origin) }
            if profile.time.decayDays > 0 { inverseDecay = Float(1 / profile.time.decayDays) }
        }
        return KernelCut(row_reach: reach + rows.lowerBound, row_time: rowTime, column_reach: reach + columnStart, column_time: columnTime,
                      grace: Float(profile.time.graceDays), inverse_decay: inverseDecay, factor: factor, margin: margin + 1e-4)
    }

    /// Verifies the kernel's candidates of `pair` (rows relative to its span's first row, columns
    /// to its second block's first), appending edges to `worker`.
    func verify(_ found: UnsafeBufferPointer<KernelCandidate>, of pair: BlockPair, rows: UnsafeSparseRows, worker: Worker) {
        let rowStart = pair.span.rows.lowerBound, columnStart = plan.blocks[pair.b].lowerBound
        let firstA = plan.blocks[pair.a].lowerBound
        let t = plan.day.baseAddress!, window = plan.window
        // The row scattered into the accumulator (a row's candidates come in runs, tile by tile).
        var scattered = -1
        worker.accumulator.withUnsafeMutableBufferPointer { acc in
            for c in found {
                let i = rowStart + Int(c.row), j = columnStart + Int(c.column), s = c.score
                // Partners end where the window does (the kernel's spans are whole tiles).
                if !pair.undated && t[j] - t[i] > window { continue }
                // The decay over the days apart, or the factor of the undated ends.
                let factor = max(boost[i], boost[j]) * Float(profile.timeFactor(t[i], t[j]))
                if s < threshold / factor - margin { continue }
                if let refine {
                    let s2 = pair.sa.secondScore(i - firstA, pair.sb, j - columnStart, kernel: refine.kernel)
                    if (s + s2) / 2 < threshold / factor - refine.margin { continue }
                }
                let a = plan.order[i], b = plan.order[j]
                if let skip, skip(a, b) { continue }
                worker.candidates += 1
                if scattered != a {
                    if scattered >= 0 { for k in rows.offsets[scattered]..<rows.offsets[scattered + 1] { acc[Int(rows.indices[k])] = 0 } }
                    for k in rows.offsets[a]..<rows.offsets[a + 1] { acc[Int(rows.indices[k])] = rows.values[k] }
                    scattered = a
                }
                let dot = Self.gatherDot(acc.baseAddress!, rows.indices, rows.values, from: rows.offsets[b], to: rows.offsets[b + 1])
                let weight = min(1, dot * factor)
                if weight >= threshold {
                    worker.edges.append(SimilarityEdge(a: Int32(min(a, b)), b: Int32(max(a, b)), weight: weight))
                }
            }
            if scattered >= 0 { for k in rows.offsets[scattered]..<rows.offsets[scattered + 1] { acc[Int(rows.indices[k])] = 0 } }
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
