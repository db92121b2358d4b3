/// What one clustering pass changes in the stories: a plan computed from the similarity graph
/// alone (no store), which a store then commits in one transaction.
///
/// Each entry is one story that new articles reach: a new story, or an existing one that grows,
/// possibly absorbing other existing stories (new articles brought them together). Ids are never
/// reused: an absorbed story keeps its id and is recorded as merged into the survivor.
public struct StoryChanges: Sendable, Equatable {
    public struct Story: Sendable, Equatable {
        /// The story's id: the oldest (smallest) existing id among those that meet, or a new one.
        public var id: Int64
        /// Whether the story is created by this pass.
        public var isNew: Bool
        /// Existing stories merged into this one, oldest first.
        public var absorbed: [Int64]
        /// Store sequence numbers of the articles that join it (not yet in any story).
        public var added: [Int64]
        /// The article whose headline titles the story: its most central one.
        public var titleArticle: Int64

        public init(id: Int64, isNew: Bool, absorbed: [Int64], added: [Int64], titleArticle: Int64) {
            self.id = id
            self.isNew = isNew
            self.absorbed = absorbed
            self.added = added
            self.titleArticle = titleArticle
        }
    }

    /// In order of their first publication (undated last); new ids follow that order.
    public var stories: [Story]

    public init(stories: [Story] = []) { self.stories = stories }

    public var newCount: Int { stories.filter(\.isNew).count }
    public var grownCount: Int { stories.count - newCount }
    public var mergedCount: Int { stories.reduce(0) { $0 + $1.absorbed.count } }
}
