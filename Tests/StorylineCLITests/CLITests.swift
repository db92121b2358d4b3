import Foundation
import XCTest

final class HelpTests: XCTestCase {
    func testHelpTeaches() throws {
        let dir = CLI.temporaryDirectory()
        let top = try CLI.run(["--help"], in: dir)
        XCTAssertEqual(top.status, 0)
        for word in ["ingest", "cluster", "run", "stories", "eval", "Exit codes", "HTML", "WARC", "zstd", "PostgreSQL"] { XCTAssertTrue(top.stdout.contains(word), word) }
        let ingest = try CLI.run(["ingest", "--help"], in: dir)
        XCTAssertTrue(ingest.stdout.contains("FILE:LINE"))
        XCTAssertTrue(ingest.stdout.contains("--strict"))
    }

    func testUsageErrorsExit64() throws {
        let dir = CLI.temporaryDirectory()
        XCTAssertEqual(try CLI.run(["stories", "--since", "someday"], in: dir).status, 64)
        XCTAssertEqual(try CLI.run(["ingest"], in: dir).status, 64)
        XCTAssertEqual(try CLI.run(["ingest", "--format", "xml", "x"], in: dir).status, 64)
        XCTAssertEqual(try CLI.run(["frobnicate"], in: dir).status, 64)
        // A negative count reaches the check that explains it (not "Missing value"); a wait that is no number is refused.
        for command in [["stories", "--min-articles", "-3"], ["report", "--out", "o", "--min-articles", "-3"]] {
            let r = try CLI.run(command, in: dir)
            XCTAssertEqual(r.status, 64, "\(command)")
            XCTAssertTrue(r.stderr.contains("--min-articles must be at least 1"), r.stderr)
        }
        for wait in ["nan", "-1", "inf"] {
            let r = try CLI.run(["stories", "--wait", wait], in: dir)
            XCTAssertEqual(r.status, 64, wait)
            XCTAssertTrue(r.stderr.contains("--wait must be a number of seconds"), r.stderr)
        }
    }
}

final class IngestCLITests: XCTestCase {
    let broken = """
        {"id":"a1","outlet":"Wire","title":"Dam bursts after storm","text":"A dam burst after the storm flooded three villages.","published":"2024-05-01T10:00:00Z"}

        {"id":"a2", oops
        {"id":"a3","outlet":"Daily","title":"","text":""}
        {"id":"a4","outlet":"Daily","title":"Villages flooded as dam bursts","text":"Three villages were flooded when the dam burst.","published":"2024-05-01T16:00:00Z"}
        """

    func testBadRecordsAreNamedAndValidOnesKept() throws {
        let dir = CLI.temporaryDirectory()
        try Data(broken.utf8).write(to: dir.appendingPathComponent("night.jsonl"))
        let r = try CLI.run(["ingest", "night.jsonl"], in: dir)
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("night.jsonl:3: malformed JSON"), r.stderr)
        XCTAssertTrue(r.stderr.contains("night.jsonl:4: no text and no title"), r.stderr)
        XCTAssertEqual(try CLI.run(["cluster"], in: dir).status, 0)
        let stories = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(stories.count, 1, "the two dam articles are one story")
        XCTAssertEqual(Set(stories[0]["articles"] as! [String]), ["a1", "a4"])
        XCTAssertEqual(stories[0]["first_published"] as? String, "2024-05-01T10:00:00Z")
    }

    func testReadPrintsWhatIngestWouldStoreAndStoresNothing() throws {
        let dir = CLI.temporaryDirectory()
        try Data(broken.utf8).write(to: dir.appendingPathComponent("night.jsonl"))
        let page = """
            <html><head><meta property="og:title" content="Bridge closes for repairs | Example News">
            <meta property="og:site_name" content="Example News">
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-05-02T08:00:00Z","author":{"name":"Jane Doe"}}</script></head>
            <body><article class="teaser"><a href="/other">Another story</a></article>
            <div class="story"><p>The council closed the old bridge on Tuesday, citing rust in its beams, and a ferry will run instead.</p>
            <p>Repairs will take two years, engineers said, and the state will pay for the ferry in the meantime.</p></div>
            <div class="share"><a href="#">Share</a></div></body></html>
            """
        try Data(page.utf8).write(to: dir.appendingPathComponent("bridge.html"))
        let r = try CLI.run(["read", "night.jsonl", "bridge.html"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("night.jsonl:3: malformed JSON"), r.stderr)
        let rows = r.stdout.split(separator: "\n").map { try! XCTUnwrap(CLI.json(String($0)) as? [String: Any]) }
        XCTAssertEqual(rows.map { $0["id"] as? String }, ["a1", "a4", "bridge.html"])
        XCTAssertEqual(rows[0]["source"] as? String, "night.jsonl:1")
        XCTAssertEqual(rows[0]["date_source"] as? String, "given")
        XCTAssertEqual(rows[2]["title"] as? String, "Bridge closes for repairs")
        XCTAssertEqual(rows[2]["outlet"] as? String, "Example News")
        XCTAssertEqual(rows[2]["published"] as? String, "2024-05-02T08:00:00Z")
        XCTAssertEqual(rows[2]["date_source"] as? String, "json-ld")
        XCTAssertEqual((rows[2]["extra"] as? [String: Any])?["author"] as? String, "Jane Doe")
        XCTAssertTrue(rows[0]["extra"] is NSNull)
        XCTAssertEqual(rows[2]["text"] as? String, """
            The council closed the old bridge on Tuesday, citing rust in its beams, and a ferry will run instead.

            Repairs will take two years, engineers said, and the state will pay for the ferry in the meantime.
            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("storyline.sqlite").path), "read stores nothing")
        XCTAssertEqual(try CLI.run(["read", "--strict", "night.jsonl"], in: dir).status, 65)
        XCTAssertEqual(try CLI.run(["read", "missing.jsonl"], in: dir).status, 1)
    }

    func testCrawlerFilesAndJSONDocuments() throws {
        let dir = CLI.temporaryDirectory()
        let crawl = dir.appendingPathComponent("crawl/example.org")
        try FileManager.default.createDirectory(at: crawl, withIntermediateDirectories: true)
        // news-please writes one pretty-printed object per article.
        func newsPlease(_ title: String, _ text: String, domain: String?) throws -> Data {
            var record: [String: Any] = ["authors": ["Jane Doe"], "date_download": "2017-02-10 09:12:44", "date_modify": NSNull(),
                                         "date_publish": "2017-02-09 14:09:09", "description": text, "language": "en",
                                         "maintext": text, "title": title, "title_page": NSNull(), "url": "https://example.org/\(title.count)"]
            if let domain { record["source_domain"] = domain }
            return try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys])
        }
        try newsPlease("Dam bursts after storm", "A dam burst after the storm flooded three villages.", domain: "wire.example")
            .write(to: crawl.appendingPathComponent("a1.json"))
        try newsPlease("Villages flooded as dam bursts", "Three villages were flooded when the dam burst after the storm.", domain: nil)
            .write(to: crawl.appendingPathComponent("a2.json"))
        try Data("""
            [{"headline": "Storm bursts dam, floods villages", "articleBody": "The storm burst the dam and flooded three villages.", "sitename": "Daily", "date_published": "2017-02-09T18:00:00Z"},
             {"headline": "", "articleBody": ""},
             7]
            """.utf8).write(to: dir.appendingPathComponent("export.json"))
        let r = try CLI.run(["run", "crawl", "export.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("export.json:1: element 2: no text and no title"), r.stderr)
        XCTAssertTrue(r.stderr.contains("export.json:1: element 3: not an object"), r.stderr)
        let stories = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(stories.count, 1, "\(stories)")
        XCTAssertEqual(Set(stories[0]["outlets"] as! [String]), ["wire.example", "example.org", "Daily"], "the folder names the outlet a file does not")
        XCTAssertEqual(stories[0]["first_published"] as? String, "2017-02-09T14:09:09Z")
        XCTAssertEqual((stories[0]["articles"] as! [String]).count, 3)
    }

    func testStrictStoresNothingFromABadFileAndExits65() throws {
        let dir = CLI.temporaryDirectory()
        try Data(broken.utf8).write(to: dir.appendingPathComponent("night.jsonl"))
        let r = try CLI.run(["ingest", "--strict", "--db", "s.sqlite", "night.jsonl"], in: dir)
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("night.jsonl:3: malformed JSON"), r.stderr)
        _ = try CLI.run(["cluster", "--db", "s.sqlite"], in: dir)
        XCTAssertEqual(try CLI.run(["stories", "--db", "s.sqlite"], in: dir).stdout, "")
    }

    func testMissingFileFailsButOthersAreStored() throws {
        let dir = CLI.temporaryDirectory()
        try Data(broken.utf8).write(to: dir.appendingPathComponent("night.jsonl"))
        let r = try CLI.run(["run", "missing.jsonl", "night.jsonl"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("missing.jsonl: no such file or folder"), r.stderr)
        let stories = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(stories.flatMap { $0["articles"] as! [String] }.count, 2)
    }

    func testCSVAndTextFolders() throws {
        let dir = CLI.temporaryDirectory()
        let csv = "id,source,headline,body,date\n" +
            "c1,AP,\"Wildfire forces evacuations, officials say\",\"Crews fought the wildfire overnight.\nThousands evacuated.\",2024-07-01\n" +
            "c2,BBC,Wildfire evacuations grow,\"Thousands more evacuated as the wildfire spread, officials said.\",2024-07-02\n"
        try Data(csv.utf8).write(to: dir.appendingPathComponent("feed.csv"))
        let folder = dir.appendingPathComponent("pages/Reuters")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("World\nWildfire evacuations ordered as blaze spreads\nRelated Stories\nOfficials ordered thousands evacuated as the wildfire spread.".utf8)
            .write(to: folder.appendingPathComponent("fire.txt"))
        // An XHTML page is a page too.
        try Data("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Wildfire crews gain ground</title></head><body><article><h1>Wildfire crews gain ground</h1><p>Crews gained ground on the wildfire overnight as winds eased, officials said, and some evacuations were lifted.</p><p>Thousands had been evacuated as the wildfire spread.</p></article></body></html>".utf8)
            .write(to: folder.appendingPathComponent("update.xhtml"))
        let r = try CLI.run(["run", "feed.csv", "pages"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let stories = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json"], in: dir).stdout) as? [[String: Any]])
        let all = stories.flatMap { $0["articles"] as! [String] }
        XCTAssertEqual(Set(all), ["c1", "c2", "Reuters/fire.txt", "Reuters/update.xhtml"])
        let outlets = Set(stories.flatMap { $0["outlets"] as! [String] })
        XCTAssertEqual(outlets, ["AP", "BBC", "Reuters"])
    }
}

final class RunCLITests: XCTestCase {
    func testRunTwiceChangesNothingAndEveryArticleIsInOneStory() throws {
        let dir = CLI.temporaryDirectory()
        try CLI.generate(articles: 600, seed: 3, into: dir.appendingPathComponent("dump.jsonl"))
        XCTAssertEqual(try CLI.run(["run", "dump.jsonl"], in: dir).status, 0)
        let first = try CLI.run(["stories", "--json"], in: dir).stdout
        let second = try CLI.run(["run", "dump.jsonl"], in: dir)
        XCTAssertEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("0 new, 600 duplicate"), second.stderr)
        XCTAssertEqual(try CLI.run(["stories", "--json"], in: dir).stdout, first)
        let stories = try XCTUnwrap(CLI.json(first) as? [[String: Any]])
        let ids = stories.flatMap { $0["articles"] as! [String] }
        XCTAssertEqual(ids.count, 600)
        XCTAssertEqual(Set(ids).count, 600, "every article in exactly one story")
        for s in stories {
            XCTAssertEqual(Set(s.keys), ["id", "title", "articles", "outlets", "first_published", "last_published", "closed", "merged_into", "storyline",
                                         "inferred_dates", "undated"])
        }
        // Filters.
        let big = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json", "--min-articles", "3"], in: dir).stdout) as? [[String: Any]])
        XCTAssertTrue(big.allSatisfy { ($0["articles"] as! [String]).count >= 3 })
        XCTAssertLessThan(big.count, stories.count)
    }

    func testBrokenProfileIsAClearError() throws {
        let dir = CLI.temporaryDirectory()
        try Data(#"{"version": 1, "colour": "red"}"#.utf8).write(to: dir.appendingPathComponent("p.json"))
        try Data(#"{"title":"x","text":"y"}"#.utf8).write(to: dir.appendingPathComponent("d.jsonl"))
        let r = try CLI.run(["run", "--profile", "p.json", "d.jsonl"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("p.json: unknown key \"colour\""), r.stderr)
    }
}

final class EvalCLITests: XCTestCase {
    static let keys: Set<String> = ["articles", "gold_stories", "found_stories", "b3_precision", "b3_recall", "b3_f1",
                                    "pair_precision", "pair_recall", "pair_f1", "ari", "ami", "storylines", "timings", "peak_rss_mb"]

    func testEvalJSONHasTheContractKeys() throws {
        let dir = CLI.temporaryDirectory()
        try CLI.generate(articles: 400, seed: 5, into: dir.appendingPathComponent("gold.jsonl"), words: 620)
        let r = try CLI.run(["eval", "gold.jsonl", "--json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let e = try XCTUnwrap(CLI.json(r.stdout) as? [String: Any])
        XCTAssertEqual(Set(e.keys), Self.keys)
        XCTAssertEqual(Set((e["timings"] as! [String: Any]).keys), ["ingest", "vectorize", "similarity", "cluster", "total"])
        XCTAssertEqual(Set((e["storylines"] as! [String: Any]).keys), ["found", "b3_precision", "b3_recall", "b3_f1", "pair_f1"])
        XCTAssertEqual(e["articles"] as? Int, 400)
        XCTAssertGreaterThan(e["peak_rss_mb"] as! Double, 0)
        // This seed's 400 articles over 620 words score 0.855 (many stories share words); 0.01 under it.
        XCTAssertGreaterThan(e["b3_f1"] as! Double, 0.845, "gen-corpus --articles 400 --seed 5 --words 620")
    }

    /// The quality targets (issues 2 and 5) on the shared labeled data, default profile.
    func testSharedDatasetsMeetQualityTargets() throws {
        // Floors 0.01 under the README's figures (allsides-dev 0.894 / 0.793, basil 0.984 / 0.975).
        let targets: [(String, Double, Double)] = [("allsides-dev.jsonl", 0.884, 0.783), ("basil.jsonl", 0.974, 0.965)]
        for (name, b3, pair) in targets {
            let path = try CLI.dataset(name)
            let r = try CLI.run(["eval", path, "--json"], in: CLI.temporaryDirectory())
            XCTAssertEqual(r.status, 0, r.stderr)
            let e = try XCTUnwrap(CLI.json(r.stdout) as? [String: Any])
            let f1 = e["b3_f1"] as! Double, pf1 = e["pair_f1"] as! Double
            print("eval \(name): B-cubed F1 \(f1), pairwise F1 \(pf1)")
            XCTAssertGreaterThanOrEqual(f1, b3, "\(name) B-cubed F1")
            XCTAssertGreaterThanOrEqual(pf1, pair, "\(name) pairwise F1")
        }
        // Look-alike events kept apart (the twin events of ECB+): precision 0.938, F1 0.793.
        let r = try CLI.run(["eval", try CLI.dataset("ecbplus-dev.jsonl"), "--json"], in: CLI.temporaryDirectory())
        let e = try XCTUnwrap(CLI.json(r.stdout) as? [String: Any], r.stderr)
        XCTAssertGreaterThanOrEqual(e["b3_precision"] as! Double, 0.928, "ecbplus-dev B-cubed precision")
        XCTAssertGreaterThanOrEqual(e["b3_f1"] as! Double, 0.783, "ecbplus-dev B-cubed F1")
        // ECB+'s gold follows each event to its charges, trials and obituaries: the storyline level
        // scores 0.922 there (floor 0.01 under it); on basil (one event a story) it joins little.
        let lines = try XCTUnwrap(e["storylines"] as? [String: Any])
        print("eval ecbplus-dev storylines: \(lines)")
        XCTAssertGreaterThanOrEqual(lines["b3_f1"] as! Double, 0.912, "ecbplus-dev storylines B-cubed F1")
        XCTAssertGreaterThan(lines["pair_f1"] as! Double, 0.85)
        let basil = try XCTUnwrap(CLI.json(CLI.run(["eval", try CLI.dataset("basil.jsonl"), "--json"], in: CLI.temporaryDirectory()).stdout) as? [String: Any])
        XCTAssertGreaterThanOrEqual((basil["storylines"] as! [String: Any])["b3_f1"] as! Double, 0.973, "basil storylines B-cubed F1")
    }
}

final class QualityCLITests: XCTestCase {
    /// B-cubed F1 of `storyline eval` on a shared dataset with each record changed by `change`.
    func variantF1(_ name: String, in dir: URL, _ change: (inout [String: Any]) -> Void) throws -> Double {
        var out = ""
        for line in try String(contentsOfFile: try CLI.dataset(name), encoding: .utf8).split(separator: "\n") {
            var record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            change(&record)
            out += String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self) + "\n"
        }
        try Data(out.utf8).write(to: dir.appendingPathComponent(name))
        let r = try CLI.run(["eval", name, "--json"], in: dir)
        return try XCTUnwrap((CLI.json(r.stdout) as? [String: Any])?["b3_f1"] as? Double)
    }

    /// Titles only (text removed): the length-adapted threshold keeps quality close to full text.
    func testHeadlinesOnlyKeepQuality() throws {
        let dir = CLI.temporaryDirectory()
        // 0.01 under the README's figures (0.855, 0.980).
        for (name, floor) in [("allsides-dev.jsonl", 0.845), ("basil.jsonl", 0.97)] {
            let f1 = try variantF1(name, in: dir) { $0["text"] = "" }
            print("eval \(name) titles only: B-cubed F1 \(f1)")
            XCTAssertGreaterThanOrEqual(f1, floor, name)
        }
    }

    /// Every `published` removed: the dates found in URLs, and the undated factor, keep the
    /// look-alike events of basil (2010-2019) apart. Before both: allsides-dev 0.717, basil 0.878.
    func testUndatedDumpsKeepQuality() throws {
        let dir = CLI.temporaryDirectory()
        // 0.01 under the README's figures (0.834, 0.989; without URLs 0.794, 0.936).
        for (name, floor) in [("allsides-dev.jsonl", 0.824), ("basil.jsonl", 0.979)] {
            let f1 = try variantF1(name, in: dir) { $0["published"] = nil }
            print("eval \(name) undated: B-cubed F1 \(f1)")
            XCTAssertGreaterThanOrEqual(f1, floor, name)
        }
        // No URL either: words alone (the undated factor) keep basil's events of one kind apart
        // (0.878 without the factor).
        for (name, floor) in [("allsides-dev.jsonl", 0.784), ("basil.jsonl", 0.926)] {
            let f1 = try variantF1(name, in: dir) { $0["published"] = nil; $0["url"] = nil }
            print("eval \(name) without dates and URLs: B-cubed F1 \(f1)")
            XCTAssertGreaterThanOrEqual(f1, floor, name)
        }
    }

    func testExplainListsMergesAndSplits() throws {
        let path = try CLI.dataset("allsides-dev.jsonl")
        let r = try CLI.run(["eval", path, "--explain", "2"], in: CLI.temporaryDirectory())
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("Worst merges"))
        XCTAssertTrue(r.stdout.contains("Worst splits"))
        XCTAssertTrue(r.stdout.contains("wrong pairs"))
    }
}
