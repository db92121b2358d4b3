import Foundation
import StorylineCore
import StorylineText
import StorylineStore

/// Outlet profiles: how each outlet tells the news across every story it shares with other
/// outlets (report.json `outlet_profiles`, `outlet_matrix`, `profile_method`).
///
/// **Wording and quotes.** A unit (a stem, a phrase of two or three, a name, a number; or a
/// person quoted) is tested for an outlet within each story it shares with others, then pooled
/// over the stories: in story s of N articles, n of them the outlet's, m using the unit, a of
/// them the outlet's. With the outlet's labels dealt at random among the story's articles (the
/// null: the outlet writes like the rest of the same story), a is hypergeometric; the stories are
/// independent strata, so the exact null of Σa is the convolution of the stories' hypergeometric
/// laws (a stratified exact test, as Mantel-Haenszel's is its normal form). Comparing within each
/// story is what keeps an outlet that covers more crime stories from looking crime-framed; counting
/// articles, not occurrences, is what keeps a word repeated in one article from counting as many.
/// Only stories where some article but at most half of them use the unit count
/// (``informative(_:articles:)``). p is exact over at most ``exactStrata`` stories, else from
/// a shifted gamma with the law's mean, variance and skew (Pearson type III; a continuity
/// correction), divided by the chance of the selection. p is conditional on the selection:
/// given that the outlet used the unit in two stories or more. Benjamini-Hochberg
/// over each outlet's units (quotes apart), q < 0.05, counting only the units whose strata could
/// give a p that small at all (Tarone's rule for discrete tests, in Gilbert's form for the false
/// discovery rate). A family per outlet: under no signal at all, an outlet's profile shows a
/// wording unit with probability at most 0.05 (quotes are a family of their own). A unit the
/// outlet uses in one story only is not tested.
///
/// The counts come from the framing pass, which reads each story's units anyway: what it finds of
/// each story (``Use``) goes to scratch files by unit (``ProfileSpill``); the profile pass reads
/// them a bucket at a time, every story of a unit together, and pools each outlet that used the
/// unit in two stories or more (``OutletProfiler/pool(_:_:)``).
enum OutletProfiles {
    /// Strata up to which p is exact (and distinct margins (N, n, m) among them); beyond, a
    /// shifted gamma with the law's first three moments (Pearson type III).
    static let exactStrata = 400
    static let exactMargins = 24
    static let maxQ = 0.05
    /// The profile pass keeps a pair whole where p is at most this: q is never below p but for
    /// rounding (p · n / n), so a hair above maxQ.
    static let keptBelow = maxQ * (1 + 1e-9)
    static let minStories = 2
    static let unitsPerOutlet = 15

    /// What the framing pass learns of one story for the profiles: its outlets, and its
    /// informative units (a unit of the words' or a person quoted) with the articles using each
    /// and which outlets used it. Nothing for a story of one outlet.
    struct Use {
        var outlets: [String] = []
        /// Per outlet: its articles in the story; and the story's articles.
        var articles: [Int32] = []
        var total: Int32 = 0
        var units: [UInt64] = []
        var with: [Int32] = []          // articles using each unit
        var flags: [UInt8] = []         // 1 name, 2 number, 4 quote
        var usedStart: [Int32] = [0]    // per unit: its range in used*
        var usedOutlet: [Int32] = []    // index into outlets
        var usedArticles: [Int32] = []
        var usedCount: [Int32] = []
        var labels: [Int: String] = [:] // a quoted person's name, by unit
        /// Per pair of outlets (i < j): the cosine of their TF-IDF sums in this story.
        var similarity: [(Int, Int, Double)] = []
        /// The units' records for the scratch files, encoded by the worker (``ProfileSpill/encode(_:)``).
        var encoded: ProfileSpill.Encoded?

        /// A unit: `mine(o)` gives outlet o's articles using it and its occurrences.
        mutating func add(_ hash: UInt64, with m: Int32, flags f: UInt8, mine: (Int) -> (Int32, Int32)) {
            units.append(hash)
            with.append(m)
            flags.append(f)
            for o in outlets.indices {
                let (a, c) = mine(o)
                if a > 0 { usedOutlet.append(Int32(o)); usedArticles.append(a); usedCount.append(c) }
            }
            usedStart.append(Int32(usedOutlet.count))
        }
    }

    /// Whether a story of `articles` articles, `m` of them using a unit, says anything of who
    /// stresses the unit: some article but at most half of them use it. Where most articles use a unit, using it is the norm,
    /// and such a story weighs little; leaving it out (a choice made on the story's margins, not
    /// on who used the unit) keeps the test exact and spares the common words' many stories.
    static func informative(_ m: Int32, articles: Int32) -> Bool { m > 0 && 2 * m <= articles }

    static func method(tested: Int, shown: Int, quotesTested: Int, quotesShown: Int, outletsWithWording: Int, compared: Int) -> ProfileMethod {
        ProfileMethod(
            method: "each outlet against the other outlets of the same stories: its articles using a unit, counted per story and pooled "
                + "over the stories it shares, in an exact stratified permutation test (outlet labels dealt among each story's articles; "
                + "past \(exactStrata) stories a shifted gamma of its three moments), given its use in \(minStories) stories or more; "
                + "Benjamini-Hochberg over each outlet's units, "
                + "counting only those that could reach q < \(maxQ) (Tarone), quotes apart",
            max_q: maxQ, min_stories: minStories, tested: tested, shown: shown, quotes_tested: quotesTested, quotes_shown: quotesShown,
            outlets_with_wording: outletsWithWording, outlets_compared: compared)
    }

    /// A person quoted, as a unit: one hash space apart from the words'.
    static func quoteHash(_ person: Substring) -> UInt64 {
        Hashing.fnv1a("\u{1}quote " + person.lowercased())
    }
}

/// An (outlet, unit) pair pooled over the stories: per story N articles, n the outlet's, m with
/// the unit, a the outlet's with it.
struct ProfileCell {
    var outlet: Int32
    var unit: UInt64
    var quote: Bool
    var observed = 0.0, expected = 0.0, variance = 0.0, third = 0.0
    /// For P(U ≥ 2), U the stories where the outlet uses the unit (the test's selection): the log
    /// of P(every story's a = 0) over the stories where a = 0 can happen, Σ P(a > 0) / P(a = 0)
    /// over them, and the stories where a > 0 is sure.
    var logNone = 0.0, oddsSum = 0.0, sure: Int32 = 0
    var strata: Int32 = 0, stories: Int32 = 0, othersStories: Int32 = 0, count: Int32 = 0
    var nameVotes: Int32 = 0, digit = false
    /// The strata's distinct margins (N, n, m) with how many strata have each, 16 bits each;
    /// nil past ``OutletProfiles/exactMargins`` distinct margins (the normal form then).
    var margins: [UInt64]? = []
    /// Stories (indices into the report's) where the outlet used the unit: the first two.
    var examples: (Int32, Int32) = (-1, -1)
    /// A quoted person's name.
    var label: String?
    /// Set by ``test()``: p (1, not computed, where the smallest is above maxQ), and the smallest p
    /// these strata could give.
    var p = 1.0, smallest = 1.0

    init(outlet: Int32, unit: UInt64, quote: Bool) {
        self.outlet = outlet
        self.unit = unit
        self.quote = quote
    }

    /// One story: N articles, n the outlet's, m with the unit, a the outlet's with it, `count`
    /// its occurrences there.
    mutating func add(N: Int32, n: Int32, m: Int32, a: Int32, count c: Int32, name: Bool, digit d: Bool, story: Int32) {
        add(Stratum(N: N, n: n, m: m), a: a, count: c, name: name, digit: d, story: story)
    }

    /// What a stratum's margins give, whoever used the unit: computed once for the outlets of a
    /// story with as many articles.
    struct Stratum {
        let N: Int32, n: Int32, m: Int32
        let expected: Double, variance: Double, third: Double
        /// P(a = 0), its log, and the odds of a > 0.
        let none: Double, logNone: Double, odds: Double

        init(N: Int32, n: Int32, m: Int32) {
            (self.N, self.n, self.m) = (N, n, m)
            (expected, variance, third) = ProfileCell.moments(N: N, n: n, m: m)
            none = ProfileCell.none(N: N, n: n, m: m)
            logNone = none > 0 ? log(none) : 0
            odds = none > 0 ? (1 - none) / none : 0
        }
    }

    /// One story, its margins' part computed (``Stratum``).
    mutating func add(_ s: Stratum, a: Int32, count c: Int32, name: Bool, digit d: Bool, story: Int32) {
        expected += s.expected
        variance += s.variance
        third += s.third
        if s.none > 0 { logNone += s.logNone; oddsSum += s.odds } else { sure += 1 }
        strata += 1
        if s.m > a { othersStories += 1 }
        if a > 0 { addUse(a: a, count: c, name: name, digit: d, story: story) }
        if margins != nil { addMargins(N: s.N, n: s.n, m: s.m) }
    }

    /// P(a = 0) in a stratum: none of the outlet's n articles among the m using the unit.
    @inline(__always)
    static func none(N: Int32, n: Int32, m: Int32) -> Double {
        guard n <= N - m else { return 0 }
        var p = 1.0
        for i in 0..<n { p *= Double(N - m - i) / Double(N - i) }
        return p
    }

    /// P(U ≥ 2) under the null: the chance the unit is tested at all (used in two stories).
    var selected: Double {
        let allNone = sure == 0 ? exp(logNone) : 0
        let one = sure == 0 ? allNone * oddsSum : sure == 1 ? exp(logNone) : 0
        return max(0, 1 - allNone - one)
    }

    /// A stratum's hypergeometric mean, variance and third central moment of a.
    @inline(__always)
    static func moments(N: Int32, n: Int32, m: Int32) -> (Double, Double, Double) {
        let dN = Double(N), dn = Double(n), dm = Double(m)
        let spread = dn * dm * (dN - dm) * (dN - dn)
        let third = N > 2 ? spread * (dN - 2 * dm) * (dN - 2 * dn) / ((dN - 2) * dN * dN * dN * (dN - 1)) : 0
        return (dn * dm / dN, spread / (dN * dN * (dN - 1)), third)
    }

    /// A story where the outlet used the unit.
    mutating func addUse(a: Int32, count c: Int32, name: Bool, digit d: Bool, story: Int32) {
        observed += Double(a)
        stories += 1
        count += c
        if name { nameVotes += 1 }
        if d { digit = true }
        if examples.0 < 0 { examples.0 = story } else if examples.1 < 0 { examples.1 = story }
    }

    /// A stratum's margins; false once they are no longer counted (too many strata or margins).
    @discardableResult
    mutating func addMargins(N: Int32, n: Int32, m: Int32) -> Bool {
        guard margins != nil else { return false }
        let key = UInt64(UInt16(clamping: N)) | UInt64(UInt16(clamping: n)) << 16 | UInt64(UInt16(clamping: m)) << 32
        if N > 0xfffe || strata > Int32(OutletProfiles.exactStrata) { margins = nil; return false }
        if let k = margins!.firstIndex(where: { $0 & 0xffff_ffff_ffff == key }) {
            if margins![k] >> 48 == 0xffff { margins = nil; return false }
            margins![k] += 1 << 48
        } else if margins!.count >= OutletProfiles.exactMargins {
            margins = nil
            return false
        } else {
            margins!.append(key | 1 << 48)
        }
        return true
    }

    /// The smallest p these strata could give (``smallestP(upper:)``), and p (quotes: either way,
    /// two-sided; wording: used more than expected) — left at 1 where the smallest is above
    /// ``OutletProfiles/maxQ``: such a pair is never among the tests counted (Tarone's rule,
    /// ``FalseDiscovery/testable(_:smallest:alpha:)``, counts none above alpha), and most pairs of
    /// a few stories are. The margins are dropped after: a pooled cell keeps only what the report
    /// shows.
    mutating func test() {
        defer { margins = nil }
        if quote {
            smallest = min(1, 2 * min(smallestP(upper: true), smallestP(upper: false)))
            guard smallest <= OutletProfiles.maxQ else { return }
            p = min(1, 2 * min(tail(upper: true), tail(upper: false)))
        } else {
            smallest = smallestP(upper: true)
            guard smallest <= OutletProfiles.maxQ else { return }
            // Used no more than expected: p is at least about a half, never called.
            p = observed > expected ? tail(upper: true) : 1
        }
    }

    var z: Double { variance > 0 ? (observed - expected) / variance.squareRoot() : 0 }

    /// Each distinct margin with its strata.
    var marginList: [(N: Int, n: Int, m: Int, times: Int)] {
        (margins ?? []).map { (Int($0 & 0xffff), Int($0 >> 16 & 0xffff), Int($0 >> 32 & 0xffff), Int($0 >> 48)) }
    }

    /// Whether p is exact: few distinct margins and strata few enough to convolve.
    var exact: Bool { margins != nil && strata <= Int32(OutletProfiles.exactStrata) }

    /// P(Σa ≥ observed) (`upper`) or P(Σa ≤ observed) under the stratified null, given that the
    /// outlet used the unit in two stories or more (only such units are tested: the p of the
    /// unconditional law would overstate the evidence of a unit chosen for having been used).
    func tail(upper: Bool) -> Double {
        if exact { return HypergeometricSum.tail(marginList, at: Int(observed), upper: upper, selected: true) }
        guard variance > 0 else { return 1 }
        // Many stories: a shifted gamma with the law's mean, variance and skew (Pearson type III;
        // sums of counts of rare units lean right, and their far tail is heavier than the
        // normal's), over P(U ≥ 2) (a bound: P(A ∩ B) / P(B) ≤ P(A) / P(B)).
        let p = HypergeometricSum.pearsonTail(mean: expected, variance: variance, third: third, at: observed, upper: upper)
        return min(1, p / max(selected, 1e-300))
    }

    /// The smallest p the exact test could give these strata (each story's count at its most
    /// extreme, given two stories used): a unit the outlet used in two small stories cannot reach
    /// q < 0.05 whatever it does, and is not counted among the tests (Tarone's rule for discrete
    /// tests). 0 past the exact limit.
    func smallestP(upper: Bool) -> Double {
        guard exact else { return 0 }
        var logP = 0.0
        for s in marginList {
            let extreme = upper ? min(s.n, s.m) : max(0, s.n + s.m - s.N)
            logP += Double(s.times) * log(HypergeometricSum.probability(extreme, N: s.N, n: s.n, m: s.m))
        }
        // The most extreme outcome: every stratum at its top (used, when there are two or more);
        // at its bottom, a lower tail needs two used stories all the same.
        return min(1, exp(logP) / max(selected, 1e-300))
    }
}

/// The law of a sum of independent hypergeometric counts, exactly.
enum HypergeometricSum {
    /// P(X = k) for k in lo...hi, X hypergeometric: `n` draws from `N` holding `m` marked.
    static func pmf(N: Int, n: Int, m: Int) -> (lo: Int, p: [Double]) {
        let lo = max(0, n + m - N), hi = min(n, m)
        let total = lchoose(N, n)
        return (lo, (lo...hi).map { k in exp(lchoose(m, k) + lchoose(N - m, n - k) - total) })
    }

    /// P(X = k), one term of ``pmf(N:n:m:)`` (the same arithmetic).
    static func probability(_ k: Int, N: Int, n: Int, m: Int) -> Double {
        exp(lchoose(m, k) + lchoose(N - m, n - k) - lchoose(N, n))
    }

    @inline(__always)
    static func lchoose(_ a: Int, _ b: Int) -> Double { lgamma(Double(a + 1)) - lgamma(Double(b + 1)) - lgamma(Double(a - b + 1)) }

    /// P(Σ Xᵢ ≥ at) (`upper`) or P(Σ Xᵢ ≤ at), the strata given as distinct margins (N, n, m),
    /// each for `times` strata; with `selected`, given that two strata or more have Xᵢ > 0 (the
    /// law is carried for 0, 1 and 2+ such strata).
    static func tail(_ margins: [(N: Int, n: Int, m: Int, times: Int)], at: Int, upper: Bool, selected: Bool = false) -> Double {
        var lo = 0
        // dist[u][k]: P(sum = lo + k, u strata with X > 0 (2: two or more)), three rows of
        // `stride` in one buffer, and the next stratum's in another (no allocation per stratum).
        let laws = margins.map { pmf(N: $0.N, n: $0.n, m: $0.m) }
        let stride = 1 + zip(margins, laws).reduce(0) { $0 + $1.0.times * ($1.1.p.count - 1) }
        var dist = [Double](repeating: 0, count: 3 * stride), next = dist
        dist[0] = 1
        var width = 1
        for (s, (l, p)) in zip(margins, laws) {
            for _ in 0..<s.times {
                let wider = width + p.count - 1
                for u in 0..<3 { for k in 0..<wider { next[u * stride + k] = 0 } }
                for u in 0..<3 {
                    for i in 0..<width where dist[u * stride + i] > 0 {
                        let d = dist[u * stride + i]
                        for j in p.indices {
                            let v = l + j > 0 ? min(u + 1, 2) : u
                            next[v * stride + i + j] += d * p[j]
                        }
                    }
                }
                swap(&dist, &next)
                width = wider
                lo += l
            }
        }
        let k = at - lo
        func mass(_ u: Int) -> Double {
            let row = dist[(u * stride)..<(u * stride + width)]
            return upper ? row.dropFirst(max(0, min(k, width))).reduce(0, +) : (k < 0 ? 0 : row.prefix(min(k, width - 1) + 1).reduce(0, +))
        }
        guard selected else { return min(1, max(0, mass(0) + mass(1) + mass(2))) }
        let total = dist[(2 * stride)..<(2 * stride + width)].reduce(0, +)
        guard total > 0 else { return 1 }
        return min(1, max(0, mass(2) / total))
    }

    /// P(X ≥ at) (`upper`) or P(X ≤ at) for a count X of the given mean, variance and third central
    /// moment: a shifted gamma with the same three (Pearson type III), with a continuity
    /// correction; the normal when the skew is nil.
    static func pearsonTail(mean: Double, variance: Double, third: Double, at: Double, upper: Bool) -> Double {
        let sd = variance.squareRoot()
        let x = upper ? at - 0.5 : at + 0.5
        let skew = third / (variance * sd)
        guard abs(skew) > 1e-4 else { return normalUpper(upper ? (x - mean) / sd : (mean - x) / sd) }
        let shape = 4 / (skew * skew), scale = sd * abs(skew) / 2
        if skew > 0 {
            let g = (x - (mean - shape * scale)) / scale     // X = shift + scale · G
            guard g > 0 else { return upper ? 1 : 0 }
            return upper ? gammaQ(shape, g) : 1 - gammaQ(shape, g)
        } else {
            let g = ((mean + shape * scale) - x) / scale     // X = shift − scale · G
            guard g > 0 else { return upper ? 0 : 1 }
            return upper ? 1 - gammaQ(shape, g) : gammaQ(shape, g)
        }
    }

    /// The regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): the series of P below
    /// x < a + 1, Lentz's continued fraction above (Numerical Recipes §6.2).
    static func gammaQ(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let front = -x + a * log(x) - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = 1.0
            while n < 1_000_000 {
                term *= x / (a + n)
                sum += term
                if term < sum * 1e-15 { break }
                n += 1
            }
            return max(0, 1 - sum * exp(front))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        var i = 1.0
        while i < 1_000_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
            i += 1
        }
        return min(1, exp(front) * h)
    }

    /// P(Z ≥ z) for a standard normal Z.
    static func normalUpper(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}

// MARK: The report's part

/// One outlet's profile: its wording and quoting against the other outlets of the same stories,
/// what it covers, and whom it resembles.
public struct OutletProfile: Codable, Sendable {
    public var outlet: String
    public var group: String?
    /// Stories it covered, and those of them another outlet covered too (the profile's strata).
    public var stories: Int
    public var shared_stories: Int
    /// Words, phrases, names and numbers it uses more than the other outlets of the same stories
    /// (q < 0.05), strongest first.
    public var wording: [ProfileUnit]
    /// Units tested for it: used in two or more shared stories, in stories enough to reach
    /// q < 0.05 at all (``FalseDiscovery/testable(_:smallest:alpha:)``).
    public var units_tested: Int
    /// People it quotes more (or less) than the other outlets of the same stories (q < 0.05).
    public var quotes: [ProfileQuote]
    public var coverage: OutletCoverage
    /// The outlets whose text is most alike its own in the stories they share (five at most).
    public var resembles: [Resemblance]
}

public struct ProfileUnit: Codable, Sendable, Equatable {
    public var unit: String
    /// term, phrase, name or number.
    public var kind: String
    /// Shared stories where this outlet used it, and where another outlet of the story did.
    public var stories: Int
    public var others_stories: Int
    /// Its occurrences in this outlet's articles of those stories.
    public var count: Int
    /// This outlet's articles using it, over what its share of the stories' articles would give.
    public var ratio: Double
    public var z: Double
    public var p: Double
    public var q: Double
    public var examples: [ProfileExample]
}

public struct ProfileExample: Codable, Sendable, Equatable {
    public var story: Int64
    public var headline: String
    /// The first sentence of the outlet's articles in that story that uses the unit.
    public var sentence: String?
}

public struct ProfileQuote: Codable, Sendable, Equatable {
    public var speaker: String
    /// "more" or "less" than the other outlets of the same stories.
    public var direction: String
    public var stories: Int
    public var others_stories: Int
    public var ratio: Double
    public var p: Double
    public var q: Double
}

public struct OutletCoverage: Codable, Sendable, Equatable {
    public var group: String?
    /// Stories some outlet of its group covered, and how many of them it covered.
    public var group_stories: Int?
    public var covered_of_group: Int?
    public var share_of_group: Double?
    /// The largest stories its group covered without it (five at most), and how many there are.
    public var missed: [MissedStory]
    public var missed_count: Int
    /// Stories it reported first, of the dated stories it covered; median hours behind the first
    /// report (0 where it was first).
    public var first_reports: Int
    public var dated_stories: Int
    public var first_share: Double?
    public var median_lag_hours: Double?
    /// Storylines it is in; those where later steps exist after its first; those it followed
    /// past its first step.
    public var storylines: Int
    public var storylines_continued: Int
    public var followed_up: Int
    public var followed_up_share: Double?
}

public struct MissedStory: Codable, Sendable, Equatable {
    public var story: Int64
    public var title: String
    public var article_count: Int
}

public struct Resemblance: Codable, Sendable, Equatable {
    public var outlet: String
    public var shared_stories: Int
    public var similarity: Double
}

/// Outlets against outlets: stories shared and the mean cosine of their text within them, in an
/// order that puts alike outlets side by side. At most ``OutletMatrix/maxOutlets`` outlets, those
/// with the most shared stories.
public struct OutletMatrix: Codable, Sendable {
    public static let maxOutlets = 60
    public var outlets: [String]
    public var shared: [[Int]]
    public var similarity: [[Double?]]
}

public struct ProfileMethod: Codable, Sendable {
    public var method: String
    public var max_q: Double
    public var min_stories: Int
    public var tested: Int
    public var shown: Int
    public var quotes_tested: Int
    public var quotes_shown: Int
    /// Outlets with at least one wording unit shown, of those with a shared story.
    public var outlets_with_wording: Int
    public var outlets_compared: Int
}

extension OutletProfile: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension OutletCoverage: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension ProfileExample: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
extension OutletMatrix: EncodesNulls { public func encode(to encoder: Encoder) throws { try encodeWithNulls(to: encoder) } }
