internal import CSketchKernel
import StorylineTestSupport
import XCTest
import Foundation
import StorylineCore
import StorylineVectors
@testable import StorylineSimilarity

/// The int8 dense kernel against the float product of the same sketches.
final class SketchKernelTests: XCTestCase {
    /// Random unit rows (a Gaussian-ish sketch), some all zero, some sharing most of a neighbour.
    func sketches(rows: Int, width: Int, seed: UInt64) -> [Float] {
        var state = seed
        func next() -> Float { state = Hashing.mix(state); return Float(state % 20001) / 10000 - 1 }
        var m = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows where r % 17 != 5 {
            for k in 0..<width { m[r * width + k] = next() + (r % 3 == 1 ? 2 * m[(r - 1) * width + k] : 0) }
            let norm = (0..<width).reduce(Float(0)) { $0 + m[r * width + $1] * m[r * width + $1] }.squareRoot()
            for k in 0..<width { m[r * width + k] /= norm }
        }
        return m
    }

    /// Scores of `kernel` for a block's rows from `rowOffset` against `columnCount` columns, two workers.
    func scores(_ kernel: Int8Kernel, _ left: SketchBlock, _ right: SketchBlock, rows: Int, rowOffset: Int, columnCount: Int,
                width: Int, upper: Bool) -> [Float] {
        let m = rows - rowOffset
        var c = [Float](repeating: .nan, count: m * columnCount)
        c.withUnsafeMutableBufferPointer { c in
            for worker in 0..<2 {
                sl_int8_scores(kernel.code, left.unsignedRows + rowOffset * width, m, left.scale + rowOffset, right.packed, columnCount,
                               right.packedScale, right.correction, width, upper ? 1 : 0, worker, 2, c.baseAddress!, columnCount)
            }
        }
        return c
    }

    /// The kernels this CPU cannot run are not checked on it: said as a skip with their names, so
    /// that a run on a machine that never ran them says so (the ARM64 kernel is checked under qemu
    /// by ARM64KernelTests; AVX-512 and AVX-VNNI only on a CPU that has them).
    func testKernelsThisCPULacksAreNotRunHere() throws {
        let missing = Int8Kernel.allCases.filter { !$0.isSupported }.map(\.rawValue)
        if !missing.isEmpty {
            throw XCTSkip("int8 kernels this CPU lacks, not run here: \(missing.joined(separator: ", "))")
        }
    }

    /// Every kernel this CPU runs gives the portable kernel's scores to the bit, and those are the
    /// float product's within the quantization error, on blocks that are not multiples of the tile.
    func testEveryKernelGivesThePortableScoresOnRaggedBlocks() throws {
        print("int8 kernels on this CPU: \(Int8Kernel.supported.map(\.rawValue).joined(separator: ", ")); not here: "
              + Int8Kernel.allCases.filter { !$0.isSupported }.map(\.rawValue).joined(separator: ", "))
        XCTAssertTrue(Int8Kernel.portable.isSupported)
        // Sizes that are not multiples of the 12 × 32 tile; a row offset (a block's suffix) and a
        // column prefix, as at the edge of a time window; a width of whole pairs of 4-byte steps and
        // one with a step left over (AVX2 adds two steps before widening); and sketches at the
        // extremes (every value ±max: the largest 16-bit sums, 2 · 2 · 255 · 31).
        let cases = [(37, 45, 0, 45, false), (37, 45, 5, 19, false), (70, 70, 0, 70, true), (1, 1, 0, 1, false), (300, 290, 13, 290, false)]
        for (width, extreme) in [(256, false), (260, false), (256, true), (260, true)] {
        for (rows, columns, rowOffset, columnCount, upper) in cases {
            func values(_ n: Int, _ seed: UInt64) -> [Float] {
                extreme ? (0..<(n * width)).map { k in (k / width + Int(seed)) % 2 == 0 ? 1 : -1 } : sketches(rows: n, width: width, seed: seed)
            }
            let a = values(rows, 1)
            let b = upper ? a : values(columns, 2)
            let left = SketchBlock(rows: rows, width: width, kernel: .int8(.portable))
            let right = upper ? left : SketchBlock(rows: columns, width: width, kernel: .int8(.portable))
            for r in 0..<rows { left.quantize(Array(a[(r * width)..<((r + 1) * width)]), row: r) }
            if !upper { for r in 0..<columns { right.quantize(Array(b[(r * width)..<((r + 1) * width)]), row: r) } }
            let m = rows - rowOffset
            let reference = scores(.portable, left, right, rows: rows, rowOffset: rowOffset, columnCount: columnCount, width: width, upper: upper)
            for i in 0..<m {
                for j in 0..<columnCount where !upper || j > i {
                    var exact: Float = 0
                    for k in 0..<width { exact += a[(rowOffset + i) * width + k] * b[j * width + k] }
                    XCTAssertEqual(reference[i * columnCount + j], exact, accuracy: 0.01, "\(rows)×\(columns) (\(i), \(j))")
                }
            }
            for kernel in Int8Kernel.supported where kernel != .portable {
                let c = scores(kernel, left, right, rows: rows, rowOffset: rowOffset, columnCount: columnCount, width: width, upper: upper)
                var differing = 0
                for i in 0..<m {
                    for j in 0..<columnCount where (!upper || j > i) && c[i * columnCount + j].bitPattern != reference[i * columnCount + j].bitPattern {
                        differing += 1
                    }
                }
                XCTAssertEqual(differing, 0, "\(kernel.rawValue): \(rows)×\(columns) from row \(rowOffset), width \(width)\(extreme ? ", extreme values" : "")")
            }
        }
        }
    }

    /// The peak probe of every hardware kernel this CPU runs measures a rate; the portable kernel
    /// and kernels this CPU lacks have none. (A rate, not a speed target: those are benchmarks'.)
    func testThePeakProbeMeasuresEveryHardwareKernelThisCPURuns() {
        for kernel in Int8Kernel.allCases {
            let peak = kernel.peakMACsPerSecond(threads: 1, duration: 0.02)
            if kernel.isSupported && kernel != .portable {
                XCTAssertGreaterThan(peak, 1e8, "\(kernel)")
            } else {
                XCTAssertEqual(peak, 0, "\(kernel)")
            }
        }
    }

    func testQuantizationErrorIsFarBelowTheSketchError() throws {
        let width = 1024, rows = 64
        let a = sketches(rows: rows, width: width, seed: 9)
        let block = SketchBlock(rows: rows, width: width, kernel: .int8(.portable))
        for r in 0..<rows { block.quantize(Array(a[(r * width)..<((r + 1) * width)]), row: r) }
        let c = scores(Int8Kernel.best, block, block, rows: rows, rowOffset: 0, columnCount: rows, width: width, upper: false)
        var worst: Float = 0
        for i in 0..<rows {
            for j in 0..<rows {
                var exact: Float = 0
                for k in 0..<width { exact += a[i * width + k] * a[j * width + k] }
                worst = max(worst, abs(c[i * rows + j] - exact))
            }
        }
        print("largest int8 error against the float product: \(worst)")
        // The sketch itself errs by about 1/sqrt(1024) ≈ 0.031.
        XCTAssertLessThan(worst, 0.003, "largest int8 error \(worst)")
    }

    /// The kernels' cut never drops a pair the verifier would take: a score just at a pair's exact
    /// bar, threshold / (boost · decay(Δt) · undated factor) − margin, clears the cut for every
    /// time apart (inside the grace, just past it, across the window), boost and undated factor;
    /// a score under the cut's bar does not (the cut is not a pass-all).
    func testTheCutKeepsEveryPairAtItsExactBar() {
        let threshold = 0.15, margin: Float = 0.07, grace = 1.0, decayDays = 3.0
        func decay(_ days: Double) -> Double { days <= grace ? 1 : exp(-(days - grace) / decayDays) }
        let columns = 64
        let gaps = (0..<columns).map { Double($0) * 3.2 / Double(columns - 1) }   // 0 ... 3.2 days
        for (rowBoost, undated) in [(1.0, 1.0), (2.5, 1.0), (1.0, 0.8), (1.3, 0.64)] {
            let rowReach = [Float(threshold / rowBoost)], rowTime: [Float] = [10]
            // Columns alternate two boosts; times past the row's by `gaps`.
            let columnBoost = (0..<columns).map { $0 % 2 == 0 ? 1.0 : 1.8 }
            var columnReach = columnBoost.map { Float(threshold / $0) }, columnTime = gaps.map { Float(10 + $0) }
            columnReach += [Float](repeating: 1, count: Int(SL_TILE_COLUMNS))
            columnTime += [Float](repeating: 0, count: Int(SL_TILE_COLUMNS))
            let bars = (0..<columns).map { j in
                Float(threshold / (max(rowBoost, columnBoost[j]) * decay(gaps[j]) * (undated == 1 ? 1 : undated))) - margin
            }
            let inverseDecay = undated == 1 ? Float(1 / decayDays) : 0   // undated pairs: one factor, no time
            for (scores, expectAll) in [(bars, true), (bars.map { $0 - 0.2 }, false)] {
                var found = [sl_candidate](repeating: sl_candidate(), count: columns)
                let count = rowReach.withUnsafeBufferPointer { rr in rowTime.withUnsafeBufferPointer { rt in
                    columnReach.withUnsafeBufferPointer { cr in columnTime.withUnsafeBufferPointer { ct in
                        var cut = sl_cut(row_reach: rr.baseAddress, row_time: rt.baseAddress, column_reach: cr.baseAddress,
                                         column_time: ct.baseAddress, grace: Float(grace), inverse_decay: inverseDecay,
                                         factor: Float(1 / undated), margin: margin + 1e-4)
                        return sl_float_candidates(scores, columns, 1, columns, 0, 0, 1, 0, columns, &cut, &found)
                    } }
                } }
                if expectAll {
                    XCTAssertEqual(count, columns, "boost \(rowBoost), undated \(undated): a pair at its exact bar was cut")
                } else {
                    XCTAssertEqual(count, 0, "boost \(rowBoost), undated \(undated): pairs 0.2 under their bar passed")
                }
            }
        }
    }

    func testSecondSketchDotOfEveryKernel() {
        // Widths that are and are not a multiple of each kernel's step (16, 32, 128 bytes).
        for width in [1024, 200, 36] {
            let a = sketches(rows: 6, width: width, seed: 4)
            var unsigned = [UInt8](repeating: 128, count: 6 * width)
            var scale = [Float](repeating: 0, count: 6), correction = [Int32](repeating: 0, count: 6)
            for r in 0..<6 {
                Array(a[(r * width)..<((r + 1) * width)]).withUnsafeBufferPointer {
                    sl_quantize_row($0.baseAddress!, r, width, &unsigned, &scale, &correction)
                }
            }
            for i in 0..<6 {
                for j in 0..<6 {
                    func dot(_ kernel: Int8Kernel) -> Float {
                        unsigned.withUnsafeBufferPointer { u in
                            sl_int8_dot(kernel.code, u.baseAddress! + i * width, scale[i], u.baseAddress! + j * width, scale[j], correction[j], width)
                        }
                    }
                    var exact: Float = 0
                    for k in 0..<width { exact += a[i * width + k] * a[j * width + k] }
                    let reference = dot(.portable)
                    XCTAssertEqual(reference, exact, accuracy: 0.005, "width \(width) (\(i), \(j))")
                    for kernel in Int8Kernel.supported {
                        XCTAssertEqual(dot(kernel).bitPattern, reference.bitPattern, "\(kernel.rawValue) width \(width) (\(i), \(j))")
                    }
                }
            }
        }
    }

    func testTheForcingSwitchNamesKernelsAndRefusesWhatTheCPULacks() throws {
        XCTAssertEqual(try CandidateSearch.DenseKernel.fromEnvironment([:]), .automatic)
        XCTAssertEqual(try CandidateSearch.DenseKernel.fromEnvironment(["STORYLINE_DENSE_KERNEL": "float32"]), .float32)
        XCTAssertEqual(try CandidateSearch.DenseKernel.fromEnvironment(["STORYLINE_DENSE_KERNEL": "portable"]), .int8(.portable))
        XCTAssertThrowsError(try CandidateSearch.DenseKernel.fromEnvironment(["STORYLINE_DENSE_KERNEL": "avx9"])) {
            XCTAssertEqual(($0 as? StorylineError)?.code, .usage)
            XCTAssertTrue("\($0)".contains("no such kernel"), "\($0)")
        }
        if let missing = Int8Kernel.allCases.first(where: { !$0.isSupported }) {
            XCTAssertThrowsError(try CandidateSearch.DenseKernel.fromEnvironment(["STORYLINE_DENSE_KERNEL": missing.rawValue])) {
                XCTAssertTrue("\($0)".contains("this CPU does not run it"), "\($0)")
            }
        }
        for kernel in Int8Kernel.supported {
            XCTAssertEqual(try CandidateSearch.DenseKernel.fromEnvironment(["STORYLINE_DENSE_KERNEL": kernel.rawValue]), .int8(kernel))
        }
    }
}
