import Foundation
import XCTest
import StorylineTestSupport

final class ReportCLITests: XCTestCase {
    /// On BASIL: every word or phrase shown has z >= 1.96 and a stability; omissions are listed
    /// for at least 80% of the three-outlet stories; the chance rate is measured; the contract's
    /// keys. Prints the figures the issue asks for (pairs and stories with a unit, stability).
    func testBasilReport() throws {
        let path = try CLI.dataset("basil.jsonl")
        let dir = CLI.temporaryDirectory()
        XCTAssertEqual(try CLI.run(["run", path, "-q"], in: dir).status, 0)
        let r = try CLI.run(["report", "--out", "out", "--format", "json,csv,md", "--bootstrap", "100"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(CLI.json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8)) as? [String: Any])
        let stories = try XCTUnwrap(report["stories"] as? [[String: Any]])
        let three = stories.filter { ($0["outlets"] as! [[String: Any]]).count == 3 }
        let pairs = three.flatMap { $0["outlets"] as! [[String: Any]] }
        let terms = pairs.flatMap { $0["distinctive_terms"] as! [[String: Any]] }
        let withTerms = three.filter { ($0["outlets"] as! [[String: Any]]).allSatisfy { !($0["distinctive_terms"] as! [Any]).isEmpty } }
        let withOmissions = three.filter { ($0["outlets"] as! [[String: Any]]).contains { !($0["omitted"] as! [Any]).isEmpty } }
        let framing = try XCTUnwrap(report["framing"] as? [String: Any])
        print("basil report: \(stories.count) stories, \(three.count) with all three outlets; "
              + "\(pairs.filter { !($0["distinctive_terms"] as! [Any]).isEmpty }.count) of \(pairs.count) story-outlet pairs with a unit at z >= 1.96, "
              + "\(withTerms.count) stories with one for every outlet; \(terms.count) units shown, stable share \(framing["stable_share"] ?? "-"), "
              + "chance rate \(framing["null_rate"] ?? "-"); omissions in \(withOmissions.count) stories")
        let loaded = pairs.compactMap { $0["loaded_language"] as? [String: Any] }
        print("basil loaded language: \(loaded.count) of \(pairs.count) pairs with a share, \(loaded.filter { ($0["p"] as! Double) < 0.05 }.count) with p < 0.05, "
              + "\(loaded.filter { ($0["q"] as! Double) < 0.05 }.count) with q < 0.05")
        XCTAssertEqual(loaded.count, pairs.count, "English stories of three outlets: every outlet has a share")
        XCTAssertTrue(loaded.allSatisfy { ($0["q"] as! Double) >= ($0["p"] as! Double) })
        XCTAssertGreaterThanOrEqual(three.count, 80)
        XCTAssertFalse(terms.isEmpty)
        for t in terms {
            XCTAssertGreaterThanOrEqual(t["z"] as! Double, 1.96, "\(t)")
            XCTAssertNotNil(t["stability"] as? Double, "\(t)")
            XCTAssertTrue(["term", "phrase", "name", "number"].contains(t["kind"] as! String))
        }
        for s in stories {
            let bar = try XCTUnwrap(s["bar"] as? Double)
            XCTAssertGreaterThanOrEqual(bar, 1.96)
            for o in s["outlets"] as! [[String: Any]] {
                for t in o["distinctive_terms"] as! [[String: Any]] { XCTAssertGreaterThanOrEqual(t["z"] as! Double, bar - 0.0005, "the story's bar") }
            }
        }
        XCTAssertGreaterThanOrEqual(Double(withOmissions.count), 0.8 * Double(three.count))
        XCTAssertLessThan(try XCTUnwrap(framing["null_rate"] as? Double), 0.025, "the bar passes less than its nominal rate by chance")
        XCTAssertEqual(framing["shown"] as? Int, stories.flatMap { $0["outlets"] as! [[String: Any]] }.map { ($0["distinctive_terms"] as! [Any]).count }.reduce(0, +))
        XCTAssertTrue(stories.allSatisfy { $0["first_reported_by"] is String })
        // The contract's keys.
        for s in stories {
            XCTAssertTrue(Set(s.keys).isSuperset(of: ["id", "title", "first_reported_by", "outlets", "coverage"]))
            for o in s["outlets"] as! [[String: Any]] {
                XCTAssertTrue(Set(o.keys).isSuperset(of: ["outlet", "articles", "first_published", "headline", "distinctive_terms", "similarity_to_story",
                                                          "candidates_tested", "omitted", "first_quoted", "others_quote"]))
            }
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("out/story_outlets.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("story_id,outlet,group,articles,first_published,headline,similarity_to_story,distinctive_terms,quoted,candidates_tested,omitted,first_quoted,others_quote,loaded_share,loaded_rest_share,loaded_p,loaded_q\r\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/index.html").path), "only the formats asked for")
    }

    /// A hostile title is escaped everywhere; the pages load nothing from anywhere.
    /// A shooting and, three weeks later, the charges: two stories (their words and days differ),
    /// one storyline (their names are the same); a budget vote in between is neither. The report's
    /// storyline page shows the steps in time order and which outlet dropped the matter.
    func testStorylinePageShowsWhoFollowedTheMatterUp() throws {
        let dir = CLI.temporaryDirectory()
        func record(_ id: String, _ outlet: String, _ day: String, _ title: String, _ text: String) -> String {
            let r: [String: Any] = ["id": id, "outlet": outlet, "published": "2024-03-\(day)T10:00:00Z", "title": title, "text": text]
            return String(decoding: try! JSONSerialization.data(withJSONObject: r), as: UTF8.self)
        }
        let shooting = "A gunman opened fire at the Riverside Galleria on Friday, wounding four shoppers. Police named the suspect as Marcus Tellefsen, 34, of Dunmore. Officer Daniel Okafor said Tellefsen fled toward Halvorsen Park before he was arrested. Mayor Ingrid Castellano visited the wounded at Saint Brigid Hospital."
        let charges = "Prosecutors charged Marcus Tellefsen with four counts of attempted murder over the attack at the Riverside Galleria. Judge Amelia Brandvold denied bail. Officer Daniel Okafor testified that Tellefsen was arrested near Halvorsen Park. Mayor Ingrid Castellano said Dunmore was relieved."
        let budget = "The council approved the new budget on Tuesday after a long debate. Councillor Rupert Whitcombe said the plan funds schools in Ashgrove and Pembury. Treasurer Olufemi Adeyemi called the vote historic."
        let dump = [
            record("s1", "Wire", "01", "Gunman opens fire at mall, four wounded", shooting),
            record("s2", "Daily", "01", "Four shoppers wounded in mall shooting", shooting.replacingOccurrences(of: "on Friday", with: "on Friday night")),
            record("s3", "Post", "02", "Mall shooting suspect arrested", shooting.replacingOccurrences(of: "four shoppers", with: "four people")),
            record("b1", "Wire", "08", "Council approves new budget", budget),
            record("b2", "Daily", "08", "Budget passes council vote", budget.replacingOccurrences(of: "long debate", with: "heated debate")),
            record("c1", "Wire", "22", "Suspect charged with attempted murder", charges),
            record("c2", "Post", "23", "Bail denied for accused gunman", charges.replacingOccurrences(of: "denied bail", with: "refused bail")),
        ].joined(separator: "\n") + "\n"
        try Data(dump.utf8).write(to: dir.appendingPathComponent("d.jsonl"))
        XCTAssertEqual(try CLI.run(["run", "-q", "d.jsonl"], in: dir).status, 0)
        let r = try CLI.run(["report", "--out", "out"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(CLI.json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8)) as? [String: Any])
        XCTAssertEqual((report["stories"] as! [Any]).count, 3)
        let lines = try XCTUnwrap(report["storylines"] as? [[String: Any]])
        XCTAssertEqual(lines.count, 1, "the shooting and the charges, not the budget")
        let steps = try XCTUnwrap(lines.first?["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["article_count"] as! Int }, [3, 2], "the shooting first")
        let follows = Dictionary(uniqueKeysWithValues: (lines[0]["outlets"] as! [[String: Any]]).map { ($0["outlet"] as! String, $0) })
        XCTAssertEqual(follows["Daily"]?["dropped_after"] as? Int, 1, "Daily covered the shooting, not the charges")
        XCTAssertEqual(follows["Daily"]?["followed_up"] as? Bool, false)
        XCTAssertNil(follows["Wire"]?["dropped_after"], "Wire followed to the last step")
        XCTAssertEqual(follows["Post"]?["steps"] as? [Int], [1, 2])
        let page = try String(contentsOf: dir.appendingPathComponent("out/storylines.html"), encoding: .utf8)
        for step in steps { XCTAssertTrue(page.contains("href=\"stories/\(step["story"] as! Int).html\""), page) }
        XCTAssertTrue(page.contains("<td>step 1</td>") && page.contains("followed to the last step"), page)
        // The timeline: a dot per step an outlet covered (Wire 2, Daily 1, Post 2), no remote loads.
        XCTAssertEqual(page.components(separatedBy: "<circle").count - 1, 5, page)
        XCTAssertFalse(page.contains("src=\"http") || page.contains("href=\"http"))
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("out/index.html"), encoding: .utf8).contains("href=\"storylines.html\""))
        let csv = try String(contentsOf: dir.appendingPathComponent("out/storyline_outlets.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains(",Daily,,1,1,false\r\n"), csv)
        let md = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Storylines"), md)
        // The listing agrees.
        let listed = try XCTUnwrap(CLI.json(CLI.run(["storylines", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(listed.map { ($0["stories"] as! [Any]).count }, [2])
        XCTAssertEqual(listed.first?["outlets"] as? [String], ["Wire", "Daily", "Post"])
    }

    func testHTMLIsEscapedAndSelfContained() throws {
        let dir = try reportWithHostileTitle()
        let pages = try FileManager.default.subpathsOfDirectory(atPath: dir.appendingPathComponent("out").path).filter { $0.hasSuffix(".html") }
        XCTAssertGreaterThanOrEqual(pages.count, 2)
        for page in pages {
            var html = try String(contentsOf: dir.appendingPathComponent("out/\(page)"), encoding: .utf8)
            if page == "index.html" {
                // The index's own two scripts: its rows beside it, and the filters inline.
                XCTAssertEqual(html.components(separatedBy: "<script").count, 3, "index: its two scripts, no other")
                let start = try XCTUnwrap(html.range(of: "<script src=\"stories.js\"></script><script>(function(){"))
                let end = try XCTUnwrap(html.range(of: "</script></body>", range: start.upperBound..<html.endIndex))
                html.removeSubrange(start.lowerBound..<end.upperBound)
            }
            XCTAssertFalse(html.contains("<script"), "\(page): unescaped script")
            XCTAssertFalse(html.contains("<img"), page)
            XCTAssertFalse(html.contains("@import") || html.contains("url("), page)
            XCTAssertFalse(html.range(of: #"(src|href)="(https?:)?//"#, options: .regularExpression) != nil, "\(page): remote resource")
        }
        let index = try String(contentsOf: dir.appendingPathComponent("out/index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let rows = try String(contentsOf: dir.appendingPathComponent("out/stories.js"), encoding: .utf8)
        XCTAssertFalse(rows.contains("<"), "no text in the rows can close a script")
        XCTAssertTrue(rows.contains("\\u003cscript\\u003ealert(1)"))
        let md = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertFalse(md.contains("<script"))
    }

    func reportWithHostileTitle() throws -> URL {
        let dir = CLI.temporaryDirectory()
        let text = "Flood waters rose across the valley town on Sunday as the river burst its banks after record rain."
        let lines = [
            #"{"id":"x1","outlet":"<b>Evil</b> Times","title":"<script>alert(1)</script> Flood hits valley town","text":"\#(text)","published":"2024-04-07T10:00:00Z"}"#,
            #"{"id":"x2","outlet":"Plain News","title":"Valley town flooded as river bursts banks","text":"\#(text) \"It's bad,\" said Mayor O'Neil.","published":"2024-04-07T12:00:00Z"}"#,
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("d.jsonl"))
        let r = try CLI.run(["run", "d.jsonl", "--report", "out", "-q"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir
    }

    /// Pages rendered in a real browser (Debian's chromium, headless): the DOM has the sections,
    /// the script in the title is text, and a phone-sized screenshot is drawn.
    func testPagesRenderInChromium() throws {
        _ = try TestChromium.path()
        let dir = try reportWithHostileTitle()
        func chrome(_ args: [String]) throws -> String { try TestChromium.run(args, in: dir) }
        let index = dir.appendingPathComponent("out/index.html")
        let dom = try chrome(["--dump-dom", index.absoluteString])
        for id in ["stories", "outlets", "blindspots"] { XCTAssertTrue(dom.contains("id=\"\(id)\""), "index section \(id)") }
        XCTAssertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the title stays text in the DOM")
        XCTAssertFalse(dom.contains("<script>alert(1)"))
        let storyPage = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out/stories").path).first)
        let story = dir.appendingPathComponent("out/stories/\(storyPage)")
        let storyDOM = try chrome(["--dump-dom", story.absoluteString])
        for id in ["headlines", "timeline", "coverage", "framing"] { XCTAssertTrue(storyDOM.contains("id=\"\(id)\""), "story section \(id)") }
        XCTAssertTrue(storyDOM.contains("<svg"), "the timeline is drawn")
        let shot = dir.appendingPathComponent("phone.png")
        _ = try chrome(["--window-size=390,844", "--screenshot=\(shot.path)", story.absoluteString])
        let png = try Data(contentsOf: shot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG screenshot")
        XCTAssertGreaterThan(png.count, 10_000, "the page drew something")
    }

    func testBadOptionsAndMissingStory() throws {
        let dir = try reportWithHostileTitle()
        XCTAssertEqual(try CLI.run(["report", "--out", "o2", "--format", "pdf"], in: dir).status, 64)
        let missing = try CLI.run(["report", "--out", "o2", "--story", "999"], in: dir)
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.contains("no story 999"), missing.stderr)
        try Data("name\nx\n".utf8).write(to: dir.appendingPathComponent("bad.csv"))
        let badGroups = try CLI.run(["report", "--out", "o2", "--outlets", "bad.csv"], in: dir)
        XCTAssertEqual(badGroups.status, 1)
        XCTAssertTrue(badGroups.stderr.contains("bad.csv:1:"), badGroups.stderr)
    }

    /// A report replaces its folder whole: a page of a story gone is gone, a folder with other
    /// files is refused before any work, a link to the folder stays a link, and what a killed run
    /// of this machine left beside it is cleared (another machine's is not).
    func testAReportReplacesItsFolderWhole() throws {
        let dir = try reportWithHostileTitle()
        let fm = FileManager.default
        let out = dir.appendingPathComponent("out")
        try Data("old".utf8).write(to: out.appendingPathComponent("stories/9999.html"))
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let host = String(cString: name).filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
        // Left by a killed run (a process id that cannot be alive), by a live one (pid 1), by another machine.
        for leftover in [".out.new-\(host)-2147483646", ".out.old-\(host)-1", ".out.new-elsewhere-2147483646"] {
            try fm.createDirectory(at: dir.appendingPathComponent(leftover), withIntermediateDirectories: true)
        }
        let again = try CLI.run(["report", "--out", "out", "-q"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("stories/9999.html").path), "a stale page stays behind")
        XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent("index.html").path))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".out.") }.sorted(),
                       [".out.new-elsewhere-2147483646", ".out.old-\(host)-1"], "only this machine's dead runs' folders go")
        // A link to the report folder stays a link; the folder it names gets the report.
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("latest").path, withDestinationPath: "out")
        try Data("old".utf8).write(to: out.appendingPathComponent("stories/9998.html"))
        XCTAssertEqual(try CLI.run(["report", "--out", "latest", "-q"], in: dir).status, 0)
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("latest").path), "out")
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("stories/9998.html").path))
        // A folder with the user's own files (at the top or among the pages), the current folder,
        // a file: refused, nothing touched; `run --report` refuses before the night's work.
        try Data("mine".utf8).write(to: out.appendingPathComponent("stories/notes.txt"))
        let inPages = try CLI.run(["report", "--out", "out"], in: dir)
        XCTAssertEqual(inPages.status, 64, inPages.stderr)
        XCTAssertTrue(inPages.stderr.contains("holds files that are not a report's (stories/notes.txt)"), inPages.stderr)
        try fm.removeItem(at: out.appendingPathComponent("stories/notes.txt"))
        try Data("mine".utf8).write(to: out.appendingPathComponent("notes.txt"))
        let refused = try CLI.run(["report", "--out", "out"], in: dir)
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("out: holds files that are not a report's (notes.txt)"), refused.stderr)
        XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
        XCTAssertEqual(try CLI.run(["report", "--db", "../storyline.sqlite", "--out", "."], in: out).status, 64)
        XCTAssertEqual(try CLI.run(["report", "--out", "d.jsonl"], in: dir).status, 64)
        let runs = try CLI.run(["runs", "--json"], in: dir).stdout
        let night = try CLI.run(["run", "d.jsonl", "--report", "out"], in: dir)
        XCTAssertEqual(night.status, 64, night.stderr)
        XCTAssertEqual(try CLI.run(["runs", "--json"], in: dir).stdout, runs, "no run began")
    }
}
