import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport

/// The worst mistakes of a clustering against gold labels, for diagnosis (`eval --explain`).
///
/// A *merge* is a found story that holds articles of several gold stories, ranked by the number
/// of article pairs it wrongly joins; a *split* is a gold story spread over several found
/// stories, ranked by the number of pairs it wrongly separates.
public struct ErrorAnalysis: Sendable, Codable {
    /// An article as the analysis names it (the store's ``ArticleLabel``).
    public typealias Item = ArticleLabel
    /// One mistake: the groups it mixes (for a merge, by gold story; for a split, by found story).
    public struct Mistake: Sendable, Codable {
        public var wrongPairs: Int
        public var groups: [[Item]]
    }
    public var merges: [Mistake] = []
    public var splits: [Mistake] = []

    public init(items: [(item: Item, gold: String, found: Int64)], limit: Int) {
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        func mistakes<Outer: Hashable & Comparable, Inner: Hashable & Comparable>(
            outer: (Int) -> Outer, inner: (Int) -> Inner) -> [Mistake] {
            var byOuter: [Outer: [Inner: [Int]]] = [:]
            for k in items.indices { byOuter[outer(k), default: [:]][inner(k), default: []].append(k) }
            var out: [(Mistake, Outer)] = []
            for (key, parts) in byOuter where parts.count > 1 {
                let sizes = parts.values.map(\.count)
                let total = sizes.reduce(0, +)
                let wrong = pairs(total) - sizes.map(pairs).reduce(0, +)
                let groups = parts.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
                    .map { $0.value.map { items[$0].item } }
                out.append((Mistake(wrongPairs: wrong, groups: groups), key))
            }
            return out.sorted { ($0.0.wrongPairs, $1.1) > ($1.0.wrongPairs, $0.1) }.prefix(limit).map(\.0)
        }
        merges = mistakes(outer: { items[$0].found }, inner: { items[$0].gold })
        splits = mistakes(outer: { items[$0].gold }, inner: { items[$0].found })
    }

    /// A readable listing.
    public func text() -> String {
        var lines: [String] = []
        func show(_ title: String, _ list: [Mistake], _ label: String) {
            lines.append(title)
            for (n, m) in list.enumerated() {
                lines.append("\(n + 1). \(m.wrongPairs) wrong pairs")
                for (g, group) in m.groups.enumerated() {
                    lines.append("   \(label) \(g + 1):")
                    for item in group.prefix(4) {
                        lines.append("     [\(item.outlet), \(item.published.map { String($0.prefix(10)) } ?? "undated")] \(item.title.prefix(100))")
                    }
                    if group.count > 4 { lines.append("     … \(group.count - 4) more") }
                }
            }
        }
        show("Worst merges (one found story, several gold stories):", merges, "gold story")
        show("Worst splits (one gold story, several found stories):", splits, "found story")
        return lines.joined(separator: "\n")
    }
}
