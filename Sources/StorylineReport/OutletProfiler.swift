import Foundation
import StorylineCore
import StorylineText
import StorylineStore

/// Builds the outlet profiles (``OutletProfiles``) from what the framing pass gathered: the
/// (outlet, unit) pairs used in two stories or more, the outlets' pairwise similarities. Reads
/// the stories once more for the pooled counts, and once more, only the stories of the units
/// shown, for their forms and example sentences.
struct OutletProfiler {
    let store: any TermCountStore & StoryStore
    let context: ReportBuilder.Context
    let workers: [ReportBuilder.Worker]
    let minArticles: Int
    let progress: ProgressReporter

    /// The framing pass's part: outlets by index, the pairs used twice, the similarity sums.
    struct Gathered {
        var outletIndex: [String: Int32] = [:]
        var outlets: [String] = []
        var seen: SeenTwice
        var pairs: [UInt64: (shared: Int, similarity: Double)] = [:]

        init(articles: Int) { seen = SeenTwice(keys: max(articles, 1) * 400) }

        mutating func index(_ outlet: String) -> Int32 {
            if let k = outletIndex[outlet] { return k }
            let k = Int32(outlets.count)
            outletIndex[outlet] = k
            outlets.append(outlet)
            return k
        }

        /// One story's use, in story order.
        mutating func add(_ use: OutletProfiles.Use) {
            let ids = use.outlets.map { index($0) }
            for (o, units) in use.units.enumerated() {
                for u in units { seen.insert(ids[o], u) }
            }
            for (i, j, s) in use.similarity {
                let (a, b) = (min(ids[i], ids[j]), max(ids[i], ids[j]))
                let k = UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))
                let old = pairs[k] ?? (0, 0)
                pairs[k] = (old.shared + 1, old.similarity + s)
            }
        }
    }

    /// One story read for the profiles: its outlets, and its informative units (a unit of the
    /// words' or of the people quoted) with the articles using each, and which outlets used it.
    struct StoryCounts {
        var story: Int32 = 0
        var total: Int32 = 0
        var outlets: [Int32] = []       // global ids
        var mine: [Int32] = []          // articles per outlet
        var units: [UInt64] = []
        var with: [Int32] = []          // articles using each unit
        var flags: [UInt8] = []         // 1 name, 2 number, 4 quote
        var usedStart: [Int32] = [0]    // per unit: its range in used*
        var usedOutlet: [Int32] = []    // index into outlets
        var usedArticles: [Int32] = []
        var usedCount: [Int32] = []
        var labels: [Int: String] = [:] // a quoted person's name, by unit
    }

    // MARK: The profile pass

    /// Every (outlet, unit) pair the framing pass saw used twice, pooled over the stories. The
    /// stories are read on all cores; then each core pools the pairs of its share of the outlets.
    func pool(_ gathered: Gathered, stories: [StoryFraming]) throws -> [ProfileCell] {
        let shards = workers.count
        var cells = [[ProfileCell]](repeating: [], count: shards)
        var cellOf = [CellTable](repeating: CellTable(), count: shards)
        var records = [Int](repeating: 0, count: shards)
        let storyIndex = Dictionary(uniqueKeysWithValues: stories.enumerated().map { ($1.id, Int32($0)) })
        var batch: [(Int32, [StoredArticle])] = []
        progress.begin("outlet profiles", total: stories.count)
        func flush() {
            var read = [StoryCounts](repeating: StoryCounts(), count: batch.count)
            let input = batch, workers = self.workers, context = self.context
            read.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.strided(input.count, workers: workers.count) { w, k in
                    base[k] = Self.counts(input[k].1, story: input[k].0, gathered: gathered, worker: workers[w], context: context)
                }
            }
            let counted = read
            cells.withUnsafeMutableBufferPointer { cellShards in
                cellOf.withUnsafeMutableBufferPointer { indexShards in
                    records.withUnsafeMutableBufferPointer { recordShards in
                        let cellBase = cellShards.baseAddress!, indexBase = indexShards.baseAddress!, recordBase = recordShards.baseAddress!
                        Parallel.strided(shards, workers: shards) { _, shard in
                            for story in counted {
                                recordBase[shard] += Self.pool(story, shard: shard, of: shards, seen: gathered.seen,
                                                               cells: &cellBase[shard], index: &indexBase[shard])
                            }
                        }
                    }
                }
            }
            progress.advance(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        try store.forEachStory(minArticles: minArticles, only: nil) { id, _, articles in
            guard let k = storyIndex[id] else { return }
            batch.append((k, articles))
            if batch.count >= 64 { flush() }
        }
        flush()
        cellOf = []
        let all = cells.flatMap { $0 }
        progress.end("\(all.count) outlet-unit pairs pooled over \(records.reduce(0, +)) story strata")
        return all
    }

    /// Adds one story's strata to the cells of the outlets in `shard` (of `shards`): every
    /// outlet of the story and unit of it the outlet may have used in two stories. Returns the
    /// strata added.
    static func pool(_ s: StoryCounts, shard: Int, of shards: Int, seen: SeenTwice, cells: inout [ProfileCell], index table: inout CellTable) -> Int {
        var added = 0
        let mine = s.outlets.indices.filter { s.outlets[$0] >= 0 && Int(s.outlets[$0]) % shards == shard && s.mine[$0] < s.total }
        guard !mine.isEmpty else { return 0 }
        let units = s.units, with = s.with, flags = s.flags, usedStart = s.usedStart
        let usedOutlet = s.usedOutlet, usedArticles = s.usedArticles, usedCount = s.usedCount
        let outlets = s.outlets, articles = s.mine, total = s.total, story = s.story
        for j in units.indices {
            let unit = units[j], m = with[j], flag = flags[j]
            let used = Int(usedStart[j])..<Int(usedStart[j + 1])
            for o in mine where seen.usedTwice(outlets[o], unit) {
                var a: Int32 = 0, count: Int32 = 0
                for k in used where usedOutlet[k] == Int32(o) { a = usedArticles[k]; count = usedCount[k] }
                let key = OutletProfiles.key(outlets[o], unit)
                var c = Int(table.cell(of: key))
                if c < 0 {
                    c = cells.count
                    cells.append(ProfileCell(outlet: outlets[o], unit: unit, quote: flag & 4 != 0))
                    table.insert(key, cell: Int32(c))
                }
                cells[c].add(N: total, n: articles[o], m: m, a: a, count: count, name: flag & 1 != 0, digit: flag & 2 != 0, story: story)
                if a > 0 && flag & 4 != 0, let l = s.labels[j], l.count > (cells[c].label?.count ?? 0) { cells[c].label = l }
                added += 1
            }
        }
        return added
    }

    /// One story's counts: per informative unit (some article but at most half of them use it;
    /// ``OutletProfiles/informative(_:articles:)``), the articles using it and each outlet's.
    /// Nothing for a story of one outlet.
    static func counts(_ stored: [StoredArticle], story: Int32, gathered: Gathered, worker: ReportBuilder.Worker,
                       context: ReportBuilder.Context) -> StoryCounts {
        var out = StoryCounts()
        out.story = story
        var outletOf: [Int] = [], order: [String] = []
        var position: [String: Int] = [:]
        for s in stored {
            let name = s.article.outlet
            if position[name] == nil { position[name] = order.count; order.append(name) }
            outletOf.append(position[name]!)
        }
        guard order.count >= 2 else { return out }
        out.total = Int32(stored.count)
        out.outlets = order.map { gathered.outletIndex[$0] ?? -1 }
        out.mine = (0..<order.count).map { o in Int32(outletOf.filter { $0 == o }.count) }

        // Units, counted by article.
        let analyzer = worker.analyzer
        let articles = stored.map(\.article)
        let texts = articles.map { a in (a.title, a.text, analyzer.language(title: a.title, text: a.text, given: a.lang)) }
        let units = StoryUnits(articles: texts, analyzer: analyzer)
        let eligible = StoryFramer.eligibility(units, worker: worker, context: context)
        var with = [Int32](repeating: 0, count: units.count)
        var mineWith = [[Int32]](repeating: [Int32](repeating: 0, count: units.count), count: order.count)
        var counts = [[Int32]](repeating: [Int32](repeating: 0, count: units.count), count: order.count)
        var last = [Int32](repeating: -1, count: units.count)
        for (a, occurrences) in units.occurrences.enumerated() {
            let o = outletOf[a]
            for u in occurrences {
                let i = Int(u)
                counts[o][i] += 1
                if last[i] != Int32(a) { last[i] = Int32(a); with[i] += 1; mineWith[o][i] += 1 }
            }
        }
        func add(_ hash: UInt64, with m: Int32, flags: UInt8, mine: (Int) -> (Int32, Int32)) {
            out.units.append(hash)
            out.with.append(m)
            out.flags.append(flags)
            for o in order.indices {
                let (a, c) = mine(o)
                if a > 0 { out.usedOutlet.append(Int32(o)); out.usedArticles.append(a); out.usedCount.append(c) }
            }
            out.usedStart.append(Int32(out.usedOutlet.count))
        }
        for u in 0..<units.count where eligible[u] && with[u] > 0 && 2 * with[u] <= out.total {
            add(worker.unitHash(units.keys[u]), with: with[u], flags: (units.isName(Int32(u)) ? 1 : 0) | (units.hasDigit[u] ? 2 : 0)) {
                (mineWith[$0][u], counts[$0][u])
            }
        }

        // People quoted, counted by article.
        let quotes = QuoteExtractor()
        // One person whatever the title or the case ("Mr. Stone", "STONE"): the hash's key.
        var quotedBy: [String: (with: Int32, mine: [Int32], count: [Int32], name: String)] = [:]
        for (a, article) in articles.enumerated() where QuoteExtractor.mayQuote(article.text) {
            var seen = Set<String>()
            for q in quotes.quotes(in: article.text) {
                let person = QuoteExtractor.person(q.speaker).lowercased()
                var entry = quotedBy[person] ?? (0, [Int32](repeating: 0, count: order.count), [Int32](repeating: 0, count: order.count), q.speaker)
                if q.speaker.count > entry.name.count { entry.name = q.speaker }
                entry.count[outletOf[a]] += 1
                if seen.insert(person).inserted { entry.with += 1; entry.mine[outletOf[a]] += 1 }
                quotedBy[person] = entry
            }
        }
        for (person, entry) in quotedBy.sorted(by: { $0.key < $1.key }) where 2 * entry.with <= out.total {
            out.labels[out.units.count] = entry.name
            add(OutletProfiles.quoteHash(Substring(person)), with: entry.with, flags: 5) { (entry.mine[$0], entry.count[$0]) }
        }
        return out
    }

    // MARK: Assembly

    /// The profiles: each outlet's units at q < 0.05, quotes, coverage and resemblance.
    func profiles(_ gathered: Gathered, stories: [StoryFraming], summaries: [String: OutletSummary],
                  storylines: [StorylineCoverage], groups: [String]) throws -> ([OutletProfile], OutletMatrix, ProfileMethod) {
        let cells = try pool(gathered, stories: stories)
        // p, then q (Benjamini-Hochberg) over the wording units and over the quotes, apart.
        var p = [Double](repeating: 1, count: cells.count), smallest = p
        var wordingTested: [Int] = [], quotesTested: [Int] = []
        for (c, cell) in cells.enumerated() where cell.stories >= Int32(OutletProfiles.minStories) && cell.variance > 0 {
            if cell.quote {
                p[c] = min(1, 2 * min(cell.tail(upper: true), cell.tail(upper: false)))
                smallest[c] = min(1, 2 * min(cell.smallestP(upper: true), cell.smallestP(upper: false)))
                quotesTested.append(c)
            } else {
                // Used no more than expected: p is at least about a half, never called.
                p[c] = cell.observed > cell.expected ? cell.tail(upper: true) : 1
                smallest[c] = cell.smallestP(upper: true)
                wordingTested.append(c)
            }
        }
        // One family per outlet and part: a profile is read on its own, and under no signal at
        // all each outlet's profile shows a unit with probability at most 0.05.
        var q: [Int: Double] = [:]
        for list in [wordingTested, quotesTested] {
            let byOutlet = Dictionary(grouping: list) { cells[$0].outlet }
            for outlet in byOutlet.keys.sorted() {
                let family = FalseDiscovery.testable(byOutlet[outlet]!, smallest: smallest, alpha: OutletProfiles.maxQ)
                q.merge(FalseDiscovery.q(p, family)) { a, _ in a }
            }
        }
        wordingTested = wordingTested.filter { q[$0] != nil }
        quotesTested = quotesTested.filter { q[$0] != nil }
        var testedOf = [Int](repeating: 0, count: gathered.outlets.count)
        var picked = [[Int]](repeating: [], count: gathered.outlets.count)
        var quotesOf = [[Int]](repeating: [], count: gathered.outlets.count)
        for c in wordingTested {
            testedOf[Int(cells[c].outlet)] += 1
            if q[c]! < OutletProfiles.maxQ && cells[c].observed > cells[c].expected { picked[Int(cells[c].outlet)].append(c) }
        }
        for c in quotesTested where q[c]! < OutletProfiles.maxQ { quotesOf[Int(cells[c].outlet)].append(c) }
        let byStrength: (Int, Int) -> Bool = { a, b in
            (p[a], -cells[a].z, cells[a].unit) < (p[b], -cells[b].z, cells[b].unit)
        }
        for o in picked.indices {
            picked[o].sort(by: byStrength)
            picked[o] = Array(picked[o].prefix(OutletProfiles.unitsPerOutlet * 2))
            quotesOf[o].sort(by: byStrength)
        }
        let shownUnits = Set(picked.joined())
        let labels = try label(shownUnits.sorted().map { (c: $0, cell: cells[$0]) }, stories: stories, outlets: gathered.outlets)

        // Per outlet.
        let sharedOf = Self.sharedStories(stories)
        let coverage = Self.coverage(stories: stories, storylines: storylines, summaries: summaries, groups: groups)
        let resemblance = Self.resemblance(gathered)
        var profiles: [OutletProfile] = []
        var shown = 0, outletsWithWording = 0
        for (outlet, summary) in summaries.sorted(by: { ($0.value.stories, $1.key) > ($1.value.stories, $0.key) }) {
            let o = gathered.outletIndex[outlet].map(Int.init)
            var wording: [ProfileUnit] = []
            var taken: [[String]] = []
            let candidates = (o.map { picked[$0] } ?? []).filter { labels[$0] != nil }
            for var c in candidates {
                guard wording.count < OutletProfiles.unitsPerOutlet else { break }
                // A word is shown as the longest phrase that also stands out and holds at least 80%
                // of the outlet's uses of it ("picture" → "big picture").
                if let longer = candidates.filter({ d in
                    labels[d]!.stems.count > labels[c]!.stems.count && Self.contains(labels[d]!.stems, labels[c]!.stems)
                        && Double(cells[d].count) >= 0.8 * Double(cells[c].count)
                }).max(by: { (labels[$0]!.stems.count, -p[$0]) < (labels[$1]!.stems.count, -p[$1]) }) {
                    c = longer
                }
                let l = labels[c]!
                // A phrase and its own words do not both fill the card: the stronger one stays.
                let words = l.stems
                if taken.contains(where: { Self.contains($0, words) || Self.contains(words, $0) }) { continue }
                taken.append(words)
                let cell = cells[c]
                wording.append(ProfileUnit(
                    unit: l.form, kind: cell.digit ? "number" : l.name ? "name" : words.count > 1 ? "phrase" : "term",
                    stories: Int(cell.stories), others_stories: Int(cell.othersStories), count: Int(cell.count),
                    ratio: Self.round(cell.expected > 0 ? cell.observed / cell.expected : 0, 100), z: Self.round(cell.z, 1000),
                    p: Self.significant(p[c]), q: Self.significant(q[c]!), examples: l.examples))
            }
            shown += wording.count
            if !wording.isEmpty { outletsWithWording += 1 }
            let quotes = (o.map { quotesOf[$0] } ?? []).prefix(10).map { c -> ProfileQuote in
                let cell = cells[c]
                return ProfileQuote(speaker: cell.label ?? "?", direction: cell.observed >= cell.expected ? "more" : "less",
                                    stories: Int(cell.stories), others_stories: Int(cell.othersStories),
                                    ratio: Self.round(cell.expected > 0 ? cell.observed / cell.expected : 0, 100),
                                    p: Self.significant(p[c]), q: Self.significant(q[c]!))
            }
            profiles.append(OutletProfile(
                outlet: outlet, group: summary.group, stories: summary.stories, shared_stories: sharedOf[outlet] ?? 0,
                wording: wording, units_tested: o.map { testedOf[$0] } ?? 0, quotes: Array(quotes),
                coverage: coverage[outlet]!, resembles: o.map { resemblance.top[$0] ?? [] } ?? []))
        }
        let method = OutletProfiles.method(tested: wordingTested.count, shown: shown, quotesTested: quotesTested.count,
                                           quotesShown: profiles.reduce(0) { $0 + $1.quotes.count }, outletsWithWording: outletsWithWording,
                                           compared: profiles.filter { $0.shared_stories > 0 }.count)
        return (profiles, resemblance.matrix(summaries), method)
    }

    static func contains(_ a: [String], _ b: [String]) -> Bool {
        guard b.count <= a.count else { return false }
        for s in 0...(a.count - b.count) where Array(a[s..<s + b.count]) == b { return true }
        return false
    }

    static func round(_ x: Double, _ scale: Double) -> Double { (x * scale).rounded() / scale }

    /// Three significant digits (p-values run to 1e-30 and below).
    static func significant(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x.isNaN ? 1 : x }
        return Double(String(format: "%.3g", x)) ?? x
    }

    /// Stories each outlet shares with at least one other outlet.
    static func sharedStories(_ stories: [StoryFraming]) -> [String: Int] {
        var shared: [String: Int] = [:]
        for s in stories where s.outlets.count >= 2 { for o in s.outlets { shared[o.outlet, default: 0] += 1 } }
        return shared
    }

    // MARK: Forms and examples

    struct Label {
        var form: String
        var stems: [String]
        var name: Bool
        var examples: [ProfileExample]
    }

    /// The units shown: how the outlet writes each (its most frequent form), its stems, and its
    /// example stories' headlines with the first sentence using it.
    func label(_ wanted: [(c: Int, cell: ProfileCell)], stories: [StoryFraming], outlets: [String]) throws -> [Int: Label] {
        guard !wanted.isEmpty else { return [:] }
        // story index → the (cell, outlet, unit hash) to find in it
        var byStory: [Int32: [(c: Int, outlet: String, unit: UInt64)]] = [:]
        for w in wanted {
            for s in [w.cell.examples.0, w.cell.examples.1] where s >= 0 {
                byStory[s, default: []].append((w.c, outlets[Int(w.cell.outlet)], w.cell.unit))
            }
        }
        let ids = Dictionary(uniqueKeysWithValues: byStory.keys.map { (stories[Int($0)].id, $0) })
        let worker = workers[0]
        var forms: [Int: [String: Int]] = [:]
        var stems: [Int: [String]] = [:]
        var names: [Int: (Int, Int)] = [:]
        var examples: [Int: [(Int32, ProfileExample)]] = [:]
        try store.forEachStory(minArticles: minArticles, only: nil) { id, _, articles in
            guard let k = ids[id], let want = byStory[k] else { return }
            let story = stories[Int(k)]
            // Each outlet's articles are walked once for all of its units wanted here.
            for outlet in Set(want.map(\.outlet)).sorted() {
                var cellOf: [UInt64: Int] = [:]
                for w in want where w.outlet == outlet { cellOf[w.unit] = w.c }
                var sentence: [Int: String] = [:]
                for a in articles where a.article.outlet == outlet {
                    let language = worker.analyzer.language(title: a.article.title, text: a.article.text, given: a.article.lang)
                    for (part, isTitle) in [(a.article.title, true), (a.article.text, false)] {
                        StoryUnits.walk(part, language: language, analyzer: worker.analyzer) { key, range, bytes, capitals, initial in
                            guard let c = cellOf[worker.unitHash(key)] else { return }
                            forms[c, default: [:]][StoryUnits.form(bytes, range), default: 0] += 1
                            if stems[c] == nil { stems[c] = key.terms.map { worker.analyzer.terms[Int($0)] } }
                            if !isTitle && !initial { names[c, default: (0, 0)].0 += capitals ? 1 : 0; names[c, default: (0, 0)].1 += capitals ? 0 : 1 }
                            if sentence[c] == nil && !isTitle { sentence[c] = Self.sentence(around: range, in: bytes) }
                        } sentence: {}
                    }
                }
                let headline = story.outlets.first { $0.outlet == outlet }?.headline ?? story.title
                for (_, c) in cellOf {
                    examples[c, default: []].append((k, ProfileExample(story: story.id, headline: headline, sentence: sentence[c])))
                }
            }
        }
        var out: [Int: Label] = [:]
        for w in wanted {
            guard let f = forms[w.c], let s = stems[w.c] else { continue }
            let (capital, lower) = names[w.c] ?? (0, 0)
            let form = f.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
            // A name: capitalized inside sentences; with no use inside one ("Robert S. Mueller III":
            // the initial's period ends a sentence), capitalized in every form written.
            let name = capital + lower > 0 ? capital >= 4 * lower
                : f.keys.allSatisfy { $0.split(separator: " ").allSatisfy { $0.first?.isUppercase ?? false } }
            out[w.c] = Label(form: name ? form : form.lowercased(), stems: s, name: name,
                             examples: (examples[w.c] ?? []).sorted { $0.0 < $1.0 }.map(\.1))
        }
        return out
    }

    /// The sentence holding the bytes at `range`: from the previous sentence end to the next,
    /// spaces folded, at most about 300 characters (cut at words, with "…").
    static func sentence(around range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        func ends(_ b: UInt8) -> Bool { b == UInt8(ascii: ".") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?") || b == UInt8(ascii: "\n") }
        var start = range.lowerBound
        while start > 0 && !ends(bytes[start - 1]) && range.lowerBound - start < 400 { start -= 1 }
        var end = range.upperBound
        while end < bytes.count && !ends(bytes[end]) && end - range.upperBound < 400 { end += 1 }
        if end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        let folded = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard folded.count > 300 else { return folded }
        return String(folded.prefix(300).split(separator: " ").dropLast().joined(separator: " ")) + " …"
    }

    // MARK: Coverage

    /// Per outlet: its group's stories it covered and missed, first reports and lag, storylines
    /// followed up.
    static func coverage(stories: [StoryFraming], storylines: [StorylineCoverage], summaries: [String: OutletSummary],
                         groups: [String]) -> [String: OutletCoverage] {
        var groupStories: [String: [Int]] = [:]
        for (k, s) in stories.enumerated() {
            for g in Set(s.outlets.compactMap(\.group)) { groupStories[g, default: []].append(k) }
        }
        var covered: [String: Set<Int>] = [:]
        var lags: [String: [Double]] = [:]
        var firsts: [String: Int] = [:]
        for (k, s) in stories.enumerated() {
            let start = s.first_published.flatMap(ISODate.parse)
            for o in s.outlets {
                covered[o.outlet, default: []].insert(k)
                if let start, let mine = o.first_published.flatMap(ISODate.parse) {
                    lags[o.outlet, default: []].append((mine - start) / 3600)
                    if s.first_reported_by == o.outlet { firsts[o.outlet, default: 0] += 1 }
                }
            }
        }
        var lines: [String: (Int, Int, Int)] = [:]
        for line in storylines {
            for f in line.outlets {
                var t = lines[f.outlet] ?? (0, 0, 0)
                t.0 += 1
                if f.steps.first! < line.steps.count { t.1 += 1 }
                if f.followed_up { t.2 += 1 }
                lines[f.outlet] = t
            }
        }
        var out: [String: OutletCoverage] = [:]
        for (outlet, summary) in summaries {
            let mine = covered[outlet] ?? []
            var missed: [MissedStory] = []
            var groupCount: Int? = nil, coveredCount: Int? = nil
            if let g = summary.group, let all = groupStories[g] {
                groupCount = all.count
                coveredCount = all.filter { mine.contains($0) }.count
                missed = all.filter { !mine.contains($0) }.map { MissedStory(story: stories[$0].id, title: stories[$0].title, article_count: stories[$0].article_count) }
            }
            let missedCount = missed.count
            missed.sort { ($0.article_count, -$0.story) > ($1.article_count, -$1.story) }
            let l = (lags[outlet] ?? []).sorted()
            let median: Double? = l.isEmpty ? nil : l.count % 2 == 1 ? l[l.count / 2] : (l[l.count / 2 - 1] + l[l.count / 2]) / 2
            let (inLines, continued, followed) = lines[outlet] ?? (0, 0, 0)
            out[outlet] = OutletCoverage(
                group: summary.group, group_stories: groupCount, covered_of_group: coveredCount,
                share_of_group: groupCount.flatMap { $0 > 0 ? round(Double(coveredCount!) / Double($0), 1000) : nil },
                missed: Array(missed.prefix(5)), missed_count: missedCount,
                first_reports: firsts[outlet] ?? 0, dated_stories: l.count,
                first_share: l.isEmpty ? nil : round(Double(firsts[outlet] ?? 0) / Double(l.count), 1000),
                median_lag_hours: median.map { round($0, 10) },
                storylines: inLines, storylines_continued: continued, followed_up: followed,
                followed_up_share: continued > 0 ? round(Double(followed) / Double(continued), 1000) : nil)
        }
        return out
    }

    // MARK: Resemblance

    struct ResemblanceTable {
        var outlets: [String]
        var pairs: [UInt64: (shared: Int, similarity: Double)]
        var top: [Int: [Resemblance]]

        func pair(_ a: Int, _ b: Int) -> (shared: Int, similarity: Double)? {
            pairs[UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b)))]
        }

        /// The matrix of the outlets with the most stories (at most ``OutletMatrix/maxOutlets``),
        /// in an order where each outlet is followed by the one most like it not yet placed.
        func matrix(_ summaries: [String: OutletSummary]) -> OutletMatrix {
            let index = Dictionary(uniqueKeysWithValues: outlets.enumerated().map { ($1, $0) })
            let chosen = summaries.values.filter { index[$0.outlet] != nil }
                .sorted { ($0.stories, $1.outlet) > ($1.stories, $0.outlet) }.prefix(OutletMatrix.maxOutlets).map { index[$0.outlet]! }
            func sim(_ a: Int, _ b: Int) -> Double { pair(a, b).map { $0.similarity / Double($0.shared) } ?? -1 }
            var order: [Int] = []
            var left = Set(chosen)
            var next = chosen.first
            while let current = next {
                order.append(current)
                left.remove(current)
                next = left.max { (sim(current, $0), -$0) < (sim(current, $1), -$1) }
            }
            return OutletMatrix(
                outlets: order.map { outlets[$0] },
                shared: order.map { a in order.map { b in a == b ? 0 : pair(a, b)?.shared ?? 0 } },
                similarity: order.map { a in order.map { b in a == b ? nil : pair(a, b).map { OutletProfiler.round($0.similarity / Double($0.shared), 1000) } } })
        }
    }

    static func resemblance(_ gathered: Gathered) -> ResemblanceTable {
        var top: [Int: [Resemblance]] = [:]
        for (k, v) in gathered.pairs.sorted(by: { $0.key < $1.key }) {
            let a = Int(k >> 32), b = Int(k & 0xffff_ffff)
            let mean = round(v.similarity / Double(v.shared), 1000)
            top[a, default: []].append(Resemblance(outlet: gathered.outlets[b], shared_stories: v.shared, similarity: mean))
            top[b, default: []].append(Resemblance(outlet: gathered.outlets[a], shared_stories: v.shared, similarity: mean))
        }
        for (k, list) in top {
            // Alike in enough shared stories to mean something: at least 3, then by similarity.
            let ranked = list.filter { $0.shared_stories >= 3 }.sorted { ($0.similarity, $0.shared_stories, $1.outlet) > ($1.similarity, $1.shared_stories, $0.outlet) }
            top[k] = Array(ranked.prefix(5))
        }
        return ResemblanceTable(outlets: gathered.outlets, pairs: gathered.pairs, top: top)
    }
}
