import StorylineCore
import StorylineVectors

/// Dense sketches of sparse unit rows by signed feature hashing: feature `f` adds
/// `±w` to column `h(f) mod d`, the sign from another bit of `h(f)`. Inner products of sketches
/// are unbiased estimates of the rows' cosine, with a standard error of about `1/sqrt(d)`.
public struct Sketcher: Sendable {
    public let dimension: Int
    public let seed: UInt64

    public init(dimension: Int, seed: UInt64) {
        self.dimension = dimension
        self.seed = seed
    }

    /// Writes the sketch of `row` into `out` (`dimension` floats, overwritten).
    /// - Complexity: O(nnz(row) + dimension).
    @inline(__always)
    public func sketch(_ rows: SparseRows, _ row: Int, into out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: dimension)
        let d = UInt64(dimension)
        for k in rows.offsets[row]..<rows.offsets[row + 1] {
            let h = Hashing.mix(UInt64(UInt32(bitPattern: rows.indices[k])) ^ seed)
            let column = Int(h % d)
            let v = rows.values[k]
            out[column] += (h >> 63) == 0 ? v : -v
        }
    }
}

/// The sketches of the blocks the search has reached and not yet left behind: a block's are made
/// (on all workers) when a block pair first needs them, and dropped once the search has passed it.
final class SketchCache {
    private let plan: BlockPlan
    private let rows: SparseRows
    private let kernel: CandidateSearch.DenseKernel
    private let sketcher: Sketcher
    /// The second, independent sketch (another seed for the same hashing), when the search refines.
    private let second: Sketcher?
    private let workers: Int
    private var blocks: [Int: SketchBlock] = [:]

    init(plan: BlockPlan, rows: SparseRows, kernel: CandidateSearch.DenseKernel, dimension: Int, seed: UInt64,
         second: Bool, workers: Int) {
        self.plan = plan
        self.rows = rows
        self.kernel = kernel
        sketcher = Sketcher(dimension: dimension, seed: seed)
        self.second = second ? Sketcher(dimension: dimension, seed: Hashing.mix(seed ^ 0x5EC0_4D5E_7C4E_7C11)) : nil
        self.workers = workers
    }

    /// The sketches of block `b`.
    func block(_ b: Int) -> SketchBlock {
        if let s = blocks[b] { return s }
        let range = plan.blocks[b]
        let d = sketcher.dimension
        let block = SketchBlock(rows: range.count, width: d, kernel: kernel, second: second != nil)
        if kernel.int8 != nil {
            // Float sketches are quantized row by row through one scratch row per worker.
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: workers * d)
            defer { scratch.deallocate() }
            Parallel.strided(range.count, workers: workers) { w, r in
                let row = plan.order[range.lowerBound + r]
                let mine = scratch + w * d
                sketcher.sketch(rows, row, into: mine)
                block.quantize(UnsafeBufferPointer(start: mine, count: d), row: r)
                if let second {
                    second.sketch(rows, row, into: mine)
                    block.quantizeSecond(UnsafeBufferPointer(start: mine, count: d), row: r)
                }
            }
        } else {
            Parallel.strided(range.count, workers: workers) { _, r in
                sketcher.sketch(rows, plan.order[range.lowerBound + r], into: block.floats + r * d)
            }
        }
        blocks[b] = block
        return block
    }

    /// Frees the sketches of the blocks before `b` (the search never returns to them).
    func drop(before b: Int) {
        for key in blocks.keys where key < b { blocks[key] = nil }
    }
}
