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
/// Term statistics come from the term counts the store already holds (under its feature ids);
/// the text is analyzed again only to find the surface form of each outlet's few chosen terms.
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
        init(vocabulary: Vocabulary, weighting: TFIDFWeighting, options: Resolved, framing: FightinWords, loaded: LoadedWords? = nil) {
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
        init(analyzer: Analyzer) { self.analyzer = analyzer }

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
        let weighting = TFIDFWeighting(titleWeight: profile.analyzer.titleWeight, documentCount: try store.documentCount(),
                                       documentFrequency: vocabulary.documentFrequency)
        let settings = profile.report
        let resolved = Resolved(base: options, minZ: options.minZ ?? settings?.minZ ?? 1.96,
                                bootstrap: options.bootstrap ?? settings?.bootstrap ?? 0,
                                nullRounds: options.permutations ?? settings?.permutations ?? 10)
        let framing = FightinWords(priorWeight: settings?.priorWeight ?? 500)
        let context = Context(vocabulary: vocabulary, weighting: weighting, options: resolved, framing: framing,
                              loaded: try LoadedWords.load(models: models.path))
        var tally = FramingTally()
        let models = self.models
        let workers = (0..<max(1, threads)).map { _ in Worker(analyzer: models.analyzer(profile.analyzer)) }
        var stories: [StoryFraming] = []
        var allGroups = Set(options.groups?.groupOf.values.map { $0 } ?? [])
        progress.begin("report", total: 0)

        var batch: [(Int64, String, [StoredArticle])] = []
        func flush() {
            var framed = [(StoryFraming, Set<String>, FramingTally)?](repeating: nil, count: batch.count)
            let input = batch
            framed.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.strided(input.count, workers: workers.count) { w, k in
                    base[k] = Self.frame(id: input[k].0, title: input[k].1, articles: input[k].2, worker: workers[w], context: context)
                }
            }
            for case let (story, groups, t)? in framed {
                stories.append(story)
                allGroups.formUnion(groups)
                tally.add(t)
            }
            progress.advance(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        try store.forEachStory(minArticles: options.minArticles, only: options.story) { id, title, articles in
            batch.append((id, title, articles))
            if batch.count >= 256 { flush() }
        }
        flush()

        Self.adjustLoadedLanguage(&stories)
        // Across stories.
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
        let groups = allGroups.sorted()
        var blindspots: [Blindspot] = []
        if groups.count > 1 {
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
        }
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
        return FramingReport(
            generated: ISODate.format(Self.generationTime), stories: stories,
            outlets: summaries.values.sorted { ($0.stories, $1.outlet) > ($1.stories, $0.outlet) },
            blindspots: blindspots, groups: groups, framing: method)
    }

    /// Frames one story: per outlet, distinctive terms, similarity to the rest, quotes, timeline.
    /// Returns the story and the groups seen in it.
    static func frame(id: Int64, title: String, articles stored: [StoredArticle], worker: Worker, context: Context) -> (StoryFraming, Set<String>, FramingTally) {
        let options = context.options
        let vocabulary = context.vocabulary
        let articles = stored.map(\.article)
        // Group of each outlet.
        var groupOf: [String: String] = [:]
        var seenGroups = Set<String>()
        for a in articles where groupOf[a.outlet] == nil {
            if let g = options.groups?.groupOf[a.outlet] {
                groupOf[a.outlet] = g
            } else if let field = options.groupField, let extra = a.extra,
                      let object = try? JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: Any],
                      let g = object[field] as? String, !g.isEmpty {
                groupOf[a.outlet] = g
                seenGroups.insert(g)
            }
        }
        // Per outlet: its articles, the sum of its TF-IDF rows (stored counts), who it quotes.
        var outletOrder: [String] = []
        var articlesOf: [String: [Int]] = [:]
        var rows: [String: [Int32: Double]] = [:]
        var spoken: [String: [String: Int]] = [:]
        var firstQuoted: [String: String] = [:]
        let quotes = QuoteExtractor()
        for (k, (a, terms)) in zip(articles, stored.map { $0.terms ?? ArticleTerms() }).enumerated() {
            if articlesOf[a.outlet] == nil { outletOrder.append(a.outlet) }
            articlesOf[a.outlet, default: []].append(k)
            let (ids, values) = context.weighting.row(terms)
            for k in ids.indices { rows[a.outlet, default: [:]][ids[k], default: 0] += Double(values[k]) }
            if QuoteExtractor.mayQuote(a.text) {
                let found = quotes.quotes(in: a.text)
                if firstQuoted[a.outlet] == nil, let q = found.first { firstQuoted[a.outlet] = q.speaker }
                for q in found { spoken[a.outlet, default: [:]][q.speaker, default: 0] += 1 }
            }
        }
        var storyRow: [Int32: Double] = [:]
        for row in rows.values { for (k, v) in row { storyRow[k, default: 0] += v } }

        // The story in units (stems, phrases, names), each outlet against the rest.
        let analyzer = worker.analyzer
        let texts = articles.map { a in (a.title, a.text, analyzer.language(title: a.title, text: a.text, given: a.lang)) }
        let units = StoryUnits(articles: texts, analyzer: analyzer, loaded: context.loaded)
        let contrast = OutletContrast(units: units, outlets: outletOrder.map { articlesOf[$0]! })
        let framing = context.framing
        // A store of fewer than 100 articles says nothing of which words are common.
        let tooCommon = context.weighting.documentCount >= 100 ? Double(context.weighting.documentCount) * options.maxDocumentShare : .infinity
        func common(_ t: Int32) -> Bool {
            let id = worker.storeID(t, vocabulary)
            return id >= 0 && Double(vocabulary.documentFrequency[Int(id)]) > tooCommon
        }
        var commonTerm: [Int32: Bool] = [:]
        let eligibleUnit = units.keys.map { key in
            !key.terms.allSatisfy { t in
                if let known = commonTerm[t] { return known }
                let c = common(t)
                commonTerm[t] = c
                return c
            }
        }
        let eligible: (Int32) -> Bool = { u in eligibleUnit[Int(u)] }
        let share: (Int32) -> Double = { u in
            let key = units.keys[Int(u)]
            if key.length == 1 {
                let id = worker.storeID(key.a, vocabulary)
                if id >= 0 { return max(Double(vocabulary.collectionFrequency[Int(id)]), 1) / context.total }
            }
            return contrast.storyShare(Int(u))
        }
        var tally = FramingTally()
        // The bar: min_z, or higher where chance passes more than 2.5% of this story's units at
        // min_z (its sentences permuted among its outlets: words that come in bursts vary more
        // than counts of independent words, which the z assumes).
        var bar = options.minZ
        if options.nullRounds > 0 {
            let n = contrast.null(rounds: options.nullRounds, minZ: options.minZ, minCount: Double(options.minCount), method: framing,
                                  seed: UInt64(bitPattern: id) ^ 0x6e75_6c6c, eligible: eligible, share: share)
            tally.nullPassed += n.passed
            tally.nullTested += n.tested
            bar = max(bar, n.quantile975)
            if bar > options.minZ { tally.raised += 1 }
        }
        var shown: [[OutletContrast.Scored]] = []
        var tested: [Int] = []
        for o in outletOrder.indices {
            let scored = contrast.scores(outlet: o, minCount: Double(options.minCount), method: framing, eligible: eligible, share: share)
            tested.append(scored.count)
            shown.append(contrast.pick(scored, outlet: o, minZ: bar, limit: options.termsPerOutlet))
        }
        let stability = contrast.stability(of: shown, rounds: options.bootstrap, minZ: bar, method: framing,
                                           seed: UInt64(bitPattern: id), share: share)
        // The lexicon is English: other languages' articles count no loaded word, so only
        // all-English stories get a share.
        let loadedShares = context.loaded == nil || texts.contains(where: { $0.2 != "en" }) ? outletOrder.map { _ in nil }
            : contrast.loadedLanguage(rounds: 199, seed: UInt64(bitPattern: id) ^ 0x6c6f_6164)
        func kind(_ u: Int32) -> String {
            units.hasDigit[Int(u)] ? "number" : units.isName(u) ? "name" : units.keys[Int(u)].length > 1 ? "phrase" : "term"
        }
        func display(_ u: Int32, _ forms: [UnitKey: [String: Int]]) -> String {
            let key = units.keys[Int(u)]
            let form = forms[key]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
                ?? key.terms.map { analyzer.terms[Int($0)] }.joined(separator: " ")
            return kind(u) == "name" ? form : form.lowercased()
        }
        // Omissions: names, numbers, and the story's key words (its 20 highest in TF-IDF).
        let keyWords: Set<Int32> = {
            var weighted: [(Int32, Double)] = []
            for u in 0..<units.count where units.keys[u].length == 1 && eligible(Int32(u)) {
                let id = worker.storeID(units.keys[u].a, vocabulary)
                let df = id >= 0 ? Double(vocabulary.documentFrequency[Int(id)]) : 1
                weighted.append((Int32(u), contrast.storyCounts[u] * log(Double(max(context.weighting.documentCount, 1)) / max(df, 1))))
            }
            weighted.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            return Set(weighted.prefix(20).map(\.0))
        }()
        let omissible = (0..<units.count).map { u in
            eligibleUnit[u] && (units.hasDigit[u] ? units.keys[u].length == 1 : units.isName(Int32(u)) || keyWords.contains(Int32(u)))
        }
        let omitted = outletOrder.indices.map { o in
            Array(contrast.omitted(by: o) { omissible[Int($0)] }.prefix(options.termsPerOutlet))
        }
        let omittedForms = StoryUnits.forms(of: Set(omitted.flatMap { $0.map { units.keys[Int($0.unit)] } }), in: texts, analyzer: analyzer)

        var outlets: [OutletFraming] = []
        for (o, outlet) in outletOrder.enumerated() {
            let mineArticles = articlesOf[outlet]!.map { articles[$0] }
            let forms = StoryUnits.forms(of: Set(shown[o].map { units.keys[Int($0.unit)] }), in: articlesOf[outlet]!.map { texts[$0] },
                                         analyzer: analyzer)
            let terms = shown[o].enumerated().map { k, s -> DistinctiveTerm in
                let u = Int(s.unit)
                return DistinctiveTerm(term: display(s.unit, forms), z: (s.z * 1000).rounded() / 1000, kind: kind(s.unit),
                                       count: Int(contrast.counts[o][u]), rest_count: Int(contrast.storyCounts[u] - contrast.counts[o][u]),
                                       stability: options.bootstrap > 0 ? (stability[o][k] * 1000).rounded() / 1000 : nil)
            }
            tally.pairs += 1
            tally.tested += tested[o]
            tally.shown += terms.count
            if !terms.isEmpty { tally.pairsWithTerms += 1 }
            tally.stable += stability[o].filter { $0 >= 0.8 }.count
            var similarity: Double? = nil
            if outletOrder.count > 1 {
                let own = rows[outlet] ?? [:]
                var dot = 0.0, nOwn = 0.0, nRest = 0.0
                for (k, v) in own { let r = (storyRow[k] ?? 0) - v; dot += v * r; nOwn += v * v }
                for (k, v) in storyRow { let r = v - (own[k] ?? 0); nRest += r * r }
                similarity = nOwn > 0 && nRest > 0 ? ((dot / (nOwn.squareRoot() * nRest.squareRoot())) * 1000).rounded() / 1000 : 0
            }
            let mine = spoken[outlet] ?? [:]
            // Whom the others quote and this outlet does not (one person whatever the title: "Mr. Stone", "Stone").
            let minePeople = Set(mine.keys.map(QuoteExtractor.person))
            var othersPeople: [Substring: (name: String, outlets: Int)] = [:]
            for (p, name) in outletOrder.enumerated() where p != o {
                var seen = Set<Substring>()
                for speaker in (spoken[name] ?? [:]).keys.sorted() where !minePeople.contains(QuoteExtractor.person(speaker)) {
                    let person = QuoteExtractor.person(speaker)
                    guard seen.insert(person).inserted else { continue }
                    let known = othersPeople[person]
                    // The longest form names the person best ("Roger Stone" over "Stone").
                    let form = known.map { $0.name.count >= speaker.count ? $0.name : speaker } ?? speaker
                    othersPeople[person] = (form, (known?.outlets ?? 0) + 1)
                }
            }
            let others = Dictionary(othersPeople.values.map { ($0.name, $0.outlets) }, uniquingKeysWith: max)
            outlets.append(OutletFraming(
                outlet: outlet, group: groupOf[outlet], articles: mineArticles.map(\.id), article_count: mineArticles.count,
                first_published: mineArticles.compactMap(\.published).min().map(ISODate.format),
                headline: mineArticles[0].title, headlines: mineArticles.map(\.title),
                timeline: mineArticles.compactMap(\.published).map(ISODate.format),
                distinctive_terms: terms, candidates_tested: tested[o],
                omitted: omitted[o].map { Omission(term: display($0.unit, omittedForms), kind: kind($0.unit) == "name" ? "name" : kind($0.unit) == "number" ? "number" : "term",
                                                   carried_by: $0.carriedBy, of: outletOrder.count - 1) },
                similarity_to_story: similarity,
                quoted: mine.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10).map { QuotedSource(speaker: $0.key, count: $0.value) },
                loaded_language: loadedShares[o].map { l in
                    var used: [Int32: Int] = [:]
                    for a in articlesOf[outlet]! { for (w, n) in units.loadedUsed[a] { used[w, default: 0] += n } }
                    let words = used.sorted { ($0.value, context.loaded!.list[Int($1.key)]) > ($1.value, context.loaded!.list[Int($0.key)]) }
                        .prefix(5).map { context.loaded!.list[Int($0.key)] }
                    return LoadedLanguage(share: (l.share * 100_000).rounded() / 100_000, rest_share: (l.rest * 100_000).rounded() / 100_000,
                                          p: (l.p * 1000).rounded() / 1000, q: 1, words: words)
                },
                first_quoted: firstQuoted[outlet],
                others_quote: others.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { OthersQuote(speaker: $0.key, outlets: $0.value) }))
        }
        let first = stored.filter { $0.article.published != nil }
            .min { ($0.article.published!, $0.seq) < ($1.article.published!, $1.seq) }
        var coverage: [String: Int] = [:]
        for a in articles { coverage[groupOf[a.outlet] ?? "ungrouped", default: 0] += 1 }
        return (StoryFraming(
            id: id, title: title, article_count: articles.count,
            first_published: articles.compactMap(\.published).min().map(ISODate.format),
            last_published: articles.compactMap(\.published).max().map(ISODate.format),
            first_reported_by: first?.article.outlet, outlets: outlets, coverage: coverage,
            dates_found: articles.compactMap { a in
                guard let t = a.published, let source = a.dateSource, source != .given else { return nil }
                return FoundDate(article: a.id, outlet: a.outlet, published: ISODate.format(t), source: source.rawValue)
            }.sorted { ($0.published, $0.article) < ($1.published, $1.article) },
            undated_articles: articles.filter { $0.published == nil }.count, bar: (bar * 1000).rounded() / 1000), seenGroups, tally)
    }
}

extension ReportBuilder {
    /// Benjamini-Hochberg over the loaded-language p-values of every story-outlet pair: q is the
    /// false discovery rate at which the pair's difference would be called real.
    static func adjustLoadedLanguage(_ stories: inout [StoryFraming]) {
        var found: [(p: Double, s: Int, o: Int)] = []
        for (s, story) in stories.enumerated() {
            for (o, outlet) in story.outlets.enumerated() { if let l = outlet.loaded_language { found.append((l.p, s, o)) } }
        }
        found.sort { ($0.p, $0.s, $0.o) < ($1.p, $1.s, $1.o) }
        var q = 1.0
        for k in found.indices.reversed() {
            q = min(q, found[k].p * Double(found.count) / Double(k + 1))
            stories[found[k].s].outlets[found[k].o].loaded_language!.q = (q * 1000).rounded() / 1000
        }
    }

    /// When the report was made: now, or `SOURCE_DATE_EPOCH` (seconds) when set, so that the
    /// same store gives byte-identical reports (reproducible builds' convention; golden tests).
    static var generationTime: Double {
        ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) ?? Date().timeIntervalSince1970
    }
}
