import Foundation
import StorylineCore
import StorylineSimilarity

/// Splits a story that holds two look-alike events (two shootings, two coaching changes, two DUI
/// arrests of one team's players) by the names its articles use, where dates could not keep them
/// apart: twin events share their words, not the names that fill their roles.
///
/// The story's articles are linked again by average linkage over their name vectors (TF-IDF of
/// ``NameExtractor``'s names, idf over every article the pass looked at, cosine) at `threshold`.
/// The story splits when two or more of the groups that leaves (of two articles or more) each
/// have a name of their own: one that at least `share` of the group's articles use and no article
/// of the other groups does. Groups without such a name, and single articles, join the group they
/// are nearest to. One event whose articles name different people stays whole, since its groups
/// share their names; a saga's steps are stories of their own already (dates part them).
public struct TwinSplitter: Sendable {
    public var threshold: Double
    public var share: Double
    /// Stories of fewer articles are left as they are.
    public var minArticles = 4
    /// Nor are larger ones: the split compares every pair of a story's articles (a story of this
    /// many: 0.5M pairs, 8 MB), and two look-alike events of that size are told apart by their
    /// words and dates already.
    public var maxArticles = 1000
    /// A story is split only when `share` of its articles name at least this many (distinct)
    /// names: full texts. Headlines and snippets carry too few to tell events apart (ecbplus-dev,
    /// titles only: 0.662 whole, 0.638 split at any count; 0.662 from 5 names up).
    public var minNames = 8

    public init(threshold: Double, share: Double) {
        self.threshold = threshold
        self.share = share
    }

    /// The parts of a story, as lists of indices into `names` (the story's articles' names, in a
    /// fixed order: the parts and their order follow it); one part when it stays whole.
    /// - Parameters:
    ///   - documentFrequency: in how many of the pass's articles each name appears, of `documents`.
    public func split(_ names: [[String: Int]], documentFrequency: [String: Int], documents: Int) -> [[Int]] {
        let n = names.count
        let whole = [Array(0..<n)]
        guard n >= minArticles && n <= maxArticles else { return whole }
        // Too few names to tell events apart (headlines alone): left whole.
        guard Double(names.filter { $0.count >= minNames }.count) >= share * Double(n) else { return whole }
        let vectors = names.map { NameVectors.unit($0.map { ($0.key, $0.value) }, documents: documents) { documentFrequency[$0] ?? 0 } }
        var edges: [SimilarityEdge] = []
        var similarity = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in (a + 1)..<n {
                let c = NameVectors.cosine(vectors[a], vectors[b])
                similarity[a * n + b] = c
                similarity[b * n + a] = c
                if c > 0 { edges.append(SimilarityEdge(a: Int32(a), b: Int32(b), weight: Float(c))) }
            }
        }
        let labels = AverageLinkage(threshold: threshold).cluster(count: n, edges: edges)
        var byLabel: [Int: [Int]] = [:]
        for (k, label) in labels.enumerated() { byLabel[label, default: []].append(k) }
        let groups = byLabel.values.sorted { $0[0] < $1[0] }
        let big = groups.filter { $0.count >= 2 }
        guard big.count >= 2 else { return whole }
        // A group's own name: used by `share` of its articles, by no article of the other groups.
        let usedBy: [[String: Int]] = big.map { group in
            var c: [String: Int] = [:]
            for k in group { for name in names[k].keys { c[name, default: 0] += 1 } }
            return c
        }
        var keep: [Int] = []
        for (g, group) in big.enumerated() {
            let others = Set(big.indices.filter { $0 != g }.flatMap { usedBy[$0].keys })
            let own = usedBy[g].contains { name, count in Double(count) >= share * Double(group.count) && !others.contains(name) }
            if own { keep.append(g) }
        }
        guard keep.count >= 2 else { return whole }
        var parts = keep.map { big[$0] }
        func nearest(_ members: [Int]) -> Int {
            var best = 0, bestScore = -1.0
            for (p, part) in parts.enumerated() {
                var total = 0.0
                for a in members { for b in part { total += similarity[a * n + b] } }
                let score = total / Double(members.count * part.count)
                if score > bestScore { best = p; bestScore = score }
            }
            return best
        }
        // The rest join the part they are nearest to, one after the other: first the groups without
        // a name of their own, then the single articles.
        let rest = big.indices.filter { !keep.contains($0) }.map { big[$0] } + groups.filter { $0.count < 2 }
        for g in rest { parts[nearest(g)] += g }
        return parts.map { $0.sorted() }
    }
}
