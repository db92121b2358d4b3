import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport

/// Agreement between a found clustering and gold labels.
public struct ClusteringMetrics: Sendable, Codable, Equatable {
    public var b3Precision = 0.0, b3Recall = 0.0, b3F1 = 0.0
    public var pairPrecision = 0.0, pairRecall = 0.0, pairF1 = 0.0
    public var ari = 0.0, ami = 0.0

    /// Scores `found` against `gold` (parallel arrays of labels).
    ///
    /// - B-cubed (Bagga & Baldwin 1998): per item, precision = |found ∩ gold| / |found|,
    ///   recall = |found ∩ gold| / |gold| of the item's clusters, averaged over items.
    /// - Pairwise: precision and recall of same-cluster pairs.
    /// - ARI (Hubert & Arabie 1985) and AMI with arithmetic-mean normalization (Vinh et al. 2010,
    ///   as scikit-learn's default).
    /// - Complexity: O(n + cells of the contingency table · min cluster size) for AMI's expectation.
    public init<G: Hashable, F: Hashable>(gold: [G], found: [F]) {
        precondition(gold.count == found.count)
        let n = gold.count
        guard n > 0 else { return }
        var goldID: [G: Int] = [:], foundID: [F: Int] = [:]
        let g = gold.map { x in goldID[x] ?? { let v = goldID.count; goldID[x] = v; return v }() }
        let f = found.map { x in foundID[x] ?? { let v = foundID.count; foundID[x] = v; return v }() }
        var a = [Int](repeating: 0, count: foundID.count)   // found sizes
        var b = [Int](repeating: 0, count: goldID.count)    // gold sizes
        var cells: [Int: Int] = [:]                          // (found, gold) → count
        for k in 0..<n {
            a[f[k]] += 1
            b[g[k]] += 1
            cells[f[k] * goldID.count + g[k], default: 0] += 1
        }
        // B-cubed.
        var p = 0.0, r = 0.0
        for (key, c) in cells {
            let fi = key / goldID.count, gi = key % goldID.count
            p += Double(c) * Double(c) / Double(a[fi])
            r += Double(c) * Double(c) / Double(b[gi])
        }
        b3Precision = p / Double(n)
        b3Recall = r / Double(n)
        b3F1 = Self.f1(b3Precision, b3Recall)
        // Pairs.
        func pairs(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
        let tp = cells.values.reduce(0.0) { $0 + pairs($1) }
        let foundPairs = a.reduce(0.0) { $0 + pairs($1) }
        let goldPairs = b.reduce(0.0) { $0 + pairs($1) }
        pairPrecision = foundPairs > 0 ? tp / foundPairs : 1
        pairRecall = goldPairs > 0 ? tp / goldPairs : 1
        pairF1 = Self.f1(pairPrecision, pairRecall)
        // ARI.
        let total = pairs(n)
        let expected = foundPairs * goldPairs / max(total, 1)
        let maxIndex = (foundPairs + goldPairs) / 2
        ari = maxIndex - expected == 0 ? 1 : (tp - expected) / (maxIndex - expected)
        // AMI.
        let N = Double(n)
        var mi = 0.0
        for (key, c) in cells {
            let fi = key / goldID.count, gi = key % goldID.count
            let nij = Double(c)
            mi += nij / N * log(N * nij / (Double(a[fi]) * Double(b[gi])))
        }
        func entropy(_ sizes: [Int]) -> Double { sizes.reduce(0.0) { s, x in x == 0 ? s : s - Double(x) / N * log(Double(x) / N) } }
        let hf = entropy(a), hg = entropy(b)
        let emi = Self.expectedMutualInformation(a, b, n)
        let denominator = (hf + hg) / 2 - emi
        if hf == 0 && hg == 0 { ami = 1 } else { ami = abs(denominator) < 1e-12 ? 0 : (mi - emi) / denominator }
    }

    static func f1(_ p: Double, _ r: Double) -> Double { p + r > 0 ? 2 * p * r / (p + r) : 0 }

    /// E[MI] under the hypergeometric model of random labelings with the same cluster sizes.
    static func expectedMutualInformation(_ a: [Int], _ b: [Int], _ n: Int) -> Double {
        let N = Double(n)
        func lg(_ x: Double) -> Double { Foundation.lgamma(x) }
        let lgN = lg(N + 1)
        // Group equal sizes: the sum depends on sizes only.
        var ac: [Int: Int] = [:], bc: [Int: Int] = [:]
        for x in a { ac[x, default: 0] += 1 }
        for x in b { bc[x, default: 0] += 1 }
        var emi = 0.0
        for (ai, na) in ac {
            for (bj, nb) in bc {
                let lo = max(1, ai + bj - n), hi = min(ai, bj)
                guard lo <= hi else { continue }
                var term = 0.0
                let A = Double(ai), B = Double(bj)
                let fixedPart: Double = lg(A + 1) + lg(B + 1) + lg(N - A + 1) + lg(N - B + 1) - lgN
                for nij in lo...hi {
                    let x = Double(nij)
                    let denominator: Double = lg(x + 1) + lg(A - x + 1) + lg(B - x + 1) + lg(N - A - B + x + 1)
                    let logP: Double = fixedPart - denominator
                    let weight: Double = x / N * log(N * x / (A * B))
                    term += weight * exp(logP)
                }
                emi += term * Double(na * nb)
            }
        }
        return emi
    }
}
