import Foundation
@_exported import Storyline

/// Corpora and checks shared by the benchmarks and `storyline-bench`.
public enum BenchSupport {
    /// The checkout's root (Benchmarks/..).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The source tree's Models folder, or `$STORYLINE_MODELS` (to compare model files).
    public static var models: ModelDirectory {
        try! ModelDirectory(path: ProcessInfo.processInfo.environment["STORYLINE_MODELS"] ?? root.appendingPathComponent("Models").path)
    }
    /// The shipped profile, or `$STORYLINE_PROFILE` (to compare settings).
    public static var profile: Profile {
        try! Profile.load(ProcessInfo.processInfo.environment["STORYLINE_PROFILE"] ?? models.profilePath)
    }

    /// A generated dump of `articles` articles (tools/gen-corpus.py, seed 1), made once under Benchmarks/.data.
    public static func corpus(_ articles: Int) throws -> String {
        let dir = root.appendingPathComponent("Benchmarks/.data")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("gen-\(articles).jsonl").path
        if !FileManager.default.fileExists(atPath: path) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", root.appendingPathComponent("tools/gen-corpus.py").path, "--articles", "\(articles)",
                           "--seed", "1", "--out", path + ".part"]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw StorylineError(.io, "gen-corpus.py failed") }
            try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
        }
        return path
    }

    /// Checks a vectorization before it is timed: one unit-norm row per article with sorted,
    /// unique ids, and the same result on one thread as on all. Returns the checked vectors, for
    /// the timed run to be compared with.
    @discardableResult
    public static func checkVectors(_ path: String, expectedArticles: Int) throws -> DumpVectorizer.Result {
        var one = DumpVectorizer(profile: profile, models: models)
        one.threads = 1
        let a = try one.vectorize(path)
        let b = try DumpVectorizer(profile: profile, models: models).vectorize(path)
        precondition(a.rows.count == expectedArticles, "expected \(expectedArticles) rows, got \(a.rows.count)")
        precondition(a.vocabulary.terms == b.vocabulary.terms, "feature ids differ with the thread count")
        precondition(a.rows.indices == b.rows.indices && a.rows.values == b.rows.values, "vectors differ with the thread count")
        for r in 0..<a.rows.count {
            let range = a.rows.offsets[r]..<a.rows.offsets[r + 1]
            let norm = range.reduce(Float(0)) { $0 + a.rows.values[$1] * a.rows.values[$1] }
            precondition(range.isEmpty || abs(norm - 1) < 1e-3, "row \(r) is not unit-norm")
            precondition(zip(a.rows.indices[range].dropFirst(), a.rows.indices[range]).allSatisfy { $0 > $1 }, "row \(r): ids not sorted")
        }
        return b
    }

    /// Checks a whole search's graph where an 8,000-article sample cannot: for `sample` articles
    /// spread over the whole file, every edge the search gave them is an exact edge with its
    /// exact weight, and at least 99.5% of their exact edges (each against every article in its
    /// window, by the profile's rule) were found. Returns that recall.
    public static func checkEdgesOfSample(_ edges: [SimilarityEdge], rows: SparseRows, days: [Double?], sample: Int) -> Double {
        let n = rows.count
        guard n > 1 else { return 1 }
        let profile = self.profile   // read once: the property loads the file
        let window = profile.windowDays
        let picked = Set(stride(from: 0, to: n, by: max(1, n / sample)).prefix(sample))
        var found: [Int64: Float] = [:]
        for e in edges where picked.contains(Int(e.a)) || picked.contains(Int(e.b)) { found[Int64(e.a) << 32 | Int64(e.b)] = e.weight }
        let threshold = Float(profile.similarity.threshold)
        let compareUndated = profile.similarity.undated == .compareAll
        let search = CandidateSearch(profile: profile)
        var exact = 0, hit = 0
        for r in picked.sorted() {
            for s in 0..<n where s != r {
                if let a = days[r], let b = days[s] { if abs(a - b) > window { continue } } else if !compareUndated { continue }
                let (a, b) = (min(r, s), max(r, s))
                let w = search.exactWeight(rows, a, b, days: days)
                let key = Int64(a) << 32 | Int64(b)
                if w >= threshold {
                    exact += 1
                    if let f = found[key] {
                        hit += 1
                        precondition(abs(f - w) <= 1e-5, "edge \(a)-\(b): weight \(f), exact \(w)")
                    }
                } else {
                    precondition(found[key] == nil, "edge \(a)-\(b) (\(found[key]!)) is below the threshold exactly (\(w))")
                }
            }
        }
        let recall = Double(hit) / Double(max(exact, 1))
        precondition(recall >= 0.995, "recall \(recall) of the sample's exact edges, below 0.995")
        return recall
    }

    /// Articles' days (from the dump) in file order.
    public static func days(_ path: String) throws -> [Double?] {
        var out: [Double?] = []
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let range = line.range(of: "\"published\": \"") else { out.append(nil); continue }
            let date = line[range.upperBound...].prefix(20)
            out.append(ISODate.parse(String(date)).map { $0 / 86400 })
        }
        return out
    }

    /// Checks the similarity core before it is timed: on the first `sample` articles, every edge
    /// is an edge of the unbounded brute-force graph with its exact weight (within 1e-5), and the
    /// search finds at least 99.5% of the bounded brute-force graph's edges. (Against the bounded
    /// graph alone, exactness cannot be checked: which of two nearly equal edges at an article's
    /// 40th place survives the bound depends on the last bit of a float sum.)
    public static func checkSimilarity(rows: SparseRows, days: [Double?], sample: Int,
                                       kernel: CandidateSearch.DenseKernel = .automatic) -> Double {
        var sub = SparseRows()
        for r in 0..<min(sample, rows.count) {
            let range = rows.offsets[r]..<rows.offsets[r + 1]
            sub.append(indices: Array(rows.indices[range]), values: Array(rows.values[range]))
        }
        let subDays = Array(days.prefix(sub.count))
        var search = CandidateSearch(profile: profile)
        search.kernel = kernel
        let found = search.edges(rows: sub, days: subDays).0
        var unbounded = profile
        unbounded.similarity.maxNeighbors = nil
        var byPair: [Int64: Float] = [:]
        for e in CandidateSearch(profile: unbounded).bruteForce(rows: sub, days: subDays) { byPair[Int64(e.a) << 32 | Int64(e.b)] = e.weight }
        for e in found {
            guard let w = byPair[Int64(e.a) << 32 | Int64(e.b)], abs(w - e.weight) <= 1e-5 else {
                fatalError("edge \(e.a)-\(e.b) (\(e.weight)) is not an exact edge (\(byPair[Int64(e.a) << 32 | Int64(e.b)].map { "\($0)" } ?? "none"))")
            }
        }
        let exact = search.bruteForce(rows: sub, days: subDays)
        let foundPairs = Set(found.map { Int64($0.a) << 32 | Int64($0.b) })
        let recall = Double(exact.filter { foundPairs.contains(Int64($0.a) << 32 | Int64($0.b)) }.count) / Double(max(exact.count, 1))
        precondition(recall >= 0.995, "recall \(recall) below 0.995")
        return recall
    }
}
