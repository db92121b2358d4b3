import Benchmark
import BenchSupport

let benchmarks: @Sendable () -> Void = {
    for size in [10_000, 100_000] {
        let path = try! BenchSupport.corpus(size)
        try! BenchSupport.checkVectors(path, expectedArticles: size)   // a benchmark of wrong code is worthless
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        Benchmark("vectorize \(size / 1000)k articles (\(bytes / 1_000_000) MB JSONL)",
                  configuration: .init(metrics: [.wallClock, .peakMemoryResident, .throughput], maxDuration: .seconds(60), maxIterations: size > 10_000 ? 3 : 10)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try DumpVectorizer(profile: BenchSupport.profile, models: BenchSupport.models).vectorize(path))
            }
        }
    }
}

import Foundation
