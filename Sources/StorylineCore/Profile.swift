import Foundation

/// The clustering profile: every tunable value of the engine, in one versioned file
/// (`Models/profile.json`). Unknown keys are rejected; keys added in later versions are optional.
public struct Profile: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var analyzer: AnalyzerSettings
    public var similarity: SimilaritySettings
    public var time: TimeSettings
    /// The framing report's statistics. Optional (defaults below).
    public var report: ReportSettings?
    /// How stories join into storylines. Optional (defaults below).
    public var storylines: StorylineSettings?
    /// Why each value is what it is: the measurement behind it.
    public var evidence: [String: String]?

    public struct AnalyzerSettings: Codable, Equatable, Sendable {
        /// Language of articles that do not say (ISO 639-1).
        public var defaultLanguage: String
        /// ASCII tokens shorter than this are dropped.
        public var minTokenLength: Int
        /// A title occurrence counts this many text occurrences.
        public var titleWeight: Double
    }

    public struct SimilaritySettings: Codable, Equatable, Sendable {
        /// Average-linkage stopping point on the time-decayed cosine.
        public var threshold: Double
        /// Width of the dense sketch (signed feature hashing).
        public var sketchDimension: Int
        /// A pair is verified exactly when its sketch score is above `threshold/decay - margin`.
        public var margin: Double
        /// Width and margin where the dense stage runs on int8 sketches (any int8 kernel): its
        /// multiply-adds cost a quarter, so a wider sketch with a smaller margin, which leaves fewer
        /// candidates to verify, pays there. Nil: `sketchDimension` and `margin`.
        public var int8SketchDimension: Int?
        public var int8Margin: Double?
        /// With int8 sketches, a pair that clears the first sketch is checked against a second,
        /// independent sketch of the same width before the exact cosine: the mean of the two
        /// (the error of a sketch twice as wide) must clear `threshold/decay - int8RefineMargin`.
        /// One 1 KB int8 dot product instead of a sparse one per rejected pair. Nil: no second sketch.
        public var int8RefineMargin: Double?
        /// Articles per sgemm block.
        public var blockSize: Int
        /// Seed of the sketch's hash.
        public var seed: UInt64
        /// Articles without a date: `compare-all` (compared with every article, no decay) or
        /// `isolate` (each stays alone).
        public var undated: UndatedPolicy
        /// Short texts share fewer words even when they tell the same event: for a pair whose
        /// shorter article has `n` distinct terms, the threshold falls linearly from `threshold`
        /// (at `shortTextTerms` or more) to `shortTextThreshold` (at one term). Nil: one threshold.
        public var shortTextTerms: Int?
        public var shortTextThreshold: Double?
        /// Each article keeps its this many strongest edges (an edge stays when it is among the
        /// strongest of either end): the similarity graph, and linkage's memory, stay near
        /// `articles × maxNeighbors` edges on any input. Nil: unbounded.
        public var maxNeighbors: Int?
        /// Twin events apart: a new story that holds an undated article is linked again over its
        /// articles' names at `twinSplit`, and split where two or more groups each have a name
        /// that `twinShare` of their articles use and no other group does (`TwinSplitter`).
        /// Nil: stories are not split by names.
        public var twinSplit: Double?
        public var twinShare: Double?
    }

    public enum UndatedPolicy: String, Codable, Sendable {
        case compareAll = "compare-all"
        case isolate
    }

    public struct ReportSettings: Codable, Equatable, Sendable {
        /// A word or phrase is shown as stressed by an outlet when its z-score (weighted log-odds)
        /// is at least this. Default 1.96 (two-sided 5%).
        public var minZ: Double?
        /// The prior's total pseudo-count (Monroe et al.'s α₀). Default 500.
        public var priorWeight: Double?
        /// Resamples of each outlet's sentences for the stability of the shown units; 0: none.
        /// Default 0.
        public var bootstrap: Int?
        /// Permutations of each story's sentences among its outlets: the chance rate, and the
        /// story's bar where chance passes more than 2.5% at minZ. Default 10; 0: none.
        public var permutations: Int?
    }

    /// Storylines (``StorylineLinker``): stories of one matter joined by the names they share.
    public struct StorylineSettings: Codable, Equatable, Sendable {
        /// Average linkage of stories over their name vectors stops below this mean cosine. Default 0.35.
        public var link: Double?
        /// A story of at most `smallStory` articles left alone joins its nearest storyline when
        /// the mean cosine is at least `attach` (default 0.15) and `attachMargin` times the next
        /// storyline's (default 2). `smallStory` defaults to 2.
        public var attach: Double?
        public var attachMargin: Double?
        public var smallStory: Int?
        /// Stories whose days lie further apart than this are not linked in one pass (a story
        /// looks back this far for its storyline). Default 365.
        public var windowDays: Double?
    }

    /// The storyline settings with their defaults filled in.
    public var storylineSettings: (link: Double, attach: Double, attachMargin: Double, smallStory: Int, windowDays: Double) {
        (storylines?.link ?? 0.35, storylines?.attach ?? 0.15, storylines?.attachMargin ?? 2, storylines?.smallStory ?? 2,
         storylines?.windowDays ?? 365)
    }

    public struct TimeSettings: Codable, Equatable, Sendable {
        /// Pairs this many days apart or less are not decayed.
        public var graceDays: Double
        /// Beyond the grace period, similarity decays as exp(-(days - grace) / decayDays); 0 turns decay off.
        public var decayDays: Double
        /// Pairs further apart than this are never compared. Default: where decay alone would
        /// push a perfect match below the threshold.
        public var windowDays: Double?
        /// A story with no article for this many days (counted back from the newest article in
        /// the store) is closed: later articles never join it. Default 14.
        public var closeAfterDays: Double?
        /// Each end of a pair without a date multiplies its similarity by this: with no time to
        /// tell two events of one kind apart, the words must say more. Default 1 (none).
        public var undatedFactor: Double?
    }

    /// The decay factor for two articles `days` apart.
    @inline(__always)
    public func decay(days: Double) -> Double {
        guard time.decayDays > 0 else { return 1 }
        let over = abs(days) - time.graceDays
        return over <= 0 ? 1 : exp(-over / time.decayDays)
    }

    /// What time does to a pair's similarity: the decay over the days between two dated articles,
    /// ``TimeSettings/undatedFactor`` once per end without a date (`nil` or NaN days).
    @inline(__always)
    public func timeFactor(_ a: Double?, _ b: Double?) -> Double {
        if let a, let b, !a.isNaN, !b.isNaN { return decay(days: a - b) }
        guard let u = time.undatedFactor, u != 1 else { return 1 }
        let missing = (a == nil || a!.isNaN ? 1 : 0) + (b == nil || b!.isNaN ? 1 : 0)
        return missing == 2 ? u * u : u
    }

    /// The factor (>= 1) by which the similarity of a pair is raised so that the pair meets the
    /// global threshold exactly when it meets its length-adapted threshold; `terms` is the
    /// number of distinct terms of the shorter article.
    @inline(__always)
    public func shortTextBoost(terms: Int) -> Double {
        guard let full = similarity.shortTextTerms, let low = similarity.shortTextThreshold, terms < full, full > 1 else { return 1 }
        let fraction = Double(max(terms, 1) - 1) / Double(full - 1)
        let pairThreshold = low + (similarity.threshold - low) * fraction
        return similarity.threshold / pairThreshold
    }

    /// The largest ``shortTextBoost(terms:)`` can be.
    public var maxShortTextBoost: Double { shortTextBoost(terms: 1) }

    /// The widest time gap at which two articles may still be linked.
    public var windowDays: Double {
        if let w = time.windowDays { return w }
        guard time.decayDays > 0 else { return .infinity }
        return time.graceDays + time.decayDays * log(maxShortTextBoost / max(similarity.threshold, 1e-6))
    }

    /// Loads and validates a profile file.
    public static func load(_ path: String) throws -> Profile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorylineError(.model, "cannot read profile", file: path)
        }
        return try decode(data, file: path)
    }

    public static func decode(_ data: Data, file: String = "profile") throws -> Profile {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw StorylineError(.model, "profile is not valid JSON", file: file, underlying: "\(error)")
        }
        try checkKeys(object, schema: schema, path: "", file: file)
        let profile: Profile
        do { profile = try JSONDecoder().decode(Profile.self, from: data) } catch {
            throw StorylineError(.model, "profile does not match the expected shape", file: file, underlying: "\(error)")
        }
        guard profile.version == currentVersion else {
            throw StorylineError(.model, "profile version \(profile.version) is not supported (this build reads version \(currentVersion))", file: file)
        }
        try profile.validate(file: file)
        return profile
    }

    func validate(file: String) throws {
        func bad(_ message: String) -> StorylineError { StorylineError(.model, message, file: file) }
        guard similarity.threshold > 0, similarity.threshold < 1 else { throw bad("similarity.threshold must be in (0, 1)") }
        guard similarity.sketchDimension >= 16, similarity.sketchDimension <= 8192 else { throw bad("similarity.sketchDimension must be in 16...8192") }
        guard similarity.margin >= 0 else { throw bad("similarity.margin must be >= 0") }
        if let d = similarity.int8SketchDimension, !(d >= 16 && d <= 8192 && d % 4 == 0) {
            throw bad("similarity.int8SketchDimension must be a multiple of 4 in 16...8192")
        }
        if let m = similarity.int8Margin, !(m >= 0) { throw bad("similarity.int8Margin must be >= 0") }
        if let m = similarity.int8RefineMargin, !(m >= 0) { throw bad("similarity.int8RefineMargin must be >= 0") }
        guard similarity.blockSize >= 16 else { throw bad("similarity.blockSize must be >= 16") }
        if let low = similarity.shortTextThreshold, !(low > 0 && low <= similarity.threshold) {
            throw bad("similarity.shortTextThreshold must be in (0, threshold]")
        }
        if let k = similarity.maxNeighbors, k < 1 { throw bad("similarity.maxNeighbors must be >= 1") }
        if let t = similarity.twinSplit, !(t > 0 && t <= 1) { throw bad("similarity.twinSplit must be in (0, 1]") }
        if let s = similarity.twinShare, !(s > 0 && s <= 1) { throw bad("similarity.twinShare must be in (0, 1]") }
        guard analyzer.titleWeight > 0 else { throw bad("analyzer.titleWeight must be > 0") }
        guard time.graceDays >= 0, time.decayDays >= 0 else { throw bad("time.graceDays and time.decayDays must be >= 0") }
        if let u = time.undatedFactor { guard u > 0, u <= 1 else { throw bad("time.undatedFactor must be in (0, 1]") } }
        let lines = storylineSettings
        guard lines.link > 0, lines.link <= 1, lines.attach > 0, lines.attach <= 1 else { throw bad("storylines.link and storylines.attach must be in (0, 1]") }
        guard lines.attachMargin >= 1, lines.smallStory >= 0, lines.windowDays > 0 else {
            throw bad("storylines.attachMargin must be >= 1, storylines.smallStory >= 0, storylines.windowDays > 0")
        }
        if let z = report?.minZ, !(z >= 0) { throw bad("report.minZ must be >= 0") }
        if let w = report?.priorWeight, !(w > 0) { throw bad("report.priorWeight must be > 0") }
        if let b = report?.bootstrap, !(b >= 0 && b <= 10_000) { throw bad("report.bootstrap must be in 0...10000") }
        if let n = report?.permutations, !(n >= 0 && n <= 1_000) { throw bad("report.permutations must be in 0...1000") }
    }

    /// Allowed keys per object, `nil` for free-form values.
    private static let schema: [String: [String: String?]] = [
        "": ["version": nil, "analyzer": "analyzer", "similarity": "similarity", "time": "time", "report": "report", "storylines": "storylines", "evidence": nil],
        "storylines": ["link": nil, "attach": nil, "attachMargin": nil, "smallStory": nil, "windowDays": nil],
        "report": ["minZ": nil, "priorWeight": nil, "bootstrap": nil, "permutations": nil],
        "analyzer": ["defaultLanguage": nil, "minTokenLength": nil, "titleWeight": nil],
        "similarity": ["threshold": nil, "sketchDimension": nil, "margin": nil, "int8SketchDimension": nil, "int8Margin": nil, "int8RefineMargin": nil, "blockSize": nil, "seed": nil, "undated": nil,
                       "shortTextTerms": nil, "shortTextThreshold": nil, "maxNeighbors": nil,
                       "twinSplit": nil, "twinShare": nil],
        "time": ["graceDays": nil, "decayDays": nil, "windowDays": nil, "closeAfterDays": nil, "undatedFactor": nil],
    ]

    private static func checkKeys(_ object: Any, schema: [String: [String: String?]], path: String, file: String) throws {
        guard let dict = object as? [String: Any], let allowed = schema[path] else { return }
        for key in dict.keys.sorted() {
            guard let child = allowed[key] else {
                let name = path.isEmpty ? key : "\(path).\(key)"
                throw StorylineError(.model, "unknown key \"\(name)\" in profile (known: \(allowed.keys.sorted().joined(separator: ", ")))", file: file)
            }
            if let sub = child { try checkKeys(dict[key]!, schema: schema, path: sub, file: file) }
        }
    }
}
