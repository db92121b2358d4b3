import Foundation
import StorylineCore
import StorylineText
import StorylineVectors
import StorylineStore

/// Frames one story, step by step: the outlets' groups; each outlet's articles, TF-IDF sum and
/// quotes; the story in units and each outlet against the rest (``OutletContrast``); the story's
/// bar (the permutation null); what each outlet stresses and omits; the loaded-language shares;
/// then the outlets' and the story's framing. The texts are analyzed twice: once into units
/// (``StoryUnits``), once for the surface forms of the few units shown.
struct StoryFramer {
    let id: Int64
    let title: String
    let stored: [StoredArticle]
    let articles: [Article]
    let worker: ReportBuilder.Worker
    let context: ReportBuilder.Context
    var options: ReportBuilder.Resolved { context.options }
    var vocabulary: Vocabulary { context.vocabulary }

    init(id: Int64, title: String, articles stored: [StoredArticle], worker: ReportBuilder.Worker, context: ReportBuilder.Context) {
        self.id = id
        self.title = title
        self.stored = stored
        self.articles = stored.map(\.article)
        self.worker = worker
        self.context = context
    }

    /// The story's framing, the groups named in its articles' fields, and its statistics' tally.
    func frame() -> (StoryFraming, Set<String>, ReportBuilder.FramingTally, OutletProfiles.Use) {
        let (groupOf, seenGroups) = groups()
        let outlets = OutletSums(articles: stored, weighting: context.weighting)
        let analyzer = worker.analyzer
        let texts = articles.map { a in (a.title, a.text, analyzer.language(title: a.title, text: a.text, given: a.lang)) }
        let units = StoryUnits(articles: texts, analyzer: analyzer, loaded: context.loaded)
        let contrast = OutletContrast(units: units, outlets: outlets.order.map { outlets.articlesOf[$0]! })
        let eligibleUnit = eligibility(units)
        let eligible: (Int32) -> Bool = { u in eligibleUnit[Int(u)] }
        let share = self.share(units, contrast)
        var tally = ReportBuilder.FramingTally()
        let bar = self.bar(contrast, eligible: eligible, share: share, tally: &tally)

        // What each outlet stresses (z at least the bar), and how stable that is.
        let framing = context.framing
        var shown: [[OutletContrast.Scored]] = []
        var tested: [Int] = []
        for o in outlets.order.indices {
            let scored = contrast.scores(outlet: o, minCount: Double(options.minCount), method: framing, eligible: eligible, share: share)
            tested.append(scored.count)
            shown.append(contrast.pick(scored, outlet: o, minZ: bar, limit: options.termsPerOutlet))
        }
        let stability = contrast.stability(of: shown, rounds: options.bootstrap, minZ: bar, method: framing,
                                           seed: UInt64(bitPattern: id), share: share)
        // The lexicon is English: other languages' articles count no loaded word, so only
        // all-English stories get a share.
        let loadedShares = context.loaded == nil || texts.contains(where: { $0.2 != "en" }) ? outlets.order.map { _ in nil }
            : contrast.loadedLanguage(rounds: 199, seed: UInt64(bitPattern: id) ^ 0x6c6f_6164)
        let omitted = omissions(units, contrast, eligibleUnit: eligibleUnit, outlets: outlets.order.count)

        // The surface forms of every unit shown or omitted, in one more pass over the texts: an
        // outlet's stressed units take their forms from its own articles, omissions from all.
        let wanted = Set(shown.flatMap { $0.map { units.keys[Int($0.unit)] } } + omitted.flatMap { $0.map { units.keys[Int($0.unit)] } })
        let formsOf = StoryUnits.formsPerArticle(of: wanted, in: texts, analyzer: analyzer)
        let omittedForms = StoryUnits.sum(formsOf)
        let names = UnitNames(units: units, analyzer: analyzer)

        var framed: [OutletFraming] = []
        for (o, outlet) in outlets.order.enumerated() {
            let mine = outlets.articlesOf[outlet]!
            let forms = StoryUnits.sum(mine.map { formsOf[$0] })
            let terms = shown[o].enumerated().map { k, s -> DistinctiveTerm in
                let u = Int(s.unit)
                return DistinctiveTerm(term: names.display(s.unit, forms), z: (s.z * 1000).rounded() / 1000, kind: names.kind(s.unit),
                                       count: Int(contrast.counts[o][u]), rest_count: Int(contrast.storyCounts[u] - contrast.counts[o][u]),
                                       stability: options.bootstrap > 0 ? (stability[o][k] * 1000).rounded() / 1000 : nil)
            }
            tally.pairs += 1
            tally.tested += tested[o]
            tally.shown += terms.count
            if !terms.isEmpty { tally.pairsWithTerms += 1 }
            tally.stable += stability[o].filter { $0 >= 0.8 }.count
            let mineArticles = mine.map { articles[$0] }
            let quoted = outlets.spoken[outlet] ?? [:]
            framed.append(OutletFraming(
                outlet: outlet, group: groupOf[outlet], articles: mineArticles.map(\.id), article_count: mineArticles.count,
                first_published: mineArticles.compactMap(\.published).min().map(ISODate.format),
                headline: mineArticles[0].title, headlines: mineArticles.map(\.title),
                timeline: mineArticles.compactMap(\.published).map(ISODate.format),
                distinctive_terms: terms, candidates_tested: tested[o],
                omitted: omitted[o].map { Omission(term: names.display($0.unit, omittedForms), kind: names.omissionKind($0.unit),
                                                   carried_by: $0.carriedBy, of: outlets.order.count - 1) },
                similarity_to_story: outlets.order.count > 1 ? outlets.similarityToRest(outlet) : nil,
                quoted: quoted.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10).map { QuotedSource(speaker: $0.key, count: $0.value) },
                loaded_language: loadedShares[o].map { loadedLanguage($0, units: units, articles: mine) },
                first_quoted: outlets.firstQuoted[outlet],
                others_quote: outlets.othersQuote(besides: o)))
        }
        return (story(outlets: framed, groupOf: groupOf, bar: bar), seenGroups, tally,
                profileUse(units, contrast, outlets: outlets, eligibleUnit: eligibleUnit))
    }

    /// What the outlet profiles need of this story (``OutletProfiles/Use``): per informative
    /// unit (eligible; some article but at most half of them use it), the articles using it and
    /// each outlet's; the same of the people quoted; how alike each two outlets' texts are.
    /// Nothing for one outlet, nor where no profiles are made.
    func profileUse(_ units: StoryUnits, _ contrast: OutletContrast, outlets: OutletSums, eligibleUnit: [Bool]) -> OutletProfiles.Use {
        guard outlets.order.count >= 2 && context.profileBuckets > 0 else { return OutletProfiles.Use() }
        var use = OutletProfiles.Use(outlets: outlets.order)
        let total = Int32(articles.count)
        use.total = total
        use.articles = outlets.order.map { Int32(outlets.articlesOf[$0]!.count) }
        var outletOf = [Int](repeating: 0, count: articles.count)
        for (o, name) in outlets.order.enumerated() { for a in outlets.articlesOf[name]! { outletOf[a] = o } }

        // Units, counted by article (their occurrences per outlet are the contrast's).
        var with = [Int32](repeating: 0, count: units.count)
        var mineWith = [[Int32]](repeating: [Int32](repeating: 0, count: units.count), count: outlets.order.count)
        var last = [Int32](repeating: -1, count: units.count)
        for (a, occurrences) in units.occurrences.enumerated() {
            for u in occurrences where last[Int(u)] != Int32(a) {
                last[Int(u)] = Int32(a)
                with[Int(u)] += 1
                mineWith[outletOf[a]][Int(u)] += 1
            }
        }
        for u in 0..<units.count where eligibleUnit[u] && OutletProfiles.informative(with[u], articles: total) {
            use.add(worker.unitHash(units.keys[u]), with: with[u], flags: (units.isName(Int32(u)) ? 1 : 0) | (units.hasDigit[u] ? 2 : 0)) {
                (mineWith[$0][u], Int32(contrast.counts[$0][u]))
            }
        }

        // People quoted, counted by article: one person whatever the title or the case ("Mr.
        // Stone", "STONE"), named by the longest way it was written.
        var quotedBy: [String: (with: Int32, mine: [Int32], count: [Int32], name: String)] = [:]
        for (a, speakers) in outlets.speakers.enumerated() {
            var seen = Set<String>()
            for speaker in speakers {
                let person = QuoteExtractor.person(speaker).lowercased()
                let none = [Int32](repeating: 0, count: outlets.order.count)
                var entry = quotedBy[person] ?? (0, none, none, speaker)
                if speaker.count > entry.name.count { entry.name = speaker }
                entry.count[outletOf[a]] += 1
                if seen.insert(person).inserted { entry.with += 1; entry.mine[outletOf[a]] += 1 }
                quotedBy[person] = entry
            }
        }
        for (person, entry) in quotedBy.sorted(by: { $0.key < $1.key }) where OutletProfiles.informative(entry.with, articles: total) {
            use.labels[use.units.count] = entry.name
            use.add(OutletProfiles.quoteHash(Substring(person)), with: entry.with, flags: 5) { (entry.mine[$0], entry.count[$0]) }
        }

        use.similarity = outlets.similarities()
        use.encoded = ProfileSpill.encode(use, buckets: context.profileBuckets)
        return use
    }

    /// Each outlet's group (from the outlets file, else the article's group field), and the
    /// groups the fields named.
    func groups() -> ([String: String], Set<String>) {
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
        return (groupOf, seenGroups)
    }

    /// Whether each unit may be tested: not made only of terms in too many of the store's
    /// articles (a store of fewer than 100 articles says nothing of which words are common).
    func eligibility(_ units: StoryUnits) -> [Bool] {
        let tooCommon = context.weighting.documentCount >= 100 ? Double(context.weighting.documentCount) * options.maxDocumentShare : .infinity
        var commonTerm: [Int32: Bool] = [:]
        return units.keys.map { key in
            !key.terms.allSatisfy { t in
                if let known = commonTerm[t] { return known }
                let id = worker.storeID(t, vocabulary)
                let c = id >= 0 && Double(vocabulary.documentFrequency[Int(id)]) > tooCommon
                commonTerm[t] = c
                return c
            }
        }
    }

    /// A unit's share of the language (the prior): a word's share of the store's collection,
    /// else its share of the story.
    func share(_ units: StoryUnits, _ contrast: OutletContrast) -> (Int32) -> Double {
        let vocabulary = self.vocabulary, worker = self.worker, total = context.total
        return { u in
            let key = units.keys[Int(u)]
            if key.length == 1 {
                let id = worker.storeID(key.a, vocabulary)
                if id >= 0 { return max(Double(vocabulary.collectionFrequency[Int(id)]), 1) / total }
            }
            return contrast.storyShare(Int(u))
        }
    }

    /// The bar: min_z, or higher where chance passes more than 2.5% of this story's units at
    /// min_z (its sentences permuted among its outlets: words that come in bursts vary more than
    /// counts of independent words, which the z assumes).
    func bar(_ contrast: OutletContrast, eligible: (Int32) -> Bool, share: (Int32) -> Double, tally: inout ReportBuilder.FramingTally) -> Double {
        var bar = options.minZ
        guard options.nullRounds > 0 else { return bar }
        let n = contrast.null(rounds: options.nullRounds, minZ: options.minZ, minCount: Double(options.minCount), method: context.framing,
                              seed: UInt64(bitPattern: id) ^ 0x6e75_6c6c, eligible: eligible, share: share)
        tally.nullPassed += n.passed
        tally.nullTested += n.tested
        bar = max(bar, n.quantile975)
        if bar > options.minZ { tally.raised += 1 }
        return bar
    }

    /// What each outlet leaves out that most of the others carry: names, numbers, and the
    /// story's key words (its 20 highest in TF-IDF).
    func omissions(_ units: StoryUnits, _ contrast: OutletContrast, eligibleUnit: [Bool], outlets: Int) -> [[(unit: Int32, carriedBy: Int, occurrences: Double)]] {
        var weighted: [(Int32, Double)] = []
        for u in 0..<units.count where units.keys[u].length == 1 && eligibleUnit[u] {
            let id = worker.storeID(units.keys[u].a, vocabulary)
            let df = id >= 0 ? Double(vocabulary.documentFrequency[Int(id)]) : 1
            weighted.append((Int32(u), contrast.storyCounts[u] * log(Double(max(context.weighting.documentCount, 1)) / max(df, 1))))
        }
        weighted.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let keyWords = Set(weighted.prefix(20).map(\.0))
        let omissible = (0..<units.count).map { u in
            eligibleUnit[u] && (units.hasDigit[u] ? units.keys[u].length == 1 : units.isName(Int32(u)) || keyWords.contains(Int32(u)))
        }
        return (0..<outlets).map { o in
            Array(contrast.omitted(by: o) { omissible[Int($0)] }.prefix(options.termsPerOutlet))
        }
    }

    /// An outlet's loaded-language share against the rest's, with its five most used words.
    func loadedLanguage(_ l: (share: Double, rest: Double, p: Double), units: StoryUnits, articles mine: [Int]) -> LoadedLanguage {
        let list = context.loaded!.list
        var used: [Int32: Int] = [:]
        for a in mine { for (w, n) in units.loadedUsed[a] { used[w, default: 0] += n } }
        let words = used.sorted { ($0.value, list[Int($1.key)]) > ($1.value, list[Int($0.key)]) }.prefix(5).map { list[Int($0.key)] }
        return LoadedLanguage(share: (l.share * 100_000).rounded() / 100_000, rest_share: (l.rest * 100_000).rounded() / 100_000,
                              p: (l.p * 1000).rounded() / 1000, q: 1, words: words)
    }

    /// The story's framing around its outlets': dates, who reported first, coverage by group.
    func story(outlets: [OutletFraming], groupOf: [String: String], bar: Double) -> StoryFraming {
        let first = stored.filter { $0.article.published != nil }
            .min { ($0.article.published!, $0.seq) < ($1.article.published!, $1.seq) }
        var coverage: [String: Int] = [:]
        for a in articles { coverage[groupOf[a.outlet] ?? "ungrouped", default: 0] += 1 }
        return StoryFraming(
            id: id, title: title, article_count: articles.count,
            first_published: articles.compactMap(\.published).min().map(ISODate.format),
            last_published: articles.compactMap(\.published).max().map(ISODate.format),
            first_reported_by: first?.article.outlet, outlets: outlets, coverage: coverage,
            dates_found: articles.compactMap { a in
                guard let t = a.published, let source = a.dateSource, source != .given else { return nil }
                return FoundDate(article: a.id, outlet: a.outlet, published: ISODate.format(t), source: source.rawValue)
            }.sorted { ($0.published, $0.article) < ($1.published, $1.article) },
            undated_articles: articles.filter { $0.published == nil }.count, bar: (bar * 1000).rounded() / 1000)
    }
}

/// Per outlet of a story: its articles (in store order), the sum of their TF-IDF rows (from the
/// stored counts), and whom they quote.
struct OutletSums {
    var order: [String] = []
    var articlesOf: [String: [Int]] = [:]
    var rows: [String: [Int32: Double]] = [:]
    var storyRow: [Int32: Double] = [:]
    var spoken: [String: [String: Int]] = [:]
    var firstQuoted: [String: String] = [:]
    /// Per article: the speakers of its quotes, in the order of its text.
    var speakers: [[String]] = []

    init(articles stored: [StoredArticle], weighting: TFIDFWeighting) {
        let quotes = QuoteExtractor()
        for (k, s) in stored.enumerated() {
            let a = s.article
            if articlesOf[a.outlet] == nil { order.append(a.outlet) }
            articlesOf[a.outlet, default: []].append(k)
            let (ids, values) = weighting.row(s.terms ?? ArticleTerms())
            for k in ids.indices { rows[a.outlet, default: [:]][ids[k], default: 0] += Double(values[k]) }
            speakers.append([])
            if QuoteExtractor.mayQuote(a.text) {
                let found = quotes.quotes(in: a.text)
                if firstQuoted[a.outlet] == nil, let q = found.first { firstQuoted[a.outlet] = q.speaker }
                for q in found { spoken[a.outlet, default: [:]][q.speaker, default: 0] += 1 }
                speakers[k] = found.map(\.speaker)
            }
        }
        for row in rows.values { for (k, v) in row { storyRow[k, default: 0] += v } }
    }

    /// The cosine between an outlet's TF-IDF sum and the rest of the story's, to 3 places.
    func similarityToRest(_ outlet: String) -> Double {
        let own = rows[outlet] ?? [:]
        var dot = 0.0, nOwn = 0.0, nRest = 0.0
        for (k, v) in own { let r = (storyRow[k] ?? 0) - v; dot += v * r; nOwn += v * v }
        for (k, v) in storyRow { let r = v - (own[k] ?? 0); nRest += r * r }
        return nOwn > 0 && nRest > 0 ? ((dot / (nOwn.squareRoot() * nRest.squareRoot())) * 1000).rounded() / 1000 : 0
    }

    /// The cosine between each two outlets' TF-IDF sums (i < j, in `order`): the sums as dense
    /// rows over the story's terms, each pair a dot product.
    func similarities() -> [(Int, Int, Double)] {
        var local: [Int32: Int] = [:]
        local.reserveCapacity(storyRow.count)
        for k in storyRow.keys { local[k] = local.count }
        let width = local.count
        var dense = [Double](repeating: 0, count: width * order.count)
        var norms = [Double](repeating: 0, count: order.count)
        for (o, name) in order.enumerated() {
            for (k, v) in rows[name] ?? [:] { dense[o * width + local[k]!] = v }
            for t in 0..<width { norms[o] += dense[o * width + t] * dense[o * width + t] }
            norms[o] = norms[o].squareRoot()
        }
        var out: [(Int, Int, Double)] = []
        dense.withUnsafeBufferPointer { d in
            for i in order.indices {
                for j in (i + 1)..<order.count {
                    var dot = 0.0
                    for t in 0..<width { dot += d[i * width + t] * d[j * width + t] }
                    out.append((i, j, norms[i] > 0 && norms[j] > 0 ? dot / (norms[i] * norms[j]) : 0))
                }
            }
        }
        return out
    }

    /// Whom the other outlets quote and the outlet at `o` does not (one person whatever the
    /// title: "Mr. Stone", "Stone"), with how many outlets quote them; the five most quoted.
    func othersQuote(besides o: Int) -> [OthersQuote] {
        let minePeople = Set((spoken[order[o]] ?? [:]).keys.map(QuoteExtractor.person))
        var othersPeople: [Substring: (name: String, outlets: Int)] = [:]
        for (p, name) in order.enumerated() where p != o {
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
        return others.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { OthersQuote(speaker: $0.key, outlets: $0.value) }
    }
}

/// How a story's units are named in the report: their kind, and their most frequent surface form.
struct UnitNames {
    let units: StoryUnits
    let analyzer: Analyzer

    func kind(_ u: Int32) -> String {
        units.hasDigit[Int(u)] ? "number" : units.isName(u) ? "name" : units.keys[Int(u)].length > 1 ? "phrase" : "term"
    }

    /// An omission's kind: a name, a number, or a term (phrases too).
    func omissionKind(_ u: Int32) -> String {
        let k = kind(u)
        return k == "name" || k == "number" ? k : "term"
    }

    func display(_ u: Int32, _ forms: [UnitKey: [String: Int]]) -> String {
        let key = units.keys[Int(u)]
        let form = forms[key]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            ?? key.terms.map { analyzer.terms[Int($0)] }.joined(separator: " ")
        return kind(u) == "name" ? form : form.lowercased()
    }
}
