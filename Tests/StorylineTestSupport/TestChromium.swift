import Foundation
import XCTest

/// Debian's chromium, headless, for the report's pages: `tools/setup --browser` installs it.
public enum TestChromium {
    /// The browser, or a skip with a visible message.
    public static func path() throws -> String {
        guard let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestPaths.cannotRun("chromium is not installed (`tools/setup --browser` installs it; tools/test does)")
        }
        return found
    }

    /// Runs it headless with `arguments` and a profile folder in `directory`; returns its output
    /// (the DOM with `--dump-dom`).
    public static func run(_ arguments: [String], in directory: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try path())
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                       "--user-data-dir=\(directory.appendingPathComponent("chrome").path)"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
