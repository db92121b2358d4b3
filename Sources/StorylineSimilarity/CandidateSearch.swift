import CSketchKernel
import Foundation
import StorylineCore
import StorylineVectors

/// An edge of the similarity graph: two articles (indices into the input) and their
/// time-decayed exact cosine.
public struct SimilarityEdge: Sendable, Equatable {
    public var a: Int32
    public var b: Int32
    public var weight: Float

    public init(a: Int32, b: Int32, weight: Float) {
        self.a = a
        self.b = b
        self.weight = weight
    }
}

/// All pairs of articles whose time-decayed cosine reaches the threshold, at matrix-multiply speed.
///
/// Articles are sorted by time and cut into blocks; a block is compared, by one product of dense
/// sketches (int8 with AVX-512 VNNI, else float sgemm; see ``DenseKernel``), with itself and the
/// following blocks its time window reaches. A pair whose sketch score is above
/// `threshold / decay(Δt) − margin` (with int8, also the mean of it and a second sketch's score
/// above `threshold / decay(Δt) − int8RefineMargin`) is verified with the exact sparse cosine, so
/// every reported weight is exact; a pair the sketch underestimates by more than the margin is missed
/// (measure that recall with ``bruteForce``). Articles without a date follow the profile's policy.
///
/// Each article keeps at most `maxNeighbors` edges of its own (``NeighborLimit``), so the graph
/// is bounded whatever the input.
///
/// Memory: the sketches of the blocks one window spans plus one block × block score matrix, and
/// the graph.
public struct CandidateSearch {
    public var profile: Profile
    /// How sketch scores are computed; see ``DenseKernel``.
    public var kernel: DenseKernel = .automatic

    public init(profile: Profile) { self.profile = profile }

    /// The dense stage's arithmetic. Sketch scores only choose candidates (every reported weight is
    /// the exact sparse cosine), so they may be approximate: int8 sketches err by under 0.001 against
    /// the float product, thirty times less than the sketch's own error at d = 1024.
    public enum DenseKernel: String, Sendable {
        /// int8 where the CPU has AVX-512 VNNI, float32 otherwise.
        case automatic
        /// Float sketches multiplied by BLAS sgemm/ssyrk.
        case float32
        /// Sketches quantized to int8 (one scale per row), multiplied by vpdpbusd: four times the
        /// multiply-adds per instruction of float32 FMA. Needs ``int8Supported``.
        case int8
    }

    /// Whether this CPU runs the int8 kernel (AVX-512 F, BW and VNNI).
    public static let int8Supported = sl_int8_kernel_supported() != 0

    /// The kernel this search runs here: `automatic` is int8 where the CPU has it and the int8
    /// sketch width is a multiple of 4.
    public var resolvedKernel: DenseKernel {
        guard kernel == .automatic else { return kernel }
        let width = profile.similarity.int8SketchDimension ?? profile.similarity.sketchDimension
        return Self.int8Supported && width % 4 == 0 ? .int8 : .float32
    }

    /// Sketch width and margin for a kernel (int8 has its own in the profile).
    func sketchSettings(_ kernel: DenseKernel) -> (dimension: Int, margin: Double) {
        let s = profile.similarity
        return kernel == .int8 ? (s.int8SketchDimension ?? s.sketchDimension, s.int8Margin ?? s.margin)
                               : (s.sketchDimension, s.margin)
    }

    /// Statistics of one search.
    public struct Stats: Sendable {
        public var pairsInWindow = 0
        public var candidates = 0
        public var edges = 0
        /// Twice the multiply-adds of the dense stage (int8 ones count like float ones).
        public var denseFlops = 0.0
        public var denseSeconds = 0.0
        public var kernel = DenseKernel.float32
    }

    /// - Parameters:
    ///   - rows: unit-norm TF-IDF rows.
    ///   - days: each row's time in days (nil when undated).
    ///   - skip: pairs that need no edge (both in one fixed group), by row.
    ///   - settled: rows already clustered on an earlier night; block pairs made only of settled
    ///     rows are not compared (nightly work stays proportional to the new articles).
    ///   - threads: workers for sketching and verification (default: the active cores).
    public func edges(rows: SparseRows, days: [Double?], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                      settled: [Bool]? = nil, skip: ((Int, Int) -> Bool)? = nil) -> ([SimilarityEdge], Stats) {
        let n = rows.count
        precondition(days.count == n)
        let threshold = Float(profile.similarity.threshold)
        let kernel = resolvedKernel
        let (d, marginSetting) = sketchSettings(kernel)
        let margin = Float(marginSetting)
        let window = profile.windowDays
        let blockSize = profile.similarity.blockSize
        let sketcher = Sketcher(dimension: d, seed: profile.similarity.seed)
        // The second, independent sketch (int8 only): another seed for the same hashing.
        let refineMargin: Float? = kernel == .int8 ? profile.similarity.int8RefineMargin.map(Float.init) : nil
        let second = refineMargin.map { _ in Sketcher(dimension: d, seed: Hashing.mix(profile.similarity.seed ^ 0x5EC0_4D5E_7C4E_7C11)) }
        let workers = max(1, threads)

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
        let datedEnd = isUndatedBlock.firstIndex(of: true) ?? blocks.count
        // threshold / boost per sorted position: the pair's cut is the smaller of the two, minus the margin.
        let reach: [Float] = order.map { threshold / Float(profile.shortTextBoost(terms: rows.offsets[$0 + 1] - rows.offsets[$0])) }
        let boost: [Float] = order.map { Float(profile.shortTextBoost(terms: rows.offsets[$0 + 1] - rows.offsets[$0])) }
        let features = (rows.indices.max().map { Int($0) } ?? -1) + 1
        let allSettled: [Bool] = blocks.map { b in settled.map { s in b.allSatisfy { s[order[$0]] } } ?? false }

        var stats = Stats()
        precondition(kernel != .int8 || Self.int8Supported, "the int8 sketch kernel needs AVX-512 VNNI")
        precondition(kernel != .int8 || d % 4 == 0, "int8 sketches need a dimension divisible by 4")
        stats.kernel = kernel
        var sketches: [Int: SketchBlock] = [:]
        func sketch(_ b: Int) -> SketchBlock {
            if let s = sketches[b] { return s }
            let range = blocks[b]
            let block = SketchBlock(rows: range.count, width: d, kernel: kernel, second: second != nil)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var scratch = [Float](repeating: 0, count: kernel == .int8 ? d : 0)
                var r = w
                while r < range.count {
                    let row = order[range.lowerBound + r]
                    if kernel == .int8 {
                        scratch.withUnsafeMutableBufferPointer { sketcher.sketch(rows, row, into: $0.baseAddress!) }
                        block.quantize(scratch, row: r)
                        if let second {
                            scratch.withUnsafeMutableBufferPointer { second.sketch(rows, row, into: $0.baseAddress!) }
                            block.quantizeSecond(scratch, row: r)
                        }
                    } else {
                        sketcher.sketch(rows, row, into: block.floats + r * d)
                    }
                    r += workers
                }
            }
            sketches[b] = block
            return block
        }

        /// One worker's state: a dense accumulator for scattering a row, and its findings.
        final class Worker {
            var accumulator: [Float]
            var edges: [SimilarityEdge] = []
            var candidates = 0
            init(features: Int) { accumulator = [Float](repeating: 0, count: features) }
        }
        let pool = (0..<workers).map { _ in Worker(features: features) }
        var scores = [Float](repeating: 0, count: blockSize * blockSize)
        var clock = Stopwatch()
        var edges: [SimilarityEdge] = []
        // The graph's bound: pruned as it grows, so memory stays near n·k edges whatever the input.
        let limit = profile.similarity.maxNeighbors.map(NeighborLimit.init(k:))
        var pruneAt = limit?.pruneThreshold(nodes: n) ?? .max

        for bi in 0..<blocks.count {
            for key in sketches.keys where key < bi { sketches[key] = nil }
            let ri = blocks[bi]
            // The dated blocks the window reaches, then every undated block.
            var partners: [Int] = []
            if bi < datedEnd {
                for bj in bi..<datedEnd {
                    if t[blocks[bj].lowerBound] - t[ri.upperBound - 1] > window { break }
                    partners.append(bj)
                }
            }
            partners.append(contentsOf: max(bi, datedEnd)..<blocks.count)
            for bj in partners where !(allSettled[bi] && allSettled[bj]) {
                let rj = blocks[bj]
                let undatedPair = isUndatedBlock[bi] || isUndatedBlock[bj]
                // Only the rows and columns the window joins: rows of bi late enough to reach bj,
                // columns of bj early enough to be reached (a suffix and a prefix: times are sorted).
                var rowStart = ri.lowerBound, colEnd = rj.upperBound
                if !undatedPair && bi != bj {
                    while rowStart < ri.upperBound && t[rj.lowerBound] - t[rowStart] > window { rowStart += 1 }
                    while colEnd > rj.lowerBound && t[colEnd - 1] - t[ri.upperBound - 1] > window { colEnd -= 1 }
                    if rowStart == ri.upperBound || colEnd == rj.lowerBound { continue }
                }
                let m = ri.upperBound - rowStart, width = colEnd - rj.lowerBound
                let si = sketch(bi), sj = sketch(bj)
                let rowOffset = rowStart - ri.lowerBound
                clock = Stopwatch()
                scores.withUnsafeMutableBufferPointer { c in
                    let c = c.baseAddress!
                    if kernel == .int8 {
                        // Row tiles dealt to the workers in turn (a diagonal block's early tiles have more columns).
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            sl_int8_scores(si.unsignedRows + rowOffset * d, m, si.scale + rowOffset,
                                           sj.packed, width, sj.scale, sj.correction, d, bi == bj ? 1 : 0, w, workers, c, width)
                        }
                    } else if bi == bj {
                        BLAS.multiplySelfTransposed(si.floats, rows: m, width: d, into: c)
                    } else {
                        BLAS.multiplyTransposed(si.floats + rowOffset * d, rows: m, sj.floats, rows: width, width: d, into: c)
                    }
                }
                stats.denseSeconds += clock.seconds
                stats.denseFlops += (bi == bj ? 1 : 2) * Double(m) * Double(width) * Double(d)
                // Pairs in the window, for statistics.
                if !undatedPair {
                    var j = rj.lowerBound
                    for i in ri {
                        let lo = bi == bj ? i + 1 : rj.lowerBound
                        j = max(j, lo)
                        while j < rj.upperBound && t[j] - t[i] <= window { j += 1 }
                        stats.pairsInWindow += max(0, j - lo)
                    }
                } else {
                    stats.pairsInWindow += bi == bj ? ri.count * (ri.count - 1) / 2 : ri.count * rj.count
                }
                // Verify, rows split among the workers (read through pointers: no bounds checks here).
                scores.withUnsafeBufferPointer { c in
                  rows.offsets.withUnsafeBufferPointer { offsets in
                  rows.indices.withUnsafeBufferPointer { indices in
                  rows.values.withUnsafeBufferPointer { values in
                  order.withUnsafeBufferPointer { order in
                  t.withUnsafeBufferPointer { t in
                  reach.withUnsafeBufferPointer { reach in
                  boost.withUnsafeBufferPointer { boost in
                    let scoreBase = c.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        let worker = pool[w]
                        worker.accumulator.withUnsafeMutableBufferPointer { acc in
                            var x = w
                            while x < m {
                                defer { x += workers }
                                let i = rowStart + x
                                let jStart = bi == bj ? i + 1 : rj.lowerBound
                                if jStart >= colEnd { continue }
                                let row = scoreBase + x * width - rj.lowerBound
                                let a = order[i]
                                var scattered = false
                                // This row's partners end where its window does (times are sorted).
                                var end = colEnd
                                if !undatedPair {
                                    var lo = jStart, hi = colEnd
                                    while lo < hi { let mid = (lo + hi) / 2; if t[mid] - t[i] > window { hi = mid } else { lo = mid + 1 } }
                                    end = lo
                                }
                                // Scan 16 scores at a time against each pair's cheapest cut, min(reach) - margin:
                                // no decay can lower the bar below it.
                                let reachI = SIMD16<Float>(repeating: reach[i]), margins = SIMD16<Float>(repeating: margin)
                                let reachBase = UnsafeRawPointer(reach.baseAddress!)
                                var j = jStart
                                while j < end {
                                    if j + 16 <= end {
                                        let chunk = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                                        let reachJ = reachBase.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                                        if !any(chunk .>= reachI.replacing(with: reachJ, where: reachJ .< reachI) - margins) { j += 16; continue }
                                    }
                                    let chunkEnd = min(j + 16, end)
                                    defer { j = chunkEnd }
                                    for j in j..<chunkEnd {
                                    let s = row[j]
                                    // Cheapest cut first: no decay can lower the bar below this.
                                    if s < min(reach[i], reach[j]) - margin { continue }
                                    var factor = max(boost[i], boost[j])
                                    if !undatedPair {
                                        factor *= Float(profile.decay(days: t[j] - t[i]))
                                        if s < threshold / factor - margin { continue }
                                    }
                                    if let refineMargin {
                                        let s2 = sl_int8_dot(si.secondRows + (i - ri.lowerBound) * d, si.secondScale[i - ri.lowerBound],
                                                             sj.secondRows + (j - rj.lowerBound) * d, sj.secondScale[j - rj.lowerBound],
                                                             sj.secondCorrection[j - rj.lowerBound], d)
                                        if (s + s2) / 2 < threshold / factor - refineMargin { continue }
                                    }
                                    let b = order[j]
                                    if let skip, skip(a, b) { continue }
                                    worker.candidates += 1
                                    if !scattered {
                                        for k in offsets[a]..<offsets[a + 1] { acc[Int(indices[k])] = values[k] }
                                        scattered = true
                                    }
                                    let dot = Self.gatherDot(acc.baseAddress!, indices.baseAddress!, values.baseAddress!,
                                                             from: offsets[b], to: offsets[b + 1])
                                    let weight = min(1, dot * factor)
                                    if weight >= threshold {
                                        worker.edges.append(SimilarityEdge(a: Int32(min(a, b)), b: Int32(max(a, b)), weight: weight))
                                    }
                                    }
                                }
                                if scattered {
                                    for k in offsets[a]..<offsets[a + 1] { acc[Int(indices[k])] = 0 }
                                }
                            }
                        }
                    }
                  } } } } } } }
                }
            }
            for worker in pool {
                edges.append(contentsOf: worker.edges)
                worker.edges.removeAll(keepingCapacity: true)
            }
            if let limit, edges.count > pruneAt {
                limit.prune(&edges, nodes: n)
                pruneAt = max(pruneAt, 2 * edges.count)
            }
        }
        if let limit { limit.prune(&edges, nodes: n) }
        stats.candidates = pool.reduce(0) { $0 + $1.candidates }
        edges.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        stats.edges = edges.count
        return (edges, stats)
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

    /// `A · Aᵀ` for a row-major block of sketches: the dense kernel, exposed for benchmarks.
    public static func denseBlock(_ a: [Float], rows: Int, width: Int) -> [Float] {
        var c = [Float](repeating: 0, count: rows * rows)
        a.withUnsafeBufferPointer { p in
            c.withUnsafeMutableBufferPointer { q in
                BLAS.multiplyTransposed(p.baseAddress!, rows: rows, p.baseAddress!, rows: rows, width: width, into: q.baseAddress!)
            }
        }
        return c
    }

    /// `A · Aᵀ` for a block of sketches quantized to int8 (the int8 dense kernel on all cores),
    /// exposed for benchmarks: quantize once, then call the returned product. Nil without VNNI.
    public static func int8DenseBlock(_ a: [Float], rows: Int, width: Int,
                                      threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> (() -> [Float])? {
        guard int8Supported, width % 4 == 0 else { return nil }
        let block = SketchBlock(rows: rows, width: width, kernel: .int8)
        for r in 0..<rows { block.quantize(Array(a[(r * width)..<((r + 1) * width)]), row: r) }
        let workers = max(1, threads)
        return {
            var c = [Float](repeating: 0, count: rows * rows)
            c.withUnsafeMutableBufferPointer { c in
                let base = c.baseAddress!
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    sl_int8_scores(block.unsignedRows, rows, block.scale, block.packed, rows, block.scale, block.correction,
                                   width, 0, w, workers, base, rows)
                }
            }
            return c
        }
    }

    /// The same graph by exact cosine over every in-window pair (bounded by `maxNeighbors` as the
    /// search is): the reference for recall tests.
    /// - Complexity: O(pairs in window · nnz).
    public func bruteForce(rows: SparseRows, days: [Double?]) -> [SimilarityEdge] {
        let threshold = Float(profile.similarity.threshold)
        let window = profile.windowDays
        let compareUndated = profile.similarity.undated == .compareAll
        var edges: [SimilarityEdge] = []
        // Dated articles in time order: partners of one are a contiguous run after it.
        let dated = (0..<rows.count).filter { days[$0] != nil }.sorted { (days[$0]!, $0) < (days[$1]!, $1) }
        let undated = (0..<rows.count).filter { days[$0] == nil }
        func consider(_ x: Int, _ y: Int) {
            let a = min(x, y), b = max(x, y)
            var factor = Float(profile.shortTextBoost(terms: min(rows.offsets[a + 1] - rows.offsets[a], rows.offsets[b + 1] - rows.offsets[b])))
            if let ta = days[a], let tb = days[b] { factor *= Float(profile.decay(days: ta - tb)) }
            let w = min(1, rows.dot(a, b) * factor)
            if w >= threshold { edges.append(SimilarityEdge(a: Int32(a), b: Int32(b), weight: w)) }
        }
        for (k, a) in dated.enumerated() {
            var m = k + 1
            while m < dated.count, days[dated[m]]! - days[a]! <= window { consider(a, dated[m]); m += 1 }
        }
        if compareUndated {
            for (k, a) in undated.enumerated() {
                for b in undated[(k + 1)...] { consider(a, b) }
                for b in dated { consider(a, b) }
            }
        }
        if let k = profile.similarity.maxNeighbors { NeighborLimit(k: k).prune(&edges, nodes: rows.count) }
        edges.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        return edges
    }

    /// The old all-pairs reference, kept to check the windowed one.
    func bruteForceAllPairs(rows: SparseRows, days: [Double?]) -> [SimilarityEdge] {
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

/// One block's sketches, in the form the dense kernel reads: float rows for sgemm, or int8 rows
/// (unsigned, for the left operand) and packed groups (for the right) with a scale and a correction
/// per row. Padded to whole kernel tiles; the memory is freed with the block.
final class SketchBlock: @unchecked Sendable {
    let floats: UnsafeMutablePointer<Float>
    let unsignedRows: UnsafeMutablePointer<UInt8>
    let packed: UnsafeMutablePointer<Int8>
    let scale: UnsafeMutablePointer<Float>
    let correction: UnsafeMutablePointer<Int32>
    /// The second sketch (unsigned int8 rows, scale, correction) when the search refines; else empty.
    let secondRows: UnsafeMutablePointer<UInt8>
    let secondScale: UnsafeMutablePointer<Float>
    let secondCorrection: UnsafeMutablePointer<Int32>
    let width: Int
    private let allocated: (floats: Int, unsignedRows: Int, packed: Int, perRow: Int)

    init(rows: Int, width: Int, kernel: CandidateSearch.DenseKernel, second: Bool = false) {
        self.width = width
        let int8 = kernel == .int8
        let paddedRows = (rows + Int(SL_TILE_ROWS) - 1) / Int(SL_TILE_ROWS) * Int(SL_TILE_ROWS)
        let paddedColumns = (rows + Int(SL_TILE_COLUMNS) - 1) / Int(SL_TILE_COLUMNS) * Int(SL_TILE_COLUMNS)
        allocated = (int8 ? 0 : rows * width, int8 ? paddedRows * width : 0, int8 ? paddedColumns * width : 0, int8 ? paddedColumns : 0)
        floats = .allocate(capacity: max(1, allocated.floats))
        floats.initialize(repeating: 0, count: allocated.floats)
        // Padding rows are read by the kernel but never reported: zeros (128 is an unsigned zero).
        unsignedRows = .allocate(capacity: max(1, allocated.unsignedRows))
        unsignedRows.initialize(repeating: 128, count: allocated.unsignedRows)
        packed = .allocate(capacity: max(1, allocated.packed))
        packed.initialize(repeating: 0, count: allocated.packed)
        scale = .allocate(capacity: max(1, allocated.perRow))
        scale.initialize(repeating: 0, count: allocated.perRow)
        correction = .allocate(capacity: max(1, allocated.perRow))
        correction.initialize(repeating: 0, count: allocated.perRow)
        let secondCount = second ? rows : 0
        secondRows = .allocate(capacity: max(1, secondCount * width))
        secondRows.initialize(repeating: 128, count: secondCount * width)
        secondScale = .allocate(capacity: max(1, secondCount))
        secondScale.initialize(repeating: 0, count: secondCount)
        secondCorrection = .allocate(capacity: max(1, secondCount))
        secondCorrection.initialize(repeating: 0, count: secondCount)
    }

    /// Quantizes one row's second sketch into row `row`.
    func quantizeSecond(_ sketch: [Float], row: Int) {
        sketch.withUnsafeBufferPointer { p in
            sl_quantize_row(p.baseAddress!, row, width, secondRows, secondScale, secondCorrection)
        }
    }

    /// Quantizes one row's float sketch into row `row` (rows are written by different workers).
    func quantize(_ sketch: [Float], row: Int) {
        sketch.withUnsafeBufferPointer { p in
            sl_quantize(p.baseAddress!, 1, row, width, unsignedRows, packed, scale, correction)
        }
    }

    deinit {
        floats.deallocate(); unsignedRows.deallocate(); packed.deallocate(); scale.deallocate(); correction.deallocate()
        secondRows.deallocate(); secondScale.deallocate(); secondCorrection.deallocate()
    }
}
