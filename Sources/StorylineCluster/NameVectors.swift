import Foundation

/// Unit TF-IDF vectors of names and their cosines, for the twin split (articles) and storyline
/// linking (stories): sublinear tf, idf `ln((1 + N) / (1 + df))`, sorted by key, so that the norm is
/// summed in one order in every process and cosines are a merge of two sorted lists.
enum NameVectors {
    /// The unit vector of `counts` (keys with their counts), `df` giving each key's document
    /// frequency among `documents`.
    static func unit<Key: Comparable>(_ counts: [(Key, Int)], documents: Int, df: (Key) -> Int) -> [(Key, Double)] {
        var v = counts.map { key, count in (key, (1 + log(Double(count))) * log(Double(1 + documents) / Double(1 + df(key)))) }
            .sorted { $0.0 < $1.0 }
        let norm = v.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        if norm > 0 { v = v.map { ($0.0, $0.1 / norm) } }
        return v
    }

    static func cosine<Key: Comparable>(_ a: [(Key, Double)], _ b: [(Key, Double)]) -> Double {
        var i = 0, j = 0, dot = 0.0
        while i < a.count && j < b.count {
            if a[i].0 == b[j].0 { dot += a[i].1 * b[j].1; i += 1; j += 1 } else if a[i].0 < b[j].0 { i += 1 } else { j += 1 }
        }
        return dot
    }
}
