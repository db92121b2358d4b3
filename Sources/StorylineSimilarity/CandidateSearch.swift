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
/// sketches (int8 on the best kernel the CPU runs, else float sgemm; see ``DenseKernel``), with itself and the
/// following blocks its time window reaches. A pair whose sketch score is above
/// `threshold / decay(Δt) − margin` (with int8, also the mean of it and a second sketch's score
/// above `threshold / decay(Δt) − int8RefineMargin`) is verified with the exact sparse cosine, so
/// every reported weight is exact; a pair the sketch underestimates by more than the margin is missed
/// (measure that recall with ``bruteForce``). Articles without a date follow the profile's policy.
///
/// Every edge is kept unless the profile sets `similarity.maxNeighbors` (the shipped one does
/// not: a cap cuts big stories apart); then each article keeps at most that many edges of its own
/// (``NeighborLimit``), pruned as the graph grows.
///
/// Memory: the sketches of the blocks one window spans plus one block × block score matrix, and
/// the graph.
public struct CandidateSearch {
    public var profile: Profile
    /// How sketch scores are computed; see ``DenseKernel``.
    public var kernel: DenseKernel = .automatic

    public init(profile: Profile) { self.profile = profile }

    /// The dense stage's arithmetic. Sketch scores only choose candidates (every reported weight is
    /// the exact sparse cosine), so they may be approximate: int8 sketches err by under 0.003 against
    /// the float product (the packed operand has 6 bits), ten times less than the sketch's own
    /// error at d = 1024.
    public enum DenseKernel: Hashable, Sendable, CustomStringConvertible {
        /// The best int8 kernel this CPU runs in hardware (``Int8Kernel/best``); float32 where
        /// there is none (the portable int8 kernel is a reference, not a speed).
        case automatic
        /// Float sketches multiplied by BLAS sgemm/ssyrk.
        case float32
        /// Sketches quantized to int8 (one scale per row) and multiplied by this kernel; a pair
        /// that clears them is checked against a second, independent int8 sketch.
        case int8(Int8Kernel)

        /// The int8 kernel, if this is one.
        public var int8: Int8Kernel? { if case .int8(let k) = self { return k } else { return nil } }

        public var description: String {
            switch self {
            case .automatic: "automatic"
            case .float32: "float32"
            case .int8(let k): "int8 \(k.rawValue)"
            }
        }

        /// `automatic`, `float32`, or an int8 kernel's name (`avx512-vnni`, `avx-vnni`, `avx2`,
        /// `neon-dot`, `portable`).
        public init?(name: String) {
            switch name {
            case "automatic": self = .automatic
            case "float32": self = .float32
            default:
                guard let k = Int8Kernel(rawValue: name) else { return nil }
                self = .int8(k)
            }
        }

        /// The kernel `STORYLINE_DENSE_KERNEL` names, checked against this CPU.
        /// - Throws: ``StorylineError/Code/usage`` for an unknown name or a kernel this CPU does not run.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DenseKernel {
            guard let name = environment["STORYLINE_DENSE_KERNEL"], !name.isEmpty else { return .automatic }
            let runs = (Int8Kernel.supported.map(\.rawValue) + ["float32", "automatic"]).joined(separator: ", ")
            guard let kernel = DenseKernel(name: name) else {
                throw StorylineError(.usage, "STORYLINE_DENSE_KERNEL=\(name): no such kernel (this CPU runs: \(runs))")
            }
            if let k = kernel.int8, !k.isSupported {
                throw StorylineError(.usage, "STORYLINE_DENSE_KERNEL=\(name): this CPU does not run it (it runs: \(runs))")
            }
            return kernel
        }
    }

    /// Whether this CPU runs an int8 kernel in hardware (not only the portable one).
    public static var int8Supported: Bool { Int8Kernel.best != .portable }

    /// The kernel this search runs here: `automatic` is the best hardware int8 kernel where the
    /// CPU has one and the int8 sketch width is a multiple of 4, else float32.
    public var resolvedKernel: DenseKernel {
        guard kernel == .automatic else { return kernel }
        let width = profile.similarity.int8SketchDimension ?? profile.similarity.sketchDimension
        return Self.int8Supported && width % 4 == 0 ? .int8(Int8Kernel.best) : .float32
    }

    /// Sketch width and margin for a kernel (int8 has its own in the profile).
    func sketchSettings(_ kernel: DenseKernel) -> (dimension: Int, margin: Double) {
        let s = profile.similarity
        return kernel.int8 != nil ? (s.int8SketchDimension ?? s.sketchDimension, s.int8Margin ?? s.margin)
                                  : (s.sketchDimension, s.margin)
    }

    /// Statistics of one search: its counts (read through, `stats.candidates`), its edges and kernel.
    @dynamicMemberLookup
    public struct Stats: Sendable {
        public var counts = SearchCounts()
        public var edges = 0
        public var kernel = DenseKernel.float32
        /// Pairs that cleared the kernel's cut (``CandidateVerifier/cut(for:)``), before the verifier's bars.
        public var cutPassed = 0

        public init() {}

        public subscript<T>(dynamicMember field: WritableKeyPath<SearchCounts, T>) -> T {
            get { counts[keyPath: field] }
            set { counts[keyPath: field] = newValue }
        }
    }

    /// - Parameters:
    ///   - rows: unit-norm TF-IDF rows.
    ///   - days: each row's time in days (nil when undated).
    ///   - skip: pairs that need no edge (both in one fixed group), by row.
    ///   - settled: rows already clustered on an earlier night; block pairs made only of settled
    ///     rows are not compared (nightly work stays proportional to the new articles).
    ///   - threads: workers for sketching and verification (default: the active cores).
    ///
    /// The orchestration of four pieces: the ``BlockPlan`` (which positions meet), the sketches of
    /// each block (``SketchBlock``, made as the plan reaches a block and dropped behind it), the
    /// dense scores of a block pair (``SketchBlock/scores``), and the ``CandidateVerifier`` (cuts
    /// and exact cosine per row); the graph is bounded as it grows (``NeighborLimit``).
    ///   - outerBlocks: only the block pairs whose first block is in this range (a piece of the
    ///     search from ``pieces(days:settled:count:)``, for searches split across processes). The
    ///     union of the pieces' edges, bounded again (``NeighborLimit``) and sorted, is the whole
    ///     search's graph.
    public func edges(rows: SparseRows, days: [Double?], threads: Int = Parallel.cores,
                      settled: [Bool]? = nil, outerBlocks: Range<Int>? = nil, skip: ((Int, Int) -> Bool)? = nil) -> ([SimilarityEdge], Stats) {
        let n = rows.count
        precondition(days.count == n)
        let kernel = resolvedKernel
        let (d, margin) = sketchSettings(kernel)
        precondition(kernel.int8?.isSupported ?? true, "this CPU does not run the \(kernel) kernel")
        precondition(kernel.int8 == nil || d % 4 == 0, "int8 sketches need a dimension divisible by 4")
        let workers = max(1, threads)
        let blockSize = profile.similarity.blockSize
        let plan = self.plan(days)
        // The second, independent sketch (int8 only) checks a pair before its exact cosine.
        let refineMargin: Float? = kernel.int8 != nil ? profile.similarity.int8RefineMargin.map(Float.init) : nil
        let sketches = SketchCache(plan: plan, rows: rows, kernel: kernel, dimension: d, seed: profile.similarity.seed,
                                   second: refineMargin != nil, workers: workers)
        let verifier = CandidateVerifier(profile: profile, plan: plan, rows: rows, margin: Float(margin),
                                         refine: refineMargin.map { ($0, kernel.int8!) }, skip: skip)
        let allSettled: [Bool] = plan.blocks.map { b in settled.map { s in b.allSatisfy { s[plan.order[$0]] } } ?? false }

        var stats = Stats()
        stats.kernel = kernel
        // Room for the kernel's candidates of one call: a worker's row tiles × a panel of columns.
        let tiles = (blockSize + SketchBlock.tileRows - 1) / SketchBlock.tileRows
        let foundCapacity = (tiles + workers - 1) / workers * SketchBlock.tileRows * SketchBlock.panelColumns
        let pool = (0..<workers).map { _ in
            CandidateVerifier.Worker(features: (rows.indices.max().map { Int($0) } ?? -1) + 1, foundCapacity: foundCapacity)
        }
        // The float32 path's scores (sgemm writes a whole block pair before it is cut).
        var scores = kernel.int8 == nil ? [Float](repeating: 0, count: blockSize * blockSize) : []
        var edges: [SimilarityEdge] = []
        // A bound on the graph, when the profile asks for one: pruned as it grows (n·k edges).
        let limit = profile.similarity.maxNeighbors.map(NeighborLimit.init(k:))
        var pruneAt = limit?.pruneThreshold(nodes: n) ?? .max

        let outer = outerBlocks.map { $0.clamped(to: plan.blocks.indices) } ?? plan.blocks.indices
        rows.withUnsafeRows { sparse in
            for bi in outer {
                sketches.drop(before: bi)
                for bj in plan.partners(of: bi) where !(allSettled[bi] && allSettled[bj]) {
                    guard let span = plan.span(bi, bj) else { continue }
                    let si = sketches.block(bi), sj = sketches.block(bj)
                    let m = span.rows.count, width = span.columns.count
                    let rowOffset = span.rows.lowerBound - plan.blocks[bi].lowerBound
                    let pair = CandidateVerifier.BlockPair(a: bi, b: bj, span: span, sa: si, sb: sj,
                                                           undated: plan.isUndated[bi] || plan.isUndated[bj])
                    var cut = verifier.cut(for: pair)
                    if kernel.int8 == nil {
                        let clock = Stopwatch()
                        scores.withUnsafeMutableBufferPointer { c in
                            si.scores(rowOffset: rowOffset, m: m, against: sj, width: width, diagonal: bi == bj, kernel: kernel,
                                      workers: workers, into: c.baseAddress!)
                        }
                        stats.denseSeconds += clock.seconds
                    }
                    stats.denseFlops += (bi == bj ? 1 : 2) * Double(m) * Double(width) * Double(d)
                    stats.pairsInWindow += plan.pairsInWindow(bi, bj)
                    // Each worker takes its row tiles, a panel of columns at a time: the kernel (or
                    // the float scores) gives the pairs that clear the cut, and the worker verifies them.
                    scores.withUnsafeBufferPointer { c in
                        withUnsafePointer(to: &cut) { cut in
                            Parallel.perform(workers) { w in
                                let worker = pool[w]
                                for start in stride(from: 0, to: width, by: SketchBlock.panelColumns) {
                                    let columns = start..<min(start + SketchBlock.panelColumns, width)
                                    let count: Int
                                    if let int8 = kernel.int8 {
                                        let clock = Stopwatch()
                                        count = si.candidates(rowOffset: rowOffset, m: m, against: sj, width: width, diagonal: bi == bj,
                                                              kernel: int8, worker: w, workers: workers, columns: columns, cut: cut,
                                                              into: worker.found)
                                        worker.denseSeconds += clock.seconds
                                    } else {
                                        count = SketchBlock.candidates(scores: c.baseAddress!, m: m, width: width, diagonal: bi == bj,
                                                                       worker: w, workers: workers, columns: columns, cut: cut,
                                                                       into: worker.found)
                                    }
                                    worker.cutPassed += count
                                    verifier.verify(UnsafeBufferPointer(start: worker.found, count: count), of: pair, rows: sparse, worker: worker)
                                }
                            }
                        }
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
        }
        if let limit { limit.prune(&edges, nodes: n) }
        stats.candidates = pool.reduce(0) { $0 + $1.candidates }
        // The int8 kernel runs inside each worker: its time is the workers' mean (they run at once).
        if kernel.int8 != nil { stats.denseSeconds = pool.reduce(0) { $0 + $1.denseSeconds } / Double(workers) }
        stats.cutPassed = pool.reduce(0) { $0 + $1.cutPassed }
        edges.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        stats.edges = edges.count
        return (edges, stats)
    }

    private func plan(_ days: [Double?]) -> BlockPlan {
        BlockPlan(days: days, blockSize: profile.similarity.blockSize, window: profile.windowDays,
                  compareUndated: profile.similarity.undated == .compareAll)
    }

    /// The search cut into at most `count` pieces of about equal work: ranges of the plan's blocks
    /// (each piece compares its blocks with their partners, see `edges(outerBlocks:)`), weighed
    /// by the pairs each block's comparisons hold. The same input always gives the same pieces.
    public func pieces(days: [Double?], settled: [Bool]? = nil, count: Int) -> [Range<Int>] {
        let plan = self.plan(days)
        let allSettled: [Bool] = plan.blocks.map { b in settled.map { s in b.allSatisfy { s[plan.order[$0]] } } ?? false }
        let weights = plan.blocks.indices.map { bi in
            plan.partners(of: bi).reduce(0) { sum, bj in allSettled[bi] && allSettled[bj] ? sum : sum + plan.pairsInWindow(bi, bj) + 1 }
        }
        let total = weights.reduce(0, +)
        guard !weights.isEmpty else { return [] }
        var pieces: [Range<Int>] = []
        var start = 0, sum = 0
        for (bi, w) in weights.enumerated() {
            sum += w
            // Close a piece once it holds its share of the work (the last takes the rest).
            if pieces.count < count - 1, Double(sum) >= Double(total) * Double(pieces.count + 1) / Double(count) {
                pieces.append(start..<(bi + 1))
                start = bi + 1
            }
        }
        if start < weights.count { pieces.append(start..<weights.count) }
        return pieces
    }

    /// The input rows a piece's search reads (`edges(outerBlocks:)`): those of its blocks and of
    /// every block they are compared with, in increasing order. A worker needs only these rows
    /// (the others may be left empty), so its memory follows its piece, not the pass.
    public func rowsNeeded(days: [Double?], outerBlocks: Range<Int>) -> [Int] {
        let plan = self.plan(days)
        var blocks = Set<Int>()
        for bi in outerBlocks.clamped(to: plan.blocks.indices) {
            blocks.insert(bi)
            blocks.formUnion(plan.partners(of: bi))
        }
        return blocks.flatMap { plan.blocks[$0].map { plan.order[$0] } }.sorted()
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
    public static func int8DenseBlock(_ a: [Float], rows: Int, width: Int, kernel: Int8Kernel = .best,
                                      threads: Int = Parallel.cores) -> (() -> [Float])? {
        guard kernel.isSupported, width % 4 == 0 else { return nil }
        let block = SketchBlock(rows: rows, width: width, kernel: .int8(kernel))
        a.withUnsafeBufferPointer { a in
            for r in 0..<rows { block.quantize(UnsafeBufferPointer(rebasing: a[(r * width)..<((r + 1) * width)]), row: r) }
        }
        let workers = max(1, threads)
        return {
            var c = [Float](repeating: 0, count: rows * rows)
            c.withUnsafeMutableBufferPointer { c in
                block.scores(rowOffset: 0, m: rows, against: block, width: rows, diagonal: false, kernel: .int8(kernel), workers: workers, into: c.baseAddress!)
            }
            return c
        }
    }

    /// The exact weight of the pair `a < b` (its edge's weight where it clears the threshold): the
    /// cosine raised by the shorter article's short-text boost and lowered by the time between
    /// them, at most 1. What the search's verifier computes, for the references and checks.
    @inline(__always)
    public func exactWeight(_ rows: SparseRows, _ a: Int, _ b: Int, days: [Double?]) -> Float {
        var factor = Float(profile.shortTextBoost(terms: min(rows.offsets[a + 1] - rows.offsets[a], rows.offsets[b + 1] - rows.offsets[b])))
        factor *= Float(profile.timeFactor(days[a], days[b]))
        return min(1, rows.dot(a, b) * factor)
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
            let w = exactWeight(rows, a, b, days: days)
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
                if let ta = days[a], let tb = days[b] {
                    if abs(ta - tb) > window { continue }
                } else if !compareUndated {
                    continue
                }
                let w = exactWeight(rows, a, b, days: days)
                if w >= threshold { edges.append(SimilarityEdge(a: Int32(a), b: Int32(b), weight: w)) }
            }
        }
        return edges
    }
}
