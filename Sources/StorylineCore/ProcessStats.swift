import Foundation

/// Facts about this process that reports need.
public enum ProcessStats {
    /// Peak resident set size in MiB (`VmHWM` from /proc/self/status), or 0 where unknown.
    public static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            return digits / 1024
        }
        return 0
    }
}

/// A monotonic stopwatch.
package struct Stopwatch {
    private var start = DispatchTime.now().uptimeNanoseconds
    package init() {}
    package var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    package mutating func restart() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { start = now }
        return Double(now - start) / 1e9
    }
}
