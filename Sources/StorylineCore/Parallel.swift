import Dispatch
import Foundation

/// Work spread over threads.
public enum Parallel {
    /// The threads to use: `STORYLINE_THREADS` when set, else the cores this process may run on
    /// (its CPU affinity: a Slurm job's or a container's cpuset, `taskset`), which Foundation's
    /// processor count does not heed. Workers sharing a machine each get their share, not all of it.
    public static let cores: Int = {
        if let given = ProcessInfo.processInfo.environment["STORYLINE_THREADS"].flatMap(Int.init), given > 0 { return given }
        // Linux: the affinity mask, in hex words, in /proc/self/status ("Cpus_allowed:\tff,ffffffff").
        let all = ProcessInfo.processInfo.activeProcessorCount
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let allowed = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            if allowed > 0 { return min(allowed, all) }
        }
        return all
    }()

    /// Calls `body(k)` for every `k` in `0..<iterations` at once, on as many threads as the
    /// system gives (Dispatch's `concurrentPerform`), and returns when all are done. Each call
    /// must touch state of its own (its index's slots, a worker's buffers): the one other place,
    /// beside ``strided(_:workers:_:)``, where a closure is trusted across threads.
    @inlinable
    public static func perform(_ iterations: Int, _ body: (_ index: Int) -> Void) {
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: iterations) { k in body(k) }
    }

    /// Runs `first` on another thread while `second` runs on this one, and returns both results
    /// once both are done (an error of `second` is thrown only then: `first` never outlives the
    /// call). Not through `concurrentPerform`: Dispatch gives a loop nested in one of its
    /// iterations only its share of the cores, and `first` (an analysis) runs loops of its own.
    public static func both<A, B>(_ first: @escaping () -> A, _ second: () throws -> B) throws -> (A, B) {
        let box = HandedOver<A>()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let first = first   // runs on one other thread, joined below
        DispatchQueue.global().async {
            box.value = first()
            done.signal()
        }
        let b = Result { try second() }
        done.wait()
        return (box.value!, try b.get())
    }

    /// Calls `body(worker, k)` for every `k` in `0..<count` on `workers` threads: worker `w` takes
    /// `k = w, w + workers, w + 2·workers, …` (interleaved, so neighbours, often of like cost, go
    /// to different workers). Returns when all are done. A worker's calls run in order on one
    /// thread, so per-worker state indexed by `worker` needs no lock.
    @inlinable
    public static func strided(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let workers = max(1, workers)
        // The one place the checker is told to trust a closure across threads: `body` runs on
        // several threads at once, and its callers give each index (or worker) state of its own.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var k = w
            while k < count {
                body(w, k)
                k += workers
            }
        }
    }
}

/// A value one thread writes and another reads after waiting for it (a semaphore orders them).
final class HandedOver<T>: @unchecked Sendable {
    var value: T?
}
