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

final class StoreTests: XCTestCase {
    func article(_ id: String, _ outlet: String, _ title: String, _ day: Double?) -> Article {
        Article(id: id, outlet: outlet, published: day.map { $0 * 86400 }, title: title, text: "Body of \(title).")
    }

    func testMigrationsAndDeduplication() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("s.sqlite").path
        var store: SQLiteStore? = try SQLiteStore(path: path)
        XCTAssertEqual(store!.schemaVersion, SQLiteStore.migrations.count)
        let runID = try store!.beginRun("test")
        let stored = try store!.db.transaction {
            try store!.insert([(article("a", "X", "One", 1), "f:1"),
                               (article("a", "Y", "Other content, same id", 1), "f:2"),
                               (article("b", "X", "One", 1), "f:3"),          // same outlet and content
                               (article("c", "Z", "One", 1), "f:4")], runID: runID)  // wire copy elsewhere
        }
        XCTAssertEqual(stored, 2)
        store = nil
        // Reopening keeps everything and does not migrate again.
        let reopened = try SQLiteStore(path: path)
        XCTAssertEqual(try reopened.articleCount(), 2)
        XCTAssertEqual(try reopened.articles().map(\.article.id), ["a", "c"])
    }

    /// A store written before migrations were recorded by name, at schema version 1, is upgraded:
    /// its applied migration is recorded, the missing one applied and recorded.
    func testMigrationsAreRecordedByName() throws {
        let path = TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        var store: SQLiteStore? = try SQLiteStore(path: path)
        XCTAssertEqual(try store!.appliedMigrations(), Set(SQLiteStore.migrations.map(\.name)))
        try Self.downgradeArticleState(store!.db)
        try store!.db.execute("DROP TABLE schema_migrations; ALTER TABLE terms DROP COLUMN cf; PRAGMA user_version = 1")
        store = nil
        XCTAssertThrowsError(try SQLiteStore(path: path, readOnly: true), "a reader does not upgrade") { error in
            XCTAssertTrue("\(error)".contains("lacks schema migrations 2-terms-collection-frequency, 3-article-state-and-terms-apart, 4-date-source, 5-storylines"), "\(error)")
        }
        let upgraded = try SQLiteStore(path: path)
        XCTAssertEqual(upgraded.schemaVersion, SQLiteStore.migrations.count)
        let s = try upgraded.db.prepare("SELECT name, applied FROM schema_migrations ORDER BY name")
        var rows: [(String, String)] = []
        while try s.step() { rows.append((s.text(0)!, s.text(1)!)) }
        XCTAssertEqual(rows.map(\.0), ["1-articles-terms-stories-runs", "2-terms-collection-frequency", "3-article-state-and-terms-apart", "4-date-source", "5-storylines"])
        XCTAssertEqual(rows[0].1, "before-names")
        XCTAssertNotNil(ISODate.parse(rows[1].1))
        XCTAssertEqual(try upgraded.db.scalar("SELECT COUNT(*) FROM pragma_table_info('terms') WHERE name = 'cf'"), 1)
        XCTAssertEqual(try upgraded.checkInvariants(), [])
    }

    /// Rebuilds the article layout of schema 2 (term counts and story ids in the article rows, no
    /// storylines) from a current store, as a store written by an older build has it.
    static func downgradeArticleState(_ db: Database) throws {
        try db.execute("""
            DROP INDEX stories_unnamed;
            DROP INDEX stories_storyline;
            ALTER TABLE stories DROP COLUMN storyline_id;
            ALTER TABLE stories DROP COLUMN names;
            DROP TABLE storylines;
            ALTER TABLE articles ADD COLUMN terms BLOB;
            ALTER TABLE articles ADD COLUMN story_id INTEGER;
            UPDATE articles SET terms = (SELECT terms FROM article_terms t WHERE t.seq = articles.seq),
                                story_id = (SELECT story_id FROM article_state st WHERE st.seq = articles.seq);
            DROP TABLE article_state;
            DROP TABLE article_terms;
            CREATE INDEX articles_unvectorized ON articles(seq) WHERE terms IS NULL;
            CREATE INDEX articles_unclustered ON articles(seq) WHERE story_id IS NULL;
            CREATE INDEX articles_story ON articles(story_id);
            ALTER TABLE articles DROP COLUMN date_source;
            DELETE FROM schema_migrations WHERE name IN ('3-article-state-and-terms-apart', '4-date-source', '5-storylines');
            PRAGMA user_version = 2;
            """)
    }

    /// A store written before the article state moved out of the article rows keeps every
    /// article's term counts and story, and goes on clustering where it stopped.
    func testArticleStateMigrationKeepsCountsAndStories() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("s.sqlite").path
        let dump = TestSupport.root.appendingPathComponent("Tests/Fixtures/report/dump.jsonl")
        let before: (articles: [StoredArticle], stories: [StorySummary])
        do {
            let store = try SQLiteStore(path: path)
            let pipeline = try Pipeline(store: store, models: TestSupport.models)
            _ = try pipeline.run([dump.path])
            before = (try store.articles(), try store.stories(since: nil, minArticles: 1))
            XCTAssertGreaterThanOrEqual(before.stories.filter { $0.articles.count > 1 }.count, 2)
            try Self.downgradeArticleState(store.db)
        }
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.appliedMigrations(), Set(SQLiteStore.migrations.map(\.name)))
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM pragma_table_info('articles') WHERE name IN ('terms', 'story_id')"), 0)
        XCTAssertEqual(try store.articles().map(\.storyID), before.articles.map(\.storyID))
        XCTAssertEqual(try store.articles().map(\.article.id), before.articles.map(\.article.id))
        // The dates the records gave are marked given by migration 4.
        XCTAssertEqual(try store.articles().map(\.article.dateSource), before.articles.map { $0.article.published == nil ? nil : .given })
        XCTAssertEqual(try store.articles().map(\.article.dateSource), before.articles.map(\.article.dateSource))
        XCTAssertEqual(try store.stories(since: nil, minArticles: 1).map(\.articles), before.stories.map(\.articles))
        // Its stories have no storyline yet: every one is to be named by the next pass.
        XCTAssertEqual(try store.stories(since: nil, minArticles: 1).compactMap(\.storyline), [])
        XCTAssertEqual(try store.unnamedStories().map(\.id), before.stories.map(\.id).sorted())
        // The next pass links them, though it has nothing new to cluster.
        _ = try Pipeline(store: store, models: TestSupport.models).cluster()
        XCTAssertEqual(try store.unnamedStories().count, 0)
        XCTAssertEqual(try store.stories(since: nil, minArticles: 1).filter { $0.storyline == nil }.count, 0)
        XCTAssertEqual(try store.unclusteredSpan().count, 0)
        XCTAssertEqual(try store.unvectorizedCount(), 0)
        XCTAssertEqual(try store.checkInvariants(), [])
        // Term counts came along: the report's reads find them.
        var withTerms = 0
        try store.forEachStory(minArticles: 1, only: nil) { _, _, articles in withTerms += articles.filter { $0.terms != nil }.count }
        XCTAssertEqual(withTerms, before.articles.filter { $0.storyID != nil }.count)
    }

    func testNewerSchemaIsRefused() throws {
        let path = TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let store = try SQLiteStore(path: path)
        try store.db.execute("PRAGMA user_version = 999")
        XCTAssertThrowsError(try SQLiteStore(path: path)) { XCTAssertEqual(($0 as? StorylineError)?.code, .store) }
    }

    /// A migration this build does not know (a newer build's) is refused, for writing and for reading.
    func testAnUnknownMigrationIsRefused() throws {
        let path = TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let store = try SQLiteStore(path: path)
        try store.db.execute("INSERT INTO schema_migrations(name, applied) VALUES('99-from-the-future', 'x')")
        for readOnly in [false, true] {
            XCTAssertThrowsError(try SQLiteStore(path: path, readOnly: readOnly)) { error in
                XCTAssertEqual((error as? StorylineError)?.code, .store)
                XCTAssertTrue("\(error)".contains("schema migrations this build does not know (99-from-the-future)"), "\(error)")
            }
        }
    }

    func testClusterIncrementallyKeepsStoryIDs() throws {
        let pipeline = try Pipeline(store: SQLiteStore(path: ":memory:"), models: TestSupport.models)
        let dir = TestSupport.temporaryDirectory()
        func dump(_ name: String, _ lines: [[String: Any]]) -> String {
            let url = dir.appendingPathComponent(name)
            TestSupport.write(lines.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }.joined(separator: "\n"), to: url)
            return url.path
        }
        let quake = "A strong earthquake struck the coastal city of Izmir, collapsing buildings and killing dozens of residents."
        let vote = "Parliament voted to approve the national budget after a long debate over pensions and taxes."
        _ = try pipeline.run([dump("n1.jsonl", [
            ["id": "1", "outlet": "A", "title": "Earthquake hits Izmir", "text": quake, "published": "2024-01-01T10:00:00Z"],
            ["id": "2", "outlet": "B", "title": "Izmir earthquake kills dozens", "text": quake, "published": "2024-01-01T12:00:00Z"],
            ["id": "3", "outlet": "A", "title": "Budget approved by parliament", "text": vote, "published": "2024-01-01T09:00:00Z"],
        ])])
        let night1 = try pipeline.store.stories()
        XCTAssertEqual(night1.count, 2)
        let quakeStory = try XCTUnwrap(night1.first { $0.articles.contains("1") })
        XCTAssertEqual(Set(quakeStory.articles), ["1", "2"])
        _ = try pipeline.run([dump("n2.jsonl", [
            ["id": "4", "outlet": "C", "title": "Rescuers search Izmir rubble after earthquake", "text": quake, "published": "2024-01-02T08:00:00Z"],
            ["id": "5", "outlet": "C", "title": "Storm closes airports", "text": "Snow storm closes airports across the north.", "published": "2024-01-02T08:00:00Z"],
        ])])
        let night2 = try pipeline.store.stories()
        XCTAssertEqual(night2.count, 3)
        XCTAssertEqual(Set(try XCTUnwrap(night2.first { $0.id == quakeStory.id }).articles), ["1", "2", "4"], "the story keeps its id as it grows")
        // Every article in exactly one story.
        XCTAssertEqual(night2.flatMap(\.articles).sorted(), ["1", "2", "3", "4", "5"])
        // Running night 2 again changes nothing.
        _ = try pipeline.run([dir.appendingPathComponent("n2.jsonl").path])
        XCTAssertEqual(try pipeline.store.stories(), night2)
    }
}
