import Foundation
import StorylineCore

/// TF-IDF weighting of stored term counts ("count, then weight").
///
/// - `tf = 1 + ln(c)`, with `c = titleWeight · titleCount + textCount` (sublinear term frequency);
/// - `idf = ln((1 + N) / (1 + df)) + 1` (smoothed; N = articles vectorized, df from the store);
/// - each row L2-normalized, so cosine similarity is a dot product.
public struct TFIDFWeighting: Sendable {
    public let titleWeight: Double
    public let documentCount: Int
    public let documentFrequency: [Int32]
    /// idf by feature, and `1 + ln c` for small whole counts: computed once, so weighting a row
    /// takes no logarithm (the same values as computing them each time).
    private let idfs: [Double]
    /// The canonical position of each feature id (see ``Vocabulary/canonicalPositions()``), when
    /// rows are written in canonical order; nil: rows keep feature ids.
    public let canonical: [Int32]?
    private static let tfTable: [Double] = (0..<1024).map { $0 > 0 ? 1 + log(Double($0)) : 0 }

    /// - Parameter canonical: when given, ``appendRow(_:to:)`` writes each row with its features
    ///   renumbered by it and sorted in that order, weighing and normalizing them in that order: a
    ///   row's values, its sketch and its cosines then depend on its terms alone, not on the order
    ///   in which the store first saw them (the order articles arrived in).
    public init(titleWeight: Double, documentCount: Int, documentFrequency: [Int32], canonical: [Int32]? = nil) {
        self.canonical = canonical
        self.titleWeight = titleWeight
        self.documentCount = documentCount
        self.documentFrequency = documentFrequency
        let n = 1 + Double(documentCount)
        idfs = documentFrequency.map { log(n / (1 + Double($0))) + 1 }
    }

    /// The weighting of a vocabulary's features over `documentCount` articles, with the profile's
    /// title weight; rows in canonical order when `canonical` (what a clustering pass reads).
    public init(_ settings: Profile.AnalyzerSettings, vocabulary: Vocabulary, documentCount: Int, canonical: Bool = false) {
        self.init(titleWeight: settings.titleWeight, documentCount: documentCount, documentFrequency: vocabulary.documentFrequency,
                  canonical: canonical ? vocabulary.canonicalPositions() : nil)
    }

    @inline(__always)
    public func idf(_ feature: Int32) -> Double {
        if Int(feature) < idfs.count { return idfs[Int(feature)] }
        return log(1 + Double(documentCount)) + 1   // df 0: a feature the counts have not seen
    }

    /// The weight of a feature before normalization: `(1 + ln c) · idf`, with `c` the
    /// title-weighted count (0 when the term does not occur).
    @inline(__always)
    func weight(_ feature: Int32, title: UInt16, text: UInt16) -> Double {
        let c = titleWeight * Double(title) + Double(text)
        guard c > 0 else { return 0 }
        let tf = c < 1024 && c == c.rounded(.down) ? Self.tfTable[Int(c)] : 1 + log(c)
        return tf * idf(feature)
    }

    /// The unit-norm TF-IDF row of one article (ids stay sorted).
    public func row(_ t: ArticleTerms) -> (indices: [Int32], values: [Float]) {
        var values = [Float](repeating: 0, count: t.ids.count)
        var indices = [Int32](repeating: 0, count: t.ids.count)
        indices.withUnsafeMutableBufferPointer { i in
            values.withUnsafeMutableBufferPointer { v in
                write(count: t.ids.count, indices: i.baseAddress!, values: v.baseAddress!) { k in (t.ids[k], t.titleCounts[k], t.textCounts[k]) }
            }
        }
        return (indices, values)
    }

    /// Writes the unit-norm row of `count` terms, `term(k)` giving the k-th (feature id, title
    /// count, text count) in the order to write them, each written under `index(id)`.
    @inline(__always)
    package func write(count: Int, indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>,
               index: (Int32) -> Int32 = { $0 }, term: (Int) -> (Int32, UInt16, UInt16)) {
        var norm = 0.0
        for k in 0..<count {
            let (id, title, text) = term(k)
            let w = weight(id, title: title, text: text)
            indices[k] = index(id)
            values[k] = Float(w)
            norm += w * w
        }
        if norm > 0 {
            let inv = Float(1 / norm.squareRoot())
            for k in 0..<count { values[k] *= inv }
        }
    }

    /// Appends the row of stored term counts to `rows` without decoding them into arrays first
    /// (in canonical order when the weighting has one).
    public func appendRow(_ terms: EncodedTerms, to rows: inout SparseRows) {
        let n = terms.count
        let start = rows.indices.count
        if n > 0 {
            rows.indices.append(contentsOf: repeatElement(0, count: n))
            rows.values.append(contentsOf: repeatElement(0, count: n))
            rows.indices.withUnsafeMutableBufferPointer { i in
                rows.values.withUnsafeMutableBufferPointer { v in
                    let indices = i.baseAddress! + start, values = v.baseAddress! + start
                    guard let canonical else {
                        write(count: n, indices: indices, values: values) { terms[$0] }
                        return
                    }
                    // (canonical position, k) pairs sorted: the terms in canonical order.
                    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { order in
                        var order = order
                        for k in 0..<n { order[k] = UInt64(UInt32(bitPattern: canonical[Int(terms[k].id)])) << 32 | UInt64(k) }
                        order.sort()
                        write(count: n, indices: indices, values: values, index: { canonical[Int($0)] }) { terms[Int(order[$0] & 0xFFFF_FFFF)] }
                    }
                }
            }
        }
        rows.offsets.append(rows.indices.count)
    }

    /// Rows for many articles, computed on all cores (the layout is known in advance).
    public func rows(_ terms: [ArticleTerms], threads: Int = Parallel.cores) -> SparseRows {
        var rows = SparseRows()
        rows.offsets.reserveCapacity(terms.count + 1)
        for t in terms { rows.offsets.append(rows.offsets.last! + t.ids.count) }
        let nnz = rows.offsets.last!
        rows.indices = [Int32](repeating: 0, count: nnz)
        rows.values = [Float](repeating: 0, count: nnz)
        let offsets = rows.offsets
        let workers = max(1, threads)
        rows.indices.withUnsafeMutableBufferPointer { indices in
            rows.values.withUnsafeMutableBufferPointer { values in
                let ib = indices.baseAddress, vb = values.baseAddress
                Parallel.strided(terms.count, workers: workers) { _, k in
                    let (i, v) = row(terms[k])
                    for j in 0..<i.count { ib![offsets[k] + j] = i[j]; vb![offsets[k] + j] = v[j] }
                }
            }
        }
        return rows
    }
}
