import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport
/// What a clustering pass did.
public struct ClusterSummary: Sendable, Codable {
    public var articles = 0
    public var storiesNew = 0
    public var storiesGrown = 0
    public var storiesMerged = 0
    public var storiesClosed = 0
    public var candidates = 0
    public var edges = 0
    public var pairsInWindow = 0
    public var denseGFLOPS = 0.0
    public var similaritySeconds = 0.0
    public var clusterSeconds = 0.0
}

/// The cluster stage: puts every vectorized article not yet in a story into one.
///
/// New articles are clustered together with the articles of open stories that lie in their time
/// window (articles outside it can have no edge to them; they count only in their story's size,
/// so averages are still over whole stories); those stories start as groups, so a story keeps its id as it grows and new
/// articles either join one or form new stories. When new articles bring two stories together,
/// they merge: the older id (the smaller) survives and the other is recorded as merged into it.
/// New story ids follow the stories' first publication. Finally, stories quiet for
/// `closeAfterDays` before the store's clock close (and reopen when an article of their days
/// arrives later). All writes of a pass are one transaction.
struct StoryClusterer {
    let store: Store
    let profile: Profile
    let runID: Int64
    let progress: ProgressReporter

    func run() throws -> ClusterSummary {
        var summary = ClusterSummary()
        let span = try store.unclusteredTimes()
        guard span.count > 0 else { return summary }
        var clock = Stopwatch()
        progress.begin("similarity", total: 0)
        let vocabulary = try store.loadVocabulary()
        let weighting = TFIDFWeighting(titleWeight: profile.analyzer.titleWeight,
                                       documentCount: try store.documentCount(),
                                       documentFrequency: vocabulary.documentFrequency)
        // Rows of the open stories' articles first, then of the new ones, read straight into one CSR.
        var rows = SparseRows()
        let (old, storySizes) = try store.openStoryArticles(from: span.min, to: span.max,
                                                            windowSeconds: min(profile.windowDays, 1e7) * 86400,
                                                            weighting: weighting, into: &rows)
        // Room for the new rows at once: grown by doubling, the two arrays would pass through twice
        // their final size (a million articles: about a gigabyte more at the peak). The average
        // row length is Σ df / documents; reserved pages that stay untouched cost no memory.
        let documents = max(1, try store.documentCount())
        let averageTerms = Double(vocabulary.documentFrequency.reduce(0) { $0 + Int($1) }) / Double(documents)
        let expected = rows.indices.count + Int(Double(span.count) * averageTerms * 1.25) + 1024
        rows.indices.reserveCapacity(expected)
        rows.values.reserveCapacity(expected)
        rows.offsets.reserveCapacity(rows.offsets.count + span.count + 1)
        let fresh = try store.unclustered(weighting: weighting, into: &rows)
        let items = old + fresh
        #if DEBUG
        rows._checkInvariants()
        #endif
        let days = items.map { $0.published.map { $0 / 86400 } }
        let oldCount = old.count
        let settled = items.indices.map { $0 < oldCount }
        let (edges, stats) = CandidateSearch(profile: profile).edges(rows: rows, days: days, settled: settled) { a, b in
            a < oldCount && b < oldCount && items[a].storyID == items[b].storyID
        }
        if ProcessInfo.processInfo.environment["STORYLINE_MEASURE_RECALL"] != nil {
            let exact = CandidateSearch(profile: profile).bruteForce(rows: rows, days: days).filter { !(Int($0.a) < oldCount && Int($0.b) < oldCount) }
            let found = Set(edges.map { Int64($0.a) << 32 | Int64($0.b) })
            let hit = exact.filter { found.contains(Int64($0.a) << 32 | Int64($0.b)) }.count
            // Straight to stderr: a developer's measurement, wanted even where progress is silent (eval).
            let line = "recall of exact edges: \(hit)/\(exact.count) = \(String(format: "%.5f", Double(hit) / Double(max(exact.count, 1)))), \(stats.candidates) candidates\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        // The rows (a million articles: 2.4 GB) are not needed past the search: free them before linkage.
        rows = SparseRows()
        summary.candidates = stats.candidates
        summary.edges = stats.edges
        summary.pairsInWindow = stats.pairsInWindow
        summary.denseGFLOPS = stats.denseSeconds > 0 ? stats.denseFlops / stats.denseSeconds / 1e9 : 0
        summary.similaritySeconds = clock.restart()
        progress.end("\(items.count) articles (\(fresh.count) new), \(stats.pairsInWindow) pairs in window, \(stats.candidates) candidates, \(stats.edges) edges, dense \(String(format: "%.1f", summary.denseGFLOPS)) GFLOP/s (\(stats.kernel.rawValue) sketches)")

        progress.begin("cluster", total: 0)
        let groups = items.enumerated().map { k, item in item.storyID.map { Int($0) } ?? -(k + 1) }
        let fixed = Set(old.compactMap { $0.storyID.map { Int($0) } })
        // Articles of these stories outside the window: no edges here, but they count in averages.
        var outside: [Int: Int] = [:]
        for (id, size) in storySizes { outside[Int(id)] = size }
        for item in old { if let id = item.storyID { outside[Int(id), default: 0] -= 1 } }
        let labels = AverageLinkage(threshold: profile.similarity.threshold, mergeFixed: true)
            .cluster(count: items.count, edges: edges, groups: groups, fixed: fixed, outside: outside.filter { $0.value > 0 },
                     dated: items.map { $0.published != nil })

        // Centrality of each item inside its cluster: the sum of its edge weights there.
        var centrality = [Double](repeating: 0, count: items.count)
        for e in edges where labels[Int(e.a)] == labels[Int(e.b)] {
            centrality[Int(e.a)] += Double(e.weight)
            centrality[Int(e.b)] += Double(e.weight)
        }
        var members: [Int: [Int]] = [:]
        for (k, label) in labels.enumerated() { members[label, default: []].append(k) }
        // Clusters with new articles, in order of their first publication (undated last), then first item.
        func firstTime(_ ks: [Int]) -> Double { ks.compactMap { items[$0].published }.min() ?? .infinity }
        let touched = members.values.filter { ks in
            ks.contains { $0 >= oldCount } || Set(ks.compactMap { items[$0].storyID }).count > 1
        }
            .map { (firstTime($0), $0.min()!, $0) }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }

        // The title of a story is its most central article's: fetch only those.
        let centralOf: [[Int]: Int] = Dictionary(uniqueKeysWithValues: touched.map { (_, _, ks) in
            (ks, ks.max { (centrality[$0], -items[$0].seq) < (centrality[$1], -items[$1].seq) }!)
        })
        let titles = try store.titles(ofSeqs: centralOf.values.map { items[$0].seq })
        try store.transaction {
            var nextID = try store.nextStoryID()
            for (_, _, ks) in touched {
                let existingIDs = Set(ks.compactMap { items[$0].storyID }).sorted()
                let existing = existingIDs.first
                let id = existing ?? nextID
                if existing == nil { nextID += 1; summary.storiesNew += 1 } else { summary.storiesGrown += 1 }
                for other in existingIDs.dropFirst() {
                    try store.merge(story: other, into: id, runID: runID)
                    summary.storiesMerged += 1
                }
                let central = centralOf[ks]!
                let newSeqs = ks.filter { $0 >= oldCount }.map { items[$0].seq }
                try store.assign(story: id, articles: newSeqs, title: titles[items[central].seq] ?? "",
                                 isNew: existing == nil, runID: runID)
            }
            // The store's clock: its newest plausible article date, never past the run's wall clock.
            if let latest = try store.latestPublished(notAfter: PublicationDate.latest) {
                let clock = min(latest, PublicationDate.runClock)
                summary.storiesClosed = try store.closeStories(before: clock - (profile.time.closeAfterDays ?? 14) * 86400, runID: runID)
            }
            FaultInjection.hit("cluster-commit")
        }
        summary.articles = fresh.count
        summary.clusterSeconds = clock.restart()
        progress.end("\(summary.storiesNew) new stories, \(summary.storiesGrown) grown")
        return summary
    }
}
