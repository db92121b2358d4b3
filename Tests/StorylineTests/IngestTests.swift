import XCTest
@testable import Storyline

final class JSONLReaderTests: XCTestCase {
    func testValidBadAndBlankLines() throws {
        let dir = TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("d.jsonl")
        var bytes = Data("""
            {"id":"a","outlet":"X","title":"T1","text":"body","published":"2021-04-23T18:00:00Z","stance":"left","n":3}

            {not json
            {"id":"b","title":"","text":"  "}
            [1]
            {"id":"c","title":{"x":1}}
            {"id":"d","outlet":"Y","title":"Only a title","published":null}

            """.utf8)
        bytes.append(contentsOf: [0x7B, 0x22, 0x74, 0x69, 0x74, 0x6C, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A]) // {"title":"\xFF"}
        try bytes.write(to: file)
        let events = try TestSupport.records(JSONLReader(), file.path)
        XCTAssertEqual(events.map(\.line), [1, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(events.map { $0.problem ?? "ok" },
                       ["ok", "malformed JSON", "no text and no title", "not a JSON object", "field \"title\" is not a string", "ok", "invalid UTF-8"])
        let a = try XCTUnwrap(events[0].article)
        XCTAssertEqual(a.id, "a")
        XCTAssertEqual(a.outlet, "X")
        XCTAssertEqual(a.published ?? 0, 1619200800, accuracy: 0.001)
        XCTAssertEqual(a.extra, #"{"n":3,"stance":"left"}"#, "unknown fields are kept")
        let d = try XCTUnwrap(events[5].article)
        XCTAssertNil(d.published)
        XCTAssertEqual(d.text, "")
    }

    func testNULBytesLargeArticleAndMissingFields() throws {
        let dir = TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("big.jsonl")
        let huge = String(repeating: "flood water rises again. ", count: 420_000) // ~10 MB
        let line1 = #"{"title":"Nul\u0000 inside","text":"a\u0000b"}"#
        let line2 = try String(decoding: JSONSerialization.data(withJSONObject: ["id": "big", "title": "Huge", "text": huge]), as: UTF8.self)
        TestSupport.write(line1 + "\n" + line2, to: file) // no final newline
        let events = try TestSupport.records(JSONLReader(), file.path)
        XCTAssertEqual(events.count, 2)
        let first = try XCTUnwrap(events[0].article)
        XCTAssertEqual(first.title, "Nul inside")
        XCTAssertEqual(first.text, "ab")
        XCTAssertTrue(first.id.hasPrefix("h:"), "a missing id is derived from the content")
        XCTAssertEqual(first.outlet, "unknown")
        XCTAssertEqual(events[1].article?.text.utf8.count, huge.utf8.count)
    }
}

final class CSVReaderTests: XCTestCase {
    func testQuotedFieldsEmbeddedNewlinesAndBadRows() throws {
        let dir = TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("d.csv")
        let lines = [
            "id,source,headline,body,date,extra col\r",
            "1,AP,\"Quake, then tsunami\",\"Line one",
            "line \"\"two\"\"\",2021-05-01,x\r",
            "2,BBC,Short,text,2021-05-02\r",
            "3,CNN,\"Fine\",ok,not-a-date,y",
        ]
        TestSupport.write(lines.joined(separator: "\n"), to: file)
        let events = try TestSupport.records(CSVReader(), file.path)
        XCTAssertEqual(events.map(\.line), [2, 4, 5])
        let first = try XCTUnwrap(events[0].article)
        XCTAssertEqual(first.title, "Quake, then tsunami")
        XCTAssertEqual(first.text, "Line one\nline \"two\"")
        XCTAssertEqual(first.outlet, "AP")
        XCTAssertEqual(first.extra, #"{"extra col":"x"}"#)
        XCTAssertEqual(events[1].problem, "5 fields where the header has 6")
        XCTAssertNotNil(events[2].article)
        XCTAssertEqual(events[2].warnings.count, 1, "an unreadable date is a warning, the article is kept")
    }

    func testHeaderWithoutTextColumnFails() throws {
        let file = TestSupport.temporaryDirectory().appendingPathComponent("bad.csv")
        TestSupport.write("a,b\n1,2\n", to: file)
        XCTAssertThrowsError(try TestSupport.records(CSVReader(), file.path)) { error in
            XCTAssertEqual((error as? StorylineError)?.code, .badInput)
            XCTAssertEqual((error as? StorylineError)?.line, 1)
        }
    }

    func testUnclosedQuoteIsABadRecord() throws {
        let file = TestSupport.temporaryDirectory().appendingPathComponent("q.csv")
        TestSupport.write("title,text\nok,fine\n\"never closed,x\n", to: file)
        let events = try TestSupport.records(CSVReader(), file.path)
        XCTAssertEqual(events.last?.problem, "quoted field never closed")
        XCTAssertEqual(events.last?.line, 3)
    }
}

final class TextFolderReaderTests: XCTestCase {
    func testHeadlineBoilerplateAndOutletFromFolder() throws {
        let dir = TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Reuters"), withIntermediateDirectories: true)
        TestSupport.write("""
            Politics

            Senate passes the budget bill
            Read Also | Ten things to know about taxes
            The Senate passed the bill late on Tuesday.
            Related Stories
            Lawmakers now turn to the House.
            """, to: dir.appendingPathComponent("Reuters/a.txt"))
        TestSupport.write("Loose headline\nLoose text.", to: dir.appendingPathComponent("b.md"))
        TestSupport.write("ignored", to: dir.appendingPathComponent("c.pdf"))
        let events = try TestSupport.records(TextFolderReader(), dir.path)
        XCTAssertEqual(events.count, 2)
        let a = try XCTUnwrap(events.first { $0.article?.id == "Reuters/a.txt" }?.article)
        XCTAssertEqual(a.title, "Senate passes the budget bill")
        XCTAssertEqual(a.outlet, "Reuters")
        XCTAssertEqual(a.text, "The Senate passed the bill late on Tuesday.\nLawmakers now turn to the House.")
        let b = try XCTUnwrap(events.first { $0.article?.id == "b.md" }?.article)
        XCTAssertEqual(b.outlet, "unknown")
        XCTAssertEqual(b.title, "Loose headline")
    }
}

final class ISODateTests: XCTestCase {
    func testForms() {
        XCTAssertEqual(ISODate.parse("1970-01-01"), 0)
        XCTAssertEqual(ISODate.parse("2021-04-23T18:00:00Z"), 1619200800)
        XCTAssertEqual(ISODate.parse("2021-04-23 20:00:00+02:00"), 1619200800)
        XCTAssertEqual(ISODate.parse("2021-04-23T18:00:00.5Z")!, 1619200800.5, accuracy: 1e-6)
        XCTAssertEqual(ISODate.parse("20210423"), ISODate.parse("2021-04-23"))
        XCTAssertEqual(ISODate.parse("1619200800"), 1619200800)
        XCTAssertEqual(ISODate.parse("1619200800000"), 1619200800)
        XCTAssertNil(ISODate.parse("yesterday"))
        XCTAssertNil(ISODate.parse("2021-13-01"))
        XCTAssertNil(ISODate.parse(""))
        XCTAssertEqual(ISODate.format(1619200800), "2021-04-23T18:00:00Z")
        XCTAssertEqual(ISODate.format(-86400), "1969-12-31T00:00:00Z")
        for t in stride(from: -1e9, to: 3e9, by: 7_777_777) {
            XCTAssertEqual(ISODate.parse(ISODate.format(t)), t.rounded(.down))
        }
    }
}
