import Foundation

/// Crash points for testing crash safety: when `STORYLINE_CRASH_AT` names a point, the
/// process kills itself with SIGKILL there, as an OOM kill or a power cut would, with no
/// cleanup. Points: `ingest-batch` (after the first committed ingest batch), `vectorize-batch`
/// (after the first committed vectorize batch), `cluster-commit` (just before the cluster
/// transaction commits).
package enum FaultInjection {
    static let point = ProcessInfo.processInfo.environment["STORYLINE_CRASH_AT"]

    @inline(__always)
    package static func hit(_ name: String) {
        guard let point, point == name else { return }
        kill(getpid(), SIGKILL)
    }
}
