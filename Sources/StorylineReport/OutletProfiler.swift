import Foundation
import StorylineCore
import StorylineText
import StorylineStore

/// Builds the outlet profiles (``OutletProfiles``) from what the framing pass gathered: each
/// story's units in scratch files by unit (pooled here a bucket at a time), the outlets' pairwise
/// similarities. Reads the stories of the units shown once more, for their forms and example
/// sentences.
struct OutletProfiler {
    let store: any TermCountStore & StoryStore
    let context: ReportBuilder.Context
    let workers: [ReportBuilder.Worker]
    let minArticles: Int
    let progress: ProgressReporter

    /// The framing pass's part: outlets by index, each story's outlets, the stories' units in the
    /// scratch files, the similarity sums.
    struct Gathered {
        var outletIndex: [String: Int32] = [:]
        var outlets: [String] = []
        var pairs: [UInt64: (shared: Int, similarity: Double)] = [:]
        /// Per story, in the report's order: its articles, and its outlets (global ids) with their
        /// articles, as ranges of `storyOutlet` and `storyArticles`.
        var storyTotal: [Int32] = []
        var storyStart: [Int32] = [0]
        var storyOutlet: [Int32] = []
        var storyArticles: [Int32] = []
        /// Nil where no profiles are made (a report of one story).
        let spill: ProfileSpill?

        init(spill: ProfileSpill?) { self.spill = spill }

        mutating func index(_ outlet: String) -> Int32 {
            if let k = outletIndex[outlet] { return k }
            let k = Int32(outlets.count)
            outletIndex[outlet] = k
            outlets.append(outlet)
            return k
        }

        /// One story's use, in story order (every story, for the indices to be the report's).
        mutating func add(_ use: OutletProfiles.Use) throws {
            let story = Int32(storyTotal.count)
            let ids = use.outlets.map { index($0) }
            storyTotal.append(use.total)
            storyOutlet += ids
            storyArticles += use.articles
            storyStart.append(Int32(storyOutlet.count))
            if let spill { try spill.append(use.encoded ?? ProfileSpill.encode(use, buckets: spill.buckets), story: story) }
            for (i, j, s) in use.similarity {
                let (a, b) = (min(ids[i], ids[j]), max(ids[i], ids[j]))
                let k = UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))
                let old = pairs[k] ?? (0, 0)
                pairs[k] = (old.shared + 1, old.similarity + s)
            }
        }
    }

    // MARK: The profile pass

    /// An (outlet, unit) pair tested: its p, the smallest p its strata could give, and its cell
    /// where p is small enough for q to be below ``OutletProfiles/maxQ`` (only those are kept
    /// whole).
    struct Tested {
        var outlet: Int32
        var unit: UInt64
        var quote: Bool
        var cell: Int32
        var p: Double
        var smallest: Double
    }

    /// Every (outlet, unit) pair used in two stories or more, pooled over the stories and tested
    /// (``ProfileCell/test()``): the scratch files a bucket at a time, on all cores. The cells of
    /// the tests with p up to about ``OutletProfiles/maxQ`` (``OutletProfiles/keptBelow``).
    static func pool(_ gathered: Gathered, threads: Int, progress: ProgressReporter) throws -> ([Tested], [ProfileCell]) {
        guard let spill = gathered.spill else { return ([], []) }
        try spill.finish()
        progress.begin("outlet profiles", total: spill.buckets)
        // Per bucket: its tests, its cells kept whole, its strata; or why it could not be read.
        var pooled = [Result<(([Tested], [ProfileCell]), Int), Error>?](repeating: nil, count: spill.buckets)
        pooled.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            Parallel.strided(spill.buckets, workers: threads) { _, b in
                base[b] = Result { Self.pool(try spill.read(b), gathered) }
                progress.advance(1)
            }
        }
        var tests: [Tested] = [], kept: [ProfileCell] = [], strata = 0
        tests.reserveCapacity(pooled.reduce(0) { $0 + ((try? $1?.get().0.0.count) ?? 0) })
        for b in pooled.indices {
            let ((bucketTests, bucketKept), bucketStrata) = try pooled[b]!.get()
            pooled[b] = nil
            let offset = Int32(kept.count)
            tests += bucketTests.map { t in var t = t; if t.cell >= 0 { t.cell += offset }; return t }
            kept += bucketKept
            strata += bucketStrata
        }
        progress.end("\(tests.count) outlet-unit pairs used in \(OutletProfiles.minStories) stories or more, pooled over "
                     + "\(strata) story strata (\(spill.bytes >> 20) MiB of scratch files)")
        return (tests, kept)
    }

    /// One bucket's cells (``ProfileSpill``): per unit, each outlet that used it in two stories or
    /// more, pooled over every story of the unit the outlet is in (and is not all of), in story
    /// order; and the strata pooled.
    static func pool(_ bytes: [UInt8], _ g: Gathered) -> (([Tested], [ProfileCell]), Int) {
        var tests: [Tested] = [], kept: [ProfileCell] = []
        var strata = 0
        bytes.withUnsafeBufferPointer { bytes in
            // Every story of a unit together, in story order (the order written).
            let records = radixSorted(ProfileSpill.index(bytes))
            var uses = [Int32](repeating: 0, count: g.outlets.count)
            var slot = [Int32](repeating: -1, count: g.outlets.count)
            var touched: [Int] = []
            var cells: [ProfileCell] = []
            // The unit's records read once: each one's uses in `used`, from `usedStart[r]` on.
            var used: [ProfileSpill.Record.Use] = []
            var usedStart: [Int] = [], read: [ProfileSpill.Record] = []
            var i = 0
            while i < records.count {
                let unit = records[i].unit
                var j = i + 1
                while j < records.count && records[j].unit == unit { j += 1 }
                defer { i = j }
                // A unit of one story has no outlet that used it in two.
                guard j - i >= OutletProfiles.minStories else { continue }
                used.removeAll(keepingCapacity: true)
                usedStart.removeAll(keepingCapacity: true)
                read.removeAll(keepingCapacity: true)
                // The outlets that used it in two of the stories where they are not all the articles.
                for r in i..<j {
                    let s = Int(records[r].story), base = Int(g.storyStart[s])
                    usedStart.append(used.count)
                    read.append(ProfileSpill.Record(bytes, records[r].start, uses: &used))
                    for k in usedStart[r - i]..<used.count {
                        let place = base + Int(used[k].outlet)
                        guard g.storyArticles[place] < g.storyTotal[s] else { continue }
                        let o = Int(g.storyOutlet[place])
                        if uses[o] == 0 { touched.append(o) }
                        uses[o] += 1
                    }
                }
                usedStart.append(used.count)
                cells.removeAll(keepingCapacity: true)
                for o in touched where uses[o] >= Int32(OutletProfiles.minStories) {
                    slot[o] = Int32(cells.count)
                    cells.append(ProfileCell(outlet: Int32(o), unit: unit, quote: read[0].flags & 4 != 0))
                }
                for o in touched { uses[o] = 0 }
                touched.removeAll(keepingCapacity: true)
                guard !cells.isEmpty else { continue }
                for r in i..<j {
                    let story = records[r].story, s = Int(story), base = Int(g.storyStart[s])
                    let record = read[r - i]
                    let total = g.storyTotal[s], m = record.with, flags = record.flags
                    var last: ProfileCell.Stratum? = nil
                    for place in base..<Int(g.storyStart[s + 1]) {
                        let c = Int(slot[Int(g.storyOutlet[place])])
                        let n = g.storyArticles[place]
                        guard c >= 0 && n < total else { continue }
                        var a: Int32 = 0, count: Int32 = 0
                        for k in usedStart[r - i]..<usedStart[r - i + 1] where used[k].outlet == Int32(place - base) {
                            (a, count) = (used[k].articles, used[k].count)
                        }
                        if last?.n != n { last = ProfileCell.Stratum(N: total, n: n, m: m) }
                        cells[c].add(last!, a: a, count: count, name: flags & 1 != 0, digit: flags & 2 != 0, story: story)
                        if a > 0 && flags & 4 != 0, let l = record.label(bytes), l.count > (cells[c].label?.count ?? 0) { cells[c].label = l }
                        strata += 1
                    }
                }
                for var cell in cells {
                    slot[Int(cell.outlet)] = -1
                    guard cell.stories >= Int32(OutletProfiles.minStories) && cell.variance > 0 else { continue }
                    cell.test()
                    tests.append(Tested(outlet: cell.outlet, unit: cell.unit, quote: cell.quote, cell: cell.p <= OutletProfiles.keptBelow ? Int32(kept.count) : -1,
                                        p: cell.p, smallest: cell.smallest))
                    if cell.p <= OutletProfiles.keptBelow { kept.append(cell) }
                }
            }
        }
        return ((tests, kept), strata)
    }

    /// The records by unit, stably (a unit's stories stay in order): least significant byte first.
    static func radixSorted(_ records: [(unit: UInt64, story: Int32, start: Int)]) -> [(unit: UInt64, story: Int32, start: Int)] {
        var from = records, to = records
        for shift in stride(from: UInt64(0), to: 64, by: 8) {
            var counts = [Int](repeating: 0, count: 257)
            for r in from { counts[Int(truncatingIfNeeded: r.unit >> shift) & 0xff + 1] += 1 }
            if counts.contains(from.count) { continue }   // one digit for all: nothing to move
            for d in 1...256 { counts[d] += counts[d - 1] }
            for r in from {
                let d = Int(truncatingIfNeeded: r.unit >> shift) & 0xff
                to[counts[d]] = r
                counts[d] += 1
            }
            swap(&from, &to)
        }
        return from
    }

    // MARK: Assembly

    /// The profiles: each outlet's units at q < 0.05, quotes, coverage and resemblance.
    func profiles(_ gathered: Gathered, stories: [StoryFraming], summaries: [String: OutletSummary],
                  storylines: [StorylineCoverage], groups: [String]) throws -> ([OutletProfile], OutletMatrix, ProfileMethod) {
        let (tests, cells) = try Self.pool(gathered, threads: workers.count, progress: progress)
        // q (Benjamini-Hochberg) over the wording units and over the quotes, apart.
        let p = tests.map(\.p), smallest = tests.map(\.smallest)
        var wordingTested = tests.indices.filter { !tests[$0].quote }, quotesTested = tests.indices.filter { tests[$0].quote }
        // One family per outlet and part: a profile is read on its own, and under no signal at
        // all each outlet's profile shows a unit with probability at most 0.05.
        var q: [Int: Double] = [:]
        for list in [wordingTested, quotesTested] {
            let byOutlet = Dictionary(grouping: list) { tests[$0].outlet }
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
        // From here on, cells (q < 0.05 holds p < 0.05: kept) and their q.
        var qOf: [Int: Double] = [:]
        for t in wordingTested {
            testedOf[Int(tests[t].outlet)] += 1
            let c = Int(tests[t].cell)
            if q[t]! < OutletProfiles.maxQ && c >= 0 && cells[c].observed > cells[c].expected { picked[Int(cells[c].outlet)].append(c); qOf[c] = q[t]! }
        }
        for t in quotesTested where q[t]! < OutletProfiles.maxQ && tests[t].cell >= 0 {
            let c = Int(tests[t].cell)
            quotesOf[Int(cells[c].outlet)].append(c)
            qOf[c] = q[t]!
        }
        let byStrength: (Int, Int) -> Bool = { a, b in
            (cells[a].p, -cells[a].z, cells[a].unit) < (cells[b].p, -cells[b].z, cells[b].unit)
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
                }).max(by: { (labels[$0]!.stems.count, -cells[$0].p) < (labels[$1]!.stems.count, -cells[$1].p) }) {
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
                    p: Self.significant(cells[c].p), q: Self.significant(qOf[c]!), examples: l.examples))
            }
            shown += wording.count
            if !wording.isEmpty { outletsWithWording += 1 }
            let quotes = (o.map { quotesOf[$0] } ?? []).prefix(10).map { c -> ProfileQuote in
                let cell = cells[c]
                return ProfileQuote(speaker: cell.label ?? "?", direction: cell.observed >= cell.expected ? "more" : "less",
                                    stories: Int(cell.stories), others_stories: Int(cell.othersStories),
                                    ratio: Self.round(cell.expected > 0 ? cell.observed / cell.expected : 0, 100),
                                    p: Self.significant(cells[c].p), q: Self.significant(qOf[c]!))
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
