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
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: - Public API

        /// The engine: ingest, analyze, vectorize, similarity, cluster, store, evaluate.
        .target(
            name: "Storyline",
            dependencies: ["CBLAS", "CSketchKernel", "CSQLite", "CStemmer", "CTextCat", "CUTF8Proc", "CZlib", "StorylineHTML", .product(name: "Logging", package: "swift-log")]
        ),
        /// HTML article extraction (libxml2), kept apart: libxml2's headers pull in the system ICU,
        /// which must not meet Foundation in one module.
        .target(name: "StorylineHTML", dependencies: ["CLibXML2"]),
        /// The command-line tool: one thin file per subcommand.
        .executableTarget(
            name: "storyline",
            dependencies: [
                "Storyline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Implementation details

        /// The similarity search's dense stage on int8 sketches (AVX-512 VNNI, chosen at run time).
        .target(name: "CSketchKernel"),

        // System C libraries, one module map each.

        .systemLibrary(name: "CBLAS", providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),
        .systemLibrary(name: "CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CTextCat", pkgConfig: "libexttextcat", providers: [.apt(["libexttextcat-dev", "libexttextcat-data"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        // MARK: - Tests

        /// What both test targets share: paths, the shared datasets, seeded randomness.
        .target(name: "StorylineTestSupport", path: "Tests/StorylineTestSupport"),
        .testTarget(name: "StorylineTests", dependencies: ["Storyline", "StorylineHTML", "StorylineTestSupport"]),
        .testTarget(name: "StorylineCLITests", dependencies: ["storyline", "StorylineTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
