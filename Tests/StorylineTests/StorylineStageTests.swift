import XCTest
@testable import Storyline
@testable import StorylineCore
@testable import StorylineStore

/// The storyline stage against a real store: stories named from their texts, linked by the
/// names they share, ids kept; a story absorbed into another takes its storyline along.
final class StorylineStageTests: XCTestCase {
    let shooting = "A gunman opened fire at the Riverside Galleria, wounding four. Police named Marcus Tellefsen of Dunmore. Officer Daniel Okafor said Tellefsen fled to Halvorsen Park."
    let charges = "Prosecutors charged Marcus Tellefsen over the Riverside Galleria attack. Judge Amelia Brandvold denied bail. Officer Daniel Okafor testified about Halvorsen Park."
    let budget = "The council approved the budget. Councillor Rupert Whitcombe said it funds Ashgrove and Pembury. Treasurer Olufemi Adeyemi called the vote historic."

    func store(_ texts: [(String, Double)]) throws -> (SQLiteStore, [Int64]) {
        let store = try SQLiteStore(path: ":memory:")
        let run = try store.beginRun("test")
        let articles = texts.enumerated().map { k, t in
            Article(id: "a\(k)", outlet: "O\(k)", published: t.1 * 86400, title: "Headline \(k)", text: t.0)
        }
        _ = try store.transaction { try store.insert(articles.map { ($0, "d.jsonl:1") }, runID: run) }
        return (store, try store.articles().map(\.seq))
    }

    func stage(_ store: SQLiteStore, absorbed: [Int64: [Int64]] = [:]) throws -> StorylineStage.Summary {
        try store.transaction { try StorylineStage(store: store, profile: TestSupport.profile, runID: 1, absorbed: absorbed).run() }
    }

    func testStepsJoinOthersStayApartAndAbsorbedStoriesBringTheirStoryline() throws {
        let (store, seq) = try store([(shooting, 100), (charges, 120), (budget, 110), (budget + " Pembury rejoiced.", 300)])
        try store.transaction {
            try store.commit(StoryChanges(stories: (0..<3).map { k in
                .init(id: Int64(k + 1), isNew: true, absorbed: [], added: [seq[k]], titleArticle: seq[k])
            }), runID: 1)
        }
        var summary = try stage(store)
        XCTAssertEqual(summary.created, 2)
        var lines = try store.storylines(of: [1, 2, 3])
        XCTAssertEqual(lines[1], lines[2], "the shooting and its charges")
        XCTAssertNotEqual(lines[1], lines[3], "the budget is another matter")
        XCTAssertEqual(Set(lines.values), [1, 2], "ids from 1, in order of first story")
        XCTAssertEqual(try stage(store).created, 0, "nothing changed: nothing to do")

        // Story 1 absorbs story 3 (new articles brought them together): their storylines are one now.
        try store.transaction {
            try store.commit(StoryChanges(stories: [.init(id: 1, isNew: false, absorbed: [3], added: [], titleArticle: seq[0])]), runID: 2)
        }
        summary = try stage(store, absorbed: [1: [3]])
        XCTAssertEqual(summary.merged, 1)
        lines = try store.storylines(of: [1, 2])
        XCTAssertEqual(lines[1], 1)
        XCTAssertEqual(lines[2], 1)
        XCTAssertEqual(try store.checkInvariants().filter { $0.contains("storyline") }, [], "(the articles were never analyzed here)")

        // A late budget story: joins no storyline of another matter (1 now holds the budget too: it may join it).
        try store.transaction {
            try store.commit(StoryChanges(stories: [.init(id: 4, isNew: true, absorbed: [], added: [seq[3]], titleArticle: seq[3])]), runID: 3)
        }
        _ = try stage(store)
        XCTAssertNotNil(try store.storylines(of: [4])[4])
        XCTAssertEqual(try store.unnamedStories().count, 0)
        XCTAssertEqual(try store.checkInvariants().filter { $0.contains("storyline") }, [], "(the articles were never analyzed here)")
    }
}
