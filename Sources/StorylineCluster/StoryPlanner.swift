import StorylineCore
import StorylineSimilarity

/// Turns a linkage's clusters into story changes (``StoryChanges``): which stories new articles
/// create, grow or bring together, and which article titles each. Pure: no store.
///
/// A cluster that holds a new article, or articles of more than one existing story, changes the
/// stories; any other cluster is an existing story left as it was. A changed cluster keeps the
/// oldest (smallest) existing id among its articles and absorbs the others; a cluster with none
/// gets the next new id, in order of the clusters' first publication (undated last), then of their
/// first item in the given order. The title is the headline of the most central article: the one with the largest
/// sum of edge weights inside its cluster (ties: the first in the given order).
public struct StoryPlanner {
    public init() {}

    /// - Parameters:
    ///   - items: the clustered articles.
    ///   - labels: each item's cluster (any value shared by the items of one cluster).
    ///   - edges: the similarity graph over the items (for centrality).
    ///   - firstNewID: the id the first new story gets.
    ///   - order: each item's place in the order ties break by (nil: the items' own order, and
    ///     the stored order between equally central articles).
    /// - Complexity: O(items + edges), plus sorting the changed clusters.
    public func plan(items: [ArticleRef], labels: [Int], edges: [SimilarityEdge], firstNewID: Int64, order: [Int32]? = nil) -> StoryChanges {
        precondition(labels.count == items.count)
        let place: (Int) -> Int64 = { k in order.map { Int64($0[k]) } ?? Int64(k) }
        let tieBreak: (Int) -> Int64 = { k in order.map { Int64($0[k]) } ?? items[k].seq }
        // Summed in fixed point (a weight is a Float in [0, 1]: 2^32 steps are exact for it), so
        // the sum does not depend on the order of the edges, which follows the articles' arrival.
        var centrality = [Int64](repeating: 0, count: items.count)
        for e in edges where labels[Int(e.a)] == labels[Int(e.b)] {
            let w = Int64((Double(e.weight) * 4_294_967_296).rounded())
            centrality[Int(e.a)] += w
            centrality[Int(e.b)] += w
        }
        var members: [Int: [Int]] = [:]
        for (k, label) in labels.enumerated() { members[label, default: []].append(k) }
        let changed = members.values.compactMap { ks -> (first: Double, lead: Int, items: [Int], stories: [Int64])? in
            let stories = Set(ks.compactMap { items[$0].storyID }).sorted()
            guard ks.contains(where: { items[$0].storyID == nil }) || stories.count > 1 else { return nil }
            return (ks.compactMap { items[$0].published }.min() ?? .infinity, ks.min { place($0) < place($1) }!, ks, stories)
        }
        .sorted { ($0.first, place($0.lead)) < ($1.first, place($1.lead)) }

        var nextID = firstNewID
        var changes = StoryChanges()
        for cluster in changed {
            let central = cluster.items.max { (centrality[$0], -tieBreak($0)) < (centrality[$1], -tieBreak($1)) }!
            let existing = cluster.stories.first
            let id = existing ?? nextID
            if existing == nil { nextID += 1 }
            changes.stories.append(StoryChanges.Story(
                id: id, isNew: existing == nil, absorbed: Array(cluster.stories.dropFirst()),
                added: cluster.items.filter { items[$0].storyID == nil }.map { items[$0].seq },
                titleArticle: items[central].seq))
        }
        return changes
    }
}
