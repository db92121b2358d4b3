import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// What to put in a framing report.
public struct ReportOptions: Sendable {
    /// Stories with at least this many articles (ignored with `story`).
    public var minArticles = 2
    /// Only this story.
    public var story: Int64? = nil
    /// Outlet groups from an outlets.csv.
    public var groups: OutletGroups? = nil
    /// Or: the group of an article is this field of the dump (kept in `extra`), e.g. `stance`.
    public var groupField: String? = nil
    /// Stressed words and phrases listed per outlet (those with z >= `minZ`), and omissions.
    public var termsPerOutlet = 10
    /// The z-score a unit needs to be shown (default: the profile's `report.minZ`, else 1.96).
    public var minZ: Double? = nil
    /// Resamples for the stability of the shown units (default: the profile's
    /// `report.bootstrap`, else 0: not measured).
    public var bootstrap: Int? = nil
    /// Permutations of each story's sentences among its outlets, for the chance rate and the
    /// story's bar (default: the profile's `report.permutations`, else 10; 0: the bar is min_z).
    public var permutations: Int? = nil
    /// A unit is tested for an outlet that uses it at least this often.
    public var minCount = 2
    /// Terms in more than this share of the store's articles are too common to distinguish an
    /// outlet's framing ("said", "one", "may") and are not listed.
    public var maxDocumentShare = 0.2
    /// A story is a blindspot when one group has at least this share of its articles and some
    /// group has none.
    public var blindspotShare = 0.75
    public var blindspotMinArticles = 3

    public init() {}
}

/// Builds the ``FramingReport`` from the store: stories stream from the store in batches and
/// are framed on all cores, then merged in story order.
///
/// Term statistics for the similarity to the rest come from the term counts the store already
/// holds (under its feature ids); the framing's units (stems, phrases, names) come from the
/// story's texts, analyzed into units once and read once more for the forms of the units shown.
package struct ReportBuilder {
    let store: any TermCountStore & StoryStore
    let profile: Profile
    let models: ModelDirectory
    let progress: ProgressReporter
    var threads = Parallel.cores

    package init(store: any TermCountStore & StoryStore, profile: Profile, models: ModelDirectory, progress: ProgressReporter) {
        self.store = store
        self.profile = profile
        self.models = models
        self.progress = progress
    }

    /// What framing one story needs that does not change from story to story.
    final class Context: @unchecked Sendable {
        let vocabulary: Vocabulary
        let weighting: TFIDFWeighting
        let total: Double
        let options: Resolved
        let framing: FightinWords
        let loaded: LoadedWords?
        /// The outlet profiles' scratch buckets (``ProfileSpill``); 0: no profiles.
        let profileBuckets: Int
        init(vocabulary: Vocabulary, weighting: TFIDFWeighting, options: Resolved, framing: FightinWords, profileBuckets: Int = 0,
             loaded: LoadedWords? = nil) {
            self.profileBuckets = profileBuckets
            self.vocabulary = vocabulary
            self.weighting = weighting
            self.total = Double(max(vocabulary.totalCount, 1))
            self.options = options
            self.framing = framing
            self.loaded = loaded
        }
    }

    /// The options with the profile's defaults filled in.
    struct Resolved {
        var base: ReportOptions
        var minZ: Double
        var bootstrap: Int
        var nullRounds: Int
        var minCount: Int { base.minCount }
        var termsPerOutlet: Int { base.termsPerOutlet }
        var maxDocumentShare: Double { base.maxDocumentShare }
        var groups: OutletGroups? { base.groups }
        var groupField: String? { base.groupField }
    }

    /// The framing statistics' totals over the stories.
    struct FramingTally {
        var pairs = 0, pairsWithTerms = 0, tested = 0, shown = 0, stable = 0, nullPassed = 0, nullTested = 0, stories = 0, raised = 0
        mutating func add(_ t: FramingTally) {
            nullPassed += t.nullPassed; nullTested += t.nullTested; stories += 1; raised += t.raised
            pairs += t.pairs; pairsWithTerms += t.pairsWithTerms; tested += t.tested; shown += t.shown; stable += t.stable
        }
    }

    /// One worker: an analyzer (for surface forms), and its local term → store id cache.
    final class Worker {
        let analyzer: Analyzer
        var known: [Int32] = []          // local term → store id, or -1 (unknown), -2 (not looked up)
        var hashes: [UInt64] = []        // local term → hash of its text (0: not computed)
        init(analyzer: Analyzer) { self.analyzer = analyzer }

        func termHash(_ t: Int32) -> UInt64 {
            let i = Int(t)
            if i >= hashes.count { hashes.append(contentsOf: repeatElement(0, count: analyzer.terms.count - hashes.count)) }
            if hashes[i] == 0 { hashes[i] = Hashing.fnv1a(analyzer.terms[i]) | 1 }
            return hashes[i]
        }

        /// A unit's hash from its terms' texts: the same in every worker and every pass.
        func unitHash(_ key: UnitKey) -> UInt64 {
            var h = termHash(key.a)
            if key.b >= 0 { h = Hashing.mix(h &+ termHash(key.b) &* 0x9e37_79b9_7f4a_7c15) }
            if key.c >= 0 { h = Hashing.mix(h &+ termHash(key.c) &* 0xc2b2_ae3d_27d4_eb4f) }
            return h
        }

        func storeID(_ t: Int32, _ vocabulary: Vocabulary) -> Int32 {
            let i = Int(t)
            if i >= known.count { known.append(contentsOf: repeatElement(-2, count: analyzer.terms.count - known.count)) }
            if known[i] == -2 { known[i] = vocabulary.id(of: analyzer.terms[i]) ?? -1 }
            return known[i]
        }
    }

    package func build(_ options: ReportOptions) throws -> FramingReport {
        if let id = options.story, try !store.storyExists(id) {
            throw StorylineError(.usage, "no story \(id) in the store (merged stories are listed by `storyline stories --json`)")
        }
        let vocabulary = try store.loadVocabulary()
        let weighting = TFIDFWeighting(profile.analyzer, vocabulary: vocabulary, documentCount: try store.documentCount())
        let settings = profile.report
        let resolved = Resolved(base: options, minZ: options.minZ ?? settings?.minZ ?? 1.96,
                                bootstrap: options.bootstrap ?? settings?.bootstrap ?? 0,
                                nullRounds: options.permutations ?? settings?.permutations ?? 10)
        let framing = FightinWords(priorWeight: settings?.priorWeight ?? 500)
        // The outlet profiles' buckets (none for a report of one story: no profiles).
        let profileBuckets = options.story == nil ? ProfileSpill.buckets(articles: try store.documentCount()) : 0
        let context = Context(vocabulary: vocabulary, weighting: weighting, options: resolved, framing: framing, profileBuckets: profileBuckets,
                              loaded: try LoadedWords.load(models: models.path))
        var tally = FramingTally()
        let models = self.models
        let workers = (0..<max(1, threads)).map { _ in Worker(analyzer: models.analyzer(profile.analyzer)) }
        var stories: [StoryFraming] = []
        var allGroups = Set(options.groups?.groupOf.values.map { $0 } ?? [])
        progress.begin("report", total: 0)

        var gathered = OutletProfiler.Gathered(spill: profileBuckets > 0 ? try ProfileSpill(buckets: profileBuckets) : nil)
        var batch: [(Int64, String, [StoredArticle])] = []
        func flush() throws {
            var framed = [(StoryFraming, Set<String>, FramingTally, OutletProfiles.Use)?](repeating: nil, count: batch.count)
            let input = batch
            framed.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.strided(input.count, workers: workers.count) { w, k in
                    base[k] = Self.frame(id: input[k].0, title: input[k].1, articles: input[k].2, worker: workers[w], context: context)
                }
            }
            for case let (story, groups, t, use)? in framed {
                stories.append(story)
                try gathered.add(use)
                allGroups.formUnion(groups)
                tally.add(t)
            }
            progress.advance(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        try store.forEachStory(minArticles: options.minArticles, only: options.story) { id, title, articles in
            batch.append((id, title, articles))
            if batch.count >= 256 { try flush() }
        }
        try flush()

        Self.adjustLoadedLanguage(&stories)
        let summaries = Self.outletSummaries(stories)
        let groups = allGroups.sorted()
        let blindspots = Self.blindspots(stories, groups: groups, options: options)
        let method = FramingMethod(
            method: "weighted log-odds, informative Dirichlet prior (Monroe, Colaresi & Quinn 2008)",
            min_z: resolved.minZ, prior_weight: framing.priorWeight, min_count: options.minCount,
            max_document_share: options.maxDocumentShare, bootstrap: resolved.bootstrap, outlet_pairs: tally.pairs,
            pairs_with_terms: tally.pairsWithTerms, tested: tally.tested, shown: tally.shown,
            stable_share: resolved.bootstrap > 0 && tally.shown > 0 ? (Double(tally.stable) / Double(tally.shown) * 1000).rounded() / 1000 : nil,
            null_rounds: resolved.nullRounds,
            null_rate: tally.nullTested > 0 ? (Double(tally.nullPassed) / Double(tally.nullTested) * 100_000).rounded() / 100_000 : nil,
            bar_raised: tally.raised)
        progress.end("\(stories.count) stories, \(summaries.count) outlets, \(blindspots.count) blindspots; "
                     + "\(tally.shown) of \(tally.tested) units tested reach the bar (z >= \(resolved.minZ), or the story's raised bar), in \(tally.pairsWithTerms) of \(tally.pairs) story-outlet pairs"
                     + (method.null_rate.map { String(format: "; %.2f%% pass it by chance (sentences permuted), the bar raised in %d stories", $0 * 100, tally.raised) } ?? "")
                     + (method.stable_share.map { String(format: "; %.1f%% of them stable in %d resamples", $0 * 100, resolved.bootstrap) } ?? ""))
        // The storylines joining two or more of the reported stories.
        let storylines = StorylineCoverage.build(stories, storylineOf: try store.storylines(of: stories.map(\.id)), groupOf: { summaries[$0]?.group })
        let profiler = OutletProfiler(store: store, context: context, workers: workers, minArticles: options.minArticles, progress: progress)
        let (profiles, matrix, profileMethod) = options.story == nil
            ? try profiler.profiles(gathered, stories: stories, summaries: summaries, storylines: storylines, groups: groups)
            : ([], OutletMatrix(outlets: [], shared: [], similarity: []), OutletProfiles.method(tested: 0, shown: 0, quotesTested: 0, quotesShown: 0, outletsWithWording: 0, compared: 0))
        return FramingReport(
            generated: ISODate.format(Self.generationTime), stories: stories,
            outlets: summaries.values.sorted { ($0.stories, $1.outlet) > ($1.stories, $0.outlet) },
            blindspots: blindspots, groups: groups, framing: method, storylines: storylines,
            outlet_profiles: profiles, outlet_matrix: matrix, profile_method: profileMethod)
    }

    /// Frames one story (``StoryFramer``): per outlet, distinctive terms, omissions, similarity
    /// to the rest, quotes, timeline. Returns the story, the groups seen in it, and its tally.
    static func frame(id: Int64, title: String, articles stored: [StoredArticle], worker: Worker, context: Context) -> (StoryFraming, Set<String>, FramingTally, OutletProfiles.Use) {
        StoryFramer(id: id, title: title, articles: stored, worker: worker, context: context).frame()
    }
}

extension ReportBuilder {
    /// Each outlet across the stories: how many it covered, with how many articles, how often it
    /// reported first, and how far its coverage stood from the rest on average (1 - cosine).
    static func outletSummaries(_ stories: [StoryFraming]) -> [String: OutletSummary] {
        var summaries: [String: OutletSummary] = [:]
        var divergence: [String: (Double, Int)] = [:]
        for s in stories {
            for o in s.outlets {
                var sum = summaries[o.outlet] ?? OutletSummary(outlet: o.outlet, group: o.group, stories: 0, articles: 0, first_reports: 0, mean_divergence: nil)
                sum.stories += 1
                sum.articles += o.article_count
                if s.first_reported_by == o.outlet { sum.first_reports += 1 }
                summaries[o.outlet] = sum
                if let sim = o.similarity_to_story {
                    let (total, n) = divergence[o.outlet] ?? (0, 0)
                    divergence[o.outlet] = (total + 1 - sim, n + 1)
                }
            }
        }
        for (outlet, (sum, n)) in divergence { summaries[outlet]!.mean_divergence = ((sum / Double(n)) * 1000).rounded() / 1000 }
        return summaries
    }

    /// Stories one group of outlets covered (at least `blindspotShare` of the grouped articles)
    /// and some group did not at all, most lopsided first.
    static func blindspots(_ stories: [StoryFraming], groups: [String], options: ReportOptions) -> [Blindspot] {
        guard groups.count > 1 else { return [] }
        var blindspots: [Blindspot] = []
        for s in stories where s.article_count >= options.blindspotMinArticles {
            let grouped = s.coverage.filter { $0.key != "ungrouped" }
            let totalGrouped = grouped.values.reduce(0, +)
            guard totalGrouped > 0, let top = grouped.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { continue }
            let share = Double(top.value) / Double(totalGrouped)
            let missing = groups.filter { (s.coverage[$0] ?? 0) == 0 }
            if share >= options.blindspotShare && !missing.isEmpty {
                blindspots.append(Blindspot(story: s.id, title: s.title, covered_by: top.key, share: (share * 1000).rounded() / 1000,
                                            missing: missing, coverage: s.coverage))
            }
        }
        blindspots.sort { ($0.share, $0.coverage.values.reduce(0, +), -$0.story) > ($1.share, $1.coverage.values.reduce(0, +), -$1.story) }
        return blindspots
    }

    /// Benjamini-Hochberg over the loaded-language p-values of every story-outlet pair: q is the
    /// false discovery rate at which the pair's difference would be called real.
    static func adjustLoadedLanguage(_ stories: inout [StoryFraming]) {
        var found: [(s: Int, o: Int)] = [], p: [Double] = []
        for (s, story) in stories.enumerated() {
            for (o, outlet) in story.outlets.enumerated() { if let l = outlet.loaded_language { found.append((s, o)); p.append(l.p) } }
        }
        for (k, q) in FalseDiscovery.q(p, Array(p.indices)) {
            stories[found[k].s].outlets[found[k].o].loaded_language!.q = (q * 1000).rounded() / 1000
        }
    }

    /// When the report was made: now, or `SOURCE_DATE_EPOCH` (seconds) when set, so that the
    /// same store gives byte-identical reports (reproducible builds' convention; golden tests).
    static var generationTime: Double {
        ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) ?? Date().timeIntervalSince1970
    }
}
