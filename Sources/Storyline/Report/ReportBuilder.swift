import Foundation

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

/// Builds the ``FramingReport`` from the store, one story at a time.
struct ReportBuilder {
    let store: Store
    let profile: Profile
    let models: ModelDirectory
    let progress: ProgressReporter

    func build(_ options: ReportOptions) throws -> FramingReport {
        if let id = options.story, try !store.storyExists(id) {
            throw StorylineError(.usage, "no story \(id) in the store (merged stories are listed by `storyline stories --json`)")
        }
        let vocabulary = try store.loadVocabulary()
        let weighting = TFIDFWeighting(titleWeight: profile.analyzer.titleWeight, documentCount: try store.vectorizedCount(),
                                       documentFrequency: vocabulary.documentFrequency)
        let total = Double(max(vocabulary.totalCount, 1))
        let models = self.models
        let analyzer = Analyzer(defaultLanguage: profile.analyzer.defaultLanguage, minTokenLength: profile.analyzer.minTokenLength,
                                stopwords: { models.stopwords($0) })
        let fightin = FightinWords()
        let quotes = QuoteExtractor()
        var stories: [StoryFraming] = []
        var summaries: [String: OutletSummary] = [:]
        var divergence: [String: (Double, Int)] = [:]
        var allGroups = Set(options.groups?.groupOf.values.map { $0 } ?? [])
        progress.begin("report", total: 0)

        try store.forEachStory(minArticles: options.minArticles, only: options.story) { id, title, articles in
            // Group of each outlet.
            var groupOf: [String: String] = [:]
            for a in articles where groupOf[a.outlet] == nil {
                if let g = options.groups?.groupOf[a.outlet] {
                    groupOf[a.outlet] = g
                } else if let field = options.groupField, let extra = a.extra,
                          let object = try? JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: Any],
                          let g = object[field] as? String, !g.isEmpty {
                    groupOf[a.outlet] = g
                    allGroups.insert(g)
                }
            }
            // Term counts and surface forms, per outlet.
            var counts: [String: [String: Double]] = [:]
            var forms: [String: [String: [String: Int]]] = [:]
            var storyCounts: [String: Double] = [:]
            var spoken: [String: [String: Int]] = [:]
            var rows: [String: [Int32: Double]] = [:]
            var outletOrder: [String] = []
            for a in articles {
                if counts[a.outlet] == nil { outletOrder.append(a.outlet); counts[a.outlet] = [:]; forms[a.outlet] = [:] }
                for part in [a.title, a.text] {
                    analyzer.forEachTerm(part, language: a.lang) { t, form in
                        let stem = analyzer.terms[Int(t)]
                        counts[a.outlet]![stem, default: 0] += 1
                        storyCounts[stem, default: 0] += 1
                        forms[a.outlet]![stem, default: [:]][form, default: 0] += 1
                    }
                }
                for (speaker, n) in quotes.speakers(in: a.text) { spoken[a.outlet, default: [:]][speaker, default: 0] += n }
                let (ids, values) = weighting.row(a.terms)
                for k in 0..<ids.count { rows[a.outlet, default: [:]][ids[k], default: 0] += Double(values[k]) }
            }
            var storyRow: [Int32: Double] = [:]
            for row in rows.values { for (k, v) in row { storyRow[k, default: 0] += v } }

            var outlets: [OutletFraming] = []
            for outlet in outletOrder {
                let mine = counts[outlet]!
                var rest = storyCounts
                for (w, c) in mine { rest[w]! -= c; if rest[w]! <= 0 { rest[w] = nil } }
                let tooCommon = Double(weighting.documentCount) * options.maxDocumentShare
                let candidates = mine.filter { w, _ in
                    vocabulary.id(of: w).map { Double(vocabulary.documentFrequency[Int($0)]) <= tooCommon } ?? true
                }
                let scored = fightin.zScores(group: candidates, rest: rest, groupTotal: mine.values.reduce(0, +)) { stem in
                    let cf = vocabulary.id(of: stem).map { Double(vocabulary.collectionFrequency[Int($0)]) } ?? 0
                    return max(cf, 1) / total
                }
                let terms = scored.prefix { $0.z > 0 }.prefix(options.termsPerOutlet).map { pair -> DistinctiveTerm in
                    let form = forms[outlet]![pair.term]!.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
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
                let mineArticles = articles.filter { $0.outlet == outlet }
                outlets.append(OutletFraming(
                    outlet: outlet, group: groupOf[outlet], articles: mineArticles.map(\.id), article_count: mineArticles.count,
                    first_published: mineArticles.compactMap(\.published).min().map(ISODate.format),
                    headline: mineArticles[0].title, headlines: mineArticles.map(\.title),
                    timeline: mineArticles.compactMap(\.published).map(ISODate.format),
                    distinctive_terms: terms, similarity_to_story: similarity,
                    quoted: (spoken[outlet] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                        .prefix(10).map { QuotedSource(speaker: $0.key, count: $0.value) }))
            }
            let first = articles.filter { $0.published != nil }.min { ($0.published!, $0.seq) < ($1.published!, $1.seq) }
            var coverage: [String: Int] = [:]
            for a in articles { coverage[groupOf[a.outlet] ?? "ungrouped", default: 0] += 1 }
            stories.append(StoryFraming(
                id: id, title: title, article_count: articles.count,
                first_published: articles.compactMap(\.published).min().map(ISODate.format),
                last_published: articles.compactMap(\.published).max().map(ISODate.format),
                first_reported_by: first?.outlet, outlets: outlets, coverage: coverage))
            for o in outlets {
                var s = summaries[o.outlet] ?? OutletSummary(outlet: o.outlet, group: o.group, stories: 0, articles: 0, first_reports: 0, mean_divergence: nil)
                s.stories += 1
                s.articles += o.article_count
                if first?.outlet == o.outlet { s.first_reports += 1 }
                summaries[o.outlet] = s
                if let sim = o.similarity_to_story {
                    let (sum, n) = divergence[o.outlet] ?? (0, 0)
                    divergence[o.outlet] = (sum + 1 - sim, n + 1)
                }
            }
            progress.advance()
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
            generated: ISODate.format(Date().timeIntervalSince1970), stories: stories,
            outlets: summaries.values.sorted { ($0.stories, $1.outlet) > ($1.stories, $0.outlet) },
            blindspots: blindspots, groups: groups)
    }
}
