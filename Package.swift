// swift-tools-version:6.1
import PackageDescription

// The house, one target per layer: a layer imports only layers below it, so the compiler
// enforces the data flow (tools/check-layers, run by the tests, checks the rest: see README).
//
//   storyline (CLI)
//   Storyline            the facade: Pipeline, the stages that run against a store, Evaluate
//   StorylineReport      per-story outlet comparison, renderers            (Store, Vectors, Text, Ingest)
//   StorylineCluster     linkage, the plan of story changes                (Similarity)
//   StorylineStore       the store seam (protocols), the SQLite and PostgreSQL backends (Vectors)
//   StorylineSimilarity  block plan, sketches, dense kernels, verification (Vectors)
//   StorylineAnalysis    articles into term counts: TermMerger, DumpVectorizer (Text, Ingest, Vectors)
//   StorylineVectors     vocabulary, term counts, TF-IDF, sparse rows, model files (Core)
//   StorylineIngest      dump readers                                      (Core, StorylineHTML)
//   StorylineText        analyzer chain, language id, model directory      (Core)
//   StorylineCore        articles, dates, errors, profile, progress, story changes
/// Swift 6 language mode (complete concurrency checking): every source target has it; the test
/// targets are still in Swift 5 mode (the package default below).
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Storyline",
    products: [
        .library(name: "Storyline", targets: ["Storyline"]),
        .executable(name: "storyline", targets: ["storyline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // MARK: - Public API

        /// The engine's facade: Pipeline, the ingest, vectorize and cluster stages, evaluation.
        .target(
            name: "Storyline",
            dependencies: ["StorylineCore", "StorylineText", "StorylineIngest", "StorylineVectors", "StorylineAnalysis", "StorylineSimilarity",
                           "StorylineCluster", "StorylineStore", "StorylineReport", "StorylineHTML"],
            swiftSettings: strict
        ),
        /// The command-line tool: one thin file per subcommand.
        .executableTarget(
            name: "storyline",
            dependencies: [
                "Storyline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: - Layers

        .target(name: "StorylineCore", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(name: "StorylineText", dependencies: ["StorylineCore", "CUTF8Proc", "CStemmer", "CTextCat", "CPrefetch"], swiftSettings: strict),
        .target(name: "StorylineIngest", dependencies: ["StorylineCore", "StorylineHTML", "CZlib", "CZstd"], swiftSettings: strict),
        .target(name: "StorylineVectors", dependencies: ["StorylineCore"], swiftSettings: strict),
        .target(name: "StorylineAnalysis", dependencies: ["StorylineCore", "StorylineText", "StorylineIngest", "StorylineVectors"], swiftSettings: strict),
        .target(name: "StorylineSimilarity", dependencies: ["StorylineCore", "StorylineVectors", "CBLAS", "CSketchKernel"], swiftSettings: strict),
        .target(name: "StorylineCluster", dependencies: ["StorylineCore", "StorylineSimilarity"], swiftSettings: strict),
        .target(name: "StorylineStore", dependencies: ["StorylineCore", "StorylineVectors", "CSQLite", "CPostgreSQL"], swiftSettings: strict),
        .target(name: "StorylineReport", dependencies: ["StorylineCore", "StorylineText", "StorylineIngest", "StorylineVectors", "StorylineStore"], swiftSettings: strict),
        /// HTML article extraction (libxml2), kept apart: libxml2's headers pull in the system ICU,
        /// which must not meet Foundation in one module.
        .target(name: "StorylineHTML", dependencies: ["CLibXML2"], swiftSettings: strict),

        // MARK: - Implementation details

        /// The similarity search's dense stage on int8 sketches (AVX-512 VNNI, chosen at run time).
        .target(name: "CSketchKernel"),
        /// A cache prefetch hint (one static inline function) for the analyzer's term cache.
        .target(name: "CPrefetch"),

        // System C libraries, one module map each.

        .systemLibrary(name: "CBLAS", providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgreSQL", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),
        .systemLibrary(name: "CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CTextCat", pkgConfig: "libexttextcat", providers: [.apt(["libexttextcat-dev", "libexttextcat-data"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        // MARK: - Tests

        /// What both test targets share: paths, the shared datasets, seeded randomness.
        .target(name: "StorylineTestSupport", path: "Tests/StorylineTestSupport"),
        .testTarget(name: "StorylineTests", dependencies: ["Storyline", "StorylineCore", "StorylineText", "StorylineIngest", "StorylineVectors", "StorylineAnalysis", "StorylineSimilarity",
                                                    "StorylineCluster", "StorylineStore", "StorylineReport", "StorylineHTML", "StorylineTestSupport"]),
        .testTarget(name: "StorylineCLITests", dependencies: ["storyline", "StorylineTestSupport"]),
        // Per layer: each layer's tests depend on that layer and what is below it, nothing else.
        .testTarget(name: "StorylineHTMLTests", dependencies: ["StorylineHTML", "StorylineTestSupport"]),
        .testTarget(name: "StorylineSimilarityTests", dependencies: ["StorylineSimilarity", "StorylineVectors", "StorylineCore", "CSketchKernel",
                                                              "StorylineTestSupport"]),
        .testTarget(name: "StorylineClusterTests", dependencies: ["StorylineCluster", "StorylineSimilarity", "StorylineCore", "StorylineTestSupport",
                                                           .product(name: "HeapModule", package: "swift-collections")]),
        .testTarget(name: "StorylineStoreTests", dependencies: ["StorylineStore", "StorylineVectors", "StorylineCore", "StorylineTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
