internal import CSketchKernel
import Foundation
import StorylineCore

/// The kernel's cut of a block pair and a pair it lets through (plain C structs, see
/// `sketch_kernel.h`), named here so that this file stays the one that imports CSketchKernel.
typealias KernelCut = sl_cut
typealias KernelCandidate = sl_candidate

/// One block's sketches, in the form the dense kernel reads: float rows for sgemm, or int8 rows
/// (unsigned, for the left operand) and packed groups (for the right) with a scale and a correction
/// per row. Padded to whole kernel tiles; the memory is freed with the block.
final class SketchBlock: @unchecked Sendable {
    let floats: UnsafeMutablePointer<Float>
    let unsignedRows: UnsafeMutablePointer<UInt8>
    let packed: UnsafeMutablePointer<Int8>
    let scale: UnsafeMutablePointer<Float>
    /// The packed (right operand, 6-bit: ±31) copy's scale.
    let packedScale: UnsafeMutablePointer<Float>
    let correction: UnsafeMutablePointer<Int32>
    /// The second sketch (unsigned int8 rows, scale, correction) when the search refines; else empty.
    let secondRows: UnsafeMutablePointer<UInt8>
    let secondScale: UnsafeMutablePointer<Float>
    let secondCorrection: UnsafeMutablePointer<Int32>
    let width: Int
    private let allocated: (floats: Int, unsignedRows: Int, packed: Int, perRow: Int)

    init(rows: Int, width: Int, kernel: CandidateSearch.DenseKernel, second: Bool = false) {
        self.width = width
        let int8 = kernel.int8 != nil
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
        packedScale = .allocate(capacity: max(1, allocated.perRow))
        packedScale.initialize(repeating: 0, count: allocated.perRow)
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
    func quantizeSecond(_ sketch: UnsafeBufferPointer<Float>, row: Int) {
        sl_quantize_row(sketch.baseAddress!, row, width, secondRows, secondScale, secondCorrection)
    }

    /// Quantizes one row's float sketch into row `row` (rows are written by different workers).
    func quantize(_ sketch: [Float], row: Int) { sketch.withUnsafeBufferPointer { quantize($0, row: row) } }

    func quantize(_ sketch: UnsafeBufferPointer<Float>, row: Int) {
        sl_quantize(sketch.baseAddress!, 1, row, width, unsignedRows, packed, scale, packedScale, correction)
    }

    /// Sketch scores of rows `rowOffset ..< rowOffset + m` of this block against the first `width`
    /// rows of `other` into `c` (m × width, row-major): int8 products (all workers) or BLAS sgemm;
    /// against itself (`diagonal`), only column > row is computed (ssyrk or upper tiles).
    func scores(rowOffset: Int, m: Int, against other: SketchBlock, width: Int, diagonal: Bool,
                kernel: CandidateSearch.DenseKernel, workers: Int, into c: UnsafeMutablePointer<Float>) {
        let d = self.width
        if let int8 = kernel.int8 {
            // Row tiles dealt to the workers in turn (a diagonal block's early tiles have more columns):
            // each worker writes rows of `c` of its own.
            Parallel.perform(workers) { w in
                sl_int8_scores(int8.code, unsignedRows + rowOffset * d, m, scale + rowOffset,
                               other.packed, width, other.packedScale, other.correction, d, diagonal ? 1 : 0, w, workers, c, width)
            }
        } else if diagonal {
            BLAS.multiplySelfTransposed(floats, rows: m, width: d, into: c)
        } else {
            BLAS.multiplyTransposed(floats + rowOffset * d, rows: m, other.floats, rows: width, width: d, into: c)
        }
    }

    /// The pairs of `scores`'s product (the same scores, to the bit) that clear `cut`, for one
    /// worker's row tiles and the columns `columns` (at most ``panelColumns`` of them, from a
    /// multiple of it), appended to `out` (room for the worker's rows × columns); returns how many.
    /// No score matrix is written: a tile's scores are cut while they are in cache.
    func candidates(rowOffset: Int, m: Int, against other: SketchBlock, width: Int, diagonal: Bool, kernel: Int8Kernel,
                    worker: Int, workers: Int, columns: Range<Int>, cut: UnsafePointer<sl_cut>,
                    into out: UnsafeMutablePointer<sl_candidate>) -> Int {
        let d = self.width
        return sl_int8_candidates(kernel.code, unsignedRows + rowOffset * d, m, scale + rowOffset, other.packed, width,
                                  other.packedScale, other.correction, d, diagonal ? 1 : 0, worker, workers,
                                  columns.lowerBound, columns.upperBound, cut, out)
    }

    /// The same cut over float scores (m × width, row-major: the float32 path's sgemm product), for
    /// one worker's row tiles and the columns `columns`.
    static func candidates(scores: UnsafePointer<Float>, m: Int, width: Int, diagonal: Bool, worker: Int, workers: Int,
                           columns: Range<Int>, cut: UnsafePointer<sl_cut>, into out: UnsafeMutablePointer<sl_candidate>) -> Int {
        sl_float_candidates(scores, width, m, width, diagonal ? 1 : 0, worker, workers, columns.lowerBound, columns.upperBound, cut, out)
    }

    /// Columns of one ``candidates(rowOffset:m:against:width:diagonal:kernel:worker:workers:columns:cut:into:)`` call.
    static let panelColumns = Int(SL_PANEL_COLUMNS)
    /// The kernels' tile: rows and columns (blocks are padded to them).
    static let tileRows = Int(SL_TILE_ROWS), tileColumns = Int(SL_TILE_COLUMNS)

    /// The second sketch's score of row `i` of this block against row `j` of `other` (int8).
    @inline(__always)
    func secondScore(_ i: Int, _ other: SketchBlock, _ j: Int, kernel: Int8Kernel) -> Float {
        sl_int8_dot(kernel.code, secondRows + i * width, secondScale[i], other.secondRows + j * width, other.secondScale[j],
                    other.secondCorrection[j], width)
    }

    deinit {
        floats.deallocate(); unsignedRows.deallocate(); packed.deallocate(); scale.deallocate(); packedScale.deallocate(); correction.deallocate()
        secondRows.deallocate(); secondScale.deallocate(); secondCorrection.deallocate()
    }
}

/// The int8 kernels of the dense stage, by what they need of the CPU (chosen at run time). All
/// compute the same exact integer sums and the same epilogue, so all give the portable kernel's
/// scores to the bit; the tests check each one this CPU runs against it.
public enum Int8Kernel: String, CaseIterable, Sendable {
    /// Plain C: any CPU; the reference.
    case portable
    /// x86-64 AVX2: vpmaddubsw on |a| and sign(a)·b, then vpmaddwd.
    case avx2
    /// x86-64 AVX-VNNI: vpdpbusd on 256-bit registers.
    case avxVNNI = "avx-vnni"
    /// x86-64 AVX-512 F, BW and VNNI: vpdpbusd on 512-bit registers.
    case avx512VNNI = "avx512-vnni"
    /// ARM64 with the dot-product extension: sdot.
    case neonDot = "neon-dot"

    var code: Int32 {
        switch self {
        case .portable: Int32(SL_KERNEL_PORTABLE.rawValue)
        case .avx2: Int32(SL_KERNEL_AVX2.rawValue)
        case .avxVNNI: Int32(SL_KERNEL_AVX_VNNI.rawValue)
        case .avx512VNNI: Int32(SL_KERNEL_AVX512_VNNI.rawValue)
        case .neonDot: Int32(SL_KERNEL_NEON_DOT.rawValue)
        }
    }

    /// Whether this CPU (and this build) runs it.
    public var isSupported: Bool { sl_kernel_supported(code) != 0 }

    /// The fastest kernel this CPU runs (portable when it has none of the others).
    public static let best: Int8Kernel = allCases.first { $0.code == sl_best_kernel() } ?? .portable

    /// The kernels this CPU runs, fastest first.
    public static var supported: [Int8Kernel] { [.avx512VNNI, .avxVNNI, .neonDot, .avx2, .portable].filter(\.isSupported) }

    /// The int8 peak of this CPU for this kernel, measured: multiply-accumulates per second from its
    /// multiply instruction alone (vpmaddubsw, vpdpbusd, sdot) on `threads` threads at once, each
    /// the best of about `duration` seconds of runs. 0 for the portable kernel or one this CPU lacks.
    public func peakMACsPerSecond(threads: Int = Parallel.cores, duration: Double = 0.5) -> Double {
        var rates = [Double](repeating: 0, count: max(1, threads))
        let code = self.code
        rates.withUnsafeMutableBufferPointer { out in
            Parallel.strided(out.count, workers: out.count) { _, t in out[t] = sl_peak_macs_per_second(code, duration) }
        }
        return rates.reduce(0, +)
    }
}
