import Foundation
import StorylineTestSupport
import XCTest

/// Web archives as crawlers write them: WARC files made by warcio (PyPI, the writer Common
/// Crawl's tools use) in the test, read by the real binary.
final class WARCCLITests: XCTestCase {
    /// The Python with warcio that tools/test installs (in .build/test-python).
    func python() throws -> String {
        let path = CLI.root.appendingPathComponent(".build/test-python/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestPaths.cannotRun("warcio is not installed in .build/test-python (tools/test installs it)")
        }
        return path
    }

    func runPython(_ script: String, in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try python())
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, message)
    }

    static let writer = #"""
    import gzip, io, sys
    from warcio.warcwriter import WARCWriter
    from warcio.statusandheaders import StatusAndHeaders

    prose = ("The council voted on Tuesday to close the old bridge, citing a report that found rust in every one of its beams. "
             "Engineers said the repairs would take two years, and that a ferry would run in the meantime, paid for by the state.")
    def page(title, date=None, charset="utf-8"):
        meta = '<meta property="article:published_time" content="%s">' % date if date else ""
        return ('<html><head><meta charset="%s"><title>%s</title>%s</head><body><nav><a href="/">Home</a></nav>'
                '<div class="story"><p>%s</p><p>%s</p></div><div class="share"><a href="#">Share</a></div></body></html>'
                % (charset, title, meta, prose, prose.replace("bridge", "crossing"))).encode(charset)

    def records(w):
        w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "warcio"}))
        def response(uri, body, headers, status="200 OK", date=None):
            w.write_record(w.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            warc_headers = None
            rec = w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http)
            if date:
                rec.rec_headers.replace_header("WARC-Date", date)
            w.write_record(rec)
        # A UTF-8 page with its own date; a gzip-encoded one dated by the capture only.
        response("https://www.wire.example/2024/bridge", page("Bridge to close | Wire", "2024-05-02T08:00:00Z"),
                 [("Content-Type", "text/html; charset=utf-8")])
        response("https://daily.example/bridge", gzip.compress(page("Bridge closes for two years")),
                 [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], date="2024-05-03T10:00:00Z")
        # Latin-1, declared only by the HTTP header (the page's meta says UTF-8, wrongly).
        body = page("Le pont ferm\u00e9", charset="latin-1").replace(b'charset="latin-1"', b'charset="utf-8"')
        response("https://herald.example/pont", body.replace(b"council", b"caf\xe9 council"),
                 [("Content-Type", "text/html; charset=ISO-8859-1")], date="2024-05-03T11:00:00Z")
        # Chunked transfer encoding, as captured.
        raw = page("Ferry to replace bridge")
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(raw[i:i + 100]), raw[i:i + 100]) for i in range(0, len(raw), 100)) + b"0\r\n\r\n"
        response("https://post.example/ferry", chunked, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
                 date="2024-05-03T12:00:00Z")
        # Not articles: an image, a redirect, an error page.
        response("https://wire.example/logo.png", b"\x89PNG\r\n\x1a\n....", [("Content-Type", "image/png")])
        response("https://wire.example/old", b"", [("Location", "https://wire.example/new")], status="301 Moved Permanently")
        response("https://wire.example/gone", b"<html>gone</html>", [("Content-Type", "text/html")], status="404 Not Found")
        w.write_record(w.create_warc_record("urn:x", "metadata", payload=io.BytesIO(b"fetchTimeMs: 12"),
                                            warc_content_type="application/warc-fields"))

    with open("crawl.warc.gz", "wb") as f:
        records(WARCWriter(f, gzip=True))
    with open("crawl.warc", "wb") as f:
        records(WARCWriter(f, gzip=False, warc_version="WARC/1.0"))
    data = open("crawl.warc", "rb").read()
    open("cut.warc", "wb").write(data[: data.index(b"https://post.example/ferry", data.index(b"WARC-Type: response", data.index(b"https://post.example/ferry"))) + 300])
    gz = open("crawl.warc.gz", "rb").read()
    open("cut.warc.gz", "wb").write(gz[: len(gz) * 2 // 3])
    """#

    func rows(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { try XCTUnwrap(CLI.json(String($0)) as? [String: Any]) }
    }

    func testResponsesBecomeArticlesAndTheRestIsCounted() throws {
        let dir = CLI.temporaryDirectory()
        try runPython(Self.writer, in: dir)
        for file in ["crawl.warc.gz", "crawl.warc"] {
            let r = try CLI.run(["read", file], in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            let articles = try rows(r.stdout)
            XCTAssertEqual(articles.map { $0["id"] as? String },
                           ["https://www.wire.example/2024/bridge", "https://daily.example/bridge", "https://herald.example/pont", "https://post.example/ferry"], file)
            XCTAssertEqual(articles.map { $0["outlet"] as? String }, ["wire.example", "daily.example", "herald.example", "post.example"])
            XCTAssertEqual(articles.map { $0["published"] as? String },
                           ["2024-05-02T08:00:00Z", "2024-05-03T10:00:00Z", "2024-05-03T11:00:00Z", "2024-05-03T12:00:00Z"])
            XCTAssertEqual(articles.map { $0["date_source"] as? String }, ["meta", "given", "given", "given"])
            XCTAssertEqual(articles.map { $0["title"] as? String }, ["Bridge to close", "Bridge closes for two years", "Le pont fermé", "Ferry to replace bridge"])
            for a in articles {
                let text = a["text"] as! String
                XCTAssertTrue(text.hasSuffix("paid for by the state."), text)
                XCTAssertFalse(text.contains("Home") || text.contains("Share"), text)
            }
            XCTAssertTrue((articles[2]["text"] as! String).hasPrefix("The café council voted"), "\(articles[2])")
            XCTAssertTrue(r.stderr.contains("\(file): warning: 12 WARC records are not HTML pages and were skipped: 7 request, 1 HTTP 301, 1 HTTP 404, 1 metadata, 1 not HTML, 1 warcinfo"),
                          r.stderr)
        }
        // Hosts named by an outlet map (a subdomain by its domain); other hosts stay as they are.
        try Data("# outlets\nhost,outlet,group\nwww.wire.example,Wire Service,center\nexample,Nobody,x\nherald.example,\"The Herald, Daily\",left\n".utf8)
            .write(to: dir.appendingPathComponent("outlets.csv"))
        let mapped = try rows(CLI.run(["read", "--outlet-map", "outlets.csv", "crawl.warc"], in: dir).stdout)
        XCTAssertEqual(mapped.map { $0["outlet"] as? String }, ["Wire Service", "daily.example", "The Herald, Daily", "post.example"])
        try Data("outlet,group\nWire,center\n".utf8).write(to: dir.appendingPathComponent("groups.csv"))
        let badMap = try CLI.run(["ingest", "--outlet-map", "groups.csv", "crawl.warc"], in: dir)
        XCTAssertEqual(badMap.status, 1)
        XCTAssertTrue(badMap.stderr.contains("groups.csv:1: an outlet map needs `host` and `outlet` columns"), badMap.stderr)
        // Ingested and clustered: the four tell one story.
        let run = try CLI.run(["run", "crawl.warc.gz"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("4 records: 4 new"), run.stderr)
        let stories = try XCTUnwrap(CLI.json(CLI.run(["stories", "--json"], in: dir).stdout) as? [[String: Any]])
        XCTAssertEqual(stories.count, 1)
    }

    func testTruncatedArchivesKeepWhatCameBeforeAndNameTheDamage() throws {
        let dir = CLI.temporaryDirectory()
        try runPython(Self.writer, in: dir)
        let cut = try CLI.run(["read", "cut.warc"], in: dir)
        let articles = try rows(cut.stdout)
        XCTAssertEqual(articles.count, 3, cut.stderr)
        XCTAssertTrue(cut.stderr.range(of: #"cut\.warc:\d+: WARC record at byte \d+ \(https://post\.example/ferry\): truncated: \d+ of its \d+ bytes"#,
                                       options: .regularExpression) != nil, cut.stderr)
        XCTAssertEqual(try CLI.run(["read", "--strict", "cut.warc"], in: dir).status, 65)
        let gz = try CLI.run(["ingest", "cut.warc.gz"], in: dir)
        XCTAssertEqual(gz.status, 1)
        XCTAssertTrue(gz.stderr.contains("the gzip file is truncated or damaged"), gz.stderr)
        XCTAssertTrue(gz.stderr.contains("failed after") && !gz.stderr.contains("(0 new)"), gz.stderr)
        // Not a WARC file at all.
        try Data("{\"id\": 1}\n".utf8).write(to: dir.appendingPathComponent("notes.warc"))
        let bad = try CLI.run(["read", "notes.warc"], in: dir)
        XCTAssertTrue(bad.stderr.contains("notes.warc:1: not a WARC record at byte 0"), bad.stderr)
    }

    /// A record whose Content-Length lies (too long, too short, past the file's end, not a
    /// number) is named and skipped; the records after it are read.
    func testALyingContentLengthCostsOnlyItsRecord() throws {
        let dir = CLI.temporaryDirectory()
        try runPython(#"""
        import gzip, io, re
        from warcio.warcwriter import WARCWriter
        from warcio.statusandheaders import StatusAndHeaders
        prose = "The council voted on Tuesday to close the old bridge, citing a report that found rust in its beams. " * 3
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=False)
        for k in range(1, 5):
            w.write_record(w.create_warc_record("https://o%d.example/a" % k, "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            body = ("<html><head><title>Story %d</title></head><body><p>%s</p></body></html>" % (k, prose)).encode()
            w.write_record(w.create_warc_record("https://o%d.example/a" % k, "response", payload=io.BytesIO(body), http_headers=http))
        data = buf.getvalue()
        starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", data)] + [len(data)]
        for record, cases in [(3, ["+1000000000000", "9223372036854775813", "-5", "12abc", "+100", "-10", "+5000", "+5", "-2", "+0"]),
                              (2, ["+40", "-8", "+1000000000000"])]:
            part = data[starts[record]:starts[record + 1]]
            m = re.search(rb"Content-Length: (\d+)", part)
            for case in cases:
                value = str(int(m.group(1)) + int(case)) if case[0] in "+-" and case[1:].isdigit() and case != "-5" else case
                lying = data[:starts[record]] + part[:m.start(1)] + value.encode() + part[m.end(1):] + data[starts[record + 1]:]
                name = "r%d%s.warc" % (record, case)
                open(name, "wb").write(lying)
                open(name + ".gz", "wb").write(gzip.compress(lying))
        # A line of junk after a whole record; old Heritrix's version line.
        open("junk.warc", "wb").write(data[:starts[3]] + b"this is junk\r\n" + data[starts[3]:])
        open("v017.warc", "wb").write(data.replace(b"WARC/1.1\r\n", b"WARC/0.17\r\n").replace(b"WARC/1.0\r\n", b"WARC/0.17\r\n"))
        """#, in: dir)
        let all = (1...4).map { "https://o\($0).example/a" }
        for name in ["junk.warc", "v017.warc"] {
            let r = try CLI.run(["read", name], in: dir)
            XCTAssertEqual(try rows(r.stdout).map { $0["id"] as? String }, all, "\(name): \(r.stderr)")
        }
        XCTAssertTrue(try CLI.run(["read", "junk.warc"], in: dir).stderr.contains("junk.warc:4: not a WARC record at byte"), "the junk is named")
        for (record, cases) in [(3, ["+1000000000000", "9223372036854775813", "-5", "12abc", "+100", "-10", "+5000", "+5", "-2", "+0"]),
                                (2, ["+40", "-8", "+1000000000000"])] {
            for case_ in cases {
                for name in ["r\(record)\(case_).warc", "r\(record)\(case_).warc.gz"] {
                    let r = try CLI.run(["read", name], in: dir)
                    XCTAssertEqual(r.status, 0, r.stderr)
                    let ids = try rows(r.stdout).map { $0["id"] as? String }
                    if case_ == "+0" {
                        XCTAssertEqual(ids, all, name)
                        XCTAssertFalse(r.stderr.contains("Content-Length"), r.stderr)
                    } else if record == 3 {
                        // The lying record is the second page (the fourth record): it alone is lost, and named.
                        XCTAssertEqual(ids, [all[0], all[2], all[3]], "\(name): \(r.stderr)")
                        XCTAssertTrue(r.stderr.range(of: #":4: WARC record at byte \d+ \(https://o2\.example/a\): .*Content-Length.*: skipped; the next record starts at byte \d+"#,
                                                     options: .regularExpression) != nil, "\(name): \(r.stderr)")
                    } else {
                        // A request (not an article) lies: every page is read, and the damage named.
                        XCTAssertEqual(ids, all, "\(name): \(r.stderr)")
                        XCTAssertTrue(r.stderr.contains(":3: WARC record at byte"), "\(name): \(r.stderr)")
                    }
                }
            }
        }
    }
}
