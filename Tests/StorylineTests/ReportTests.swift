import XCTest
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
        options.groups = OutletGroups(groupOf: ["Left Daily": "left", "Right Post": "right", "Right Times": "right", "Center Wire": "center"])
        let (report, files) = try pipeline.report(to: dir.appendingPathComponent("out").path, options: options)
        XCTAssertTrue(files.contains("index.html") && files.contains("report.json") && files.contains("report.md") && files.contains("story_outlets.csv"))
        XCTAssertEqual(report.stories.count, 2)
        let quakeStory = try XCTUnwrap(report.stories.first { $0.outlets.count == 3 })
        XCTAssertEqual(quakeStory.first_reported_by, "Right Post")
        XCTAssertEqual(quakeStory.coverage, ["left": 1, "right": 1, "center": 1])
        XCTAssertTrue(quakeStory.outlets.allSatisfy { ($0.similarity_to_story ?? 0) > 0.3 })
        XCTAssertEqual(quakeStory.outlets.first { $0.outlet == "Left Daily" }?.quoted.first?.speaker, "Mayor Ana Lopez")
        XCTAssertTrue(quakeStory.outlets.first { $0.outlet == "Right Post" }!.distinctive_terms.contains { $0.term == "codes" })
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
        let context = ReportBuilder.Context(vocabulary: vocabulary, weighting: weighting, options: ReportOptions())
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
        let (story, _) = ReportBuilder.frame(id: 1, title: "Quake", articles: articles, worker: worker, context: context)
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
