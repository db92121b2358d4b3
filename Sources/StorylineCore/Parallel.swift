import Dispatch

/// Work spread over threads.
public enum Parallel {
    /// Calls `body(worker, k)` for every `k` in `0..<count` on `workers` threads: worker `w` takes
    /// `k = w, w + workers, w + 2·workers, …` (interleaved, so neighbours, often of like cost, go
    /// to different workers). Returns when all are done. A worker's calls run in order on one
    /// thread, so per-worker state indexed by `worker` needs no lock.
    @inlinable
    public static func strided(_ count: Int, workers: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let workers = max(1, workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var k = w
            while k < count {
                body(w, k)
                k += workers
            }
        }
    }
}
