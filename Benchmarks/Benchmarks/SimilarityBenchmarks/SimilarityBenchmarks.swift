import Benchmark
import BenchSupport
import Foundation

let benchmarks: @Sendable () -> Void = {
    let path = try! BenchSupport.corpus(100_000)
    let profile = BenchSupport.profile
    let vectors = try! DumpVectorizer(profile: profile, models: BenchSupport.models).vectorize(path)
    let days = try! BenchSupport.days(path)
    _ = BenchSupport.checkSimilarity(rows: vectors.rows, days: days, sample: 8000)   // exact and >= 99.5% recall first

    // The dense stage alone: one block-by-block sgemm of sketches.
    let d = profile.similarity.sketchDimension, block = profile.similarity.blockSize
    let sketcher = Sketcher(dimension: d, seed: profile.similarity.seed)
    var a = [Float](repeating: 0, count: block * d)
    a.withUnsafeMutableBufferPointer { p in for r in 0..<block { sketcher.sketch(vectors.rows, r, into: p.baseAddress! + r * d) } }
    Benchmark("dense sketch sgemm \(block)x\(block)x\(d) (\(2 * block * block * d / 1_000_000_000) GFLOP per iteration)",
              configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CandidateSearch.denseBlock(a, rows: block, width: d))
        }
    }
    // The same product on int8 sketches, on every hardware kernel this CPU runs (the AVX2 one on
    // an AVX-512 machine too), each checked against the float one first.
    for kernel in Int8Kernel.supported where kernel != .portable {
        guard let int8 = CandidateSearch.int8DenseBlock(a, rows: block, width: d, kernel: kernel) else { continue }
        let exact = CandidateSearch.denseBlock(a, rows: block, width: d), approximate = int8()
        let worst = zip(exact, approximate).map { abs($0 - $1) }.max() ?? 0
        precondition(worst < 0.01, "int8 \(kernel.rawValue) product differs from sgemm by \(worst)")
        Benchmark("dense sketch int8 \(kernel.rawValue) \(block)x\(block)x\(d) (\(2 * block * block * d / 1_000_000_000) GFLOP-equivalent per iteration)",
                  configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10))) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(int8())
            }
        }
    }
    // The whole stage on each path: the float one and every hardware int8 kernel. Each path's
    // graph is checked first over the whole file (200 articles' edges against every article in
    // their window: exact weights, >= 99.5% recall), and every timed run must give that graph.
    precondition(days.count == vectors.rows.count, "days and rows do not line up")
    for kernel in [CandidateSearch.DenseKernel.float32] + Int8Kernel.supported.filter { $0 != .portable }.map({ .int8($0) }) {
        var search = CandidateSearch(profile: profile)
        search.kernel = kernel
        let checked = search.edges(rows: vectors.rows, days: days).0
        _ = BenchSupport.checkEdgesOfSample(checked, rows: vectors.rows, days: days, sample: 200)
        Benchmark("similarity stage, 100k articles, \(Int(profile.windowDays))-day window, \(kernel)",
                  configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(120), maxIterations: 3)) { benchmark in
            for _ in benchmark.scaledIterations {
                let edges = search.edges(rows: vectors.rows, days: days).0
                precondition(edges == checked, "\(kernel): a timed run gave another graph than the checked one")
                blackHole(edges)
            }
        }
    }
}
