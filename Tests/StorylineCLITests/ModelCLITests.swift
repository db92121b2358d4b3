import XCTest

/// `storyline model export|import`: a vectorizer fitted on one dump, applied to another.
final class ModelCLITests: XCTestCase {
    func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testExportedModelGivesTheSameFeatureIDsInAnotherStore() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try CLI.generate(articles: 300, seed: 3, into: dir.appendingPathComponent("a.jsonl"))
        try CLI.generate(articles: 200, seed: 4, into: dir.appendingPathComponent("b.jsonl"))

        XCTAssertEqual(try CLI.run(["run", "-q", "--db", "a.sqlite", "a.jsonl"], in: dir).status, 0)
        let export = try CLI.run(["model", "export", "--db", "a.sqlite", "model.tsv"], in: dir)
        XCTAssertEqual(export.status, 0, export.stderr)
        let model = try lines(dir.appendingPathComponent("model.tsv"))
        let header = try XCTUnwrap(try CLI.json(model[0]) as? [String: Any])
        XCTAssertEqual(header["format"] as? String, "storyline-vectorizer")
        XCTAssertEqual(header["version"] as? Int, 1)
        XCTAssertEqual(header["documents"] as? Int, 300)
        let terms = model.dropFirst().filter { !$0.isEmpty }
        XCTAssertEqual(header["terms"] as? Int, terms.count)
        XCTAssertGreaterThan(terms.count, 100)

        // A fresh store: ingest another dump, import the model, vectorize.
        XCTAssertEqual(try CLI.run(["ingest", "-q", "--db", "b.sqlite", "b.jsonl"], in: dir).status, 0)
        let imported = try CLI.run(["model", "import", "--db", "b.sqlite", "model.tsv"], in: dir)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertEqual(try CLI.run(["run", "-q", "--db", "b.sqlite", "b.jsonl"], in: dir).status, 0)
        XCTAssertEqual(try CLI.run(["model", "export", "--db", "b.sqlite", "model-b.tsv"], in: dir).status, 0)
        let b = try lines(dir.appendingPathComponent("model-b.tsv"))
        let headerB = try XCTUnwrap(try CLI.json(b[0]) as? [String: Any])
        XCTAssertEqual(headerB["documents"] as? Int, 500, "idf counts the model's articles and the store's")
        // Every term of the model keeps its id (its line), its counts only grow; new terms come after.
        for (k, line) in terms.enumerated() {
            let old = line.split(separator: "\t"), new = b[k + 1].split(separator: "\t")
            XCTAssertEqual(new[0], old[0], "feature \(k) changed its term")
            XCTAssertGreaterThanOrEqual(Int(new[1])!, Int(old[1])!)
        }
        XCTAssertGreaterThan(b.filter { !$0.isEmpty }.count, model.filter { !$0.isEmpty }.count, "dump b brings words of its own")

        // Importing into a store that already has a vocabulary is refused: ids never change.
        let again = try CLI.run(["model", "import", "--db", "a.sqlite", "model.tsv"], in: dir)
        XCTAssertEqual(again.status, 64)
        XCTAssertTrue(again.stderr.contains("already has a vocabulary"), again.stderr)
    }

    func testBrokenModelFilesAreRejectedWithFileAndLine() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = #"{"analyzer":{"defaultLanguage":"en","minTokenLength":2},"documents":10,"format":"storyline-vectorizer","terms":2,"version":1}"#
        let cases: [(String, String, String)] = [
            ("future.tsv", header.replacingOccurrences(of: #""version":1"#, with: #""version":9"#) + "\nvote\t3\t4\nbudget\t1\t1\n",
             "future.tsv:1: model version 9 is not supported"),
            ("badline.tsv", header + "\nvote\t3\t4\nbudget\tmany\t1\n", "badline.tsv:3: expected term<TAB>df<TAB>cf"),
            ("short.tsv", header + "\nvote\t3\t4\n", "announces 2 terms, the file has 1"),
            ("notamodel.tsv", "hello\n", "notamodel.tsv:1: not a Storyline vectorizer model"),
            ("other.tsv", header.replacingOccurrences(of: #""minTokenLength":2"#, with: #""minTokenLength":4"#) + "\nvote\t3\t4\nbudget\t1\t1\n",
             "other terms"),
        ]
        for (name, text, message) in cases {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let r = try CLI.run(["model", "import", "--db", "s.sqlite", name], in: dir)
            XCTAssertNotEqual(r.status, 0, name)
            XCTAssertTrue(r.stderr.contains(message), "\(name): \(r.stderr)")
        }
        // A good one is accepted.
        try (header + "\nvote\t3\t4\nbudget\t1\t1\n").write(to: dir.appendingPathComponent("good.tsv"), atomically: true, encoding: .utf8)
        let ok = try CLI.run(["model", "import", "--db", "s.sqlite", "good.tsv"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }
}

/// Articles without `lang` are analyzed in the language identified from their text.
final class LanguageCLITests: XCTestCase {
    /// A broken quick-words file stops the command with its file and line, instead of silently
    /// analyzing every article in the default language.
    func testABrokenQuickWordsFileStopsTheCommand() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = dir.appendingPathComponent("Models")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Models"), to: models)
        try "en the and of\nxx\n".write(to: models.appendingPathComponent("quickwords.txt"), atomically: true, encoding: .utf8)
        try #"{"id":"1","outlet":"A","title":"Budget passes","text":"Lawmakers approved the budget."}"#
            .write(to: dir.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["ingest", "d.jsonl"], in: dir, environment: ["STORYLINE_MODELS": models.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("quickwords.txt:2: expected a language code and its words"), r.stderr)
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("storyline.sqlite").path) {
            XCTAssertFalse(try CLI.runBinary(["stories", "--json"], in: dir).stdout.contains("Budget"), "nothing was clustered")
        }
    }

    func testDumpWithoutLangIsStemmedInEachArticlesLanguage() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let german = "Die Regierung hat neue Regeln für den Bau von Häusern und Wohnungen in den großen Städten beschlossen. "
            + "Die Opposition kritisierte die Pläne und kündigte Widerstand im Parlament an."
        let english = "The government approved new rules for building houses and flats in the large cities on Tuesday. "
            + "The opposition criticized the plans and promised to fight them in parliament."
        let lines = [
            #"{"id": "de1", "outlet": "Zeitung", "published": "2024-05-01", "title": "Neue Regeln", "text": "\#(german)"}"#,
            #"{"id": "en1", "outlet": "Daily", "published": "2024-05-01", "title": "New rules", "text": "\#(english)"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("mixed.jsonl"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "-q", "mixed.jsonl"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try CLI.run(["model", "export", "vec.tsv"], in: dir).status, 0)
        let terms = Set(try String(contentsOf: dir.appendingPathComponent("vec.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) })
        XCTAssertTrue(terms.contains("haus"), "German stemmer: Häusern -> haus")
        XCTAssertTrue(terms.contains("hous"), "English stemmer: houses -> hous")
    }
}
