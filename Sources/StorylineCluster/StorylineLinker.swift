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

    /// Each story's storyline, as a label (the smallest index of its storyline's stories).
    /// - Parameter order: each story's rank in a fixed order; ties break by it.
    public func link(_ stories: [Story], order: [Int32]) -> [Int] {
        let n = stories.count
        guard n > 0 else { return [] }
        let edges = similarities(stories)
        let groups = stories.enumerated().map { k, s in s.storyline.map { Int($0) } ?? -(k + 1) }
        let fixed = Set(stories.compactMap { $0.storyline.map { Int($0) } })
        var memory = AverageLinkage.Memory()
        var labels = AverageLinkage(threshold: threshold, mergeFixed: true)
            .cluster(count: n, edges: edges, groups: groups, fixed: fixed, order: order, memory: &memory)
        attachSmall(stories, edges: edges, labels: &labels, order: order)
        return labels
    }

    /// The cosine of every pair of stories that shares a name used by few stories (each pair once, a < b).
    func similarities(_ stories: [Story]) -> [SimilarityEdge] {
        let n = stories.count
        var documentFrequency: [String: Int] = [:]
        for s in stories { for name in s.names.keys { documentFrequency[name, default: 0] += 1 } }
        // Unit vectors over name ids, sorted by id.
        var ids: [String: Int32] = [:]
        for name in documentFrequency.keys.sorted() { ids[name] = Int32(ids.count) }
        let vectors: [[(Int32, Double)]] = stories.map { s in
            var v = s.names.map { name, count in
                (ids[name]!, (1 + log(Double(count))) * log(Double(1 + n) / Double(1 + documentFrequency[name]!)))
            }
            let norm = v.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
            if norm > 0 { v = v.map { ($0.0, $0.1 / norm) } }
            return v.sorted { $0.0 < $1.0 }
        }
        let cap = max(32, Int(Double(n).squareRoot()))
        var postings = [[Int32]](repeating: [], count: ids.count)
        for (k, s) in stories.enumerated() {
            for name in s.names.keys where documentFrequency[name]! <= cap { postings[Int(ids[name]!)].append(Int32(k)) }
        }
        // Each story's partners of a higher index, found on all cores; scored exactly.
        var found = [[SimilarityEdge]](repeating: [], count: n)
        var partnersOf = [[Int32]](repeating: [], count: n)
        for list in postings where list.count > 1 {
            for (p, a) in list.enumerated() { partnersOf[Int(a)].append(contentsOf: list[(p + 1)...]) }
        }
        found.withUnsafeMutableBufferPointer { out in
            Parallel.strided(n, workers: Parallel.cores) { _, a in
                var seen = Set<Int32>()
                var edges: [SimilarityEdge] = []
                for b in partnersOf[a] where seen.insert(b).inserted {
                    let c = Self.cosine(vectors[a], vectors[Int(b)])
                    if c > 0 { edges.append(SimilarityEdge(a: Int32(a), b: b, weight: Float(c))) }
                }
                out[a] = edges.sorted { $0.b < $1.b }
            }
        }
        return Array(found.joined())
    }

    static func cosine(_ a: [(Int32, Double)], _ b: [(Int32, Double)]) -> Double {
        var i = 0, j = 0, dot = 0.0
        while i < a.count && j < b.count {
            if a[i].0 == b[j].0 { dot += a[i].1 * b[j].1; i += 1; j += 1 } else if a[i].0 < b[j].0 { i += 1 } else { j += 1 }
        }
        return dot
    }

    /// Small stories left alone join their clearly nearest storyline (see the type's notes); each
    /// decided against the storylines as linkage left them, so the order they are taken in does not matter.
    func attachSmall(_ stories: [Story], edges: [SimilarityEdge], labels: inout [Int], order: [Int32]) {
        var members: [Int: Int] = [:]
        for label in labels { members[label, default: 0] += 1 }
        let alone = Set(stories.indices.filter { members[labels[$0]] == 1 && stories[$0].size <= smallStory })
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
