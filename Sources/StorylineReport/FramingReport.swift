import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// The framing report: for each story, who covered it and how. Its JSON form (`report.json`) is
/// the CLI contract's, extended: keys are snake_case; dates ISO 8601 UTC.
public struct FramingReport: Codable, Sendable {
    public var generated: String
    public var stories: [StoryFraming]
    /// Per outlet, across the reported stories.
    public var outlets: [OutletSummary]
    /// Stories covered mostly by one group of outlets, that another group barely covered.
    public var blindspots: [Blindspot]
    /// The groups outlets belong to (empty when no grouping was given).
    public var groups: [String]
}

public struct StoryFraming: Codable, Sendable {
    public var id: Int64
    public var title: String
    public var article_count: Int
    public var first_published: String?
    public var last_published: String?
    /// The outlet of the earliest article (null when no article is dated).
    public var first_reported_by: String?
    public var outlets: [OutletFraming]
    /// Articles per outlet group ("ungrouped" for outlets without one).
    public var coverage: [String: Int]
    /// The dates its dump did not give, that ingest found (in a URL, a dateline, a page's
    /// metadata): the first report and the timeline rest on them.
    public var dates_found: [FoundDate]
    /// Its articles with no date at all.
    public var undated_articles: Int
}

public struct FoundDate: Codable, Sendable, Equatable {
    public var article: String
    public var outlet: String
    public var published: String
    /// "url", "text", "meta" or "json-ld".
    public var source: String
}

public struct OutletFraming: Codable, Sendable {
    public var outlet: String
    public var group: String?
    /// Article ids, earliest first.
    public var articles: [String]
    public var article_count: Int
    public var first_published: String?
    /// The outlet's first headline on the story; all of them in `headlines`.
    public var headline: String
    public var headlines: [String]
    /// Publication times of the outlet's articles.
    public var timeline: [String]
    /// Words this outlet stressed more than the rest of the story: unstemmed form, z-score.
    public var distinctive_terms: [DistinctiveTerm]
    /// Cosine of the outlet's TF-IDF centroid with the centroid of the rest of the story
    /// (null when the outlet is the only one). Low: the outlier.
    public var similarity_to_story: Double?
    /// Who the outlet quoted, most quoted first.
    public var quoted: [QuotedSource]
}

public struct DistinctiveTerm: Codable, Sendable, Equatable {
    public var term: String
    public var z: Double
}

public struct QuotedSource: Codable, Sendable, Equatable {
    public var speaker: String
    public var count: Int
}

public struct OutletSummary: Codable, Sendable {
    public var outlet: String
    public var group: String?
    public var stories: Int
    public var articles: Int
    /// Stories this outlet reported first.
    public var first_reports: Int
    /// Mean of 1 − similarity_to_story over stories it shares with other outlets.
    public var mean_divergence: Double?
}

public struct Blindspot: Codable, Sendable {
    public var story: Int64
    public var title: String
    /// The group that covered it most, and its share of the articles.
    public var covered_by: String
    public var share: Double
    /// Groups with no article on it.
    public var missing: [String]
    public var coverage: [String: Int]
}

/// Encodes every stored property, writing `null` for nil optionals (the synthesized encoder
/// leaves such keys out), so that scripts always find the same keys.
protocol EncodesNulls: Encodable {}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct AnyEncodable: Encodable {
    let value: any Encodable
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

extension EncodesNulls {
    func encodeWithNulls(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = child.value as? any Encodable else { continue }
            try c.encode(AnyEncodable(value: value), forKey: AnyKey(label))
        }
    }
}

extension StoryFraming: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension OutletFraming: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension OutletSummary: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
