import BenchSupport
import Foundation

// Plain timings for tools/peer-*.py: `storyline-bench vectorize FILE`, `storyline-bench similarity FILE`,
// and the linkage's memory and time: `storyline-bench linkage FILE` (every edge of the search, then
// average linkage; bytes an edge of the linkage's graph, B-cubed F1 where the records carry `story`).
// Each prints one JSON object; each checks its result before it is trusted.

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

let args = CommandLine.arguments
guard args.count >= 3, ["vectorize", "similarity", "langid", "linkage"].contains(args[1]) else {
    FileHandle.standardError.write(Data("usage: storyline-bench vectorize|similarity|langid|linkage FILE\n".utf8))
    exit(64)
}
let path = args[2]
let profile = BenchSupport.profile
let models = BenchSupport.models

switch args[1] {
case "langid":
    // FILE: JSON Lines of {"lang", "text", "kind"} (tools/langid-eval.py makes one). Each sample is
    // identified by the shipped method and by libexttextcat's fingerprints alone, each timed.
    let identifier = try models.languageIdentifier()
    var samples: [(lang: String, text: String, kind: String)] = []
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
        samples.append((o["lang"]!, o["text"]!, o["kind"] ?? "text"))
    }
    var rows: [String: [String: Any]] = [:]
    for (name, method) in [("shipped", LanguageIdentifier.Method.shipped), ("fingerprints", .fingerprintsOnly), ("quick", .quickOnly)] {
        var answers: [String?] = []
        let t0 = now()
        for s in samples { answers.append(identifier.identify(title: "", text: s.text, method: method)) }
        let seconds = now() - t0
        var byGroup: [String: (n: Int, right: Int, wrong: Int, none: Int)] = [:]
        for (s, a) in zip(samples, answers) {
            for key in ["\(s.kind) \(s.lang)", "\(s.kind) all"] {
                var g = byGroup[key] ?? (0, 0, 0, 0)
                g.n += 1
                if a == nil { g.none += 1 } else if a == s.lang { g.right += 1 } else { g.wrong += 1 }
                byGroup[key] = g
            }
        }
        rows[name] = ["microseconds_per_sample": seconds * 1e6 / Double(max(samples.count, 1)),
                      "groups": byGroup.mapValues { ["n": $0.n, "right": $0.right, "wrong": $0.wrong, "undecided": $0.none] }]
    }
    emit(rows)
case "vectorize":
    // Checked first (unit-norm rows, sorted ids, one thread = all threads); the timed run must then give the same vectors.
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count
    let checked = try BenchSupport.checkVectors(path, expectedArticles: lines)
    var vectorizer = DumpVectorizer(profile: profile, models: models)
    if let t = ProcessInfo.processInfo.environment["STORYLINE_THREADS"].flatMap(Int.init) { vectorizer.threads = t }
    let t0 = now()
    let result = try vectorizer.vectorize(path)
    let seconds = now() - t0
    precondition(result.rows.indices == checked.rows.indices && result.rows.values == checked.rows.values
                 && result.vocabulary.terms == checked.vocabulary.terms, "the timed vectors differ from the checked ones")
    emit(["articles": result.rows.count, "bytes": result.bytes, "seconds": seconds, "mb_per_s": Double(result.bytes) / 1e6 / seconds,
          "features": result.vocabulary.count, "nnz": result.rows.indices.count, "rejected": result.rejected,
          "peak_rss_mb": ProcessStats.peakRSSMegabytes()])
case "linkage":
    let vectors = try DumpVectorizer(profile: profile, models: models).vectorize(path)
    let days = try BenchSupport.days(path)
    precondition(days.count == vectors.rows.count, "\(days.count) lines, \(vectors.rows.count) articles: a record was rejected")
    let t0 = now()
    let (edges, stats) = CandidateSearch(profile: profile).edges(rows: vectors.rows, days: days)
    let searchSeconds = now() - t0
    let rssBefore = ProcessStats.peakRSSMegabytes()
    var memory = AverageLinkage.Memory()
    let t1 = now()
    let labels = AverageLinkage(threshold: profile.similarity.threshold)
        .cluster(count: vectors.rows.count, edges: edges, dated: days.map { $0 != nil }, memory: &memory)
    let linkSeconds = now() - t1
    // Checked: labels name a member of their own cluster, the first in it; every cluster's mean
    // over all its pairs (an absent pair counting 0) clears the threshold, as average linkage's
    // merges guarantee.
    var sums: [Int: Double] = [:], sizes: [Int: Int] = [:]
    for (i, l) in labels.enumerated() {
        precondition(l <= i && labels[l] == l, "label \(l) of \(i) is not its cluster's first member")
        sizes[l, default: 0] += 1
    }
    for e in edges where labels[Int(e.a)] == labels[Int(e.b)] { sums[labels[Int(e.a)], default: 0] += Double(e.weight) }
    for (l, n) in sizes where n > 1 {
        let mean = (sums[l] ?? 0) / Double(n * (n - 1) / 2)
        precondition(mean >= profile.similarity.threshold - 1e-9, "cluster \(l) of \(n): mean \(mean) below the threshold")
    }
    var out: [String: Any] = ["articles": vectors.rows.count, "edges": edges.count, "pairs_in_window": stats.pairsInWindow,
                              "search_seconds": searchSeconds, "linkage_seconds": linkSeconds, "clusters": sizes.count,
                              "largest_cluster": sizes.values.max() ?? 0, "linkage_bytes": memory.bytes,
                              "linkage_bytes_per_edge": memory.bytesPerEdge, "linkage_bytes_per_article": Double(memory.itemBytes) / Double(max(1, vectors.rows.count)), "peak_rss_mb_before_linkage": rssBefore,
                              "peak_rss_mb": ProcessStats.peakRSSMegabytes()]
    // B-cubed against the records' gold `story`, when they have one.
    let gold = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line -> String? in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["story"].map { "\($0)" }
    }
    if gold.allSatisfy({ $0 != nil }) {
        let scores = ClusteringMetrics(gold: gold.map { $0! }, found: labels)
        out["b3_precision"] = scores.b3Precision
        out["b3_recall"] = scores.b3Recall
        out["b3_f1"] = scores.b3F1
    }
    emit(out)
default:
    let vectors = try DumpVectorizer(profile: profile, models: models).vectorize(path)
    let days = try BenchSupport.days(path)
    precondition(days.count == vectors.rows.count, "\(days.count) lines, \(vectors.rows.count) articles: days and rows do not line up")
    // STORYLINE_DENSE_KERNEL forces a lower kernel (e.g. avx2 on an AVX-512 machine).
    var search = CandidateSearch(profile: profile)
    search.kernel = try CandidateSearch.DenseKernel.fromEnvironment()
    let recall = BenchSupport.checkSimilarity(rows: vectors.rows, days: days, sample: 8000, kernel: search.kernel)
    let t0 = now()
    let (edges, stats) = search.edges(rows: vectors.rows, days: days)
    let seconds = now() - t0
    // The timed graph itself, over the whole file: 300 articles' edges against every article in their window.
    let wholeRecall = BenchSupport.checkEdgesOfSample(edges, rows: vectors.rows, days: days, sample: 300)
    // For tools/peer-similarity.py: the rows, days and edges, for the peer to search the same vectors by the same rule.
    if let dir = ProcessInfo.processInfo.environment["STORYLINE_BENCH_DUMP"] {
        func write<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name)) }
        }
        try write(vectors.rows.offsets.map(Int64.init), "indptr.i64")
        try write(vectors.rows.indices, "indices.i32")
        try write(vectors.rows.values, "values.f32")
        try write(days.map { $0 ?? .nan }, "days.f64")
        try write(edges.map(\.a), "edges-a.i32")
        try write(edges.map(\.b), "edges-b.i32")
        try write(edges.map(\.weight), "edges-w.f32")
    }
    // The dense stage's rate against the CPU's int8 peak for its kernel (a MAC is 2 of denseFlops).
    let macs = stats.denseFlops / 2 / max(stats.denseSeconds, 1e-9)
    let peak = stats.kernel.int8.map { $0.peakMACsPerSecond() } ?? 0
    emit(["articles": vectors.rows.count, "seconds": seconds, "recall_check_whole": wholeRecall,
          "dense_gmacs": macs / 1e9, "peak_gmacs": peak / 1e9, "share_of_peak": peak > 0 ? macs / peak : 0, "pairs_in_window": stats.pairsInWindow, "candidates": stats.candidates,
          "edges": edges.count, "dense_gflops": stats.denseFlops / stats.denseSeconds / 1e9, "dense_seconds": stats.denseSeconds,
          "ns_per_pair": seconds * 1e9 / Double(max(stats.pairsInWindow, 1)), "recall_check": recall, "window_days": profile.windowDays,
          "threshold": profile.similarity.threshold, "dense_kernel": "\(stats.kernel)", "cut_passed": stats.cutPassed,
          "peak_rss_mb": ProcessStats.peakRSSMegabytes()])
}
