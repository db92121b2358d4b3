import Foundation
import StorylineTestSupport
import XCTest

/// Runs the built `storyline` binary.
enum CLI {
    static let root = TestPaths.root

    static var binary: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("storyline"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("storyline"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("storyline"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Commands that write to a store: after each, the store's invariants are checked.
    static let writing: Set<String> = ["ingest", "vectorize", "cluster", "run", "model"]

    /// Runs `storyline ARGS` in `directory` and waits for it. After a command that writes a store
    /// (even one that failed or was killed: transactions must leave it sound), `storyline check`
    /// runs on that store and must pass.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let result = try runBinary(arguments, in: directory, environment: environment)
        if let command = arguments.first, writing.contains(command), !arguments.contains("--help") {
            var db = environment["STORYLINE_DB"] ?? "storyline.sqlite"
            if let k = arguments.firstIndex(of: "--db"), k + 1 < arguments.count { db = arguments[k + 1] }
            if db.hasPrefix("postgres") || FileManager.default.fileExists(atPath: directory.appendingPathComponent(db).path) {
                let check = try runBinary(["check", "--db", db], in: directory, environment: environment)
                XCTAssertEqual(check.status, 0, "storyline check after \(arguments): \(check.stdout)\(check.stderr)", file: file, line: line)
            }
        }
        return result
    }

    static func runBinary(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["STORYLINE_MODELS"] = root.appendingPathComponent("Models").path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() -> URL { TestPaths.temporaryDirectory("storyline-cli") }

    /// Generates a synthetic dump with tools/gen-corpus.py.
    static func generate(articles: Int, seed: Int, into url: URL, words: Int = 120) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("tools/gen-corpus.py").path,
                             "--articles", "\(articles)", "--seed", "\(seed)", "--words", "\(words)", "--out", url.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "gen-corpus.py failed")
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// `../shared/datasets/NAME`, or a skip with a visible message.
    static func dataset(_ name: String) throws -> String { try TestPaths.dataset(name) }
}
