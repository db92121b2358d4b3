// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "StorylineBenchmarks",
    dependencies: [
        .package(name: "Storyline", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // MARK: - Benchmarks (swift package benchmark)
        .executableTarget(
            name: "VectorizerBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "BenchSupport"],
            path: "Benchmarks/VectorizerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimilarityBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "BenchSupport"],
            path: "Benchmarks/SimilarityBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: - Side-by-side runs with peers (tools/peer-*.py)
        .executableTarget(name: "storyline-bench", dependencies: ["BenchSupport"]),
        // MARK: - Shared: corpora, checks
        .target(name: "BenchSupport", dependencies: [.product(name: "Storyline", package: "Storyline")]),
    ]
)
