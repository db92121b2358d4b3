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

final class TokenizerTests: XCTestCase {
    /// The eight-bytes-at-a-time letter-or-digit test agrees with the byte test, for every byte
    /// value in every lane, next to any other byte.
    func testWordBytesEightAtATime() {
        func isWordByte(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        for lane in 0..<8 {
            for v in 0...255 {
                for filler: UInt8 in [0x61, 0x20, 0xFF, 0x39] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[lane] = UInt8(v)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    let stop = Tokenizer.notAlphanumeric(word)
                    for k in 0..<8 {
                        XCTAssertEqual(stop >> (8 * k + 7) & 1 == 1, !isWordByte(bytes[k]), "byte \(bytes[k]) in lane \(k)")
                    }
                    XCTAssertEqual(stop & ~0x8080_8080_8080_8080, 0)
                }
            }
        }
    }

    func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var s = s
        s.withUTF8 { bytes in
            Tokenizer().tokenize(bytes) { t in
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[t.start..<t.end]), as: UTF8.self))
            }
        }
        return out
    }

    func testWordsApostrophesHyphensNumbers() {
        XCTAssertEqual(tokens("Don't stop: the state-of-the-art COVID-19 plan costs $2,000 (3.5%) in 2021."),
                       ["Don't", "stop", "the", "state-of-the-art", "COVID-19", "plan", "costs", "2,000", "3.5", "in", "2021"])
        XCTAssertEqual(tokens("Biden’s ‘plan’ -- end-"), ["Biden’s", "plan", "end"])
        XCTAssertEqual(tokens("'quoted' rock'n'roll 1.2.3 a,b"), ["quoted", "rock'n'roll", "1.2.3", "a", "b"])
        // Words longer than eight bytes, ending at, before and after an eight-byte boundary and at
        // the end of the text; a digit run that ends a long word still joins a number.
        XCTAssertEqual(tokens("Internationalization abcdefgh abcdefghi x1234567,890 Überhaupt counterrevolutionaries"),
                       ["Internationalization", "abcdefgh", "abcdefghi", "x1234567,890", "Überhaupt", "counterrevolutionaries"])
    }

    func testURLsAndEmailsAreDropped() {
        XCTAssertEqual(tokens("see https://example.com/a?b=1 or www.example.org, mail press@example.com now"),
                       ["see", "or", "mail", "now"])
        XCTAssertEqual(tokens("@handle said"), ["handle", "said"])
    }

    func testScriptsAndEmoji() {
        XCTAssertEqual(tokens("Москва заявила"), ["Москва", "заявила"])
        XCTAssertEqual(tokens("Αθήνα, Ελλάδα"), ["Αθήνα", "Ελλάδα"])
        XCTAssertEqual(tokens("القاهرة اليوم"), ["القاهرة", "اليوم"])
        XCTAssertEqual(tokens("東京で地震"), ["東", "京", "で", "地", "震"])
        XCTAssertEqual(tokens("fire🔥emoji 👍🏽 ok"), ["fire", "emoji", "ok"])
        XCTAssertEqual(tokens("café naïve"), ["café", "naïve"])
    }

    func testOffsetsPointIntoTheText() {
        var s = "Ünïcode and ASCII"
        s.withUTF8 { bytes in
            var seen: [Token] = []
            Tokenizer().tokenize(bytes) { seen.append($0) }
            XCTAssertEqual(seen.map(\.start), [0, 10, 14])  // Ü and ï are two bytes each
            XCTAssertEqual(seen.map(\.isASCII), [false, true, true])
        }
    }

    func testDoesNotCrashOnAnyBytes() {
        var generator = seededGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.withUnsafeBufferPointer { buffer in
                Tokenizer().tokenize(buffer) { t in
                    XCTAssertTrue(t.start < t.end && t.end <= buffer.count)
                }
            }
        }
    }
}

final class AnalyzerTests: XCTestCase {
    func testTermCacheKeepsEveryEntryThroughGrowth() {
        var cache = _TermCache(capacity: 4)
        var rng = seededGenerator()
        let keys = (0..<20_000).map { _ in UInt64.random(in: 2...UInt64.max, using: &rng) }
        for (k, key) in keys.enumerated() { cache.set(key, Int32(k) - 1) }   // -1 too: "dropped token"
        XCTAssertEqual(cache.count, Set(keys).count)
        for (k, key) in keys.enumerated() { XCTAssertEqual(cache.get(key), Int32(k) - 1) }
        XCTAssertNil(cache.get(1))
        cache.set(keys[0], 77)
        XCTAssertEqual(cache.get(keys[0]), 77, "a set replaces")
    }

    func testASCIIKeysIgnoreCaseAndPlaceButNotLengthOrLetters() {
        func key(_ text: String, _ word: String) -> UInt64 {
            var s = text
            let start = s.utf8.count - s.utf8.split(separator: 0x20).last!.count
            XCTAssertTrue(text.hasSuffix(word))
            return s.withUTF8 { Analyzer.key($0, Token(start: start, end: $0.count, isASCII: true)) }
        }
        func keyInside(_ text: String, _ at: Int, _ length: Int) -> UInt64 {
            var s = text
            return s.withUTF8 { Analyzer.key($0, Token(start: at, end: at + length, isASCII: true)) }
        }
        let words = ["a", "vote", "votes", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghabcdefgh", "abcdefghabcdefghz", "covid-19", "don't", "2021"]
        var seen: [UInt64: String] = [:]
        for w in words {
            // At the end of the buffer (byte-wise tail) and in the middle (8-byte loads), any case.
            let k = key("x " + w, w)
            XCTAssertEqual(key("some text " + w.uppercased(), w.uppercased()), k, w)
            XCTAssertEqual(keyInside("yy " + w.uppercased() + " and a long enough tail", 3, w.utf8.count), k, w)
            XCTAssertNil(seen[k], "\(w) and \(seen[k] ?? "") share a key")
            seen[k] = w
        }
        // Bytes past the token never leak into its key.
        XCTAssertEqual(keyInside("vote@@@@@@@@@@@@", 0, 4), keyInside("vote            ", 0, 4))
    }

    func testFoldingStopwordsAndStemming() {
        let analyzer = TestSupport.analyzer()
        XCTAssertEqual(analyzer.terms(of: "The Floods were flooding THE towns"), ["flood", "flood", "town"])
        XCTAssertEqual(analyzer.terms(of: "Biden’s plan, Biden's plans"), ["biden", "plan", "biden", "plan"])
        // NFKC case folding: full-width letters and ß.
        XCTAssertEqual(analyzer.terms(of: "ＡＢＣ Straße", language: "xx"), ["abc", "strasse"])
        // Single ASCII letters are dropped; a CJK character is not.
        XCTAssertEqual(analyzer.terms(of: "a b 東", language: "xx"), ["東"])
    }

    /// Non-ASCII tokens are looked up by their raw bytes: every spelling of a word is folded once
    /// and reaches the same term, in counts as in term lists, the second time as the first.
    func testNonASCIISpellingsShareOneTerm() {
        let analyzer = TestSupport.analyzer()
        let spellings = "Über über ÜBER U\u{308}ber Zürich ZÜRICH Zu\u{308}rich"
        XCTAssertEqual(analyzer.terms(of: spellings, language: "xx"), ["über", "über", "über", "über", "zürich", "zürich", "zürich"])
        XCTAssertEqual(analyzer.terms(of: spellings, language: "xx"), ["über", "über", "über", "über", "zürich", "zürich", "zürich"])
        let counts = analyzer.analyze(title: "Zürich", text: spellings, language: "xx")
        XCTAssertEqual(counts.terms.map { analyzer.terms[Int($0)] }, ["zürich", "über"])
        XCTAssertEqual(counts.titleCounts, [1, 0])
        XCTAssertEqual(counts.textCounts, [3, 4])
    }

    func testLanguageSpecificStemmingAndUnknownLanguage() {
        let analyzer = TestSupport.analyzer()
        XCTAssertEqual(analyzer.terms(of: "continuaient", language: "fr"), ["continu"])
        XCTAssertEqual(analyzer.terms(of: "running", language: "zz"), ["running"], "no stemmer: the folded word")
    }

    func testCountsTitleAndText() {
        let analyzer = TestSupport.analyzer()
        let counts = analyzer.analyze(title: "Flood warning", text: "A flood. Another flood!", language: "en")
        let byTerm = Dictionary(uniqueKeysWithValues: counts.terms.enumerated().map { (analyzer.terms[Int($1)], (counts.titleCounts[$0], counts.textCounts[$0])) })
        XCTAssertEqual(byTerm["flood"]?.0, 1)
        XCTAssertEqual(byTerm["flood"]?.1, 2)
        XCTAssertEqual(byTerm["warn"]?.0, 1)
        XCTAssertEqual(byTerm["anoth"]?.1, 1)
        XCTAssertEqual(counts.terms.map { analyzer.terms[Int($0)] }, ["flood", "warn", "anoth"], "first-occurrence order")
    }
}

final class LanguageIdentifierTests: XCTestCase {
    func testIdentifiesCommonLanguagesAndDeclinesShortText() throws {
        let identifier = try TestSupport.models.languageIdentifier()
        let samples: [(String, String)] = [
            ("en", "The city council voted on Tuesday to approve the new budget, which includes funding for schools and roads after months of debate."),
            ("de", "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen, der nach monatelangen Debatten Geld für Schulen und Straßen vorsieht."),
            ("fr", "Le conseil municipal a approuvé mardi le nouveau budget, qui prévoit des fonds pour les écoles et les routes après des mois de débat."),
            ("es", "El ayuntamiento aprobó el martes el nuevo presupuesto, que incluye fondos para escuelas y carreteras tras meses de debate."),
            ("ru", "Городской совет во вторник утвердил новый бюджет, который предусматривает средства на школы и дороги после месяцев споров."),
            ("ja", "市議会は火曜日、数か月にわたる議論の末、学校や道路の資金を含む新しい予算を承認しました。"),
        ]
        for (expected, text) in samples {
            XCTAssertEqual(identifier.identify(title: "", text: text), expected, text)
        }
        XCTAssertNil(identifier.identify(title: "Hi", text: ""), "too short to tell")
        XCTAssertNil(identifier.identify(title: "Biden opens global summit on climate", text: ""), "a headline alone is too short")
        // A sample cut inside a multi-byte character must not confuse it.
        let long = String(repeating: "Городской совет утвердил новый бюджет. ", count: 100)
        XCTAssertEqual(identifier.identify(title: "", text: long), "ru")
    }

    func testArticlesWithoutLangAreAnalyzedInTheirIdentifiedLanguage() throws {
        let models = TestSupport.models
        let analyzer = Analyzer(identifier: try models.languageIdentifier(), stopwords: { models.stopwords($0) })
        let german = "Die Regierung hat die neuen Gesetze über die Häuser und die Wohnungen in den Städten beschlossen. "
            + "Die Opposition kritisierte das Vorhaben scharf und kündigte Widerstand im Bundestag an."
        XCTAssertEqual(analyzer.language(title: "", text: german, given: nil), "de")
        XCTAssertEqual(analyzer.language(title: "", text: german, given: "FR"), "fr", "a given lang wins")
        let english = "Lawmakers approved the spending bills on Tuesday after weeks of negotiations over the budget, "
            + "sending the package to the president, who is expected to sign it before the deadline on Friday."
        // Without `lang` an English article gets exactly the terms it gets with lang "en".
        let unlabeled = analyzer.analyze(title: "Budget passes", text: english, language: nil)
        let labeled = analyzer.analyze(title: "Budget passes", text: english, language: "en")
        XCTAssertEqual(unlabeled, labeled)
        // The German text is stemmed by the German stemmer ("Häuser" and "Häusern" would meet; "Gesetze" → "gesetz").
        let terms = analyzer.analyze(title: "", text: german, language: nil).terms.map { analyzer.terms[Int($0)] }
        XCTAssertTrue(terms.contains("gesetz"), "\(terms)")
    }

    func testDevDataIsIdentifiedAsEnglish() throws {
        let path = try TestSupport.dataset("allsides-dev.jsonl")
        let identifier = try TestSupport.models.languageIdentifier()
        var total = 0, english = 0
        for event in try TestSupport.records(JSONLReader(), path) {
            guard let a = event.article else { continue }
            total += 1
            if identifier.identify(title: a.title, text: a.text) == "en" { english += 1 }
        }
        XCTAssertGreaterThan(total, 1000)
        XCTAssertGreaterThanOrEqual(Double(english) / Double(total), 0.99, "\(english)/\(total) identified as English")
        // Headlines alone are too short: left to the default language, not misread.
        var wrong = 0
        for event in try TestSupport.records(JSONLReader(), path) {
            guard let a = event.article else { continue }
            if let l = identifier.identify(title: a.title, text: ""), l != "en" { wrong += 1 }
        }
        XCTAssertLessThanOrEqual(wrong, total / 100, "headlines identified as another language")
    }
}

/// The first pass alone: what it decides, and what it leaves to libexttextcat.
final class QuickLanguageGuessTests: XCTestCase {
    func guess(_ text: String) throws -> String? {
        let quick = try XCTUnwrap(try TestSupport.models.quickLanguageGuess(), "Models/quickwords.txt is shipped")
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { quick.guess(UnsafeBufferPointer($0)) }
    }

    func testClearSamplesAreDecidedAndUnclearOnesLeftToTheFingerprints() throws {
        let decided: [(String, String)] = [
            ("en", "The city council voted on Tuesday to approve the new budget, which includes funding for schools and roads after months of debate. It was the first time that the mayor had won with such a margin, and the opposition said it would not give up."),
            ("de", "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen, der nach monatelangen Debatten Geld für Schulen und Straßen vorsieht. Die Opposition ist nicht zufrieden und hat angekündigt, dass sie auch weiter dagegen kämpfen wird."),
            ("fr", "Le conseil municipal a approuvé mardi le nouveau budget, qui prévoit des fonds pour les écoles et les routes après des mois de débat. C'est une victoire pour le maire, qui avait promis de ne pas augmenter les impôts dans cette ville."),
            ("ru", "Городской совет во вторник утвердил новый бюджет, который предусматривает средства на школы и дороги. Это было не так просто, как мы думали, но он был принят, и теперь его будет трудно изменить, если они не захотят."),
            ("el", "Το δημοτικό συμβούλιο ενέκρινε την Τρίτη τον νέο προϋπολογισμό, ο οποίος περιλαμβάνει κονδύλια για σχολεία και δρόμους."),
            ("ko", "시의회는 화요일 몇 달간의 논쟁 끝에 학교와 도로 예산이 포함된 새 예산안을 승인했습니다."),
            ("ja", "市議会は火曜日、数か月にわたる議論の末、学校や道路の資金を含む新しい予算を承認しました。"),
            ("zh", "市议会周二在经过数月的辩论后批准了新的预算，其中包括学校和道路的资金。"),
        ]
        for (expected, text) in decided {
            XCTAssertEqual(try guess(text), expected, text)
        }
        // Too few distinctive words, or two languages close: the fingerprints decide.
        XCTAssertNil(try guess("Biden opens global summit on climate change in Glasgow"))
        XCTAssertNil(try guess("Real Madrid Barcelona Bayern München Juventus Torino Ajax Amsterdam 3:1 2:2 0:0"))
        // The shipped identifier gives the same answer as the fingerprints alone wherever the first pass decides.
        let identifier = try TestSupport.models.languageIdentifier()
        for (expected, text) in decided where !["el", "ko", "zh"].contains(expected) {
            XCTAssertEqual(identifier.fingerprintLanguage(Array(text.utf8.prefix(LanguageIdentifier.sampleBytes))), expected, text)
        }
    }

    /// The fingerprints' answer depends on the sample's bytes only, not on what follows them in
    /// memory (libexttextcat reads past the given length up to a NUL; vectorizing on two threads
    /// gave a different vocabulary from run to run before the sample was copied with one).
    func testTheFingerprintsReadNothingPastTheSample() throws {
        let identifier = try TestSupport.models.languageIdentifier()
        // Runs of spaces and digits are collapsed as the sample is read, so a sample full of
        // numbers is where reading ran furthest past its end.
        let samples = [
            "Election 2024:   turnout 61.2 %   in 1,204 of 1,310 districts,   12 345 678 votes;   2,300 polling stations   open until 20:00   on 3 11 2024",
            "Haushalt 2025:   1 234 567 Euro   für 12 Schulen,   3 450 000 für 27 Straßen,   Stand 14.03.2025   um 10:30   in 4 von 16 Ländern",
            "Budget 2025 :   1 234 567 euros   pour 12 écoles,   3 450 000 pour 27 routes,   au 14 03 2025   à 10 h 30   dans 4 des 13 régions",
        ]
        let tails = ["", String(repeating: "xq zzv kkj ", count: 40), String(repeating: "Городской совет утвердил бюджет ", count: 10),
                     String(repeating: "das ist nicht der Fall und die ", count: 10), String(repeating: "the of and that with ", count: 10)]
        for sample in samples {
            let length = sample.utf8.count
            var answers: [String?] = []
            for tail in tails {
                let bytes = Array((sample + tail).utf8)
                answers.append(bytes.withUnsafeBufferPointer { identifier.fingerprintLanguage(UnsafeBufferPointer(rebasing: $0[0..<length])) })
            }
            XCTAssertEqual(Set(answers.map { $0 ?? "-" }).count, 1, "\(sample): \(answers)")
        }
    }

    func testABadQuickWordsFileIsNamedWithItsLine() throws {
        let url = TestSupport.temporaryDirectory().appendingPathComponent("quickwords.txt")
        TestSupport.write("# comment\nen the and of\nxx\n", to: url)
        XCTAssertThrowsError(try QuickLanguageGuess(contentsOf: url.path)) {
            XCTAssertEqual(($0 as? StorylineError)?.line, 3)
            XCTAssertEqual(($0 as? StorylineError)?.code, .model)
        }
    }
}

/// The names of an article: capitalized words inside sentences, not the first, not in capitals
/// throughout, not a function word, weekday or month.
final class NameExtractorTests: XCTestCase {
    func testCapitalizedWordsInsideSentences() {
        let names = NameExtractor.names(title: "Saints place Pierre Thomas on injured reserve",
                                        text: "The New Orleans Saints placed running back Pierre Thomas on IR Wednesday. "
                                            + "Coach Sean Payton said the DUI charge is unrelated.\nThomas was hurt in May. It's a blow! O'Neil agreed.")
        XCTAssertEqual(names, ["pierre": 2, "thomas": 2, "new": 1, "orleans": 1, "saints": 1, "sean": 1, "payton": 1])
    }
}
