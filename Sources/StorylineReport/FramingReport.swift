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
    /// How the stressed words and phrases were chosen, and how stable they are.
    public var framing: FramingMethod
    /// Storylines of two or more of the reported stories: who followed each matter up.
    public var storylines: [StorylineCoverage]
    /// Each outlet across every story it shares with others (``OutletProfiles``).
    public var outlet_profiles: [OutletProfile]
    public var outlet_matrix: OutletMatrix
    public var profile_method: ProfileMethod
}

/// The statistic behind `distinctive_terms`, and the report's totals.
public struct FramingMethod: Codable, Sendable {
    /// Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).
    public var method: String
    /// Shown only with z at least this.
    public var min_z: Double
    public var prior_weight: Double
    /// A unit is tested for an outlet when the outlet uses it at least this often.
    public var min_count: Int
    /// Stems in more than this share of the store's articles are not tested.
    public var max_document_share: Double
    /// Resamples of each outlet's sentences (0: stability not measured).
    public var bootstrap: Int
    /// Story-outlet pairs, those with at least one unit shown, units tested and shown.
    public var outlet_pairs: Int
    public var pairs_with_terms: Int
    public var tested: Int
    public var shown: Int
    /// Share of the shown units that keep z >= min_z in at least 80% of resamples (null without
    /// a bootstrap).
    public var stable_share: Double?
    /// The chance bar, measured: the story's sentences dealt at random among its outlets this
    /// many times; the share of units tested then that reach min_z (null without a bootstrap).
    /// Times `tested`: about how many of the shown units chance alone would give.
    public var null_rounds: Int
    public var null_rate: Double?
    /// Stories whose bar was raised above min_z so that chance passes at most 2.5% there.
    public var bar_raised: Int
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
    /// The z a word or phrase needed to be shown in this story: the report's min_z, or higher
    /// where chance (its sentences permuted among its outlets) passes more than 2.5% at min_z.
    public var bar: Double
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
    /// Words, phrases and names this outlet stressed more than the rest of the story beyond
    /// chance (z >= the report's `framing.min_z`), in the outlet's own form, highest z first.
    public var distinctive_terms: [DistinctiveTerm]
    /// How many units (stems, phrases) were tested for this outlet.
    public var candidates_tested: Int
    /// Names, numbers and key words most of the story's other outlets carry that this outlet
    /// never mentions.
    public var omitted: [Omission]
    /// Cosine of the outlet's TF-IDF centroid with the centroid of the rest of the story
    /// (null when the outlet is the only one). Low: the outlier.
    public var similarity_to_story: Double?
    /// Who the outlet quoted, most quoted first.
    public var quoted: [QuotedSource]
    /// Its share of emotionally loaded words against the rest of the story's (null: the lexicon
    /// is English and the story is not all English, or the outlet is the story's only one).
    public var loaded_language: LoadedLanguage?
    /// Who its first article quotes first (null: no quote found).
    public var first_quoted: String?
    /// Who the story's other outlets quote and this one does not, most widely quoted first.
    public var others_quote: [OthersQuote]
}

public struct DistinctiveTerm: Codable, Sendable, Equatable {
    /// As the outlet wrote it most often.
    public var term: String
    public var z: Double
    /// "term" (one word), "phrase" (two or three), "name" (capitalized), "number".
    public var kind: String
    /// Occurrences in this outlet's articles and in the rest of the story.
    public var count: Int
    public var rest_count: Int
    /// Share of resamples in which it keeps z >= min_z (null without a bootstrap).
    public var stability: Double?
}

public struct LoadedLanguage: Codable, Sendable, Equatable {
    /// Loaded words per word, here and in the rest of the story.
    public var share: Double
    public var rest_share: Double
    /// Two-sided permutation p-value of the difference (sentences dealt at random among the
    /// story's outlets, 199 times), and the same adjusted over every story-outlet pair of the
    /// report (Benjamini-Hochberg): the cards show the share only where q < 0.05.
    public var p: Double
    public var q: Double
    /// The loaded words this outlet used most.
    public var words: [String]
}

public struct Omission: Codable, Sendable, Equatable {
    /// As the other outlets wrote it most often.
    public var term: String
    /// "name", "number" or "term".
    public var kind: String
    /// How many of the story's other outlets carry it, of how many.
    public var carried_by: Int
    public var of: Int
}

public struct OthersQuote: Codable, Sendable, Equatable {
    public var speaker: String
    /// How many of the story's other outlets quote them.
    public var outlets: Int
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
extension DistinctiveTerm: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension FramingMethod: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension OutletSummary: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
