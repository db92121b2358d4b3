import StorylineTestSupport
import XCTest
@testable import Storyline
@testable import StorylineCore
@testable import StorylineText
@testable import StorylineIngest
@testable import StorylineVectors
@testable import StorylineSimilarity
@testable import StorylineCluster
@testable import StorylineStore
@testable import StorylineReport

final class CandidateSearchTests: XCTestCase {
    /// Random sparse rows with planted similar pairs, random dates, some undated.
    static func syntheticRows(count: Int, seed: UInt64) -> (SparseRows, [Double?]) {
        var state = seed
        func next() -> UInt64 { state = Hashing.mix(state); return state }
        var rows = SparseRows()
        var days: [Double?] = []
        var previous: [Int32: Float] = [:]
        for r in 0..<count {
            var row: [Int32: Float] = [:]
            if r % 3 == 1 {
                // A variant of the previous row: shared terms plus noise.
                for (k, v) in previous where next() % 3 != 0 { row[k] = v }
            }
            for _ in 0..<(20 + Int(next() % 40)) { row[Int32(next() % 5000)] = Float(next() % 1000) / 1000 + 0.1 }
            previous = row
            let ids = row.keys.sorted()
            var values = ids.map { row[$0]! }
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            values = values.map { $0 / norm }
            rows.append(indices: ids, values: values)
            days.append(next() % 10 == 0 ? nil : Double(next() % 4000) / 100)
        }
        return (rows, days)
    }

    /// The dense kernels this machine runs: float32, and every int8 kernel (portable everywhere).
    static var kernels: [CandidateSearch.DenseKernel] {
        [.float32] + Int8Kernel.supported.map { .int8($0) }
    }

    func testMatchesBruteForceWithExactWeights() {
        for kernel in Self.kernels { checkMatchesBruteForce(kernel) }
    }

    func checkMatchesBruteForce(_ kernel: CandidateSearch.DenseKernel) {
        var profile = TestSupport.profile
        profile.similarity.blockSize = 64   // many blocks, so block edges are exercised
        let (rows, days) = Self.syntheticRows(count: 900, seed: 42)
        var search = CandidateSearch(profile: profile)
        search.kernel = kernel
        let (found, stats) = search.edges(rows: rows, days: days)
        XCTAssertEqual(stats.kernel, kernel)
        let exact = search.bruteForce(rows: rows, days: days)
        XCTAssertGreaterThan(exact.count, 50, "the fixture must have edges to find")
        let exactByPair = Dictionary(uniqueKeysWithValues: exact.map { ("\($0.a)-\($0.b)", $0.weight) })
        for e in found {
            let w = exactByPair["\(e.a)-\(e.b)"]
            XCTAssertNotNil(w, "edge \(e.a)-\(e.b) is not above the threshold exactly")
            XCTAssertEqual(e.weight, w ?? -1, accuracy: 1e-5)
        }
        let recall = Double(found.count) / Double(exact.count)
        XCTAssertGreaterThanOrEqual(recall, 0.995, "\(kernel) recall \(recall)")
        XCTAssertLessThan(stats.candidates, stats.pairsInWindow, "the sketch must filter")
    }

    func testIsolatePolicyLeavesUndatedAlone() {
        var profile = TestSupport.profile
        profile.similarity.undated = .isolate
        let (rows, days) = Self.syntheticRows(count: 300, seed: 7)
        let (found, _) = CandidateSearch(profile: profile).edges(rows: rows, days: days)
        XCTAssertFalse(found.contains { days[Int($0.a)] == nil || days[Int($0.b)] == nil })
        // Not passing by finding nothing: the dated articles still get their edges, and the
        // undated ones would have had some under the default policy.
        XCTAssertGreaterThan(found.count, 0)
        XCTAssertTrue(CandidateSearch(profile: TestSupport.profile).edges(rows: rows, days: days).0
            .contains { days[Int($0.a)] == nil || days[Int($0.b)] == nil })
    }

    func testRecallOnRealArticles() throws {
        let path = try TestSupport.dataset("allsides-dev.jsonl")
        let pipeline = try Pipeline(store: SQLiteStore(path: ":memory:"), models: TestSupport.models)
        _ = try pipeline.ingest([path])
        _ = try Vectorizer(store: pipeline.store, profile: pipeline.profile, models: pipeline.models, progress: pipeline.progress).run()
        let vocabulary = try pipeline.store.loadVocabulary()
        let weighting = TFIDFWeighting(titleWeight: pipeline.profile.analyzer.titleWeight, documentCount: try pipeline.store.documentCount(),
                                       documentFrequency: vocabulary.documentFrequency)
        var rows = SparseRows()
        var items: [ArticleRef] = []
        var decoded: [ArticleTerms] = []
        try pipeline.store.forEachUnclustered { ref, terms in
            weighting.appendRow(terms, to: &rows)
            items.append(ref)
            decoded.append(ArticleTerms(terms))
        }
        // The streamed rows equal rows computed from decoded term counts.
        XCTAssertEqual(rows.count, items.count)
        let reference = weighting.rows(decoded)
        XCTAssertEqual(rows.offsets, reference.offsets)
        XCTAssertEqual(rows.indices, reference.indices)
        XCTAssertEqual(rows.values, reference.values)
        rows._checkInvariants()
        let days = items.map { $0.published.map { $0 / 86400 } }
        var search = CandidateSearch(profile: pipeline.profile)
        let exact = search.bruteForce(rows: rows, days: days)
        for kernel in Self.kernels {
            search.kernel = kernel
            let found = search.edges(rows: rows, days: days).0
            XCTAssertGreaterThanOrEqual(Double(found.count) / Double(exact.count), 0.995, "\(kernel)")
            XCTAssertEqual(Set(found.map { "\($0.a)-\($0.b)" }).subtracting(exact.map { "\($0.a)-\($0.b)" }), [])
        }
    }
}

final class BruteForceTests: XCTestCase {
    func testWindowedReferenceEqualsAllPairs() {
        let (rows, days) = CandidateSearchTests.syntheticRows(count: 500, seed: 9)
        let search = CandidateSearch(profile: TestSupport.profile)
        let windowed = search.bruteForce(rows: rows, days: days)
        let all = search.bruteForceAllPairs(rows: rows, days: days)
        XCTAssertEqual(windowed, all)
        XCTAssertGreaterThan(all.count, 10)
    }
}

final class DeterminismTests: XCTestCase {
    /// The same edges, in the same order, on one worker as on several.
    func testEdgesDoNotDependOnThreadCount() {
        var profile = TestSupport.profile
        profile.similarity.blockSize = 128
        let (rows, days) = CandidateSearchTests.syntheticRows(count: 700, seed: 21)
        for kernel in CandidateSearchTests.kernels {
            var search = CandidateSearch(profile: profile)
            search.kernel = kernel
            let one = search.edges(rows: rows, days: days, threads: 1).0
            XCTAssertGreaterThan(one.count, 20)
            XCTAssertEqual(search.edges(rows: rows, days: days, threads: 2).0, one, "\(kernel)")
            XCTAssertEqual(search.edges(rows: rows, days: days, threads: 3).0, one, "\(kernel)")
        }
    }

    /// A search in pieces, each with only the rows it needs (the others empty), bounded again and
    /// sorted, is the whole search's graph: what split passes rely on.
    func testPiecesWithTheirRowsOnlyGiveTheWholeGraph() {
        var profile = TestSupport.profile
        profile.similarity.blockSize = 64
        profile.similarity.maxNeighbors = 5   // tight, so pruning across pieces matters
        let (rows, days) = CandidateSearchTests.syntheticRows(count: 900, seed: 77)
        let settled = (0..<900).map { $0 < 300 }
        for kernel in CandidateSearchTests.kernels {
            var search = CandidateSearch(profile: profile)
            search.kernel = kernel
            let whole = search.edges(rows: rows, days: days, settled: settled).0
            XCTAssertGreaterThan(whole.count, 50)
            let pieces = search.pieces(days: days, settled: settled, count: 5)
            XCTAssertEqual(pieces.count, 5)
            XCTAssertEqual(pieces.first?.lowerBound, 0)
            for (a, b) in zip(pieces, pieces.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound, "pieces tile the blocks") }
            var union: [SimilarityEdge] = []
            for piece in pieces {
                let needed = Set(search.rowsNeeded(days: days, outerBlocks: piece))
                XCTAssertLessThan(needed.count, 900, "a piece reads part of the rows")
                var partial = SparseRows()
                for r in 0..<rows.count {
                    let range = rows.offsets[r]..<rows.offsets[r + 1]
                    needed.contains(r) ? partial.append(indices: Array(rows.indices[range]), values: Array(rows.values[range]))
                                       : partial.append(indices: [], values: [])
                }
                union += search.edges(rows: partial, days: days, settled: settled, outerBlocks: piece).0
            }
            NeighborLimit(k: 5).prune(&union, nodes: 900)
            union.sort { ($0.a, $0.b) < ($1.a, $1.b) }
            XCTAssertEqual(union, whole, "\(kernel)")
        }
    }

    /// Analysis on one worker and on several gives the same feature ids and counts.
    func testTermMergeDoesNotDependOnThreadCount() {
        let articles = (0..<200).map { k in (title: "Story \(k % 17) flood", text: "Rain \(k) fell on town \(k % 5); rivers rose near bridge \(k % 7).", lang: Optional("en")) }
        // Two batches, the second bringing new words: the same ids and counts on 1, 2 and 3 workers.
        let second = (0..<150).map { k in (title: "Vote \(k % 11) count", text: "Ballots \(k * 3) arrived in county \(k % 9); clerks \(k % 4) rested.", lang: Optional("en")) }
        var reference: ([[ArticleTerms]], Vocabulary)?
        for workers in 1...3 {
            var v = Vocabulary()
            var m = TermMerger(workers: workers, profile: TestSupport.profile, models: TestSupport.models)
            let out = [m.analyze(articles, into: &v), m.analyze(second, into: &v)]
            guard let (outRef, vRef) = reference else { reference = (out, v); continue }
            XCTAssertEqual(out, outRef, "\(workers) workers")
            XCTAssertEqual(v.terms, vRef.terms, "\(workers) workers")
            XCTAssertEqual(v.documentFrequency, vRef.documentFrequency)
            XCTAssertEqual(v.collectionFrequency, vRef.collectionFrequency)
        }
        // And the ids are given in order of first sight.
        let v = reference!.1
        XCTAssertEqual(v.terms.first, "stori", "the first word of the first article gets id 0")
    }
}

final class SettledBlocksTests: XCTestCase {
    /// Block pairs made only of settled (already clustered) rows are skipped; every pair that
    /// involves a new row is still found, with the same weight.
    func testSettledBlocksAreSkippedAndNewPairsKept() {
        var profile = TestSupport.profile
        profile.similarity.blockSize = 32
        let (rows, days) = CandidateSearchTests.syntheticRows(count: 600, seed: 33)
        // The earliest two thirds (by time) are settled, as on a night after others.
        let byTime = (0..<rows.count).filter { days[$0] != nil }.sorted { days[$0]! < days[$1]! }
        var settled = [Bool](repeating: false, count: rows.count)
        for r in byTime.prefix(byTime.count * 2 / 3) { settled[r] = true }
        let search = CandidateSearch(profile: profile)
        let all = search.edges(rows: rows, days: days).0
        let night = search.edges(rows: rows, days: days, settled: settled).0
        let involvingNew = all.filter { !(settled[Int($0.a)] && settled[Int($0.b)]) }
        XCTAssertGreaterThan(involvingNew.count, 10)
        XCTAssertEqual(night.filter { !(settled[Int($0.a)] && settled[Int($0.b)]) }, involvingNew)
        XCTAssertLessThan(night.count, all.count, "some settled-only pairs were skipped")
    }
}

final class NeighborLimitTests: XCTestCase {
    /// A seeded random graph over `n` nodes.
    func graph(n: Int, density: Int, seed: UInt64) -> [SimilarityEdge] {
        var rng = SeededGenerator(seed: seed)
        var edges: [SimilarityEdge] = []
        for a in 0..<n { for b in (a + 1)..<n where Int.random(in: 0..<density, using: &rng) == 0 {
            edges.append(SimilarityEdge(a: Int32(a), b: Int32(b), weight: Float(Int.random(in: 1...1000, using: &rng)) / 1000))
        } }
        return edges
    }

    func testPruningInStepsEqualsPruningOnce() {
        for seed: UInt64 in [1, 2, 3] {
            let edges = graph(n: 300, density: 3, seed: seed)
            let limit = NeighborLimit(k: 7)
            var once = edges
            limit.prune(&once, nodes: 300)
            var steps: [SimilarityEdge] = []
            for chunk in stride(from: 0, to: edges.count, by: 997) {
                steps.append(contentsOf: edges[chunk..<min(chunk + 997, edges.count)])
                limit.prune(&steps, nodes: 300)
            }
            XCTAssertEqual(once, steps, "seed \(seed)")
            XCTAssertLessThan(once.count, edges.count / 3, "seed \(seed)")
        }
    }

    func testEveryNodeKeepsItsStrongestEdges() {
        let edges = graph(n: 200, density: 2, seed: 9)
        let k = 5
        var kept = edges
        NeighborLimit(k: k).prune(&kept, nodes: 200)
        let keptSet = Set(kept.map { Int64($0.a) << 32 | Int64($0.b) })
        for node in 0..<200 {
            let mine = edges.filter { Int($0.a) == node || Int($0.b) == node }.sorted { $0.weight > $1.weight }
            for e in mine.prefix(k) { XCTAssertTrue(keptSet.contains(Int64(e.a) << 32 | Int64(e.b)), "node \(node)") }
        }
        // Each kept edge is among the k strongest of one of its ends, ties broken by index.
        XCTAssertLessThanOrEqual(kept.count, 200 * k)
    }

    func testTheSearchBoundsEveryArticlesDegree() {
        // Forty near-identical short titles: without a bound, every pair is an edge.
        var rows = SparseRows()
        for i in 0..<40 {
            let ids: [Int32] = [0, 1, 2, Int32(3 + i)]
            let norm = Float(1 / sqrt(3.0 + 0.01))
            rows.append(indices: ids, values: [norm, norm, norm, 0.1 * norm])
        }
        var profile = TestSupport.profile
        profile.similarity.maxNeighbors = nil
        let days = [Double?](repeating: 100, count: 40)
        let (all, _) = CandidateSearch(profile: profile).edges(rows: rows, days: days)
        XCTAssertEqual(all.count, 40 * 39 / 2)
        profile.similarity.maxNeighbors = 5
        let (bounded, _) = CandidateSearch(profile: profile).edges(rows: rows, days: days)
        XCTAssertLessThanOrEqual(bounded.count, 40 * 5)
        XCTAssertEqual(bounded, CandidateSearch(profile: profile).bruteForce(rows: rows, days: days))
    }
}
