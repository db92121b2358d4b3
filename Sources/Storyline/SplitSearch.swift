import Foundation
import StorylineCore
import StorylineVectors
import StorylineSimilarity
import StorylineStore

/// A clustering pass's similarity search in pieces, shared through the store
/// (``ClusterWorkStore``): the coordinator (`storyline cluster --pieces N`) opens the pass and
/// works on it too; `storyline work` processes on any machine join it.
///
/// Every process loads the same input (the store does not change under the coordinator's writer
/// lock: vectorizing and clustering take it; ingest only adds articles not yet analyzed), and the
/// same input makes the same block plan, sketches (seeded by term id) and pieces. Each piece's
/// edges are exact cosines between items named by their index in that input; the union of the
/// pieces' edges, bounded again by the profile's neighbor limit (exact when done in steps, see
/// ``NeighborLimit``) and sorted, is the graph one process would find. A fingerprint of the input,
/// the profile and the kernel's arithmetic keeps out a worker that would compute another graph.
struct SplitSearch {
    let store: any ClusterWorkStore
    let search: CandidateSearch
    let input: StoryClusterer.Input
    let days: [Double?]
    let settled: [Bool]
    let progress: ProgressReporter
    /// This process, as the work table names it: host and pid.
    let worker = "\(ProcessInfo.processInfo.hostName):\(getpid())"
    /// For a worker: the rows a piece reads, read for it (nil: the input's rows are all there).
    var rowsForPiece: ((WorkPiece) throws -> SparseRows)? = nil
    /// Seconds spent in the store's work calls (claiming, storing edges, polling): the coordination's cost.
    final class Clock: @unchecked Sendable { var storeSeconds = 0.0; var waitSeconds = 0.0 }
    let clock = Clock()

    /// Runs a store call, counting its time.
    private func timed<T>(_ body: () throws -> T) rethrows -> T {
        let c = Stopwatch()
        defer { clock.storeSeconds += c.seconds }
        return try body()
    }

    init(store: any ClusterWorkStore, search: CandidateSearch, input: StoryClusterer.Input, progress: ProgressReporter) {
        self.store = store
        self.search = search
        self.input = input
        self.progress = progress
        days = input.items.map { $0.published.map { $0 / 86400 } }
        settled = input.items.indices.map { $0 < input.settled }
    }

    /// What the graph depends on, hashed: the items (sequence numbers, stories, times), the
    /// counts their TF-IDF rows were weighed with (articles analyzed, vocabulary size; the term
    /// counts themselves are written once), the profile, and whether sketches are int8 (every
    /// int8 kernel gives the same integer products; float32 gives others).
    var fingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01B3 }
        mix(UInt64(input.items.count)); mix(UInt64(input.settled))
        for item in input.items {
            mix(UInt64(bitPattern: item.seq)); mix(UInt64(bitPattern: item.storyID ?? -1)); mix(item.published?.bitPattern ?? 1)
        }
        mix(UInt64(input.documents)); mix(UInt64(input.terms))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys   // one text in every process (dictionaries have no order)
        let profile = (try? encoder.encode(search.profile)) ?? Data()
        for b in profile { mix(UInt64(b)) }
        mix(search.resolvedKernel.int8 == nil ? 0 : 9)   // 9: int8 with the packed operand at ±31 (8 was ±63)
        return String(h, radix: 16)
    }

    /// Items `a` and `b` need no edge: both in one story already.
    private func skip(_ a: Int, _ b: Int) -> Bool {
        a < input.settled && b < input.settled && input.items[a].storyID == input.items[b].storyID
    }

    /// Searches one piece and hands its edges to the store; false when the piece was claimed
    /// again meanwhile (its lease ran out) and the result was refused.
    func run(_ piece: WorkPiece) throws -> Bool {
        let clock = Stopwatch()
        let rows = try rowsForPiece.map { try $0(piece) } ?? input.rows
        let (edges, stats) = search.edges(rows: rows, days: days, settled: settled, outerBlocks: piece.blocks, skip: skip)
        var pieceStats = PieceStats()
        pieceStats.counts = stats.counts
        pieceStats.seconds = clock.seconds
        pieceStats.pieces = 1
        FaultInjection.hit("work-piece")
        return try timed { try store.finishPiece(piece, worker: worker, edges: edges.map { ($0.a, $0.b, $0.weight) }, stats: pieceStats) }
    }

    /// Claims and searches pieces of `pass` until none is left to claim. Returns how many this process did.
    @discardableResult
    func work(on pass: WorkPass) throws -> Int {
        var done = 0
        while let piece = try timed({ try store.claimPiece(of: pass, worker: worker) }) {
            if try run(piece) { done += 1 }
        }
        return done
    }

    /// The coordinator's part: opens the pass, works on it with whoever joins, waits for pieces
    /// held by others (taking over those whose lease runs out), and returns the whole graph.
    func coordinate(pieces count: Int, lease: Double, runID: Int64) throws -> ([SimilarityEdge], CandidateSearch.Stats, PieceStats) {
        let pieces = search.pieces(days: days, settled: settled, count: count)
        let pass = try timed { try store.openPass(kind: .search, fingerprint: fingerprint, pieces: pieces, lease: lease, runID: runID) }
        defer { try? store.closePass(pass) }
        progress.log("similarity in \(pieces.count) pieces (pass \(pass.id), lease \(Int(lease)) s): `storyline work` on any machine joins")
        var mine = 0
        while true {
            mine += try work(on: pass)
            let (done, total) = try timed { try store.progress(of: pass) }
            if done == total { break }
            let wait = Stopwatch()
            usleep(200_000)   // pieces held by others: wait for them, or for their leases to run out
            clock.waitSeconds += wait.seconds
        }
        var edges: [SimilarityEdge] = []
        let gathering = Stopwatch()
        var stats = try timed { try store.passEdges(pass) { a, b, w in edges.append(SimilarityEdge(a: a, b: b, weight: w)) } }
        if let k = search.profile.similarity.maxNeighbors { NeighborLimit(k: k).prune(&edges, nodes: input.items.count) }
        edges.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        var total = CandidateSearch.Stats()
        total.counts = stats.counts
        total.edges = edges.count
        total.kernel = search.resolvedKernel
        progress.log("pieces: \(stats.pieces) (\(mine) here), searching \(String(format: "%.1f", stats.seconds)) s in all, gathering \(edges.count) edges \(String(format: "%.2f", gathering.seconds)) s; "
                     + "here: store calls \(String(format: "%.2f", self.clock.storeSeconds)) s, waiting for others \(String(format: "%.2f", self.clock.waitSeconds)) s")
        stats.seconds += gathering.seconds
        return (edges, total, stats)
    }
}
