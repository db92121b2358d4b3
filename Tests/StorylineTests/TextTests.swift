import XCTest
@testable import Storyline

final class TokenizerTests: XCTestCase {
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
        var generator = SystemRandomNumberGenerator()
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
    func testFoldingStopwordsAndStemming() {
        let analyzer = TestSupport.analyzer()
        XCTAssertEqual(analyzer.terms(of: "The Floods were flooding THE towns"), ["flood", "flood", "town"])
        XCTAssertEqual(analyzer.terms(of: "Biden’s plan, Biden's plans"), ["biden", "plan", "biden", "plan"])
        // NFKC case folding: full-width letters and ß.
        XCTAssertEqual(analyzer.terms(of: "ＡＢＣ Straße", language: "xx"), ["abc", "strasse"])
        // Single ASCII letters are dropped; a CJK character is not.
        XCTAssertEqual(analyzer.terms(of: "a b 東", language: "xx"), ["東"])
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
