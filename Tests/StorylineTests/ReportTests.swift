import XCTest
import StorylineTestSupport
@testable import Storyline
@testable import StorylineCore
@testable import StorylineText
@testable import StorylineIngest
@testable import StorylineVectors
@testable import StorylineSimilarity
@testable import StorylineCluster
@testable import StorylineStore
@testable import StorylineReport

final class FightinWordsTests: XCTestCase {
    let group: [String: Double] = ["x": 10, "y": 5, "z": 1]
    let rest: [String: Double] = ["x": 2, "y": 5, "z": 9]
    let share: [String: Double] = ["x": 0.1, "y": 0.3, "z": 0.6]

    func testAgainstAnIndependentComputation() {
        // Computed in Python from Monroe et al. (2008), eq. 16 and 18, with α₀ = 500.
        let z = Dictionary(uniqueKeysWithValues: FightinWords(priorWeight: 500).zScores(group: group, rest: rest) { self.share[$0]! }.map { ($0.term, $0.z) })
        XCTAssertEqual(z["x"]!, 0.8470777248411995, accuracy: 1e-9)
        XCTAssertEqual(z["y"]!, 0, accuracy: 1e-9)
        XCTAssertEqual(z["z"]!, -0.7921289813688337, accuracy: 1e-9)
    }

    func testOrderingAndSymmetry() {
        let fw = FightinWords()
        let scored = fw.zScores(group: group, rest: rest) { self.share[$0]! }
        XCTAssertEqual(scored.map(\.term), ["x", "y", "z"])
        // Swapping the sides flips the sign.
        let back = Dictionary(uniqueKeysWithValues: fw.zScores(group: rest, rest: group) { self.share[$0]! }.map { ($0.term, $0.z) })
        for (term, z) in scored { XCTAssertEqual(back[term]!, -z, accuracy: 1e-9) }
        // More evidence, larger z.
        let weak = fw.zScores(group: ["w": 2], rest: [:]) { _ in 0.001 }[0].z
        let strong = fw.zScores(group: ["w": 20], rest: [:]) { _ in 0.001 }[0].z
        XCTAssertGreaterThan(strong, weak)
    }
}

final class QuoteExtractorTests: XCTestCase {
    func testPatterns() {
        let text = """
            "We will rebuild," said Mayor Jane Doe on Monday. "It is too early," Sen. Mitch McConnell said. \
            Gov. Gavin Newsom told reporters the state was ready. According to the Pentagon, no troops moved. \
            "No comment," he said. The plan, according to NATO officials, is final.
            """
        let s = QuoteExtractor().speakers(in: text)
        XCTAssertEqual(s["Mayor Jane Doe"], 1)
        XCTAssertEqual(s["Sen. Mitch McConnell"], 1)
        XCTAssertEqual(s["Gov. Gavin Newsom"], 1)
        XCTAssertEqual(s["Pentagon"], 1)
        XCTAssertEqual(s["NATO"], 1)
        XCTAssertNil(s["He"])
        XCTAssertNil(s["he"])
    }
}

final class HTMLEscapeTests: XCTestCase {
    func testEscape() {
        XCTAssertEqual(HTMLPages.escape(#"<script>alert("x&y")</script> it's"#),
                       "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; it&#39;s")
    }
}

final class OutletGroupsTests: XCTestCase {
    func testShippedExampleLoadsAndBadFilesFail() throws {
        let groups = try OutletGroups.load(TestSupport.root.appendingPathComponent("Models/outlets.example.csv").path)
        XCTAssertEqual(groups.groupOf["Reuters"], "center")
        XCTAssertEqual(groups.countryOf["Reuters"], "UK")
        let bad = TestSupport.temporaryDirectory().appendingPathComponent("bad.csv")
        TestSupport.write("name,side\nA,left\n", to: bad)
        XCTAssertThrowsError(try OutletGroups.load(bad.path)) { XCTAssertEqual(($0 as? StorylineError)?.line, 1) }
        TestSupport.write("# outlets\noutlet,group,country\n\"A, Inc.\",left,\n\n\"B \"\"the\"\" Daily\",right,US\n", to: bad)
        let quoted = try OutletGroups.load(bad.path)
        XCTAssertEqual(quoted.groupOf, ["A, Inc.": "left", "B \"the\" Daily": "right"], "RFC 4180 quoting, comments and blank lines")
        XCTAssertEqual(quoted.countryOf, ["B \"the\" Daily": "US"])
        TestSupport.write("outlet,group\n\"A, Inc.\",left\nB\n", to: bad)
        XCTAssertThrowsError(try OutletGroups.load(bad.path)) { XCTAssertEqual(($0 as? StorylineError)?.line, 3) }
    }
}

final class ReportBuilderTests: XCTestCase {
    /// Three outlets on one quake story (left, right, center) and a second story covered only by the right.
    func testCoverageFirstReportSimilarityAndBlindspots() throws {
        let pipeline = try Pipeline(store: SQLiteStore(path: ":memory:"), models: TestSupport.models)
        let dir = TestSupport.temporaryDirectory()
        let quake = "A strong earthquake struck the coastal city, collapsing buildings and killing dozens of residents overnight."
        let tax = "The governor signed a tax cut into law after months of debate with legislators over the state budget."
        let rows: [[String: Any]] = [
            ["id": "1", "outlet": "Left Daily", "title": "Quake kills dozens", "text": quake + " \"We are digging,\" said Mayor Ana Lopez.", "published": "2024-01-01T12:00:00Z"],
            ["id": "2", "outlet": "Right Post", "title": "Deadly quake hits city", "text": quake + " Rescuers blamed lax building codes.", "published": "2024-01-01T08:00:00Z"],
            ["id": "3", "outlet": "Center Wire", "title": "Earthquake kills dozens in coastal city", "text": quake, "published": "2024-01-01T10:00:00Z"],
            ["id": "4", "outlet": "Right Post", "title": "Governor signs tax cut", "text": tax, "published": "2024-01-01T09:00:00Z"],
            ["id": "5", "outlet": "Right Times", "title": "Tax cut signed by governor", "text": tax, "published": "2024-01-01T11:00:00Z"],
            ["id": "6", "outlet": "Right Post", "title": "Tax cut becomes law", "text": tax, "published": "2024-01-01T15:00:00Z"],
        ]
        let dump = dir.appendingPathComponent("d.jsonl")
        TestSupport.write(rows.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n"), to: dump)
        _ = try pipeline.run([dump.path])
        var options = ReportOptions()
        options.minZ = 0   // the mechanics here; the bar is tested in FramingUnitsTests
        options.permutations = 0
        options.minCount = 1
        options.groups = OutletGroups(groupOf: ["Left Daily": "left", "Right Post": "right", "Right Times": "right", "Center Wire": "center"])
        let (report, files) = try pipeline.report(to: dir.appendingPathComponent("out").path, options: options)
        XCTAssertTrue(files.contains("index.html") && files.contains("report.json") && files.contains("report.md") && files.contains("story_outlets.csv"))
        XCTAssertEqual(report.stories.count, 2)
        let quakeStory = try XCTUnwrap(report.stories.first { $0.outlets.count == 3 })
        XCTAssertEqual(quakeStory.first_reported_by, "Right Post")
        XCTAssertEqual(quakeStory.coverage, ["left": 1, "right": 1, "center": 1])
        XCTAssertTrue(quakeStory.outlets.allSatisfy { ($0.similarity_to_story ?? 0) > 0.3 })
        XCTAssertEqual(quakeStory.outlets.first { $0.outlet == "Left Daily" }?.quoted.first?.speaker, "Mayor Ana Lopez")
        XCTAssertTrue(quakeStory.outlets.first { $0.outlet == "Right Post" }!.distinctive_terms.contains { $0.term.hasSuffix("codes") }, "codes, or the phrase that holds it")
        let taxStory = try XCTUnwrap(report.stories.first { $0.outlets.count == 2 })
        XCTAssertEqual(report.blindspots.map(\.story), [taxStory.id])
        XCTAssertEqual(report.blindspots.first?.covered_by, "right")
        XCTAssertEqual(report.blindspots.first?.missing, ["center", "left"])
        let rightPost = try XCTUnwrap(report.outlets.first { $0.outlet == "Right Post" })
        XCTAssertEqual(rightPost.stories, 2)
        XCTAssertEqual(rightPost.first_reports, 2)
    }
}

/// Framing one story from stored term counts, without a store: the values the store hands out.
final class FramingFromCountsTests: XCTestCase {
    func testDistinctiveTermsSimilarityAndFirstReportFromCounts() throws {
        // Stems as the English analyzer gives them; ids as a store would have given them.
        let vocabulary = Vocabulary(terms: ["quak", "kill", "dozen", "code", "build"], documentFrequency: [3, 3, 2, 1, 1],
                                    collectionFrequency: [30, 30, 20, 2, 5], inStore: true)
        let weighting = TFIDFWeighting(titleWeight: 2, documentCount: 100, documentFrequency: vocabulary.documentFrequency)
        let context = ReportBuilder.Context(vocabulary: vocabulary, weighting: weighting,
                                            options: .init(base: ReportOptions(), minZ: 0, bootstrap: 0, nullRounds: 0), framing: FightinWords())
        let worker = ReportBuilder.Worker(analyzer: TestSupport.models.analyzer(TestSupport.profile.analyzer))
        func stored(_ seq: Int64, _ outlet: String, _ hour: Double, _ title: String, _ text: String, _ counts: [(Int32, UInt16, UInt16)]) -> StoredArticle {
            StoredArticle(seq: seq, article: Article(id: "a\(seq)", outlet: outlet, published: hour * 3600, title: title, text: text),
                          storyID: 1, terms: ArticleTerms(ids: counts.map(\.0), titleCounts: counts.map(\.1), textCounts: counts.map(\.2)))
        }
        let articles = [
            stored(1, "Right Post", 8, "Deadly quake", "The quake killed dozens. Codes were lax; building codes.", [(0, 1, 1), (1, 0, 1), (2, 0, 1), (3, 0, 2), (4, 0, 1)]),
            stored(2, "Center Wire", 10, "Quake kills dozens", "A quake killed dozens.", [(0, 1, 1), (1, 1, 1), (2, 1, 1)]),
            stored(3, "Left Daily", 12, "Quake kills dozens", "A quake killed dozens.", [(0, 1, 1), (1, 1, 1), (2, 1, 1)]),
        ]
        let (story, _, _, _) = ReportBuilder.frame(id: 1, title: "Quake", articles: articles, worker: worker, context: context)
        XCTAssertEqual(story.first_reported_by, "Right Post")
        XCTAssertEqual(story.outlets.map(\.outlet), ["Right Post", "Center Wire", "Left Daily"])
        let right = story.outlets[0]
        XCTAssertEqual(right.distinctive_terms.first?.term, "codes", "the stored stem shown as its most frequent surface form")
        XCTAssertGreaterThan(right.distinctive_terms.first?.z ?? 0, 0)
        // Center and Left tell it in the same words: each is closer to the rest than Right is.
        let similarity = Dictionary(uniqueKeysWithValues: story.outlets.map { ($0.outlet, $0.similarity_to_story ?? -1) })
        XCTAssertGreaterThan(similarity["Center Wire"]!, similarity["Right Post"]!)
        XCTAssertEqual(similarity["Center Wire"]!, similarity["Left Daily"]!, accuracy: 1e-9)
    }
}

/// The units a story is read in (stems, phrases, names), and what is shown of them.
final class FramingUnitsTests: XCTestCase {
    let analyzer = TestSupport.models.analyzer(TestSupport.profile.analyzer)

    func units(_ texts: [String]) -> StoryUnits {
        StoryUnits(articles: texts.map { ("", $0, "en") }, analyzer: analyzer)
    }

    func unit(_ words: String, in u: StoryUnits) -> Int32? {
        let terms = analyzer.terms(of: words, language: "en").map { t in Int32(analyzer.terms.firstIndex(of: t)!) }
        guard !terms.isEmpty, terms.count <= 3 else { return nil }
        return u.index[UnitKey(a: terms[0], b: terms.count > 1 ? terms[1] : -1, c: terms.count > 2 ? terms[2] : -1)]
    }

    func testPhrasesStopAtStopwordsPunctuationAndSentences() {
        let u = units(["The Tea Party rallied downtown. Tea Party leaders, big tent politics of the party. Rallied downtown\nTea time."])
        XCTAssertNotNil(unit("tea party", in: u))
        XCTAssertNotNil(unit("tea party leaders", in: u))
        XCTAssertNotNil(unit("big tent politics", in: u))
        XCTAssertNil(unit("leaders big", in: u), "a comma ends a phrase")
        XCTAssertNil(unit("downtown tea", in: u), "a sentence ends a phrase (period, line break)")
        XCTAssertNil(unit("politics party", in: u), "a stopword ends a phrase")
        let occurrences = u.occurrences[0].filter { $0 == unit("tea party", in: u)! }.count
        XCTAssertEqual(occurrences, 2)
        XCTAssertEqual(u.sentenceStarts[0].count, 4, "four sentences (a title that is empty makes none)")
    }

    func testNamesAreWordsCapitalizedInsideSentences() {
        let u = units(["Supporters cheered as Glenn Beck spoke. Later Glenn Beck left. Big crowds came; the big tent was full.",
                       "Critics said Beck was wrong. Beck answered."])
        XCTAssertTrue(u.isName(unit("glenn beck", in: u)!))
        XCTAssertTrue(u.isName(unit("beck", in: u)!), "capitalized inside sentences; the sentence-initial 'Beck' does not count")
        XCTAssertFalse(u.isName(unit("big", in: u)!), "'Big' only starts a sentence; inside one it is lowercase")
        let forms = StoryUnits.sum(StoryUnits.formsPerArticle(of: [u.keys[Int(unit("glenn beck", in: u)!)]], in: [("", "Glenn  Beck spoke of glenn beck", "en")], analyzer: analyzer))
        XCTAssertEqual(forms.values.first, ["Glenn Beck": 1, "glenn beck": 1], "forms as written, spaces folded")
    }

    /// Outlet 0 says "illegal aliens" eight times, the others "undocumented immigrants".
    func contrastStory() -> (StoryUnits, OutletContrast) {
        let filler = "Lawmakers met on Tuesday to debate the bill in the capital. The vote is expected next week."
        let a = String(repeating: "Officials detained illegal aliens at the border. ", count: 8) + filler
        let b = String(repeating: "Officials detained undocumented immigrants at the border. ", count: 4) + filler + " Senator Maria Lopez objected."
        let c = String(repeating: "Officials detained undocumented immigrants at the border. ", count: 4) + filler + " Senator Maria Lopez objected to 4,000 arrests."
        let d = filler + " Maria Lopez objected to 4,000 arrests."
        let u = units([a, b, c, d])
        return (u, OutletContrast(units: u, outlets: [[0], [1], [2], [3]]))
    }

    /// A prior weight for stories this small (the shipped 500 is for news articles).
    let fw = FightinWords(priorWeight: 20)

    func testAPhraseStandsOutAndItsOwnWordsDoNotAlsoFillTheCard() {
        let (u, contrast) = contrastStory()
        let scored = contrast.scores(outlet: 0, minCount: 2, method: fw, eligible: { _ in true }, share: { contrast.storyShare(Int($0)) })
        XCTAssertTrue(scored.allSatisfy { contrast.counts[0][Int($0.unit)] >= 2 }, "only units the outlet uses at least twice are tested")
        let shown = contrast.pick(scored, outlet: 0, minZ: 1.96, limit: 10)
        XCTAssertFalse(shown.isEmpty)
        XCTAssertTrue(shown.allSatisfy { $0.z >= 1.96 })
        let keys = shown.map { u.keys[Int($0.unit)] }
        XCTAssertTrue(keys.contains { $0.contains(u.keys[Int(unit("illegal aliens", in: u)!)]) }, "the phrase (or one containing it) is shown")
        for (i, k) in keys.enumerated() {
            for (j, other) in keys.enumerated() where i != j { XCTAssertFalse(k.contains(other), "a unit and its own part both shown") }
        }
        // The outlets that wrote the common words have nothing at the bar.
        let quiet = contrast.pick(contrast.scores(outlet: 3, minCount: 2, method: fw, eligible: { _ in true }, share: { contrast.storyShare(Int($0)) }),
                                  outlet: 3, minZ: 1.96, limit: 10)
        XCTAssertTrue(quiet.isEmpty)
    }

    func testOmissionsAreWhatMostOthersCarryAndThisOutletNeverMentions() {
        let (u, contrast) = contrastStory()
        let names = { (x: Int32) in u.hasDigit[Int(x)] ? u.keys[Int(x)].length == 1 : u.isName(x) }   // as the report asks
        let byA = contrast.omitted(by: 0, wanted: names).map { u.keys[Int($0.unit)] }
        // B, C and D all carry "Maria Lopez" (3 of 3), C and D "4,000" (2 of 3, a majority).
        XCTAssertTrue(byA.contains(u.keys[Int(unit("maria lopez", in: u)!)]))
        XCTAssertFalse(byA.contains(u.keys[Int(unit("lopez", in: u)!)]), "a name's own part is not listed beside it")
        XCTAssertTrue(byA.contains { $0.length == 1 && u.hasDigit[Int(u.index[$0]!)] }, "the number most others give")
        XCTAssertEqual(contrast.omitted(by: 0, wanted: names).first?.carriedBy, 3)
        // D names Lopez: not an omission for D, whatever the others write.
        XCTAssertFalse(contrast.omitted(by: 3, wanted: names).contains { u.keys[Int($0.unit)].last == u.keys[Int(unit("lopez", in: u)!)].a })
    }

    func testStabilityIsReproducibleAndHighForAStrongContrast() {
        let (_, contrast) = contrastStory()
        let share = { (x: Int32) in contrast.storyShare(Int(x)) }
        let shown = (0..<4).map { o in contrast.pick(contrast.scores(outlet: o, minCount: 2, method: fw, eligible: { _ in true }, share: share), outlet: o, minZ: 1.96, limit: 3) }
        let first = contrast.stability(of: shown, rounds: 200, minZ: 1.96, method: fw, seed: 7, share: share)
        XCTAssertEqual(first, contrast.stability(of: shown, rounds: 200, minZ: 1.96, method: fw, seed: 7, share: share))
        XCTAssertGreaterThanOrEqual(first[0].first ?? 0, 0.8, "eight sentences of one phrase against none elsewhere holds")
        XCTAssertTrue(first.joined().allSatisfy { $0 >= 0 && $0 <= 1 })
        // Under the null (sentences dealt at random among the outlets) few units pass.
        let null = contrast.null(rounds: 50, minZ: 1.96, minCount: 2, method: fw, seed: 3, eligible: { _ in true }, share: share)
        XCTAssertGreaterThan(null.tested, 0)
        XCTAssertLessThan(Double(null.passed) / Double(null.tested), 0.05)
    }

    /// The whole builder: every term shown passes the bar, and an outlet with nothing at the bar
    /// says how many units were tested.
    func testReportShowsOnlyWhatPassesTheBar() throws {
        var profile = TestSupport.profile
        profile.report = .init(minZ: nil, priorWeight: 20, bootstrap: nil, permutations: nil)   // three short articles
        let pipeline = try Pipeline(store: SQLiteStore(path: ":memory:"), models: TestSupport.models, profile: profile)
        let dir = TestSupport.temporaryDirectory()
        let base = "Border agents detained dozens of people crossing the river near the town on Monday, officials said."
        let rows: [[String: Any]] = [
            ["id": "1", "outlet": "Hard Line", "title": "Agents detain illegal aliens at river",
             "text": base + " " + String(repeating: "The illegal aliens were held overnight. ", count: 9), "published": "2024-01-01T08:00:00Z"],
            ["id": "2", "outlet": "Open Door", "title": "Agents detain migrants at river", "text": base + " The migrants were held overnight.", "published": "2024-01-01T09:00:00Z"],
            ["id": "3", "outlet": "Wire", "title": "Agents detain dozens at river", "text": base, "published": "2024-01-01T10:00:00Z"],
        ]
        let dump = dir.appendingPathComponent("d.jsonl")
        TestSupport.write(rows.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n"), to: dump)
        _ = try pipeline.run([dump.path])
        var options = ReportOptions()
        options.bootstrap = 50
        let (report, _) = try pipeline.report(to: dir.appendingPathComponent("out").path, options: options)
        let story = try XCTUnwrap(report.stories.first)
        XCTAssertEqual(story.outlets.count, 3)
        XCTAssertEqual(report.framing.min_z, 1.96)
        for o in story.outlets {
            XCTAssertTrue(o.distinctive_terms.allSatisfy { $0.z >= 1.96 && $0.stability != nil }, o.outlet)
            XCTAssertGreaterThan(o.candidates_tested, 0)
        }
        let hard = try XCTUnwrap(story.outlets.first { $0.outlet == "Hard Line" })
        XCTAssertTrue(hard.distinctive_terms.contains { $0.term.contains("illegal aliens") }, "\(hard.distinctive_terms)")
        let wire = try XCTUnwrap(story.outlets.first { $0.outlet == "Wire" })
        XCTAssertTrue(wire.distinctive_terms.isEmpty)
        let page = try String(contentsOf: dir.appendingPathComponent("out/stories/\(story.id).html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Nothing stands out: none of the \(wire.candidates_tested) words and phrases tested reaches z ≥ 1.96"))
        XCTAssertEqual(report.framing.shown, story.outlets.map(\.distinctive_terms.count).reduce(0, +))
        XCTAssertNotNil(report.framing.stable_share)
        XCTAssertEqual(report.framing.null_rounds, 10, "the default")
        XCTAssertTrue(story.outlets.allSatisfy { $0.loaded_language != nil }, "an English story of three outlets has shares")
        XCTAssertNotNil(report.framing.null_rate)
    }
}

/// The index of a large store (12,500 stories of 100,000 articles, 40 outlets, three groups):
/// pages of 500 without script, and in headless Chromium the filters give the right stories.
final class IndexAtScaleTests: XCTestCase {
    func report() -> FramingReport {
        var rng = SeededGenerator(seed: 19)
        let words = ["senate", "vote", "storm", "court", "border", "budget", "strike", "fire", "election", "trade", "rates", "flood", "school", "health", "police"]
        let outlets = (0..<40).map { "Outlet \($0)" }
        let groups = ["center", "left", "right"]
        var stories: [StoryFraming] = []
        for id in 1...12_500 {
            let size = 8
            let names = Array(Set((0..<Int.random(in: 1...6, using: &rng)).map { _ in outlets[Int.random(in: 0..<40, using: &rng)] })).sorted()
            let day = 1_700_000_000.0 + Double(Int.random(in: 0..<365, using: &rng)) * 86_400
            let framed = names.map { o in
                OutletFraming(outlet: o, group: groups[Int(o.split(separator: " ")[1])! % 3], articles: ["a"], article_count: 1, first_published: ISODate.format(day),
                              headline: "h", headlines: ["h"], timeline: [], distinctive_terms: [], candidates_tested: 0, omitted: [],
                              similarity_to_story: nil, quoted: [], first_quoted: nil, others_quote: [])
            }
            var coverage: [String: Int] = [:]
            for o in framed { coverage[o.group!, default: 0] += size / framed.count }
            stories.append(StoryFraming(id: Int64(id), title: "\(words[id % words.count].capitalized) \(words[(id / 15) % words.count]) <\(id)>",
                                        article_count: size, first_published: ISODate.format(day), last_published: ISODate.format(day),
                                        first_reported_by: names[0], outlets: framed, coverage: coverage, dates_found: [], undated_articles: 0, bar: 1.96))
        }
        let summaries = outlets.map { OutletSummary(outlet: $0, group: nil, stories: 0, articles: 0, first_reports: 0, mean_divergence: nil) }
        return FramingReport(generated: "2024-05-01T00:00:00Z", stories: stories, outlets: summaries, blindspots: [], groups: groups,
                             framing: FramingMethod(method: "", min_z: 1.96, prior_weight: 500, min_count: 2, max_document_share: 0.2, bootstrap: 0,
                                                    outlet_pairs: 0, pairs_with_terms: 0, tested: 0, shown: 0, null_rounds: 0, bar_raised: 0), storylines: [],
                             outlet_profiles: [], outlet_matrix: OutletMatrix(outlets: [], shared: [], similarity: []),
                             profile_method: OutletProfiles.method(tested: 0, shown: 0, quotesTested: 0, quotesShown: 0, outletsWithWording: 0, compared: 0))
    }

    func testPagedWithoutScriptAndFilteredInChromium() throws {
        let report = report()
        let dir = TestSupport.temporaryDirectory()
        let files = try ReportWriter(report: report, directory: dir).write([.html])
        XCTAssertTrue(files.contains("pages/25.html") && !files.contains("pages/26.html"), "12,500 stories in pages of 500")
        let index = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertEqual(index.components(separatedBy: "<tr><td><a href=\"stories/").count - 1, 500)
        XCTAssertTrue(index.contains("<a href=\"pages/2.html\">next →</a>"))
        let last = try String(contentsOf: dir.appendingPathComponent("pages/25.html"), encoding: .utf8)
        XCTAssertTrue(last.contains("<a href=\"../stories/12500.html\">") && last.contains("<script src=\"../stories.js\">"))
        XCTAssertLessThan(try Data(contentsOf: dir.appendingPathComponent("index.html")).count, 400_000, "page 1 stays small")

        _ = try TestChromium.path()
        func open(_ hash: String) throws -> (count: Int?, ready: Int?, ids: [Int64]) {
            let dom = try TestChromium.run(["--dump-dom", dir.appendingPathComponent("index.html").absoluteString + hash], in: dir)
            func attribute(_ name: String) -> Int? {
                dom.range(of: name + "=\"[0-9]+\"", options: .regularExpression).flatMap { Int(dom[$0].dropFirst(name.count + 2).dropLast()) }
            }
            let found = dom.range(of: "<div id=\"found\"").map { String(dom[$0.lowerBound...]) } ?? ""
            let ids = found.components(separatedBy: "<a href=\"stories/").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
            return (attribute("data-count"), attribute("data-ready"), ids)
        }
        let plain = try open("")
        print("index of 12,500 stories in headless Chromium: ready \(plain.ready.map { "\($0) ms" } ?? "-") after navigation start")
        XCTAssertNotNil(plain.ready, "the script ran")
        XCTAssertLessThan(plain.ready ?? .max, 10_000)
        // By outlet.
        let outlet = try open("#outlet=Outlet%207")
        let expected = report.stories.filter { $0.outlets.contains { $0.outlet == "Outlet 7" } }.map(\.id)
        XCTAssertEqual(outlet.count, expected.count)
        XCTAssertEqual(outlet.ids, Array(expected.prefix(200)), "the first 200, in story order")
        // Title, a group that did not cover it, the newest first.
        let combined = try open("#q=storm&missing=left&sort=new")
        let want = report.stories.filter { $0.title.lowercased().contains("storm") && ($0.coverage["left"] ?? 0) == 0 }
        XCTAssertEqual(combined.count, want.count)
        XCTAssertEqual(Set(combined.ids), Set(want.map(\.id)).intersection(combined.ids), "only matching stories")
        let dates = combined.ids.map { id in report.stories[Int(id) - 1].first_published! }
        XCTAssertEqual(dates, dates.sorted(by: >), "newest first")
    }
}

/// Loaded language: the share of strongly emotional words, against the rest of the story, with
/// a permutation p-value and a report-wide adjustment.
final class LoadedLanguageTests: XCTestCase {
    func testSharesPermutationAndAdjustment() throws {
        let loaded = try XCTUnwrap(LoadedWords.load(models: TestSupport.models.path), "Models/loaded-words.tsv ships")
        let analyzer = TestSupport.models.analyzer(TestSupport.profile.analyzer)
        let calm = (0..<12).map { "The committee met on day \($0) and reviewed the budget lines." }.joined(separator: " ")
        let heated = (0..<12).map { "The disastrous plan is an outrage and a catastrophe, critics said on day \($0)." }.joined(separator: " ")
        let texts = [("", heated, "en"), ("", calm, "en"), ("", calm, "en")]
        let units = StoryUnits(articles: texts, analyzer: analyzer, loaded: loaded)
        XCTAssertEqual(units.sentenceLoaded[0].reduce(0, +), 36, "disastrous, outrage, catastrophe in each of 12 sentences")
        XCTAssertEqual(units.sentenceLoaded[1].reduce(0, +), 0)
        let contrast = OutletContrast(units: units, outlets: [[0], [1], [2]])
        let result = contrast.loadedLanguage(rounds: 199, seed: 1)
        let heatedResult = try XCTUnwrap(result[0])
        XCTAssertGreaterThan(heatedResult.share, 0.2)
        XCTAssertEqual(heatedResult.rest, 0)
        XCTAssertLessThan(heatedResult.p, 0.01)
        XCTAssertEqual(result.map { $0 != nil }, [true, true, true])
        // One outlet: nothing to compare with.
        XCTAssertNil(OutletContrast(units: units, outlets: [[0, 1, 2]]).loadedLanguage(rounds: 99, seed: 1)[0])

        // Benjamini-Hochberg over the report: q >= p, monotone in p.
        func story(_ ps: [Double]) -> StoryFraming {
            StoryFraming(id: 1, title: "t", article_count: ps.count, first_published: nil, last_published: nil, first_reported_by: nil,
                         outlets: ps.map { p in
                             OutletFraming(outlet: "o", group: nil, articles: [], article_count: 1, first_published: nil, headline: "", headlines: [],
                                           timeline: [], distinctive_terms: [], candidates_tested: 0, omitted: [], similarity_to_story: nil, quoted: [],
                                           loaded_language: LoadedLanguage(share: 0, rest_share: 0, p: p, q: 1, words: []),
                                           first_quoted: nil, others_quote: [])
                         }, coverage: [:], dates_found: [], undated_articles: 0, bar: 1.96)
        }
        var stories = [story([0.001, 0.04]), story([0.03, 0.5])]
        ReportBuilder.adjustLoadedLanguage(&stories)
        let q = stories.flatMap { $0.outlets.map { $0.loaded_language!.q } }
        XCTAssertEqual(q, [0.004, 0.053, 0.053, 0.5], "sorted 0.001 0.03 0.04 0.5 (m = 4): 0.004, min(0.06, 0.0533), 0.0533, 0.5")
    }
}

final class QuotedPeopleTests: XCTestCase {
    func testOnePersonWhateverTheTitleAndDaysAreNotSpeakers() {
        XCTAssertEqual(QuoteExtractor.person("Mr. Stone"), QuoteExtractor.person("Roger Stone"))
        XCTAssertEqual(QuoteExtractor.person("Stone"), "Stone")
        let found = QuoteExtractor().speakers(in: "The indictment was unsealed, Friday said. \"It is a farce,\" said Roger Stone.")
        XCTAssertEqual(found, ["Roger Stone": 1])
    }
}

final class OutletProfileStatisticsTests: XCTestCase {
    /// The stratified law against brute force: every way of dealing each story's outlet labels
    /// among its articles, counted.
    func testExactTailIsTheShareOfAllDealsAtLeastAsExtreme() {
        // (N, n, m): N articles, n the outlet's, m with the unit.
        let strata = [(N: 5, n: 2, m: 2), (N: 4, n: 1, m: 3), (N: 6, n: 3, m: 1), (N: 3, n: 1, m: 1)]
        // Per stratum, the law of a by enumeration of the n-subsets of N articles, marked 0..<m.
        func subsets(_ N: Int, _ n: Int) -> [[Int]] {
            guard n > 0 else { return [[]] }
            guard N >= n else { return [] }
            return subsets(N - 1, n - 1).map { $0 + [N - 1] } + subsets(N - 1, n)
        }
        var law: [Int: Double] = [0: 1]
        for s in strata {
            let deals = subsets(s.N, s.n)
            var next: [Int: Double] = [:]
            for (sum, p) in law {
                for d in deals { next[sum + d.filter { $0 < s.m }.count, default: 0] += p / Double(deals.count) }
            }
            law = next
        }
        for at in 0...6 {
            let upper = law.filter { $0.key >= at }.values.reduce(0, +)
            let lower = law.filter { $0.key <= at }.values.reduce(0, +)
            let packed = strata.map { (N: $0.N, n: $0.n, m: $0.m, times: 1) }
            XCTAssertEqual(HypergeometricSum.tail(packed, at: at, upper: true), upper, accuracy: 1e-12, "P(sum >= \(at))")
            XCTAssertEqual(HypergeometricSum.tail(packed, at: at, upper: false), lower, accuracy: 1e-12, "P(sum <= \(at))")
        }
    }

    /// A pooled cell's p is exact from its strata and conditional on the selection (a unit is
    /// tested only when the outlet used it in two stories): used in 3 of 5 stories where it is
    /// one article in ten, p = P(3+ | 2+) = 0.0086 / 0.081, not the unconditional 0.0086 — and one
    /// or two stories used of one or two are no evidence at all.
    func testCellsPoolStoriesGivenTheSelection() {
        var cell = ProfileCell(outlet: 0, unit: 1, quote: false)
        cell.add(N: 10, n: 1, m: 1, a: 1, count: 2, name: false, digit: false, story: 0)
        XCTAssertEqual(cell.z, 3, accuracy: 1e-9)
        XCTAssertEqual(cell.tail(upper: true), 1, "one story cannot be selected")
        cell.add(N: 10, n: 1, m: 1, a: 1, count: 1, name: false, digit: false, story: 1)
        XCTAssertEqual(cell.tail(upper: true), 1, accuracy: 1e-12, "both of two: what the selection asks")
        XCTAssertEqual(cell.smallestP(upper: true), 1, accuracy: 1e-12)
        XCTAssertEqual(cell.stories, 2)
        XCTAssertEqual(cell.count, 3)
        XCTAssertEqual(cell.examples.0, 0)
        XCTAssertEqual(cell.examples.1, 1)
        cell.add(N: 10, n: 1, m: 1, a: 1, count: 1, name: false, digit: false, story: 2)
        cell.add(N: 10, n: 1, m: 1, a: 0, count: 0, name: false, digit: false, story: 3)
        cell.add(N: 10, n: 1, m: 1, a: 0, count: 0, name: false, digit: false, story: 4)
        let atLeast2 = 1 - pow(0.9, 5) - 5 * 0.1 * pow(0.9, 4), atLeast3 = atLeast2 - 10 * 0.01 * pow(0.9, 3)
        XCTAssertEqual(cell.selected, atLeast2, accuracy: 1e-12)
        XCTAssertEqual(cell.tail(upper: true), atLeast3 / atLeast2, accuracy: 1e-12)
        XCTAssertEqual(HypergeometricSum.tail(cell.marginList, at: 3, upper: true), atLeast3, accuracy: 1e-12)
        XCTAssertEqual(cell.smallestP(upper: true), 1e-5 / atLeast2, accuracy: 1e-12)
        XCTAssertEqual(cell.othersStories, 2)
    }

    /// Past the exact limit, the shifted gamma over P(U ≥ 2): on the safe side of the exact law
    /// and near it, where the normal would overstate the evidence (5.0e-7 for 7.8e-7 over 600
    /// balanced stories; 1.9e-8 for 1.1e-5 over 30 skewed ones).
    func testThePearsonTailIsNearTheExactLawAndOnTheSafeSide() {
        var many = ProfileCell(outlet: 0, unit: 1, quote: false)
        for k in 0..<600 {
            many.add(N: 3, n: 1, m: 1, a: k % 3 == 0 || k % 7 == 0 ? 1 : 0, count: 1, name: false, digit: false, story: Int32(k))
        }
        XCTAssertFalse(many.exact)
        let exact = HypergeometricSum.tail([(N: 3, n: 1, m: 1, times: 600)], at: Int(many.observed), upper: true, selected: true)
        XCTAssertLessThan(exact, 1e-6)
        XCTAssertGreaterThan(many.tail(upper: true), exact)
        XCTAssertLessThan(many.tail(upper: true), 1.3 * exact)
        // 30 stories of 5 to 34 articles, the outlet one of each, the unit in one: 30 margins.
        var skewed = ProfileCell(outlet: 0, unit: 1, quote: false)
        for (k, N) in (5..<35).enumerated() {
            skewed.add(N: Int32(N), n: 1, m: 1, a: k < 10 ? 1 : 0, count: 1, name: false, digit: false, story: Int32(k))
        }
        XCTAssertFalse(skewed.exact)
        let law = (5..<35).map { (N: $0, n: 1, m: 1, times: 1) }
        let exactSkewed = HypergeometricSum.tail(law, at: 10, upper: true, selected: true)
        XCTAssertGreaterThan(skewed.tail(upper: true), exactSkewed)
        XCTAssertLessThan(skewed.tail(upper: true), 5 * exactSkewed)
        XCTAssertLessThan(skewed.tail(upper: true), 1e-4)
        // Lower tails: the mirror.
        let lower = HypergeometricSum.pearsonTail(mean: 50, variance: 25, third: 0, at: 40, upper: false)
        XCTAssertEqual(lower, HypergeometricSum.normalUpper(9.5 / 5), accuracy: 1e-12)
        XCTAssertEqual(HypergeometricSum.gammaQ(3, 2), exp(-2) * (1 + 2 + 2), accuracy: 1e-12)
        XCTAssertEqual(HypergeometricSum.gammaQ(3, 7), exp(-7) * (1 + 7 + 24.5), accuracy: 1e-12)
    }

    /// The profile pass pools from the scratch files, a bucket at a time, every story of a unit
    /// together: it must give each (outlet, unit) pair what pooling that pair's stories one by
    /// one, in story order, gives — for every pair used in two stories, and no other; whatever
    /// the threads. Small buffers (the files are appended to many times), counts and names that
    /// take several bytes, a unit twice in one story (two hashes alike).
    func testScratchFilesPoolWhatEachPairsStoriesGive() throws {
        var generator = SeededGenerator(seed: 11)
        func draw(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
        let outletNames = (0..<8).map { "outlet \($0)" }
        var gathered = OutletProfiler.Gathered(spill: try ProfileSpill(buckets: 16, flushAt: 512))
        var uses: [OutletProfiles.Use] = []
        for _ in 0..<600 {
            var use = OutletProfiles.Use()
            if draw(8) > 0 {
                // 2-4 outlets of 1-3 articles; each article uses a few of 400 units (most pairs in one story
                // or none); outlet 0 quotes one person, the others now and then.
                let names = Array(outletNames.shuffled(using: &generator).prefix(2 + draw(3)))
                use.outlets = names
                use.articles = names.map { _ in Int32(1 + draw(3)) }
                use.total = use.articles.reduce(0, +)
                var mine = [[Int32]](repeating: [Int32](repeating: 0, count: 401), count: names.count)
                var with = [Int32](repeating: 0, count: 401)
                for o in names.indices {
                    for _ in 0..<use.articles[o] {
                        for u in Set((0..<8).map { _ in draw(400) }) { mine[o][u] += 1; with[u] += 1 }
                        if names[o] == "outlet 0" || draw(5) == 0 { mine[o][400] += 1; with[400] += 1 }   // outlet 0 quotes them all
                    }
                }
                for u in 0..<401 where OutletProfiles.informative(with[u], articles: use.total) {
                    // unit 400 is a person quoted
                    if u == 400 { use.labels[use.units.count] = String(repeating: "Ж", count: 40 + draw(40)) + " 🗞 \(draw(100))" }
                    for _ in 0..<(u == 7 && draw(3) == 0 ? 2 : 1) {
                        use.add(u == 400 ? OutletProfiles.quoteHash("speaker") : UInt64(u) &* 0x9e37_79b9_7f4a_7c15, with: with[u],
                                flags: u == 400 ? 5 : UInt8(u % 3)) { (mine[$0][u], mine[$0][u] * 150) }
                    }
                }
            }
            uses.append(use)
            try gathered.add(use)
        }
        let (tests, kept) = try OutletProfiler.pool(gathered, threads: 3, progress: ProgressReporter(style: .silent))
        let (tests1, kept1) = try OutletProfiler.pool(gathered, threads: 1, progress: ProgressReporter(style: .silent))
        XCTAssertEqual(tests.map(\.unit), tests1.map(\.unit))
        XCTAssertEqual(tests.map(\.p), tests1.map(\.p))
        XCTAssertEqual(kept.map(\.observed), kept1.map(\.observed))

        // Pair by pair: every story where the outlet is and is not all the articles, in order.
        var expected: [String: ProfileCell] = [:]
        let hashes = Set(uses.flatMap(\.units))
        for outlet in outletNames {
            for unit in hashes {
                var cell = ProfileCell(outlet: gathered.outletIndex[outlet]!, unit: unit, quote: unit == OutletProfiles.quoteHash("speaker"))
                for (k, use) in uses.enumerated() {
                    guard let o = use.outlets.firstIndex(of: outlet), use.articles[o] < use.total else { continue }
                    for j in use.units.indices where use.units[j] == unit {
                        var a: Int32 = 0, count: Int32 = 0
                        for i in Int(use.usedStart[j])..<Int(use.usedStart[j + 1]) where use.usedOutlet[i] == Int32(o) {
                            a = use.usedArticles[i]; count = use.usedCount[i]
                        }
                        cell.add(N: use.total, n: use.articles[o], m: use.with[j], a: a, count: count, name: use.flags[j] & 1 != 0,
                                 digit: use.flags[j] & 2 != 0, story: Int32(k))
                        if a > 0, let l = use.labels[j], l.count > (cell.label?.count ?? 0) { cell.label = l }
                    }
                }
                guard cell.stories >= 2 && cell.variance > 0 else { continue }
                cell.test()
                expected["\(outlet) \(unit)"] = cell
            }
        }
        XCTAssertGreaterThan(expected.count, 100)
        XCTAssertGreaterThan(expected.values.filter { $0.quote }.count, 2)
        XCTAssertEqual(tests.count, expected.count)
        XCTAssertEqual(kept.count, expected.values.filter { $0.p <= OutletProfiles.keptBelow }.count)
        XCTAssertTrue(kept.contains { ($0.label?.utf8.count ?? 0) > 127 }, "a long name kept")
        XCTAssertGreaterThan(kept.count, 0)
        for test in tests {
            let want = try XCTUnwrap(expected["\(gathered.outlets[Int(test.outlet)]) \(test.unit)"])
            XCTAssertEqual([test.p, test.smallest], [want.p, want.smallest])
            XCTAssertEqual(test.quote, want.quote)
            XCTAssertEqual(test.cell >= 0, want.p <= OutletProfiles.keptBelow)
        }
        for test in tests where test.cell >= 0 {
            let cell = kept[Int(test.cell)]
            XCTAssertEqual([test.p, test.smallest], [cell.p, cell.smallest])
            XCTAssertEqual(test.outlet, cell.outlet)
            let want = try XCTUnwrap(expected["\(gathered.outlets[Int(cell.outlet)]) \(cell.unit)"])
            XCTAssertEqual([cell.observed, cell.expected, cell.variance, cell.third, cell.logNone, cell.oddsSum, cell.p, cell.smallest],
                           [want.observed, want.expected, want.variance, want.third, want.logNone, want.oddsSum, want.p, want.smallest])
            XCTAssertEqual([cell.strata, cell.stories, cell.othersStories, cell.count, cell.nameVotes, cell.sure],
                           [want.strata, want.stories, want.othersStories, want.count, want.nameVotes, want.sure])
            XCTAssertEqual(cell.examples.0, want.examples.0)
            XCTAssertEqual(cell.examples.1, want.examples.1)
            XCTAssertEqual(cell.label, want.label)
            XCTAssertEqual(cell.digit, want.digit)
        }
    }

    func testBenjaminiHochbergIsMonotoneAndAdjusts() {
        let p = [0.001, 0.04, 0.03, 0.5, 0.01]
        let q = FalseDiscovery.q(p, Array(p.indices))
        XCTAssertEqual(q[0]!, 0.005, accuracy: 1e-12)
        XCTAssertEqual(q[4]!, 0.025, accuracy: 1e-12)
        XCTAssertEqual(q[2]!, 0.05, accuracy: 1e-12)   // 0.03 · 5/3 and 0.04 · 5/4 are both 0.05
        XCTAssertEqual(q[1]!, 0.05, accuracy: 1e-12)
        XCTAssertEqual(q[3]!, 0.5, accuracy: 1e-12)
    }
}
