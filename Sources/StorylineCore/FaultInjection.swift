import Foundation

/// Crash points for testing crash safety: when `STORYLINE_CRASH_AT` names a point, the
/// process kills itself with SIGKILL there, as an OOM kill or a power cut would, with no
/// cleanup. Points: `ingest-batch` (after the first committed ingest batch), `vectorize-batch`
/// (after the first committed vectorize batch), `cluster-commit` (just before the cluster
/// transaction commits), `work-piece` (a piece of a split search computed, its edges not yet
/// stored). `STORYLINE_DELAY_AT=POINT:SECONDS` makes the process sleep there instead, so a test
/// can have slow workers.
package enum FaultInjection {
    static let point = ProcessInfo.processInfo.environment["STORYLINE_CRASH_AT"]

    static let delay: (point: String, seconds: Double)? = {
        guard let spec = ProcessInfo.processInfo.environment["STORYLINE_DELAY_AT"],
              let colon = spec.lastIndex(of: ":"), let seconds = Double(spec[spec.index(after: colon)...]) else { return nil }
        return (String(spec[..<colon]), seconds)
    }()

    @inline(__always)
    package static func hit(_ name: String) {
        if let delay, delay.point == name { usleep(UInt32(delay.seconds * 1e6)) }
        guard let point, point == name else { return }
        kill(getpid(), SIGKILL)
    }
}
