import StorylineCore

/// A storyline as it is listed and reported: its stories in time order, each with its outlets.
public struct StorylineSummary: Sendable, Equatable {
    public var id: Int64
    /// The headline of its largest story (the earliest of the largest).
    public var title: String
    /// Its stories, earliest first (undated last).
    public var stories: [StorySummary]
    public var firstPublished: Double? { stories.compactMap(\.firstPublished).min() }
    public var lastPublished: Double? { stories.compactMap(\.lastPublished).max() }
    public var articleCount: Int { stories.reduce(0) { $0 + $1.articles.count } }
    /// Every outlet of its stories, in order of first appearance.
    public var outlets: [String] {
        var seen = Set<String>(), out: [String] = []
        for s in stories { for o in s.outlets where seen.insert(o).inserted { out.append(o) } }
        return out
    }

    /// The storylines of `stories` (live ones, as ``StoryStore/stories(since:minArticles:)``
    /// lists them), by first publication (undated last), then id; stories not linked yet are left out.
    public static func group(_ stories: [StorySummary]) -> [StorylineSummary] {
        var byLine: [Int64: [StorySummary]] = [:]
        for s in stories { if let line = s.storyline { byLine[line, default: []].append(s) } }
        let lines = byLine.map { id, members -> StorylineSummary in
            let sorted = members.sorted { ($0.firstPublished ?? .infinity, $0.id) < ($1.firstPublished ?? .infinity, $1.id) }
            let largest = sorted.max { $0.articles.count < $1.articles.count || ($0.articles.count == $1.articles.count && $0.id > $1.id) }!
            return StorylineSummary(id: id, title: largest.title, stories: sorted)
        }
        return lines.sorted { ($0.firstPublished ?? .infinity, $0.id) < ($1.firstPublished ?? .infinity, $1.id) }
    }
}
