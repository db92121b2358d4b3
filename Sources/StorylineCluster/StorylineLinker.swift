import Foundation
import StorylineCore
import StorylineSimilarity

/// Joins stories of one matter (the shooting, the charges, the trial) into storylines by the
/// names they share: stories of two look-alike events (two shootings) share their words, not the
/// names that fill their roles, so names alone decide.
///
/// Each story is a TF-IDF vector of its articles' names (``NameExtractor``; sublinear tf, idf
/// over the stories linked), and stories are linked by average linkage over their cosines at
/// `threshold`, the storylines they already belong to starting as groups (which merge when a
/// story brings them together, as stories do). Then a story of at most `smallStory` articles left
/// alone joins the storyline it is nearest to (mean cosine to its stories) when that mean is at
/// least `attach` and `attachMargin` times the next storyline's: a story of an article or two
/// names too few names to clear the bar, but its nearest storyline, when clearly nearest, is its own.
///
/// Pairs are found through the names they share, a name counting when at most
/// `max(32, √n)` of the `n` stories use it (a name in more is no evidence of one matter, and its
/// postings would cost quadratic pairs); each pair found is scored over all its names.
public struct StorylineLinker: Sendable {
    public var threshold: Double
    public var attach: Double
    public var attachMargin: Double
    public var smallStory: Int
    /// Pairs of a lower cosine are no edge (see ``similarities(_:)``).
    public var edgeFloor = 0.02

    public init(threshold: Double, attach: Double, attachMargin: Double, smallStory: Int) {
        self.threshold = threshold
        self.attach = attach
        self.attachMargin = attachMargin
        self.smallStory = smallStory
    }

    /// A story as the linker sees it.
    public struct Story: Sendable {
        /// Its articles' names with how often they appear.
        public var names: [String: Int]
        /// How many articles it has.
        public var size: Int
        /// The storyline it belongs to already, if any.
        public var storyline: Int64?

        public init(names: [String: Int], size: Int, storyline: Int64?) {
            self.names = names
            self.size = size
            self.storyline = storyline
        }
    }

    /// Each story's storyline, as a label (the index of its storyline's story that comes first in `order`).
    /// - Parameter order: each story's rank in a fixed order; ties break by it.
    public func link(_ stories: [Story], order: [Int32]) -> [Int] {
        let n = stories.count
        guard n > 0 else { return [] }
        let edges = similarities(stories)
        let groups = stories.enumerated().map { k, s in s.storyline.map { Int($0) } ?? -(k + 1) }
        var memory = AverageLinkage.Memory()
        var labels = AverageLinkage(threshold: threshold, mergeFixed: true)
            .cluster(count: n, edges: edges, groups: groups, order: order, memory: &memory)
        attachSmall(stories, edges: edges, labels: &labels, order: order)
        return labels
    }

    /// The cosine of every pair of stories that shares a name used by few stories (each pair once,
    /// a < b), when at least `edgeFloor` (a pair below it adds next to nothing to an average, and
    /// every pair of two stories that share a rare name would otherwise be an edge).
    func similarities(_ stories: [Story]) -> [SimilarityEdge] {
        let n = stories.count
        var documentFrequency: [String: Int] = [:]
        for s in stories { for name in s.names.keys { documentFrequency[name, default: 0] += 1 } }
        // Unit vectors over name ids (the names in sorted order), sorted by id.
        var ids: [String: Int32] = [:]
        var frequencyOf: [Int] = []
        for name in documentFrequency.keys.sorted() {
            ids[name] = Int32(ids.count)
            frequencyOf.append(documentFrequency[name]!)
        }
        let vectors = stories.map { s in NameVectors.unit(s.names.map { (ids[$0.key]!, $0.value) }, documents: n) { frequencyOf[Int($0)] } }
        let cap = max(32, Int(Double(n).squareRoot()))
        // Postings in story order; each story's indexed names.
        var postings = [[Int32]](repeating: [], count: ids.count)
        var indexed = [[Int32]](repeating: [], count: n)
        for (k, s) in stories.enumerated() {
            for name in s.names.keys where documentFrequency[name]! <= cap {
                let id = ids[name]!
                postings[Int(id)].append(Int32(k))
                indexed[k].append(id)
            }
        }
        // Each story's partners of a higher index through its postings, found on all cores, each
        // once (a stamp per partner and worker), scored exactly.
        let workers = Parallel.cores
        var found = [[SimilarityEdge]](repeating: [], count: n)
        var stamps = [Int32](repeating: -1, count: n * workers)
        found.withUnsafeMutableBufferPointer { out in
            stamps.withUnsafeMutableBufferPointer { stamps in
                Parallel.strided(n, workers: workers) { w, a in
                    var edges: [SimilarityEdge] = []
                    for id in indexed[a] {
                        let list = postings[Int(id)]
                        // Postings are in story order: the partners of a higher index follow `a`.
                        var p = list.count
                        var lo = 0
                        while lo < p { let mid = (lo + p) / 2; if list[mid] <= Int32(a) { lo = mid + 1 } else { p = mid } }
                        for b in list[lo...] where stamps[w * n + Int(b)] != Int32(a) {
                            stamps[w * n + Int(b)] = Int32(a)
                            let c = NameVectors.cosine(vectors[a], vectors[Int(b)])
                            if c >= edgeFloor { edges.append(SimilarityEdge(a: Int32(a), b: b, weight: Float(c))) }
                        }
                    }
                    out[a] = edges.sorted { $0.b < $1.b }
                }
            }
        }
        return Array(found.joined())
    }

    /// Small stories left alone join their clearly nearest storyline (see the type's notes); each
    /// decided against the storylines as linkage left them, so the order they are taken in does not matter.
    func attachSmall(_ stories: [Story], edges: [SimilarityEdge], labels: inout [Int], order: [Int32]) {
        var members: [Int: Int] = [:]
        for label in labels { members[label, default: 0] += 1 }
        // A story already in a storyline is not moved alone: its storyline's other stories may lie
        // outside the window, and one or two articles are no evidence to move them all.
        let alone = Set(stories.indices.filter { members[labels[$0]] == 1 && stories[$0].size <= smallStory && stories[$0].storyline == nil })
        guard !alone.isEmpty else { return }
        // Sum of cosines from each lone small story to each storyline (not of lone small stories).
        var sums: [Int: [Int: Double]] = [:]
        for e in edges {
            let a = Int(e.a), b = Int(e.b)
            if alone.contains(a) && !alone.contains(b) { sums[a, default: [:]][labels[b], default: 0] += Double(e.weight) }
            if alone.contains(b) && !alone.contains(a) { sums[b, default: [:]][labels[a], default: 0] += Double(e.weight) }
        }
        var moves: [(Int, Int)] = []
        for (story, bySum) in sums {
            // Mean over the storyline's stories; ties by the storyline's label's rank.
            let ranked = bySum.map { ($0.key, $0.value / Double(members[$0.key]!)) }
                .sorted { ($0.1, -order[$0.0]) > ($1.1, -order[$1.0]) }
            let best = ranked[0].1, next = ranked.count > 1 ? ranked[1].1 : 0
            if best >= attach && best >= attachMargin * next { moves.append((story, ranked[0].0)) }
        }
        for (story, label) in moves { labels[story] = label }
    }
}
