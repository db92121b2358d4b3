import Foundation
import StorylineTestSupport
import XCTest

/// tools/check-layers: the house's rules hold on this checkout, and each rule fails when broken.
final class LayersTests: XCTestCase {
    func runCheck(_ root: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.root.appendingPathComponent("tools/check-layers").path, root.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A copy of Package.swift, Sources/ and Tests/, to break.
    func copyOfTheHouse() throws -> URL {
        let dir = CLI.temporaryDirectory()
        for item in ["Package.swift", "Sources", "Tests"] {
            try FileManager.default.copyItem(at: CLI.root.appendingPathComponent(item), to: dir.appendingPathComponent(item))
        }
        return dir
    }

    /// A layer's own tests may use that layer and those below it, no other.
    func testALayersTestsReachingUpFail() throws {
        let root = try copyOfTheHouse()
        try replace(#".testTarget(name: "StorylineStoreTests", dependencies: ["StorylineStore", "#,
                    with: #".testTarget(name: "StorylineStoreTests", dependencies: ["StorylineStore", "StorylineReport", "#, inPackageOf: root)
        try prepend("import StorylineText", to: "Tests/StorylineStoreTests/StoreContract.swift", in: root)
        try assertTheCheckFails(root, saying: "Package.swift: StorylineStoreTests depends on StorylineReport, which is not below StorylineStore")
        try assertTheCheckFails(root, saying: "Tests/StorylineStoreTests/StoreContract.swift:1: imports StorylineText, which StorylineStoreTests does not declare")
    }

    /// Edits the copy's Package.swift.
    func replace(_ text: String, with new: String, inPackageOf root: URL) throws {
        let url = root.appendingPathComponent("Package.swift")
        let package = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(package.contains(text), "Package.swift no longer says \(text)")
        try package.replacingOccurrences(of: text, with: new).write(to: url, atomically: true, encoding: .utf8)
    }

    func prepend(_ line: String, to file: String, in root: URL) throws {
        let url = root.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        try (line + "\n" + text).write(to: url, atomically: true, encoding: .utf8)
    }

    /// The check fails on `root`, naming `problem`.
    func assertTheCheckFails(_ root: URL, saying problem: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try runCheck(root)
        XCTAssertEqual(result.status, 1, file: file, line: line)
        XCTAssertTrue(result.output.contains(problem), result.output, file: file, line: line)
    }

    func testTheHouseKeepsItsRules() throws {
        let result = try runCheck(CLI.root)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("layers: ok"), result.output)
    }

    func testAnUpwardImportFails() throws {
        let root = try copyOfTheHouse()
        try prepend("import StorylineReport", to: "Sources/StorylineCore/Article.swift", in: root)
        try assertTheCheckFails(root, saying: "Sources/StorylineCore/Article.swift:1: imports StorylineReport, which StorylineCore does not declare (and it is not below it)")
    }

    func testAnUndeclaredImportFails() throws {
        // The store may not import the similarity layer even if a dependency brought it in.
        let root = try copyOfTheHouse()
        try prepend("import StorylineText", to: "Sources/StorylineStore/StoreBackend.swift", in: root)
        try assertTheCheckFails(root, saying: "Sources/StorylineStore/StoreBackend.swift:1: imports StorylineText, which StorylineStore does not declare")
    }

    func testAnUpwardDependencyInThePackageFails() throws {
        let root = try copyOfTheHouse()
        try replace(#".target(name: "StorylineCluster", dependencies: ["StorylineCore", "#,
                    with: #".target(name: "StorylineCluster", dependencies: ["StorylineCore", "StorylineReport", "#, inPackageOf: root)
        try assertTheCheckFails(root, saying: "Package.swift: StorylineCluster depends on StorylineReport, which is not below it")
    }

    /// SQL in a multi-line string literal is SQL too.
    func testSQLInAMultiLineLiteralOutsideTheStoreFails() throws {
        let root = try copyOfTheHouse()
        try prepend("let leaked = \"\"\"\n    SELECT s.id, s.title\n    FROM stories s\n    \"\"\"", to: "Sources/StorylineReport/StoryUnits.swift", in: root)
        try assertTheCheckFails(root, saying: "Sources/StorylineReport/StoryUnits.swift:2: SQL outside the store target")
    }

    func testSQLOutsideTheStoreAndAPublicCImportFail() throws {
        let root = try copyOfTheHouse()
        try prepend(#"let leaked = "SELECT id FROM articles""#, to: "Sources/Storyline/Pipeline.swift", in: root)
        try prepend("import CSQLite", to: "Sources/StorylineStore/StoreBackend.swift", in: root)
        let result = try runCheck(root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("Sources/Storyline/Pipeline.swift:1: SQL outside the store target"), result.output)
        XCTAssertTrue(result.output.contains("Sources/StorylineStore/StoreBackend.swift:1: the C library CSQLite must be imported `internal import CSQLite`"), result.output)
        XCTAssertTrue(result.output.contains("CSQLite is imported in 2 files"), result.output)
    }
}
