import Foundation
import XCTest
import StorylineCore
import StorylineStore
import StorylineVectors
import StorylineTestSupport

/// What the PostgreSQL store does beyond the contract every backend keeps (``StoreContract``):
/// readers on one snapshot, text that needs escaping, processes migrating one new database at once.
final class PostgresStoreTests: XCTestCase {
    func article(_ id: String, title: String, text: String, day: Double? = 1) -> Article {
        Article(id: id, outlet: "X", published: day.map { $0 * 86400 }, title: title, text: text, url: nil, lang: "en", story: nil, extra: nil)
    }

    /// A reading command sees the store as it was when it opened it, however long it reads.
    func testReaderSeesOneSnapshot() throws {
        let url = try TestPostgres.shared().newDatabase("snapshot")
        let writer = try PostgresStore(url: url)
        let run = try writer.beginRun("ingest")
        _ = try writer.transaction { try writer.insert([(article("a", title: "One", text: "first"), "f:1")], runID: run) }
        let reader = try PostgresStore(url: url, readOnly: true)
        XCTAssertEqual(try reader.articleCount(), 1)
        _ = try writer.transaction { try writer.insert([(article("b", title: "Two", text: "second"), "f:2")], runID: run) }
        XCTAssertEqual(try writer.articleCount(), 2)
        XCTAssertEqual(try reader.articleCount(), 1, "the reader's snapshot does not move")
        XCTAssertEqual(try reader.articles().map(\.article.id), ["a"])
        XCTAssertEqual(try PostgresStore(url: url, readOnly: true).articleCount(), 2, "a new reader sees the new article")
    }

    /// Tabs, newlines, backslashes, quotes and non-ASCII text come back as stored; NUL, which
    /// PostgreSQL's text cannot hold, is dropped (and only it).
    func testTextRoundTrips() throws {
        let store = try PostgresStore(url: TestPostgres.shared().newDatabase("text"))
        let text = "tab\there\nnew line \\N \\. backslash \"quoted\" 'single' {braces,comma} Ünïcødé 新闻 🗞\r\nend"
        let run = try store.beginRun("ingest")
        let stored = try store.transaction {
            try store.insert([(article("id \"with\" quotes, {and} \\ backslash", title: "Tïtle\t1", text: text), "dump.jsonl:1"),
                              (article("nul", title: "N\u{0}UL", text: "a\u{0}b"), "dump.jsonl:2")], runID: run)
        }
        XCTAssertEqual(stored, 2)
        let back = try store.articles()
        XCTAssertEqual(back[0].article.id, "id \"with\" quotes, {and} \\ backslash")
        XCTAssertEqual(back[0].article.title, "Tïtle\t1")
        XCTAssertEqual(back[0].article.text, text)
        XCTAssertEqual(back[1].article.title, "NUL")
        XCTAssertEqual(back[1].article.text, "ab")
        // The same ids again are known, however they are quoted.
        let again = try store.transaction { try store.insert([(back[0].article, "dump.jsonl:1")], runID: run) }
        XCTAssertEqual(again, 0)
    }

    /// Processes that start together against a new database create its schema once.
    func testConcurrentOpenMigratesOnce() throws {
        let url = try TestPostgres.shared().newDatabase("migrate")
        let errors = NSLock()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try PostgresStore(url: url) } catch {
                errors.lock(); failures.append("\(error)"); errors.unlock()
            }
        }
        XCTAssertEqual(failures, [])
        XCTAssertEqual(try PostgresStore(url: url, readOnly: true).articleCount(), 0)
    }
}
