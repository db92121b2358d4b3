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

    /// The storylines of at least two of `stories`' stories; outlets' groups from `groupOf`.
    static func build(_ stories: [StorySummary], groupOf: (String) -> String?) -> [StorylineCoverage] {
        StorylineSummary.group(stories).filter { $0.stories.count >= 2 }.map { line in
            let steps = line.stories.map {
                Step(story: $0.id, title: $0.title, first_published: $0.firstPublished.map(ISODate.format), article_count: $0.articles.count,
                     outlets: $0.outlets)
            }
            let follows = line.outlets.map { outlet -> Follow in
                let covered = steps.indices.filter { steps[$0].outlets.contains(outlet) }.map { $0 + 1 }
                let last = covered.last!
                return Follow(outlet: outlet, group: groupOf(outlet), steps: covered, dropped_after: last < steps.count ? last : nil,
                              followed_up: covered.count > 1)
            }.sorted { ($0.steps.count, $1.outlet) > ($1.steps.count, $0.outlet) }
            return StorylineCoverage(id: line.id, title: line.title, first_published: line.firstPublished.map(ISODate.format),
                                     last_published: line.lastPublished.map(ISODate.format), steps: steps, outlets: follows)
        }
    }
}
