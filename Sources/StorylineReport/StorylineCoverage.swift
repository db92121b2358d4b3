import StorylineCore
import StorylineStore

/// A storyline as the report shows it: its steps (stories) in time order and, for each outlet,
/// which steps it covered, and after which it dropped the matter while others followed it up.
public struct StorylineCoverage: Codable, Sendable {
    public var id: Int64
    public var title: String
    public var first_published: String?
    public var last_published: String?
    public var steps: [Step]
    /// Every outlet of any step, those that covered the most steps first.
    public var outlets: [Follow]

    public struct Step: Codable, Sendable {
        public var story: Int64
        public var title: String
        public var first_published: String?
        public var article_count: Int
        public var outlets: [String]
    }

    public struct Follow: Codable, Sendable {
        public var outlet: String
        public var group: String?
        /// The steps it covered, numbered from 1 in time order.
        public var steps: [Int]
        /// Its last step, when later steps exist that other outlets covered: where it dropped the
        /// matter (nil: it followed to the last step).
        public var dropped_after: Int?
        /// Whether it covered any step after its first (followed the matter up).
        public var followed_up: Bool
    }

    /// The storylines that join at least two of the reported `stories` (`storylineOf`: each
    /// story's storyline), by first step; outlets' groups from `groupOf`.
    static func build(_ stories: [StoryFraming], storylineOf: [Int64: Int64], groupOf: (String) -> String?) -> [StorylineCoverage] {
        var byLine: [Int64: [StoryFraming]] = [:]
        for s in stories { if let line = storylineOf[s.id] { byLine[line, default: []].append(s) } }
        // ISO 8601 UTC dates of one form: their text order is their time order; undated last.
        func key(_ s: StoryFraming) -> (String, Int64) { (s.first_published ?? "~", s.id) }
        let lines = byLine.filter { $0.value.count >= 2 }.map { id, members -> StorylineCoverage in
            let sorted = members.sorted { key($0) < key($1) }
            let largest = sorted.max { ($0.article_count, -$0.id) < ($1.article_count, -$1.id) }!
            let steps = sorted.map {
                Step(story: $0.id, title: $0.title, first_published: $0.first_published, article_count: $0.article_count,
                     outlets: $0.outlets.map(\.outlet))
            }
            var outlets: [String] = []
            for step in steps { for o in step.outlets where !outlets.contains(o) { outlets.append(o) } }
            let follows = outlets.map { outlet -> Follow in
                let covered = steps.indices.filter { steps[$0].outlets.contains(outlet) }.map { $0 + 1 }
                let last = covered.last!
                return Follow(outlet: outlet, group: groupOf(outlet), steps: covered, dropped_after: last < steps.count ? last : nil,
                              followed_up: covered.count > 1)
            }.sorted { ($0.steps.count, $1.outlet) > ($1.steps.count, $0.outlet) }
            return StorylineCoverage(id: id, title: largest.title, first_published: steps.first?.first_published,
                                     last_published: sorted.compactMap(\.last_published).max(), steps: steps, outlets: follows)
        }
        return lines.sorted { ($0.first_published ?? "~", $0.id) < ($1.first_published ?? "~", $1.id) }
    }
}
