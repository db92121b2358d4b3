import StorylineTestSupport
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
import StorylineHTML

final class JSONLReaderTests: XCTestCase {
    func testTrimmedMatchesFoundation() {
        for s in ["", "x", " x ", "\tx", "x\n", "\u{00A0}Reuters\u{3000}", "a b", "\n\n", "é", " é ", "x\u{2028}"] {
            XCTAssertEqual(s.trimmed(), s.trimmingCharacters(in: .whitespacesAndNewlines), s.debugDescription)
            XCTAssertEqual(s.trimmed(.whitespaces), s.trimmingCharacters(in: .whitespaces), s.debugDescription)
        }
        XCTAssertEqual(FieldNames.canonical("Headline "), "title")
        XCTAssertEqual(FieldNames.canonical("body"), "text")
        XCTAssertNil(FieldNames.canonical("stance"))
    }

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
        XCTAssertEqual(events.last?.problem, "quoted field never closed (an unbalanced quote?)")
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

    func testDaysAMonthLacksAndCompactForms() {
        XCTAssertNil(ISODate.parse("2024-02-30"))
        XCTAssertNil(ISODate.parse("2023-02-29"))
        XCTAssertNotNil(ISODate.parse("2024-02-29"))
        XCTAssertNil(ISODate.parse("2000-04-31"))
        XCTAssertNil(ISODate.parse("1900-02-29"))
        XCTAssertNotNil(ISODate.parse("2000-02-29"))
        XCTAssertEqual(ISODate.parse("20240305120000"), ISODate.parse("2024-03-05T12:00:00Z"))
        XCTAssertEqual(ISODate.parse("202403051200"), ISODate.parse("2024-03-05T12:00:00Z"))
        XCTAssertNil(ISODate.parse("20240230120000"))
        XCTAssertNil(ISODate.parse("20240305250000"))
    }

    func testPublicationDatePolicy() {
        XCTAssertEqual(PublicationDate.read("2024-03-05").seconds, ISODate.parse("2024-03-05"))
        XCTAssertNil(PublicationDate.read("2024-03-05").warning)
        for raw in ["1900-01-01", "1989-12-31T23:59:59Z", "2100-03-05", "51380305000000", "99999999999"] {
            let (seconds, warning) = PublicationDate.read(raw)
            XCTAssertNil(seconds, raw)
            XCTAssertTrue(warning?.hasPrefix("implausible date") ?? false, raw)
        }
        XCTAssertNotNil(PublicationDate.read("1990-01-01").seconds)
        XCTAssertNotNil(PublicationDate.read(ISODate.format(PublicationDate.runClock + 3600)).seconds, "an hour ahead: time zones")
        XCTAssertNil(PublicationDate.read(ISODate.format(PublicationDate.runClock + 2 * 86400)).seconds)
        XCTAssertTrue(PublicationDate.read("soon").warning?.hasPrefix("unreadable date") ?? false)
        // A field whose time cannot be is not taken as its day at midnight; dates written in
        // words, with or without a valid time, still are.
        for raw in ["2024-05-01T25:61:61Z", "2024-03-05T10:00:00+99:00", "2024-05-01Tgarbage", "Tue, 10 Jun 2003 99:00:00 GMT", "May 1, 2024 24:30"] {
            XCTAssertTrue(DateFinder.hasImpossibleTime(raw), raw)
        }
        for raw in ["Fri, 24 Jul 2015 05:36:09 GMT", "Published Oct 20, 2025 at 5:00 PM", "July 24, 2015", "24 July 2015, 23:59", "2015-07-24"] {
            XCTAssertFalse(DateFinder.hasImpossibleTime(raw), raw)
            XCTAssertNotNil(DateFinder.written(raw), raw)
        }
        XCTAssertNil(ISODate.parse("2024-03-05T10:00:00+99:00"))
        XCTAssertNotNil(ISODate.parse("2024-03-05T10:00:00+14:00"))
    }
}

final class TextPageTests: XCTestCase {
    /// The scraped page this project was first shown, in a fixture written for the purpose.
    func testSeedShapedPage() throws {
        let content = try String(contentsOf: TestSupport.root.appendingPathComponent("Tests/Fixtures/text/seed-page.txt"), encoding: .utf8)
        let (title, text) = TextFolderReader.splitHeadline(content)
        XCTAssertEqual(title, "Ukraine Will Not Join to NATO, Says Zelensky, Ready to Hold Talks With Moscow on Security Guarantees")
        XCTAssertTrue(text.hasPrefix("Kyiv: Ukrainian President Volodymyr Zelensky said"), text)
        XCTAssertTrue(text.hasSuffix("formal change in Kyiv's position."), text)
        for gone in ["World News", "Read Also", "Related Stories", "fresh talks as fighting continues", "air defence", "Oil prices"] {
            XCTAssertFalse(text.contains(gone), gone)
        }
        XCTAssertTrue(text.contains("fourth round of negotiations"))
    }

    func testLabelsAndShortenedHeadlines() {
        XCTAssertEqual(TextFolderReader.splitHeadline("PoliticsSenate passes budget bill\nThe Senate voted.").0, "Senate passes budget bill")
        XCTAssertEqual(TextFolderReader.splitHeadline("Senate passes budget...\nSenate Passes Budget Bill After Long Night\nThe Senate voted.").0,
                       "Senate Passes Budget Bill After Long Night")
        // A headline that merely starts like a label word is kept whole.
        XCTAssertEqual(TextFolderReader.splitHeadline("Newsom signs water law\nThe governor signed.").0, "Newsom signs water law")
        XCTAssertEqual(TextFolderReader.splitHeadline("Worldwide outage hits banks\nBanks said.").0, "Worldwide outage hits banks")
        // An ellipsis that is not a shortened form of the next line stays.
        XCTAssertEqual(TextFolderReader.splitHeadline("Wait for it...\nThe crowd waited all night for the result.").0, "Wait for it...")
        // A label outside any list glued to a shortened headline: the full one below it is the
        // headline, however few of the shortened line's words survive the glue.
        for label in ["Local News", "Harbour Watch", "Our Town Today", "NEWS 24"] {
            let page = "\(label)Harbour bridge reopens after two years...\nHarbour bridge reopens after two years of repairs\n\nThe bridge reopened."
            let (title, text) = TextFolderReader.splitHeadline(page)
            XCTAssertEqual(title, "Harbour bridge reopens after two years of repairs", label)
            XCTAssertEqual(text, "The bridge reopened.", label)
        }
        // A line that only shares its first words with the next is no shortened form of it.
        XCTAssertEqual(TextFolderReader.splitHeadline("Harbour bridge...\nHarbour bridge reopens after two years of repairs\nText.").0, "Harbour bridge...")
        XCTAssertEqual(TextFolderReader.splitHeadline("A long preamble of more than thirty letters: Harbour bridge reopens...\nHarbour bridge reopens after two years\nText.").0,
                       "A long preamble of more than thirty letters: Harbour bridge reopens...")
    }
}

final class HTMLReaderTests: XCTestCase {
    let page = """
        <!DOCTYPE html><html><head>
        <title>Flood warning issued | Example News</title>
        <meta property="og:title" content="Flood warning issued for river towns">
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2024-03-05T08:30:00Z">
        <link rel="canonical" href="https://example.com/flood">
        <style>p { color: red }</style><script>var tracking = "p not text";</script>
        </head><body>
        <header><nav><ul><li>Home</li><li>World</li></ul></nav></header>
        <aside><p>Most read: something else</p></aside>
        <article>
          <h1>Flood warning issued for river towns</h1>
          <p>Forecasters issued a flood&nbsp;warning on Tuesday &amp; told residents to prepare.</p>
          <script>document.write("<p>injected</p>")</script>
          <h2>What happens next</h2>
          <p>The river is expected to peak on Thursday
          <p>Unclosed paragraph, as broken pages do.
          <div class="ad"><button>Subscribe</button></div>
        </article>
        <footer><p>© Example News</p></footer>
        </body></html>
        """

    func testExtractsHeadlineTextAndMetadata() throws {
        let a = try XCTUnwrap(HTMLExtractor.extract(Array(page.utf8)))
        XCTAssertEqual(a.title, "Flood warning issued for river towns")
        XCTAssertEqual(a.siteName, "Example News")
        XCTAssertEqual(a.url, "https://example.com/flood")
        XCTAssertEqual(a.published, "2024-03-05T08:30:00Z")
        XCTAssertEqual(a.text, """
            Forecasters issued a flood warning on Tuesday & told residents to prepare.

            What happens next

            The river is expected to peak on Thursday

            Unclosed paragraph, as broken pages do.
            """)
        for junk in ["tracking", "injected", "Home", "Most read", "Subscribe", "©", "color"] {
            XCTAssertFalse(a.text.contains(junk), junk)
        }
    }

    func testFolderOfPages() throws {
        let dir = TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Wire"), withIntermediateDirectories: true)
        TestSupport.write(page, to: dir.appendingPathComponent("Wire/flood.html"))
        TestSupport.write(page, to: dir.appendingPathComponent("loose.htm"))
        TestSupport.write("<html><body><nav>only navigation</nav></body></html>", to: dir.appendingPathComponent("empty.html"))
        let events = try TestSupport.records(TextFolderReader(), dir.path)
        XCTAssertEqual(events.count, 3)
        let wire = try XCTUnwrap(events.first { $0.article?.id == "Wire/flood.html" }?.article)
        XCTAssertEqual(wire.outlet, "Wire", "the folder names the outlet")
        XCTAssertEqual(wire.published, ISODate.parse("2024-03-05T08:30:00Z"))
        XCTAssertEqual(events.first { $0.article?.id == "loose.htm" }?.article?.outlet, "Example News")
        XCTAssertEqual(events.first { $0.file.hasSuffix("empty.html") }?.problem, "no text and no title")
    }
}

final class JSONObjectScannerTests: XCTestCase {
    func fields(_ text: String) throws -> [String: JSONObjectScanner.Value] {
        var out: [String: JSONObjectScanner.Value] = [:]
        var s = text
        try s.withUTF8 { try JSONObjectScanner.scan($0) { out[$0] = $1 } }
        return out
    }

    func testEscapesNumbersAndNestedValues() throws {
        let f = try fields(#"{"a":"x\"y\\z\/\n\t\u00e9\ud83d\ude00","n":-1.5e3,"o":{"k":[1,{"x":"}"}]},"z":null,"b":true}"#)
        XCTAssertEqual(f["a"], .string("x\"y\\z/\n\té😀"))
        XCTAssertEqual(f["n"], .raw("-1.5e3"))
        XCTAssertEqual(f["o"], .raw(#"{"k":[1,{"x":"}"}]}"#))
        XCTAssertEqual(f["z"], .null)
        XCTAssertEqual(f["b"], .raw("true"))
    }

    /// A quote, a backslash escape or a raw control byte at every offset of a long string (the
    /// plain part is read eight bytes at a time).
    func testStringEndsAndEscapesAtEveryOffset() throws {
        for k in 0..<20 {
            let before = String(repeating: "a", count: k), after = String(repeating: "b", count: 20 - k)
            XCTAssertEqual(try fields("{\"s\":\"" + before + "\\\"" + after + "\"}")["s"], .string(before + "\"" + after))
            XCTAssertEqual(try fields("{\"s\":\"" + before + "\"}")["s"], .string(before))
            XCTAssertEqual(try fields("{\"s\":\"" + before + "é\\\\" + after + "\"}")["s"], .string(before + "é\\" + after))
            for control in ["\u{0}", "\u{9}", "\u{1f}"] {
                XCTAssertThrowsError(try fields("{\"s\":\"" + before + control + after + "\"}"), "\(k)")
            }
            XCTAssertEqual(try fields("{\"s\":\"" + before + "\u{7f}" + after + "\"}")["s"], .string(before + "\u{7f}" + after))
            // After a first escape (the copying path): plain runs of every length between
            // escapes, and a control byte at every offset still refused.
            XCTAssertEqual(try fields("{\"s\":\"\\n" + before + "\\n" + after + "\\t\"}")["s"], .string("\n" + before + "\n" + after + "\t"))
            for control in ["\u{0}", "\u{a}", "\u{1f}"] {
                XCTAssertThrowsError(try fields("{\"s\":\"\\n" + before + control + after + "\"}"), "\(k)")
            }
        }
    }

    func testRejectsMalformedInput() {
        for bad in [#"{"a":1"#, #"{"a":01}"#, #"{"a":tru}"#, #"{"a":"x"} x"#, #"{a:1}"#, #"{"a":"\q"}"#, "{\"a\":\"tab\there\"}", #"{"a":[1,]}"#, #"{"a" 1}"#, ""] {
            XCTAssertThrowsError(try fields(bad), bad)
        }
        XCTAssertThrowsError(try fields("[1,2]")) { XCTAssertEqual(($0 as? JSONObjectScanner.Failure)?.reason, "not a JSON object") }
    }

    /// Differential: the same strings as Foundation's parser on random records and on real data.
    func testAgreesWithJSONSerialization() throws {
        var rng = seededGenerator()
        let alphabet = Array("ab \"\\/\n\té😀<>{}[],:") + ["\u{1}", "\u{7f}", "\u{2028}"]
        var lines: [String] = []
        for _ in 0..<300 {
            var object: [String: Any] = [:]
            for k in 0..<Int.random(in: 1...6, using: &rng) {
                object["k\(k)"] = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        // Real records too: a skip that says so where the dataset is missing (a failure in CI).
        lines += try String(contentsOfFile: TestSupport.dataset("allsides-dev.jsonl"), encoding: .utf8).split(separator: "\n").prefix(300).map(String.init)
        for line in lines {
            let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let mine = try fields(line)
            XCTAssertEqual(Set(mine.keys), Set(reference.keys))
            for (k, v) in reference {
                if let s = v as? String { XCTAssertEqual(mine[k], .string(s), line) }
            }
        }
    }
}

final class ContentHashTests: XCTestCase {
    /// Content hashes are stored and compared across runs and builds: their values never change.
    /// The golden value was computed by an independent model of the algorithm (two FNV-1a lanes,
    /// SplitMix64 between parts), and matched the hashes in stores written by earlier builds.
    func testContentHashValuesNeverChange() {
        let article = Article(id: "x", outlet: "Wire", title: "Dam bursts after storm",
                              text: "A dam burst early on Wednesday — in Zürich.")
        XCTAssertEqual(article.contentHash, "b0072dad9e3506bc473b436bf55535a2")
    }

    /// The two lanes in one pass give the values of two single-lane passes.
    func testTwoLanesInOnePassEqualTwoPasses() {
        var rng = seededGenerator()
        for length in [0, 1, 7, 8, 9, 100, 5000] {
            let text = String((0..<length).map { _ in "aé z—9\n".randomElement(using: &rng)! })
            let seeds = (UInt64.random(in: 0...UInt64.max, using: &rng), UInt64.random(in: 0...UInt64.max, using: &rng))
            let (a, b) = Hashing.fnv1a(text, seeds: seeds)
            XCTAssertEqual(a, Hashing.fnv1a(text, seed: seeds.0))
            XCTAssertEqual(b, Hashing.fnv1a(text, seed: seeds.1))
        }
    }
}

final class DateFinderTests: XCTestCase {
    func day(_ s: String) -> Double { ISODate.parse(s)! }

    func testDatesInURLs() {
        let found: [(String, String)] = [
            ("http://www.foxnews.com/politics/2010/02/20/beck-encourages-conservatives", "2010-02-20"),
            ("https://www.washingtontimes.com/news/2021/apr/22/joe-biden-to-target/", "2021-04-22"),
            ("https://www.bloomberg.com/news/articles/2021-04-22/biden-pushes-carbon-plan?srnd=premium", "2021-04-22"),
            ("https://example.com/story_2019_07_04_fireworks", "2019-07-04"),
            ("https://example.com/archive/20130914/flood.html", "2013-09-14"),
            ("https://example.com/2021/4/5/", "2021-04-05"),
            ("https://EXAMPLE.com/2021/September/05/x", "2021-09-05"),
            ("/2016/11/09/election-night", "2016-11-09"),
        ]
        for (url, expected) in found {
            XCTAssertEqual(DateFinder.fromURL(url), day(expected), url)
        }
        let none = [
            "https://apnews.com/article/joe-biden-climate-d27b869add251860acc82f58e2750fd7", // 32 hex digits: not an ObjectId
            "https://www1.cbn.com/cbnnews/us/2021/april/biden-nears-100-day-mark",            // a month, no day
            "https://example.com/2021/04/5-things-to-know",                                   // a month and a slug
            "https://www.bbc.com/news/world-us-canada-56874811",
            "https://variety.com/2021/awards/news/tyler-perry-1234960297/",
            "https://example.com/2021/02/30/",                                                // no such day
            "https://example.com/1899/05/01/old",                                             // implausible
            "https://example.com/item/120130914/x",                                           // nine digits
            "https://www.huffingtonpost.com/entry/tax-returns_us_55bbf7bde4b06363d5a25a38",   // an ObjectId: when the entry was made
            "https://2021-04-22.example.com/story",                                           // in the host
        ]
        for url in none { XCTAssertNil(DateFinder.fromURL(url), url) }
    }

    func testDatesInTexts() {
        let found: [(String, String)] = [
            ("Updated 09/14/2013 4:05 PM\nThe river rose overnight.", "2013-09-14"),
            ("Published March 3, 2024. Lawmakers met on Tuesday.", "2024-03-03"),
            ("By Jane Roe | Posted: Mon, Mar. 4th 2024\nText", "2024-03-04"),
            ("WASHINGTON, March 3, 2024 — The Senate voted on Tuesday.", "2024-03-03"),
            ("RIO DE JANEIRO, 3 March 2024 (Reuters) - Floods hit the city.", "2024-03-03"),
            ("2024-03-03: the council met.", "2024-03-03"),
            ("Updated 14/09/2013\nText", "2013-09-14"),
            ("Last updated: Nov 19, 2021. First published: January 28, 2021. Text", "2021-01-28"),
        ]
        for (text, expected) in found {
            XCTAssertEqual(DateFinder.fromText(text), day(expected), text)
        }
        let none = [
            "The treaty was signed on March 3, 2019, officials said.",            // an event's date, not the article's
            "Published in the journal last year, the study found 1,200 cases.",
            "Updated guidance arrives on 2024-13-01.",                           // no such month
            String(repeating: "Words of a long lead paragraph. ", count: 12) + "Published March 3, 2024.", // past 300 bytes
        ]
        for text in none { XCTAssertNil(DateFinder.fromText(text), text) }
    }

    /// An undated record gets a date from its URL, else its text; a given date is never replaced.
    func testTheReaderDatesOnlyUndatedRecords() throws {
        let dir = TestSupport.temporaryDirectory()
        let lines = [
            #"{"id":"given","outlet":"W","published":"2024-05-01","title":"T","text":"x","url":"https://e.com/2020/01/02/a"}"#,
            #"{"id":"url","outlet":"W","title":"T","text":"Updated 03/04/2021 text","url":"https://e.com/2020/01/02/a"}"#,
            #"{"id":"text","outlet":"W","title":"T","text":"Updated 03/04/2021 text","url":"https://e.com/a"}"#,
            #"{"id":"none","outlet":"W","title":"T","text":"Nothing here","url":"https://e.com/a"}"#,
            #"{"id":"stated","outlet":"W","title":"T","text":"Published: July 29, 2004\nThe text.","url":"https://e.com/2012/05/31/a"}"#,
            #"{"id":"agree","outlet":"W","title":"T","text":"Published: May 31, 2012\nThe text.","url":"https://e.com/2012/05/31/a"}"#,
            #"{"id":"dateline","outlet":"W","title":"T","text":"WASHINGTON, July 29, 2004 — The text.","url":"https://e.com/2012/05/31/a"}"#,
            #"{"id":"study","outlet":"W","title":"T","text":"A study published on March 3, 2020 in Nature found more.","url":"https://e.com/2021/05/10/a"}"#,
            #"{"id":"future","outlet":"W","published":"2999-01-01","title":"T","text":"x","url":"https://e.com/2020/01/03/a"}"#,
        ]
        let file = dir.appendingPathComponent("d.jsonl")
        TestSupport.write(lines.joined(separator: "\n"), to: file)
        let articles = Dictionary(uniqueKeysWithValues: try TestSupport.records(DumpFormat.jsonl.reader(), file.path)
            .compactMap(\.article).map { ($0.id, $0) })
        XCTAssertEqual(articles["given"]?.published, day("2024-05-01"))
        XCTAssertEqual(articles["given"]?.dateSource, .given)
        XCTAssertEqual(articles["url"]?.published, day("2020-01-02"))
        XCTAssertEqual(articles["url"]?.dateSource, .url)
        XCTAssertEqual(articles["text"]?.published, day("2021-03-04"))
        XCTAssertEqual(articles["text"]?.dateSource, .text)
        XCTAssertNil(articles["none"]?.published)
        XCTAssertNil(articles["none"]?.dateSource)
        // A "Published" line that disagrees with the URL is the page's own word (a page moved to a
        // new address): it wins. Agreeing, the URL's; a dateline's date (an event's place and day) does not override.
        XCTAssertEqual(articles["stated"]?.published, day("2004-07-29"))
        XCTAssertEqual(articles["stated"]?.dateSource, .text)
        XCTAssertEqual(articles["agree"]?.dateSource, .url)
        XCTAssertEqual(articles["dateline"]?.published, day("2012-05-31"))
        XCTAssertEqual(articles["dateline"]?.dateSource, .url)
        XCTAssertEqual(articles["study"]?.published, day("2021-05-10"), "a keyword inside a sentence states no publication date")
        // An implausible given date is dropped (with its warning); the URL's is then used.
        XCTAssertEqual(articles["future"]?.published, day("2020-01-03"))
        XCTAssertEqual(articles["future"]?.dateSource, .url)
    }

    /// A record's own date in RSS's RFC 2822 form or in words is read (as given, to the second where
    /// it says), not dropped as unreadable.
    func testWrittenDates() throws {
        let cases: [(String, String)] = [
            ("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"),
            ("10 Jun 2003 04:00 +0200", "2003-06-10T02:00:00Z"),
            ("Mon, 03 Mar 2024 23:30:00 -0500", "2024-03-04T04:30:00Z"),
            ("Sun, 3 Mar 2024 20:00:00 EST", "2024-03-04T01:00:00Z"),
            ("March 3, 2024", "2024-03-03"),
        ]
        for (raw, expected) in cases { XCTAssertEqual(DateFinder.written(raw), day(expected), raw) }
        // A time that cannot be leaves the day.
        XCTAssertEqual(DateFinder.written("Tue, 10 Jun 2003 25:00:00 GMT"), day("2003-06-10"))
        for raw in ["sometime last week", "31 Feb 2024 10:00:00 GMT", "Jun 10 04:00:00"] {
            XCTAssertNil(DateFinder.written(raw), raw)
        }
        let dir = TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("rss.jsonl")
        TestSupport.write([#"{"id":"a","outlet":"W","title":"T","text":"x","published":"Tue, 10 Jun 2003 04:00:00 GMT"}"#,
                           #"{"id":"b","outlet":"W","title":"T","text":"x","published":"not a date","url":"https://e.com/2003/06/11/x"}"#]
            .joined(separator: "\n"), to: file)
        let events = try TestSupport.records(DumpFormat.jsonl.reader(), file.path)
        XCTAssertEqual(events[0].article?.published, day("2003-06-10T04:00:00Z"))
        XCTAssertEqual(events[0].article?.dateSource, .given)
        XCTAssertEqual(events[0].warnings, [])
        XCTAssertEqual(events[1].warnings, [#"unreadable date "not a date": kept undated"#])
        XCTAssertEqual(events[1].article?.dateSource, .url, "an unreadable date gives way to the URL's")
    }

    func page(head: String, body: String) -> [UInt8] {
        Array("<html><head><title>T</title>\(head)</head><body>\(body)<article><p>Text of the story.</p></article></body></html>".utf8)
    }

    func testDatesInPages() throws {
        // JSON-LD first, then the Open Graph tag.
        let both = HTMLExtractor.extract(page(head: """
            <meta property="article:published_time" content="2015-12-11T14:28:34Z">
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished" : "2015-10-15T02:19:15Z","dateModified":"2018-04-22"}</script>
            """, body: ""))!
        XCTAssertEqual(both.published, "2015-10-15T02:19:15Z")
        XCTAssertEqual(both.publishedSource, "json-ld")
        XCTAssertNil(both.visibleText)
        let og = HTMLExtractor.extract(page(head: #"<meta property="article:published_time" content="2015-12-11T14:28:34Z">"#, body: ""))!
        XCTAssertEqual(og.published, "2015-12-11T14:28:34Z")
        XCTAssertEqual(og.publishedSource, "meta")
        // One itemprop date on the page is its own; several are the cards of other articles.
        let one = HTMLExtractor.extract(page(head: "", body: #"<span itemprop="datePublished" content="2026-03-13T12:00:00Z">Mar 13</span>"#))!
        XCTAssertEqual(one.published, "2026-03-13T12:00:00Z")
        let cards = HTMLExtractor.extract(page(head: "", body: #"<span itemprop="datePublished" content="2026-03-13">a</span><span itemprop="datePublished" content="2026-03-12">b</span>"#))!
        XCTAssertNil(cards.published)
        // No metadata: the visible text, header included, with its "Published" line.
        let header = HTMLExtractor.extract(page(head: "", body: #"<header><span class="date">Published: January 3, 2024</span></header>"#))!
        XCTAssertNil(header.published)
        XCTAssertEqual(try XCTUnwrap(header.visibleText).contains("Published: January 3, 2024"), true)
        XCTAssertEqual(DateFinder.fromPageText(header.visibleText!), day("2024-01-03"))
        XCTAssertEqual(DateFinder.written("Fri, 24 Jul 2015 05:36:09 GMT"), day("2015-07-24T05:36:09Z"))
        XCTAssertEqual(DateFinder.written("Published Oct 20, 2025 at 5:00 PM PST"), day("2025-10-20"))
    }

    func testPagesInAFolderNameTheirDateSource() throws {
        let dir = TestSupport.temporaryDirectory()
        let pages: [(String, [UInt8])] = [
            ("ld.html", page(head: #"<script type="application/ld+json">{"datePublished":"2024-03-05T08:30:00Z"}</script>"#, body: "")),
            ("meta.html", page(head: #"<meta name="date" content="March 5, 2024">"#, body: "")),
            ("text.html", page(head: "", body: "<div>Updated 03/05/2024</div>")),
            ("none.html", page(head: "", body: "<div>No date</div>")),
        ]
        for (name, bytes) in pages {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(bytes))
        }
        let articles = Dictionary(uniqueKeysWithValues: try TestSupport.records(DumpFormat.text.reader(), dir.path)
            .compactMap(\.article).map { ($0.id, $0) })
        XCTAssertEqual(articles["ld.html"]?.dateSource, .jsonLD)
        XCTAssertEqual(articles["meta.html"]?.dateSource, .meta)
        XCTAssertEqual(articles["meta.html"]?.published, day("2024-03-05"))
        XCTAssertEqual(articles["text.html"]?.dateSource, .text)
        XCTAssertEqual(articles["text.html"]?.published, day("2024-03-05"))
        XCTAssertNil(articles["none.html"]?.dateSource)
    }
}
