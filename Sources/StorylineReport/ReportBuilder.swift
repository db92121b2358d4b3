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
    /// Distinctive terms listed per outlet (those with z > 0).
    public var termsPerOutlet = 10
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
        let options: ReportOptions
        init(vocabulary: Vocabulary, weighting: TFIDFWeighting, options: ReportOptions) {
            self.vocabulary = vocabulary
            self.weighting = weighting
            self.total = Double(max(vocabulary.totalCount, 1))
            self.options = options
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
        let context = Context(vocabulary: vocabulary, weighting: weighting, options: options)
        let models = self.models
        let workers = (0..<max(1, threads)).map { _ in Worker(analyzer: models.analyzer(profile.analyzer)) }
        var stories: [StoryFraming] = []
        var allGroups = Set(options.groups?.groupOf.values.map { $0 } ?? [])
        progress.begin("report", total: 0)

        var batch: [(Int64, String, [StoredArticle])] = []
        func flush() {
            var framed = [(StoryFraming, Set<String>)?](repeating: nil, count: batch.count)
            let input = batch
            framed.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.strided(input.count, workers: workers.count) { w, k in
                    base[k] = Self.frame(id: input[k].0, title: input[k].1, articles: input[k].2, worker: workers[w], context: context)
                }
            }
            for case let (story, groups)? in framed {
                stories.append(story)
                allGroups.formUnion(groups)
            }
            progress.advance(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        try store.forEachStory(minArticles: options.minArticles, only: options.story) { id, title, articles in
            batch.append((id, title, articles))
            if batch.count >= 256 { flush() }
        }
        flush()

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
        progress.end("\(stories.count) stories, \(summaries.count) outlets, \(blindspots.count) blindspots")
        return FramingReport(
            generated: ISODate.format(Self.generationTime), stories: stories,
            outlets: summaries.values.sorted { ($0.stories, $1.outlet) > ($1.stories, $0.outlet) },
            blindspots: blindspots, groups: groups)
    }

    /// Frames one story: per outlet, distinctive terms, similarity to the rest, quotes, timeline.
    /// Returns the story and the groups seen in it.
    static func frame(id: Int64, title: String, articles stored: [StoredArticle], worker: Worker, context: Context) -> (StoryFraming, Set<String>) {
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
        // Per outlet, from the stored counts: term counts and the sum of its TF-IDF rows.
        var outletOrder: [String] = []
        var counts: [String: [Int32: Double]] = [:]
        var storyCounts: [Int32: Double] = [:]
        var rows: [String: [Int32: Double]] = [:]
        var spoken: [String: [String: Int]] = [:]
        let quotes = QuoteExtractor()
        for (a, terms) in zip(articles, stored.map { $0.terms ?? ArticleTerms() }) {
            if counts[a.outlet] == nil { outletOrder.append(a.outlet); counts[a.outlet] = [:] }
            for k in terms.ids.indices {
                let n = Double(terms.titleCounts[k]) + Double(terms.textCounts[k])
                counts[a.outlet]![terms.ids[k], default: 0] += n
                storyCounts[terms.ids[k], default: 0] += n
            }
            let (ids, values) = context.weighting.row(terms)
            for k in ids.indices { rows[a.outlet, default: [:]][ids[k], default: 0] += Double(values[k]) }
            if QuoteExtractor.mayQuote(a.text) {
                for (speaker, n) in quotes.speakers(in: a.text) { spoken[a.outlet, default: [:]][speaker, default: 0] += n }
            }
        }
        var storyRow: [Int32: Double] = [:]
        for row in rows.values { for (k, v) in row { storyRow[k, default: 0] += v } }
        let tooCommon = Double(context.weighting.documentCount) * options.maxDocumentShare

        var outlets: [OutletFraming] = []
        for outlet in outletOrder {
            let mine = counts[outlet]!
            var rest = storyCounts
            for (w, c) in mine { rest[w]! -= c; if rest[w]! <= 0 { rest[w] = nil } }
            let candidates = mine.filter { id, _ in Double(vocabulary.documentFrequency[Int(id)]) <= tooCommon }
            let scored = FightinWords().zScores(group: candidates, rest: rest, groupTotal: mine.values.reduce(0, +)) { id in
                max(Double(vocabulary.collectionFrequency[Int(id)]), 1) / context.total
            }
            let top = Array(scored.prefix { $0.z > 0 }.prefix(options.termsPerOutlet))
            let mineArticles = articles.filter { $0.outlet == outlet }
            let forms = surfaceForms(of: Set(top.map(\.term)), in: mineArticles, worker: worker, vocabulary: vocabulary)
            let terms = top.map { pair -> DistinctiveTerm in
                let form = forms[pair.term]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? vocabulary.terms[Int(pair.term)]
                return DistinctiveTerm(term: form, z: (pair.z * 1000).rounded() / 1000)
            }
            var similarity: Double? = nil
            if outletOrder.count > 1 {
                let own = rows[outlet] ?? [:]
                var dot = 0.0, nOwn = 0.0, nRest = 0.0
                for (k, v) in own { let r = (storyRow[k] ?? 0) - v; dot += v * r; nOwn += v * v }
                for (k, v) in storyRow { let r = v - (own[k] ?? 0); nRest += r * r }
                similarity = nOwn > 0 && nRest > 0 ? ((dot / (nOwn.squareRoot() * nRest.squareRoot())) * 1000).rounded() / 1000 : 0
            }
            outlets.append(OutletFraming(
                outlet: outlet, group: groupOf[outlet], articles: mineArticles.map(\.id), article_count: mineArticles.count,
                first_published: mineArticles.compactMap(\.published).min().map(ISODate.format),
                headline: mineArticles[0].title, headlines: mineArticles.map(\.title),
                timeline: mineArticles.compactMap(\.published).map(ISODate.format),
                distinctive_terms: terms, similarity_to_story: similarity,
                quoted: (spoken[outlet] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    .prefix(10).map { QuotedSource(speaker: $0.key, count: $0.value) }))
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
            undated_articles: articles.filter { $0.published == nil }.count), seenGroups)
    }

    /// How often each folded word of `articles` is written for each of the `wanted` terms (by store
    /// id): the analyzer runs again over these articles only, and only when some term is wanted.
    static func surfaceForms(of wanted: Set<Int32>, in articles: [Article], worker: Worker, vocabulary: Vocabulary) -> [Int32: [String: Int]] {
        var forms: [Int32: [String: Int]] = [:]
        guard !wanted.isEmpty else { return forms }
        let analyzer = worker.analyzer
        for a in articles {
            let language = analyzer.language(title: a.title, text: a.text, given: a.lang)
            for part in [a.title, a.text] {
                analyzer.forEachTerm(part, language: language) { t, form in
                    let id = worker.storeID(t, vocabulary)
                    if wanted.contains(id) { forms[id, default: [:]][form, default: 0] += 1 }
                }
            }
        }
        return forms
    }
}

extension ReportBuilder {
    /// When the report was made: now, or `SOURCE_DATE_EPOCH` (seconds) when set, so that the
    /// same store gives byte-identical reports (reproducible builds' convention; golden tests).
    static var generationTime: Double {
        ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) ?? Date().timeIntervalSince1970
    }
}
