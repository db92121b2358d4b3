/// What a similarity search counted: one type for the search (StorylineSimilarity's
/// `CandidateSearch.Stats`) and for the store that keeps the pieces of a search split across
/// processes (StorylineStore's `PieceStats`), which both hold it rather than mirror its fields.
public struct SearchCounts: Sendable, Equatable {
    /// Pairs of articles within the time window of each other.
    public var pairsInWindow = 0
    /// Pairs the sketches let through to the exact cosine.
    public var candidates = 0
    /// Twice the multiply-adds of the dense stage (int8 ones count like float ones).
    public var denseFlops = 0.0
    public var denseSeconds = 0.0

    public init() {}

    public mutating func add(_ other: SearchCounts) {
        pairsInWindow += other.pairsInWindow
        candidates += other.candidates
        denseFlops += other.denseFlops
        denseSeconds += other.denseSeconds
    }
}
