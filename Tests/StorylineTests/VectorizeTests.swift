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

final class TFIDFTests: XCTestCase {
    func testFormulaOnAHandExample() {
        // Three documents; feature 0 in all, feature 1 in one.
        let weighting = TFIDFWeighting(titleWeight: 2, documentCount: 3, documentFrequency: [3, 1])
        let terms = ArticleTerms(ids: [0, 1], titleCounts: [1, 0], textCounts: [1, 4])
        let (ids, values) = weighting.row(terms)
        let w0 = (1 + log(3.0)) * (log(4.0 / 4.0) + 1)
        let w1 = (1 + log(4.0)) * (log(4.0 / 2.0) + 1)
        let norm = (w0 * w0 + w1 * w1).squareRoot()
        XCTAssertEqual(ids, [0, 1])
        XCTAssertEqual(Double(values[0]), w0 / norm, accuracy: 1e-6)
        XCTAssertEqual(Double(values[1]), w1 / norm, accuracy: 1e-6)
    }

    /// Property: for random counts, rows are unit-norm with sorted unique ids.
    func testRowsAreUnitNormWithSortedUniqueIDs() {
        var rng = seededGenerator()
        let df = (0..<500).map { _ in Int32.random(in: 1...100, using: &rng) }
        let weighting = TFIDFWeighting(titleWeight: 2, documentCount: 100, documentFrequency: df)
        var all: [ArticleTerms] = []
        for _ in 0..<300 {
            let ids = Array(Set((0..<Int.random(in: 1...60, using: &rng)).map { _ in Int32.random(in: 0..<500, using: &rng) })).sorted()
            all.append(ArticleTerms(ids: ids, titleCounts: ids.map { _ in UInt16.random(in: 0...2, using: &rng) },
                                    textCounts: ids.map { _ in UInt16.random(in: 1...9, using: &rng) }))
        }
        let rows = weighting.rows(all)
        for r in 0..<rows.count {
            let range = rows.offsets[r]..<rows.offsets[r + 1]
            XCTAssertEqual(Double(range.reduce(Float(0)) { $0 + rows.values[$1] * rows.values[$1] }), 1, accuracy: 1e-5)
            XCTAssertTrue(zip(rows.indices[range].dropLast(), rows.indices[range].dropFirst()).allSatisfy { $0 < $1 })
            XCTAssertEqual(Double(rows.dot(r, r)), 1, accuracy: 1e-5)
        }
    }

    func testTermBlobRoundTrip() {
        let terms = ArticleTerms(ids: [0, 7, 70000, Int32.max], titleCounts: [1, 0, 65535, 2], textCounts: [0, 3, 1, 65535])
        let decoded = terms.encoded().withUnsafeBytes { ArticleTerms(EncodedTerms($0)) }
        XCTAssertEqual(decoded, terms)
    }

    func testVocabularyIDsAreStable() {
        var v = Vocabulary()
        XCTAssertEqual(v.intern("flood"), 0)
        XCTAssertEqual(v.intern("rain"), 1)
        XCTAssertEqual(v.intern("flood"), 0)
        v.countDocument([0, 1])
        v.countDocument([0])
        XCTAssertEqual(v.documentFrequency, [2, 1])
    }
}

final class QuickSortTests: XCTestCase {
    func testRadixSortOrdersByTheHigh32Bits() {
        var rng = seededGenerator()
        var scratch: [Int64] = []
        for n in [0, 1, 2, 31, 32, 33, 300, 5000] {
            for bits in [8, 20, 31] where n <= (1 << bits) / 2 {
                // Unique ids (as in an article) in the high half, counts in the low half.
                var ids = Set<Int64>()
                while ids.count < n { ids.insert(Int64.random(in: 0..<(1 << bits), using: &rng)) }
                var a = ids.map { $0 << 32 | Int64.random(in: 0..<(1 << 32), using: &rng) }
                let expected = a.sorted()
                _radixSortHigh32(&a, scratch: &scratch)
                XCTAssertEqual(a, expected, "n \(n), \(bits)-bit ids")
            }
        }
    }

    func testSortsLikeTheStandardLibrary() {
        var rng = seededGenerator()
        for n in [0, 1, 2, 3, 16, 17, 100, 1000] {
            for _ in 0..<20 {
                var a = (0..<n).map { _ in Int64.random(in: -50...50, using: &rng) }
                let expected = a.sorted()
                _quickSort(&a)
                XCTAssertEqual(a, expected)
            }
        }
    }
}

final class DumpVectorizerTests: XCTestCase {
    /// A dump with what real ones have: blank lines, CRLF ends, a record that is not JSON, one
    /// without text, non-ASCII text, a line longer than the read block, and no final newline.
    static func dump() -> String {
        var lines: [String] = []
        for k in 0..<240 {
            let words = (0..<(k % 13 + 3)).map { "w\(($0 * 7 + k) % 41) river\(k % 5)" }.joined(separator: " ")
            lines.append(#"{"id": "a\#(k)", "outlet": "o\#(k % 4)", "title": "Flood \#(k % 17) hits town", "text": "\#(words). Voters’ rôle in Zürich — \#(k)"}"#)
            if k == 50 { lines.append("") }
            if k == 90 { lines.append("{not json") }
            if k == 120 { lines.append(#"{"id": "x", "title": "", "text": ""}"#) }
            if k == 150 { lines.append(#"{"id": "long", "title": "Long", "text": "\#(String(repeating: "dam breach levee ", count: 400))"}"#) }
        }
        return lines.enumerated().map { $0.offset % 3 == 0 ? $0.element + "\r" : $0.element }.joined(separator: "\n")
    }

    /// The same ids, frequencies and vectors as analyzing the parsed records in order with the
    /// store's ``TermMerger`` and weighting them, whatever the thread count and block size.
    func testMatchesTheStorePathAndDoesNotDependOnThreadsOrBlocks() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("dump.jsonl").path
        TestSupport.write(Self.dump(), to: URL(fileURLWithPath: path))
        let profile = TestSupport.profile, models = TestSupport.models

        var articles: [(title: String, text: String, lang: String?)] = []
        var rejectedLines: [Int] = []
        try JSONLReader().read(path) { event in
            if let a = event.article { articles.append((a.title, a.text, a.lang)) } else { rejectedLines.append(event.line) }
        }
        XCTAssertEqual(rejectedLines.count, 2, "the broken record and the empty one")
        var vocabulary = Vocabulary()
        var merger = TermMerger(workers: 1, profile: profile, models: models)
        let counts = merger.analyze(Array(articles.prefix(100)), into: &vocabulary) + merger.analyze(Array(articles.dropFirst(100)), into: &vocabulary)
        let expected = TFIDFWeighting(titleWeight: profile.analyzer.titleWeight, documentCount: counts.count,
                                      documentFrequency: vocabulary.documentFrequency).rows(counts)

        for (threads, block) in [(1, 1 << 20), (2, 1 << 20), (2, 3000), (3, 700), (1, 64)] {
            var v = DumpVectorizer(profile: profile, models: models)
            v.threads = threads
            v.blockBytes = block
            let got = try v.vectorize(path)
            let label = "\(threads) threads, \(block)-byte blocks"
            XCTAssertEqual(got.vocabulary.terms, vocabulary.terms, label)
            XCTAssertEqual(got.vocabulary.documentFrequency, vocabulary.documentFrequency, label)
            XCTAssertEqual(got.vocabulary.collectionFrequency, vocabulary.collectionFrequency, label)
            XCTAssertEqual(got.rows.offsets, expected.offsets, label)
            XCTAssertEqual(got.rows.indices, expected.indices, label)
            XCTAssertEqual(got.rows.values, expected.values, label)
            XCTAssertEqual(got.rejected, 2, label)
            XCTAssertEqual(got.rejectedLines, rejectedLines, label)
            XCTAssertEqual(got.bytes, Self.dump().utf8.count, label)
        }
    }
}
