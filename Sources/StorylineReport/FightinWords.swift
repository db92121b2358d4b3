import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// Words that distinguish one group of texts from another: the weighted log-odds ratio with an
/// informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", §3.5).
///
/// For term w with counts `yᵢ` (this outlet) and `yⱼ` (the rest of the story), totals `nᵢ`, `nⱼ`,
/// and prior `α_w = α₀ · p_w` (p_w the term's share of the whole store):
///
///     δ_w = ln((yᵢ + α_w) / (nᵢ + α₀ − yᵢ − α_w)) − ln((yⱼ + α_w) / (nⱼ + α₀ − yⱼ − α_w))
///     σ²_w ≈ 1 / (yᵢ + α_w) + 1 / (yⱼ + α_w),     z_w = δ_w / σ_w
///
/// A large positive z: the outlet uses w more than the rest of the story, beyond what chance and
/// the term's general frequency explain.
public struct FightinWords: Sendable {
    /// Total pseudo-count of the prior.
    public var priorWeight: Double

    public init(priorWeight: Double = 500) { self.priorWeight = priorWeight }

    /// The z-score of one term: `mine` occurrences among the group's `mineTotal`, `rest` among the
    /// rest's `restTotal`, `share` its prior share.
    public func z(mine yi: Double, mineTotal ni: Double, rest yj: Double, restTotal nj: Double, share: Double) -> Double {
        let a0 = priorWeight
        let aw = max(a0 * share, 1e-3)
        let di = log((yi + aw) / max(ni + a0 - yi - aw, 1e-9))
        let dj = log((yj + aw) / max(nj + a0 - yj - aw, 1e-9))
        let variance = 1 / (yi + aw) + 1 / (yj + aw)
        return (di - dj) / variance.squareRoot()
    }

    /// z-scores of the terms used by `group` (term → count), against `rest`, with the prior share
    /// of each term given by `share`. Sorted by z descending, ties by term.
    /// `groupTotal`: the group's total count when `group` lists only the terms to score.
    public func zScores<Term: Hashable & Comparable>(group: [Term: Double], rest: [Term: Double], groupTotal: Double? = nil,
                                                     share: (Term) -> Double) -> [(term: Term, z: Double)] {
        let ni = groupTotal ?? group.values.reduce(0, +), nj = rest.values.reduce(0, +)
        var out: [(Term, Double)] = []
        out.reserveCapacity(group.count)
        for (w, yi) in group { out.append((w, z(mine: yi, mineTotal: ni, rest: rest[w] ?? 0, restTotal: nj, share: share(w)))) }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}
