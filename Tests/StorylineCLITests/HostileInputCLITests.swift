import Foundation
import XCTest

/// Messy and hostile input, through the real binary: one bad date, an undated page, a
/// spreadsheet export or a broken file must not corrupt the stories (issue 13).
final class HostileInputCLITests: XCTestCase {
    /// Writes records as JSON Lines.
    func write(_ records: [[String: Any]], to name: String, in dir: URL) throws {
        let lines = try records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent(name))
    }

    static let events = [
        "quake": "A powerful earthquake struck the coastal city of Marenza early on Tuesday, collapsing buildings and killing dozens, rescue officials said, as aftershocks rattled the region",
        "dam": "The Kolvik dam burst after days of heavy rain, flooding villages downstream and forcing thousands to flee their homes, the regional governor said",
    ]

    /// Two events told by three outlets on `day`.
    func night(_ day: String, tag: String) -> [[String: Any]] {
        Self.events.sorted { $0.key < $1.key }.flatMap { event, text in
            ["Wire", "Daily", "Herald"].map { outlet -> [String: Any] in
                ["id": "\(event)-\(outlet)-\(tag)", "outlet": outlet, "published": "\(day)T10:00:00Z",
                 "title": String(text.prefix(50)), "text": "\(text). \(outlet) \(tag) report."]
            }
        }
    }

    func stories(_ dir: URL, db: String = "storyline.sqlite") throws -> [[String: Any]] {
        let r = try CLI.run(["stories", "--json", "--db", db], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(CLI.json(r.stdout) as? [[String: Any]])
    }

    // MARK: Dates

    func testAFutureDateNeitherClosesStoriesNorMovesTheClock() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        try write([["id": "future", "outlet": "X", "published": "2100-03-05", "title": "Tomato growers meet", "text": "Compost and seedlings."],
                   ["id": "digits", "outlet": "X", "published": "51380305000000", "title": "Chess final drawn", "text": "Kings and rooks."],
                   ["id": "feb30", "outlet": "X", "published": "2024-02-30", "title": "Melon prices fall", "text": "Markets."],
                   ["id": "compact", "outlet": "X", "published": "20240305120000", "title": "Violin maker retires", "text": "Workshop."]],
                  to: "odd.jsonl", in: dir)
        try write(night("2024-03-06", tag: "2"), to: "n2.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "n1.jsonl"], in: dir).status, 0)
        let odd = try CLI.run(["run", "odd.jsonl"], in: dir)
        XCTAssertEqual(odd.status, 0, odd.stderr)
        XCTAssertTrue(odd.stderr.contains("odd.jsonl:1: warning: implausible date \"2100-03-05\" (in the future): kept undated"), odd.stderr)
        XCTAssertTrue(odd.stderr.contains("odd.jsonl:2: warning: implausible date \"51380305000000\""), odd.stderr)
        XCTAssertTrue(odd.stderr.contains("odd.jsonl:3: warning: unreadable date \"2024-02-30\""), odd.stderr)
        XCTAssertFalse(odd.stderr.contains("odd.jsonl:4:"), "a compact date and time is a date: \(odd.stderr)")
        // Dates that are not strings: MongoDB's {"$date": ...} is read; anything else keeps the article, undated, with a warning.
        try Data(("""
            {"id": "m1", "outlet": "X", "published": {"$date": "2024-03-05T10:00:00Z"}, "title": "Mongo one", "text": "Text."}
            {"id": "m2", "outlet": "X", "published": {"$date": 1709632800000}, "title": "Mongo two", "text": "Text."}
            {"id": "m3", "outlet": "X", "published": {"$date": {"$numberLong": "1709632800000"}}, "title": "Mongo three", "text": "Text."}
            {"id": "m4", "outlet": "X", "published": true, "title": "Mongo four", "text": "Text."}
            {"id": "m5", "outlet": "X", "published": ["2024-03-05"], "title": "Mongo five", "text": "Text."}
            """ + "\n").utf8).write(to: dir.appendingPathComponent("mongo.jsonl"))
        let mongo = try CLI.run(["read", "mongo.jsonl"], in: dir)
        XCTAssertEqual(mongo.status, 0, mongo.stderr)
        let read = try mongo.stdout.split(separator: "\n").map { try XCTUnwrap(CLI.json(String($0)) as? [String: Any]) }
        XCTAssertEqual(read.map { $0["id"] as? String }, ["m1", "m2", "m3", "m4", "m5"], "no record lost: \(mongo.stderr)")
        XCTAssertEqual(read.prefix(3).map { $0["published"] as? String }, Array(repeating: "2024-03-05T10:00:00Z", count: 3))
        XCTAssertTrue(read.suffix(2).allSatisfy { $0["published"] == nil || $0["published"] is NSNull }, "\(read)")
        XCTAssertTrue(mongo.stderr.contains("mongo.jsonl:4: warning:") && mongo.stderr.contains("mongo.jsonl:5: warning: unreadable date"), mongo.stderr)
        // Impossible times: kept undated, with a warning, not taken as the day at midnight.
        let impossible = ["2024-05-01T25:61:61Z", "2024-03-05T10:00:00+99:00", "2024-05-01Tgarbage", "Tue, 10 Jun 2003 99:00:00 GMT"]
        try write(impossible.enumerated().map { k, raw in ["id": "t\(k)", "outlet": "X", "published": raw, "title": "Odd time \(k)", "text": "Some text."] },
                  to: "times.jsonl", in: dir)
        let times = try CLI.run(["ingest", "times.jsonl"], in: dir)
        XCTAssertEqual(times.status, 0, times.stderr)
        for (k, raw) in impossible.enumerated() {
            XCTAssertTrue(times.stderr.contains("times.jsonl:\(k + 1): warning: unreadable date \"\(raw)\": kept undated"), times.stderr)
        }
        XCTAssertEqual(try CLI.run(["run", "n2.jsonl"], in: dir).status, 0)
        let all = try stories(dir)
        for s in all { XCTAssertEqual(s["closed"] as? Bool, false, "\(s)") }
        // The next day's articles joined the first day's stories.
        let quake = try XCTUnwrap(all.first { ($0["articles"] as! [String]).contains("quake-Wire-1") })
        XCTAssertEqual(Set(quake["articles"] as! [String]), Set(["Wire", "Daily", "Herald"].flatMap { ["quake-\($0)-1", "quake-\($0)-2"] }))
        let compact = try XCTUnwrap(all.first { ($0["articles"] as! [String]) == ["compact"] })
        XCTAssertEqual(compact["first_published"] as? String, "2024-03-05T12:00:00Z")
        XCTAssertTrue(all.contains { ($0["articles"] as! [String]) == ["future"] && $0["first_published"] is NSNull })
    }

    func testAStoryClosedTooEarlyReopensWhenAnArticleOfItsDaysArrives() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        try write([["id": "later", "outlet": "X", "published": "2024-03-30T10:00:00Z", "title": "Gardeners compare tomatoes", "text": "Compost and seedlings."]],
                  to: "later.jsonl", in: dir)
        // A back-filled article of the quake, dated with the first night.
        try write([["id": "late-quake", "outlet": "Gazette", "published": "2024-03-05T18:00:00Z",
                    "title": String(Self.events["quake"]!.prefix(50)), "text": Self.events["quake"]! + ". Gazette."]],
                  to: "late.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "n1.jsonl"], in: dir).status, 0)
        XCTAssertEqual(try CLI.run(["run", "later.jsonl"], in: dir).status, 0)
        let before = try stories(dir)
        let quakeID = try XCTUnwrap(before.first { ($0["articles"] as! [String]).contains("quake-Wire-1") }?["id"] as? Int)
        XCTAssertEqual(before.first { $0["id"] as? Int == quakeID }?["closed"] as? Bool, true, "25 days later the quake story is closed")
        XCTAssertEqual(try CLI.run(["run", "late.jsonl"], in: dir).status, 0)
        let after = try stories(dir)
        let quake = try XCTUnwrap(after.first { $0["id"] as? Int == quakeID })
        XCTAssertTrue((quake["articles"] as! [String]).contains("late-quake"), "the late article joined its story: \(after)")
        // Reopened by the article, then closed again: the store's clock is still 2024-03-30.
        XCTAssertEqual(quake["closed"] as? Bool, true)
        XCTAssertFalse(after.contains { ($0["articles"] as! [String]) == ["late-quake"] })
    }

    /// One event's text, told of two earthquakes years apart.
    static let quake = "A powerful earthquake struck the coastal city early on Tuesday, collapsing buildings and killing dozens, rescue officials said, as aftershocks rattled the region and families searched the rubble"

    func testAnUndatedArticleDoesNotJoinEventsYearsApart() throws {
        let dir = CLI.temporaryDirectory()
        let text = Self.quake
        var records: [[String: Any]] = []
        for year in ["2019", "2024"] {
            for outlet in ["Wire", "Daily", "Herald"] {
                records.append(["id": "\(year)-\(outlet)", "outlet": outlet, "published": "\(year)-03-05T10:00:00Z",
                                "title": "Powerful earthquake strikes coastal city", "text": "\(text). \(outlet), \(year)."])
            }
        }
        records.append(["id": "undated", "outlet": "Blog", "title": "Powerful earthquake strikes coastal city", "text": text])
        records.append(["id": "1900", "outlet": "Archive", "published": "1900-03-05", "title": "Powerful earthquake strikes coastal city", "text": text + " Archive."])
        try write(records, to: "quakes.jsonl", in: dir)
        let r = try CLI.run(["run", "quakes.jsonl"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("implausible date \"1900-03-05\" (before 1990): kept undated"), r.stderr)
        let all = try stories(dir)
        let sets = all.map { Set($0["articles"] as! [String]) }
        let y2019 = Set(["Wire", "Daily", "Herald"].map { "2019-\($0)" }), y2024 = Set(["Wire", "Daily", "Herald"].map { "2024-\($0)" })
        XCTAssertTrue(sets.contains { y2019.isSubset(of: $0) }, "\(sets)")
        XCTAssertTrue(sets.contains { y2024.isSubset(of: $0) }, "\(sets)")
        XCTAssertFalse(sets.contains { !$0.isDisjoint(with: y2019) && !$0.isDisjoint(with: y2024) }, "2019 and 2024 stay apart: \(sets)")
        XCTAssertEqual(sets.reduce(0) { $0 + $1.count }, 8)
    }

    /// Undated records get their date from their URL or a dateline; `stories --json` names where
    /// each inferred date came from, and lists what stayed undated. Two look-alike events years
    /// apart stay apart once their articles' URLs date them.
    func testDatesFoundInURLsAndTextsAreShownWithTheirSource() throws {
        let dir = CLI.temporaryDirectory()
        let text = Self.quake
        var records: [[String: Any]] = []
        for year in ["2019", "2024"] {
            for outlet in ["Wire", "Daily", "Herald"] {
                records.append(["id": "\(year)-\(outlet)", "outlet": outlet, "url": "https://\(outlet.lowercased()).example/\(year)/03/05/quake",
                                "title": "Powerful earthquake strikes coastal city", "text": "\(text). \(outlet), \(year)."])
            }
        }
        records.append(["id": "dateline", "outlet": "Blog", "title": "Powerful earthquake strikes coastal city",
                        "text": "ANKARA, March 6, 2024 - \(text)."])
        records.append(["id": "given", "outlet": "Post", "published": "2024-03-05T12:00:00Z", "url": "https://post.example/2001/01/01/x",
                        "title": "Powerful earthquake strikes coastal city", "text": text + " Post."])
        records.append(["id": "undated", "outlet": "Archive", "title": "Powerful earthquake strikes coastal city", "text": text + " Archive."])
        try write(records, to: "quakes.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "quakes.jsonl"], in: dir).status, 0)
        let all = try stories(dir)
        var inferred: [String: (String, String)] = [:]
        for story in all {
            for d in story["inferred_dates"] as! [[String: Any]] {
                inferred[d["id"] as! String] = (d["published"] as! String, d["source"] as! String)
            }
        }
        XCTAssertEqual(inferred["2019-Wire"]?.0, "2019-03-05T00:00:00Z")
        XCTAssertEqual(inferred["2024-Herald"]?.1, "url")
        XCTAssertEqual(inferred["dateline"]?.0, "2024-03-06T00:00:00Z")
        XCTAssertEqual(inferred["dateline"]?.1, "text")
        XCTAssertNil(inferred["given"], "a given date is not inferred (and the URL's 2001 does not replace it)")
        XCTAssertEqual(all.flatMap { $0["undated"] as! [String] }, ["undated"])
        let sets = all.map { Set($0["articles"] as! [String]) }
        let y2019 = Set(["Wire", "Daily", "Herald"].map { "2019-\($0)" })
        let y2024 = Set(["Wire", "Daily", "Herald"].map { "2024-\($0)" } + ["dateline", "given"])
        XCTAssertTrue(sets.contains { y2019.isSubset(of: $0) }, "\(sets)")
        XCTAssertTrue(sets.contains { y2024.isSubset(of: $0) }, "\(sets)")
        XCTAssertFalse(sets.contains { !$0.isDisjoint(with: y2019) && !$0.isDisjoint(with: y2024) }, "2019 and 2024 stay apart: \(sets)")
        // The report says which of a story's dates were found, and where.
        XCTAssertEqual(try CLI.run(["report", "--out", "out", "--format", "json,md", "--min-articles", "1"], in: dir).status, 0)
        let report = try XCTUnwrap(CLI.json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8)) as? [String: Any])
        let story2024 = try XCTUnwrap((report["stories"] as! [[String: Any]]).first { ($0["dates_found"] as! [[String: Any]]).contains { $0["article"] as? String == "dateline" } })
        let found = story2024["dates_found"] as! [[String: Any]]
        XCTAssertEqual(Set(found.map { $0["article"] as! String }), ["2024-Wire", "2024-Daily", "2024-Herald", "dateline"])
        XCTAssertEqual(found.first { $0["article"] as? String == "dateline" }?["source"] as? String, "text")
        let md = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Dates found by ingest, not given by the dump: "), md)
        XCTAssertTrue(md.contains("Blog 2024-03-06 (text)"), md)
    }

    // MARK: Text pages

    func testTheSeedShapedTextPage() throws {
        let dir = CLI.temporaryDirectory()
        let page = CLI.root.appendingPathComponent("Tests/Fixtures/text/seed-page.txt")
        let folder = dir.appendingPathComponent("pages/Times")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: page, to: folder.appendingPathComponent("zelensky.txt"))
        XCTAssertEqual(try CLI.run(["run", "pages"], in: dir).status, 0)
        let story = try XCTUnwrap(try stories(dir).first)
        XCTAssertEqual(story["title"] as? String,
                       "Ukraine Will Not Join to NATO, Says Zelensky, Ready to Hold Talks With Moscow on Security Guarantees")
        XCTAssertEqual(story["outlets"] as? [String], ["Times"])
    }

    // MARK: Exports

    /// Every CSV row parses (Python's csv module) to the header's width, and no cell can run as a formula.
    func testCSVExportsAreQuotedAndNeutralized() throws {
        let dir = CLI.temporaryDirectory()
        let text = "Officials said the river rose overnight and flooded the old town, forcing evacuations"
        try write([
            ["id": "e1", "outlet": "=cmd|'/C calc'!A0", "stance": "+left", "published": "2024-05-01T10:00:00Z",
             "title": "=HYPERLINK(\"http://evil.example\",\"River floods old town\")", "text": text + "."],
            ["id": "e2", "outlet": "@Daily", "stance": "-right", "published": "2024-05-01T12:00:00Z",
             "title": "River floods old town,\r\nresidents \"flee\"", "text": text + ", residents said."],
            ["id": "e3", "outlet": "Wire", "stance": "center", "published": "2024-05-01T14:00:00Z",
             "title": "River floods the old town", "text": text + ", the mayor said."],
        ], to: "d.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "d.jsonl"], in: dir).status, 0)
        let r = try CLI.run(["report", "--out", "out", "--group-field", "stance", "--format", "csv,md"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let check = """
            import csv, sys
            for name in sys.argv[1:]:
                with open(name, newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
                assert len(rows) > 1, name
                for row in rows:
                    assert len(row) == len(rows[0]), (name, row)
                    for cell in row:
                        assert not cell[:1] in ("=", "+", "-", "@", "\\t", "\\r"), (name, cell)
                print(name, len(rows))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", check, "out/stories.csv", "out/story_outlets.csv"]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        let outlets = try String(contentsOf: dir.appendingPathComponent("out/story_outlets.csv"), encoding: .utf8)
        XCTAssertTrue(outlets.contains("'=cmd|'/C calc'!A0"), outlets)
        XCTAssertTrue(outlets.contains("'@Daily"), outlets)
    }

    func testReportsKeepHostileTextInert() throws {
        let dir = CLI.temporaryDirectory()
        let text = "Officials said the river rose overnight and flooded the old town, forcing evacuations"
        try write([
            ["id": "m1", "outlet": "Wire", "published": "2024-05-01T10:00:00Z", "title": "River floods ![x](http://evil.example/x.png) town", "text": text + "."],
            ["id": "m2", "outlet": "Daily", "published": "2024-05-01T12:00:00Z", "title": "River floods [click](javascript:alert(1)) town", "text": text + ", residents said."],
            ["id": "m3", "outlet": "Herald\u{202E}txt.exe", "published": "2024-05-01T14:00:00Z", "title": "River \u{202E}sdoolf\u{202C} old town \u{1B}[31mred", "text": text + ", the mayor said."],
            // A tab in a headline: `storyline stories` prints tab-separated columns.
            ["id": "m4", "outlet": "Post", "published": "2024-05-01T15:00:00Z", "title": "Harbour\tbridge\treopens", "text": "Crews finished repairs on the harbour bridge after two years of work."],
        ], to: "d.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "d.jsonl"], in: dir).status, 0)
        XCTAssertEqual(try CLI.run(["report", "--out", "out"], in: dir).status, 0)
        let md = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        // Every "](" that could close a link text is escaped ("\\]("), and so is every "[" and "!".
        XCTAssertTrue(md.components(separatedBy: "](").dropLast().allSatisfy { $0.hasSuffix("\\") }, md)
        XCTAssertTrue(md.contains("\\!\\[x\\](http"), md)
        XCTAssertTrue(md.contains("\\[click\\](javascript:alert(1))"), md)
        for file in ["out/report.md", "out/index.html", "out/stories.csv", "out/story_outlets.csv"] {
            let content = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            XCTAssertFalse(content.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }, file)
            XCTAssertFalse(content.contains("\u{1B}"), file)
        }
        let plain = try CLI.run(["stories"], in: dir).stdout
        XCTAssertFalse(plain.contains("\u{202E}") || plain.contains("\u{1B}"), plain)
        // Five columns on every line, whatever the headline holds.
        let lines = plain.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, plain)
        for line in lines { XCTAssertEqual(line.split(separator: "\t", omittingEmptySubsequences: false).count, 5, String(line)) }
        XCTAssertTrue(plain.contains("Harbour bridge reopens"), plain)
    }

    /// One record over the size limit (here 64 KiB by STORYLINE_MAX_RECORD_BYTES, as a 2 GB one
    /// is over the default 64 MiB) is named with its file and line and skipped; every valid record
    /// beside it is stored, in JSON Lines, gzip-compressed JSON Lines and CSV, and when it is the
    /// file's last line without a newline.
    func testAnOversizedRecordCostsOnlyItself() throws {
        let dir = CLI.temporaryDirectory()
        let limit = 65536
        func valid(_ k: Int) -> String {
            #"{"id": "v\#(k)", "outlet": "Wire", "published": "2024-05-01T10:00:00Z", "title": "Harbour bridge update \#(k)", "text": "Crews worked on the harbour bridge, update \#(k)."}"#
        }
        let huge = #"{"id": "huge", "outlet": "Wire", "title": "Huge", "text": ""# + String(repeating: "x", count: 4 * limit) + #""}"#
        let lines = (0..<30).map(valid) + [huge] + (30..<60).map(valid)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("mixed.jsonl"))
        try Data(((0..<30).map(valid) + [huge]).joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("last.jsonl"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c mixed.jsonl > mixed.jsonl.gz"]
        gzip.currentDirectoryURL = dir
        try gzip.run()
        gzip.waitUntilExit()
        var csv = "id,outlet,title,text\n"
        for k in 0..<5 { csv += "c\(k),Wire,Title \(k),Text \(k)\n" }
        csv += "big,Wire,\"Big\",\"" + String(repeating: "y", count: 4 * limit) + "\"\n"
        for k in 5..<10 { csv += "c\(k),Wire,Title \(k),Text \(k)\n" }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("mixed.csv"))
        let env = ["STORYLINE_MAX_RECORD_BYTES": "\(limit)"]
        for (file, line, stored) in [("mixed.jsonl", 31, 60), ("mixed.jsonl.gz", 31, 60), ("last.jsonl", 31, 30), ("mixed.csv", 7, 10)] {
            let db = file + ".sqlite"
            let r = try CLI.run(["ingest", "--db", db, file], in: dir, environment: env)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(file):\(line): record of "), r.stderr)
            XCTAssertTrue(r.stderr.contains("is over the limit of \(limit) (STORYLINE_MAX_RECORD_BYTES): skipped"), r.stderr)
            XCTAssertTrue(r.stderr.contains("\(stored) new, 0 duplicate, 1 rejected"), "\(file): \(r.stderr)")
        }
    }

    /// A device or a folder is no store: refused (exit 64, named) before SQLite opens it, and
    /// nothing is left beside it (on /dev/null SQLite made a world-writable /dev/null-journal).
    func testTheStoreMustBeARegularFile() throws {
        let dir = CLI.temporaryDirectory()
        try Data("{\"id\": \"a\", \"title\": \"A headline\", \"text\": \"Some text.\"}\n".utf8).write(to: dir.appendingPathComponent("a.jsonl"))
        for db in ["/dev/null", dir.path] {
            for command in [["stories", "--db", db], ["ingest", "--db", db, "a.jsonl"]] {
                let r = try CLI.runBinary(command, in: dir)
                XCTAssertEqual(r.status, 64, "\(command): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("\(db): the store must be a regular file or a path that does not exist yet"), r.stderr)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/dev/null-journal"))
    }

    // MARK: Formats

    func testTSVIsNotQuotedAndAnUnbalancedCSVQuoteLosesOneRecord() throws {
        let dir = CLI.temporaryDirectory()
        try Data("id\toutlet\ttitle\ttext\nt1\tWire\tHe said \"no\" to the plan\tThe minister said \"no\".\nt2\tDaily\t\"Quoted\" start\tText two.\n".utf8)
            .write(to: dir.appendingPathComponent("feed.tsv"))
        let tsv = try CLI.run(["run", "feed.tsv"], in: dir)
        XCTAssertEqual(tsv.status, 0, tsv.stderr)
        XCTAssertFalse(tsv.stderr.contains("rejected") && !tsv.stderr.contains("0 rejected"), tsv.stderr)
        let titles = Set(try stories(dir).map { $0["title"] as! String })
        XCTAssertEqual(titles, ["He said \"no\" to the plan", "\"Quoted\" start"])

        try Data("id,outlet,title,text\nc1,Wire,First,one\nc2,Wire,\"Broken, title,two\nc3,Wire,Third,three\nc4,Wire,\"Multi\nline\",four\nc5,Wire,Fifth,five\n".utf8)
            .write(to: dir.appendingPathComponent("feed.csv"))
        let csv = try CLI.run(["ingest", "--db", "c.sqlite", "feed.csv"], in: dir)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertTrue(csv.stderr.contains("feed.csv:3: "), csv.stderr)
        XCTAssertTrue(csv.stderr.contains("4 new") && csv.stderr.contains("1 rejected"), csv.stderr)
        XCTAssertEqual(try CLI.run(["cluster", "--db", "c.sqlite"], in: dir).status, 0)
        let ids = Set(try stories(dir, db: "c.sqlite").flatMap { $0["articles"] as! [String] })
        XCTAssertEqual(ids, ["c1", "c3", "c4", "c5"])
        // The unbalanced quote closes at a later record's opening quote, leaving a stray quote: still
        // only its own record is lost, named at its line.
        try Data("id,outlet,title,text\nd1,Wire,Title 1,Body one\nd2,Wire,\"Title 2 unclosed,Body text\nd3,Wire,Title 3,Body three\nd4,Wire,\"Title 4\",Body four\n".utf8)
            .write(to: dir.appendingPathComponent("stray.csv"))
        let stray = try CLI.run(["read", "stray.csv"], in: dir)
        XCTAssertEqual(stray.status, 0, stray.stderr)
        XCTAssertTrue(stray.stderr.contains("stray.csv:3: "), stray.stderr)
        let read = try stray.stdout.split(separator: "\n").map { try XCTUnwrap(CLI.json(String($0)) as? [String: Any])["id"] as? String }
        XCTAssertEqual(read, ["d1", "d3", "d4"], stray.stderr)
    }

    func testAByteOrderMarkLosesNothing() throws {
        let dir = CLI.temporaryDirectory()
        let body = #"{"id":"b1","outlet":"W","title":"First title","text":"one"}"# + "\n" + #"{"id":"b2","outlet":"W","title":"Second","text":"two"}"# + "\n"
        try Data([0xEF, 0xBB, 0xBF] + Array(body.utf8)).write(to: dir.appendingPathComponent("bom.jsonl"))
        let strict = try CLI.run(["ingest", "--strict", "bom.jsonl"], in: dir)
        XCTAssertEqual(strict.status, 0, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("2 new"), strict.stderr)
    }

    func testCompressedDumps() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        func shell(_ command: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            p.currentDirectoryURL = dir
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, command)
        }
        try shell("gzip -k n1.jsonl && cp n1.jsonl.gz n1.dump && head -c $(( $(stat -c %s n1.jsonl.gz) - 40 )) n1.jsonl.gz > cut.jsonl.gz")
        let gz = try CLI.run(["ingest", "n1.jsonl.gz", "n1.dump"], in: dir)
        XCTAssertEqual(gz.status, 0, gz.stderr)
        XCTAssertTrue(gz.stderr.contains("12 records: 6 new, 6 duplicate, 0 rejected"), gz.stderr)
        // A truncated file: what came before is kept, the damage named, exit 1.
        let cut = try CLI.run(["ingest", "--db", "cut.sqlite", "cut.jsonl.gz"], in: dir)
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(cut.stderr.contains("cut.jsonl.gz: unexpected end of file: the gzip file is truncated"), cut.stderr)
        XCTAssertTrue(cut.stderr.contains("failed after") && !cut.stderr.contains("(0 new)"), cut.stderr)
        XCTAssertEqual(try CLI.run(["cluster", "--db", "cut.sqlite"], in: dir).status, 0)
        XCTAssertFalse(try stories(dir, db: "cut.sqlite").isEmpty, "the records before the damage are stored")
        // zstd: by its bytes whatever the name, two frames one after the other, a truncated file, a damaged one.
        try write(night("2024-03-06", tag: "2"), to: "n2.jsonl", in: dir)
        // zstd decodes whole blocks (128 KiB of data each): the truncated file is long enough to hold finished ones.
        try write((0..<300).flatMap { night("2024-03-07", tag: "L\($0)") }, to: "long.jsonl", in: dir)
        try shell("zstd -q n1.jsonl -o n1.jsonl.zst && zstd -q n2.jsonl -o n2.zst && cat n1.jsonl.zst n2.zst > both.dump"
                  + " && zstd -q long.jsonl -o long.zst && head -c $(( $(stat -c %s long.zst) - 20 )) long.zst > cut.jsonl.zst")
        let zstd = try CLI.run(["ingest", "--db", "z.sqlite", "n1.jsonl.zst", "both.dump"], in: dir)
        XCTAssertEqual(zstd.status, 0, zstd.stderr)
        XCTAssertTrue(zstd.stderr.contains("18 records: 12 new, 6 duplicate, 0 rejected"), zstd.stderr)
        let cutZstd = try CLI.run(["ingest", "--db", "cutz.sqlite", "cut.jsonl.zst"], in: dir)
        XCTAssertEqual(cutZstd.status, 1)
        XCTAssertTrue(cutZstd.stderr.contains("cut.jsonl.zst: the last zstd frame ends early: the zstd file is truncated"), cutZstd.stderr)
        XCTAssertTrue(cutZstd.stderr.contains("failed after") && !cutZstd.stderr.contains("(0 new)"), cutZstd.stderr)
        try Data([0x28, 0xB5, 0x2F, 0xFD, 0xFF, 0xFF, 0, 0]).write(to: dir.appendingPathComponent("z.jsonl.zst"))
        let bad = try CLI.run(["ingest", "--db", "bad.sqlite", "z.jsonl.zst"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("z.jsonl.zst: ") && bad.stderr.contains("the zstd file is truncated or damaged"), bad.stderr)
        try Data([0x42, 0x5A, 0x68, 0x39, 0, 0]).write(to: dir.appendingPathComponent("b.jsonl.bz2"))
        XCTAssertTrue(try CLI.run(["ingest", "--db", "bad.sqlite", "b.jsonl.bz2"], in: dir).stderr.contains("the file is bzip2-compressed"))
        // A frame whose window (2 GiB: streamed with --long=31) is more than the reader gives: said as such.
        try shell("cat n1.jsonl | zstd -q --long=31 > wide.jsonl.zst")
        let wide = try CLI.run(["ingest", "--db", "wide.sqlite", "wide.jsonl.zst"], in: dir)
        XCTAssertEqual(wide.status, 1)
        XCTAssertTrue(wide.stderr.contains("wide.jsonl.zst: the zstd file was compressed with a window larger than 128 MiB")
                      && wide.stderr.contains("zstd -d --long=31") && !wide.stderr.contains("damaged"), wide.stderr)
    }

    /// `--pieces` on a store no worker can share (SQLite) is refused before any work: nothing is
    /// ingested or analyzed alone first.
    func testPiecesOnAStoreOfOneMachineAreRefusedBeforeWork() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["ingest", "n1.jsonl"], in: dir).status, 0)
        for command in [["cluster", "--pieces", "4"], ["vectorize", "--pieces", "4"], ["run", "--pieces", "4", "n1.jsonl"]] {
            let r = try CLI.run(command, in: dir)
            XCTAssertEqual(r.status, 64, "\(command): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--pieces needs a store that workers share"), r.stderr)
        }
        let runs = try CLI.run(["runs", "--json"], in: dir)
        XCTAssertEqual((try XCTUnwrap(CLI.json(runs.stdout) as? [[String: Any]])).map { $0["command"] as? String }, ["ingest"], "no run began")
        XCTAssertTrue(try stories(dir).isEmpty, "nothing was analyzed or clustered")
    }

    /// A word that is no command is named as such, whatever options follow it.
    func testAnUnknownCommandIsNamed() throws {
        let r = try CLI.run(["bogus", "--db", "x.sqlite"], in: CLI.temporaryDirectory())
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("'bogus' is not a storyline command; the commands are: ingest, read,"), r.stderr)
        XCTAssertFalse(r.stderr.contains("--db"), r.stderr)
        XCTAssertEqual(try CLI.run(["help", "ingest"], in: CLI.temporaryDirectory()).status, 0)
    }

    func testDuplicateKeysWarn() throws {
        let dir = CLI.temporaryDirectory()
        try Data(#"{"id":"d1","outlet":"W","title":"First","title":"Second","text":"x","x":1,"x":2}"#.utf8).write(to: dir.appendingPathComponent("d.jsonl"))
        let r = try CLI.run(["run", "d.jsonl"], in: dir)
        XCTAssertTrue(r.stderr.contains("d.jsonl:1: warning: duplicate key \"title\": its first value is kept"), r.stderr)
        XCTAssertTrue(r.stderr.contains("duplicate key \"x\""), r.stderr)
        XCTAssertEqual(try stories(dir).first?["title"] as? String, "First")
    }

    // MARK: The store

    func testReadingCommandsNeverCreateAStore() throws {
        let dir = CLI.temporaryDirectory()
        for command in [["stories"], ["stories", "--json"], ["report", "--out", "out"], ["runs"]] {
            let r = try CLI.run(command + ["--db", "typo.sqlite"], in: dir)
            XCTAssertEqual(r.status, 1, "\(command)")
            XCTAssertTrue(r.stderr.contains("typo.sqlite: no such store"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("typo.sqlite").path))
        let json = try CLI.run(["stories", "--db", "typo.sqlite", "--log-format", "json"], in: dir)
        let line = try XCTUnwrap(CLI.json(json.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) as? [String: Any], json.stderr)
        XCTAssertEqual(line["level"] as? String, "error")
        XCTAssertEqual(line["file"] as? String, "typo.sqlite")
    }

    /// A store on a read-only mount (a bind mount made here; skipped where mounting is not allowed).
    func testAStoreOnReadOnlyMediaCanBeRead() throws {
        let dir = CLI.temporaryDirectory()
        let data = dir.appendingPathComponent("data"), ro = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: ro, withIntermediateDirectories: true)
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        XCTAssertEqual(try CLI.run(["run", "n1.jsonl", "--db", "data/s.sqlite"], in: dir).status, 0)
        let expected = try stories(dir, db: "data/s.sqlite")
        func sh(_ c: String) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", c + " 2>/dev/null"]
            p.currentDirectoryURL = dir
            try? p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard sh("mount --bind data ro && mount -o remount,bind,ro ro") == 0 else {
            _ = sh("umount ro")
            throw XCTSkip("cannot make a read-only bind mount here (needs root and mount rights): skipping")
        }
        defer { _ = sh("umount ro") }
        XCTAssertNotEqual(sh("touch ro/probe"), 0, "the mount is read-only")
        let listed = try CLI.run(["stories", "--json", "--db", "ro/s.sqlite"], in: dir)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertEqual(try XCTUnwrap(CLI.json(listed.stdout) as? [[String: Any]]).count, expected.count)
        let report = try CLI.run(["report", "--out", "out", "--db", "ro/s.sqlite"], in: dir)
        XCTAssertEqual(report.status, 0, report.stderr)
    }

    func testAKilledRunIsListedAsInterruptedAtOnce() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1"), to: "n1.jsonl", in: dir)
        let killed = try CLI.run(["run", "n1.jsonl"], in: dir, environment: ["STORYLINE_CRASH_AT": "cluster-commit"])
        XCTAssertEqual(killed.status, 9)
        let runs = try XCTUnwrap(CLI.json(CLI.run(["runs", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["status"] as? String }, ["interrupted"])
    }

    func testJSONLogsCarryNumbers() throws {
        let dir = CLI.temporaryDirectory()
        try write(night("2024-03-05", tag: "1") + [["id": "f", "outlet": "X", "published": "2100-01-01", "title": "t", "text": "x"]], to: "n1.jsonl", in: dir)
        let r = try CLI.run(["ingest", "n1.jsonl", "--log-format", "json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try r.stderr.split(separator: "\n").map { try XCTUnwrap(CLI.json(String($0)) as? [String: Any]) }
        let warning = try XCTUnwrap(lines.first { $0["level"] as? String == "warning" })
        XCTAssertEqual(warning["line"] as? Int, 7)
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["new"] as? Int, 7)
        XCTAssertEqual(summary["warnings"] as? Int, 1)
        XCTAssertTrue(lines.contains { $0["seconds"] is Double })
    }

    func testAModelWithNegativeCountsIsRefused() throws {
        let dir = CLI.temporaryDirectory()
        let header = #"{"analyzer":{"defaultLanguage":"en","minTokenLength":2},"documents":-5,"format":"storyline-vectorizer","terms":1,"version":1}"#
        try Data((header + "\nflood\t1\t1\n").utf8).write(to: dir.appendingPathComponent("m.tsv"))
        let r = try CLI.run(["model", "import", "m.tsv"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("m.tsv:1: the header's documents (-5)"), r.stderr)
    }

    func testReportHelpHasNoStrayBackslashes() throws {
        let r = try CLI.run(["report", "--help"], in: CLI.temporaryDirectory())
        XCTAssertEqual(r.status, 0)
        XCTAssertFalse(r.stdout.contains("\\"), r.stdout)
    }
}

final class CheckCLITests: XCTestCase {
    func testCheckFindsWhatIsWrong() throws {
        let dir = CLI.temporaryDirectory()
        try CLI.generate(articles: 300, seed: 4, into: dir.appendingPathComponent("d.jsonl"))
        XCTAssertEqual(try CLI.run(["run", "d.jsonl"], in: dir).status, 0)
        let ok = try CLI.run(["check", "--json"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stdout)
        XCTAssertEqual((try CLI.json(ok.stdout) as? [String: Any])?["ok"] as? Bool, true)
        // Break the store behind Storyline's back.
        let corrupt = """
            import sqlite3
            c = sqlite3.connect("storyline.sqlite")
            big = c.execute("SELECT id FROM stories WHERE size > 1 ORDER BY id LIMIT 1").fetchone()[0]
            c.execute("UPDATE stories SET size = size + 1 WHERE id = ?", (big,))
            c.execute("UPDATE article_state SET story_id = 99999 WHERE seq = (SELECT MIN(seq) FROM article_state)")
            c.execute("UPDATE terms SET df = df + 1 WHERE id = 0")
            c.execute("UPDATE articles SET date_source = NULL WHERE seq = (SELECT MIN(seq) FROM articles WHERE published IS NOT NULL)")
            c.commit()
            print(big)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", corrupt]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let big = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let bad = try CLI.runBinary(["check"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("is in story 99999, which does not exist"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("story \(big) has size"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("(id 0) has df"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("has a date but no date source"), bad.stdout)
    }
}
