// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Storyline",
    products: [
        .library(name: "Storyline", targets: ["Storyline"]),
        .executable(name: "storyline", targets: ["storyline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Public API

        /// The engine: ingest, analyze, vectorize, similarity, cluster, store, evaluate.
        .target(
            name: "Storyline",
            dependencies: ["CBLAS", "CSQLite", "CStemmer", "CUTF8Proc"]
        ),
        /// The command-line tool: one thin file per subcommand.
        .executableTarget(
            name: "storyline",
            dependencies: [
                "Storyline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Implementation details (system C libraries, one module map each)

        .systemLibrary(name: "CBLAS", providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),
        .systemLibrary(name: "CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),

        // MARK: - Tests

        .testTarget(name: "StorylineTests", dependencies: ["Storyline"]),
        .testTarget(name: "StorylineCLITests", dependencies: ["storyline"]),
    ],
    swiftLanguageModes: [.v5]
)
