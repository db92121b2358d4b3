import Foundation
import StorylineTestSupport
import XCTest

/// The sdot kernel (ARM64) cannot run on this x86 machine: tools/check-arm64 cross-compiles the
/// kernel's C for ARM64 and runs it under qemu-aarch64 against the portable kernel, bit for bit.
final class ARM64KernelTests: XCTestCase {
    func testTheSdotKernelMatchesThePortableOneUnderQemu() throws {
        let tools = ["/usr/bin/aarch64-linux-gnu-gcc", "/usr/bin/qemu-aarch64"]
        guard tools.allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestPaths.cannotRun("no ARM64 cross compiler or qemu-user here (tools/setup --browser installs them)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [CLI.root.appendingPathComponent("tools/check-arm64").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains(", 0 differing"), output)
    }
}
