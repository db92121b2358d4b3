import Foundation
import StorylineCore

/// Each outlet of one story against the rest of it, over the story's units (``StoryUnits``):
/// what the outlet stressed beyond chance (weighted log-odds, ``FightinWords``), how stable that
/// is when its sentences are resampled, and what most of the other outlets carry that it never
/// mentions.
struct OutletContrast {
    let units: StoryUnits
    /// Per outlet: its articles (indices into the story's articles).
    let outlets: [[Int]]
    /// Per outlet, per unit: occurrences.
    private(set) var counts: [[Double]]
    /// Per outlet, per unit length (1...3): occurrences of units of that length.
    private(set) var totals: [[Double]]
    /// Per unit length: the story's total; per unit: the story's count.
    let storyTotals: [Double]
    let storyCounts: [Double]
    /// Per unit: how many outlets use it.
    let carriers: [Int]

    init(units: StoryUnits, outlets: [[Int]]) {
        self.units = units
        self.outlets = outlets
        var counts = [[Double]](repeating: [Double](repeating: 0, count: units.count), count: outlets.count)
        var totals = [[Double]](repeating: [0, 0, 0], count: outlets.count)
        for (o, articles) in outlets.enumerated() {
            for a in articles {
                for u in units.occurrences[a] {
                    counts[o][Int(u)] += 1
                    totals[o][units.keys[Int(u)].length - 1] += 1
                }
            }
        }
        var storyCounts = [Double](repeating: 0, count: units.count)
        var carriers = [Int](repeating: 0, count: units.count)
        for row in counts { for k in row.indices where row[k] > 0 { storyCounts[k] += row[k]; carriers[k] += 1 } }
        self.carriers = carriers
        self.counts = counts
        self.totals = totals
        self.storyCounts = storyCounts
        self.storyTotals = (0..<3).map { n in totals.reduce(0) { $0 + $1[n] } }
    }

    /// A unit's share of its length's occurrences in the story (the prior of phrases, which the
    /// store does not count).
    func storyShare(_ u: Int) -> Double {
        storyCounts[u] / max(storyTotals[units.keys[u].length - 1], 1)
    }

    struct Scored {
        var unit: Int32
        var z: Double
    }

    /// The units outlet `o` uses at least `minCount` times that `eligible` admits, with their z
    /// against the rest of the story; `share` is each unit's prior share. Sorted by z, highest
    /// first.
    func scores(outlet o: Int, minCount: Double, method: FightinWords, eligible: (Int32) -> Bool,
                share: (Int32) -> Double) -> [Scored] {
        var out: [Scored] = []
        let mine = counts[o]
        for u in mine.indices where mine[u] >= minCount && eligible(Int32(u)) {
            let n = units.keys[u].length - 1
            let z = method.z(mine: mine[u], mineTotal: totals[o][n], rest: storyCounts[u] - mine[u],
                             restTotal: storyTotals[n] - totals[o][n], share: share(Int32(u)))
            out.append(Scored(unit: Int32(u), z: z))
        }
        return out.sorted { $0.z != $1.z ? $0.z > $1.z : $0.unit < $1.unit }
    }

    /// The first `limit` of outlet `o`'s scored units with z at least `minZ`, skipping a unit
    /// that contains or is contained in one already taken (a phrase and its own words do not both
    /// fill the card). A word is shown as the longest phrase at the bar that holds at least 80% of
    /// the outlet's uses of it ("illegal" → "illegal aliens"), with the phrase's own z.
    func pick(_ scored: [Scored], outlet o: Int, minZ: Double, limit: Int) -> [Scored] {
        var taken: [Scored] = []
        let passing = scored.prefix { $0.z >= minZ }
        for var s in passing {
            guard taken.count < limit else { break }
            let own = counts[o][Int(s.unit)]
            if let longer = passing.filter({ p in
                let k = units.keys[Int(p.unit)]
                return k.length > units.keys[Int(s.unit)].length && k.contains(units.keys[Int(s.unit)]) && counts[o][Int(p.unit)] >= 0.8 * own
            }).max(by: { (units.keys[Int($0.unit)].length, $0.z) < (units.keys[Int($1.unit)].length, $1.z) }) {
                s = longer
            }
            let key = units.keys[Int(s.unit)]
            if taken.contains(where: { let k = units.keys[Int($0.unit)]; return k.contains(key) || key.contains(k) }) { continue }
            taken.append(s)
        }
        return taken.sorted { $0.z != $1.z ? $0.z > $1.z : $0.unit < $1.unit }
    }

    /// For each outlet's `shown` units: the share of `rounds` resamples in which the unit keeps
    /// z >= `minZ`. A resample draws each outlet's sentences with replacement (as many as it
    /// has): one article per outlet, as in most stories, leaves nothing to resample by article.
    func stability(of shown: [[Scored]], rounds: Int, minZ: Double, method: FightinWords, seed: UInt64,
                   share: (Int32) -> Double) -> [[Double]] {
        guard rounds > 0 else { return shown.map { $0.map { _ in 0 } } }
        // The units to count: every outlet's shown ones.
        var slot: [Int32: Int] = [:]
        for list in shown { for s in list where slot[s.unit] == nil { slot[s.unit] = slot.count } }
        let shares = slot.sorted { $0.value < $1.value }.map { share($0.key) }
        var slotOf = [Int](repeating: -1, count: units.count)
        for (u, s) in slot { slotOf[Int(u)] = s }
        let lengths = units.keys.map { $0.length - 1 }
        // Each outlet's sentences: (article, start, end) ranges of occurrences.
        let sentences: [[(Int, Int, Int)]] = outlets.map { articles in
            articles.flatMap { a -> [(Int, Int, Int)] in
                let starts = units.sentenceStarts[a], end = units.occurrences[a].count
                return starts.indices.map { k in (a, starts[k], k + 1 < starts.count ? starts[k + 1] : end) }
            }
        }
        var rng = SplitMix64(seed: seed)
        var kept = shown.map { $0.map { _ in 0 } }
        var c = [[Double]](repeating: [Double](repeating: 0, count: slot.count), count: outlets.count)
        var t = [[Double]](repeating: [0, 0, 0], count: outlets.count)
        for _ in 0..<rounds {
            for o in outlets.indices {
                for k in c[o].indices { c[o][k] = 0 }
                t[o] = [0, 0, 0]
                let own = sentences[o]
                guard !own.isEmpty else { continue }
                for _ in own.indices {
                    let (a, lo, hi) = own[Int(rng.next() % UInt64(own.count))]
                    for i in lo..<hi {
                        let u = Int(units.occurrences[a][i])
                        t[o][lengths[u]] += 1
                        let s = slotOf[u]
                        if s >= 0 { c[o][s] += 1 }
                    }
                }
            }
            var all = [Double](repeating: 0, count: slot.count), allT: [Double] = [0, 0, 0]
            for o in outlets.indices {
                for k in all.indices { all[k] += c[o][k] }
                for n in 0..<3 { allT[n] += t[o][n] }
            }
            for (o, list) in shown.enumerated() {
                for (k, s) in list.enumerated() {
                    let i = slot[s.unit]!, n = units.keys[Int(s.unit)].length - 1
                    let z = method.z(mine: c[o][i], mineTotal: t[o][n], rest: all[i] - c[o][i], restTotal: allT[n] - t[o][n], share: shares[i])
                    if z >= minZ { kept[o][k] += 1 }
                }
            }
        }
        return kept.map { $0.map { Double($0) / Double(rounds) } }
    }

    /// The chance bar, measured: the story's sentences dealt at random to its outlets (each keeps
    /// its number of sentences), `rounds` times; returns how many units tested under that null
    /// reach `minZ`, how many were tested (a calibrated statistic passes about 2.5%), and the z
    /// that 2.5% of them reach.
    func null(rounds: Int, minZ: Double, minCount: Double, method: FightinWords, seed: UInt64,
              eligible: (Int32) -> Bool, share: (Int32) -> Double) -> (passed: Int, tested: Int, quantile975: Double) {
        var all: [(Int, Int, Int)] = []
        var sizes: [Int] = []
        for articles in outlets {
            var n = 0
            for a in articles {
                let starts = units.sentenceStarts[a], end = units.occurrences[a].count
                for k in starts.indices { all.append((a, starts[k], k + 1 < starts.count ? starts[k + 1] : end)); n += 1 }
            }
            sizes.append(n)
        }
        guard outlets.count > 1, !all.isEmpty else { return (0, 0, 0) }
        var zs: [Double] = []
        var rng = SplitMix64(seed: seed)
        var passed = 0, tested = 0
        let okay = (0..<units.count).map { eligible(Int32($0)) }
        let shares = (0..<units.count).map { share(Int32($0)) }
        // One outlet's counts at a time, in a scratch row reset through the units it touched:
        // the work follows the story's occurrences, not outlets x units.
        var c = [Double](repeating: 0, count: units.count)
        var touched: [Int] = []
        let lengths = units.keys.map { $0.length - 1 }
        for _ in 0..<rounds {
            for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var next = 0
            for n in sizes {
                var t = [0.0, 0.0, 0.0]
                for (a, lo, hi) in all[next..<next + n] {
                    for i in lo..<hi {
                        let u = Int(units.occurrences[a][i])
                        if c[u] == 0 { touched.append(u) }
                        c[u] += 1
                        t[lengths[u]] += 1
                    }
                }
                next += n
                for u in touched {
                    if c[u] >= minCount && okay[u] {
                        let k = lengths[u]
                        let z = method.z(mine: c[u], mineTotal: t[k], rest: storyCounts[u] - c[u], restTotal: storyTotals[k] - t[k], share: shares[u])
                        tested += 1
                        zs.append(z)
                        if z >= minZ { passed += 1 }
                    }
                    c[u] = 0
                }
                touched.removeAll(keepingCapacity: true)
            }
        }
        zs.sort()
        return (passed, tested, zs.isEmpty ? 0 : zs[min(zs.count - 1, Int(Double(zs.count) * 0.975))])
    }

    /// Each outlet's share of loaded words (``StoryUnits/sentenceLoaded``) against the rest of
    /// the story's, and the two-sided permutation p-value of the difference: how often dealing the
    /// story's sentences at random among its outlets (each keeps its number) gives one at least as
    /// large. nil for an outlet with no words, or in a story of one outlet.
    func loadedLanguage(rounds: Int, seed: UInt64) -> [(share: Double, rest: Double, p: Double)?] {
        var all: [(words: Double, loaded: Double)] = []
        var sizes: [Int] = []
        for articles in outlets {
            var n = 0
            for a in articles { for k in units.sentenceWords[a].indices { all.append((Double(units.sentenceWords[a][k]), Double(units.sentenceLoaded[a][k]))); n += 1 } }
            sizes.append(n)
        }
        guard outlets.count > 1, rounds > 0 else { return outlets.map { _ in nil } }
        let totalWords = all.reduce(0) { $0 + $1.words }, totalLoaded = all.reduce(0) { $0 + $1.loaded }
        func differences(_ sentences: [(words: Double, loaded: Double)]) -> [Double?] {
            var out: [Double?] = []
            var next = 0
            for n in sizes {
                var w = 0.0, l = 0.0
                for s in sentences[next..<next + n] { w += s.words; l += s.loaded }
                next += n
                let restWords = totalWords - w
                out.append(w > 0 && restWords > 0 ? l / w - (totalLoaded - l) / restWords : nil)
            }
            return out
        }
        let observed = differences(all)
        var asLarge = [Int](repeating: 0, count: outlets.count)
        var rng = SplitMix64(seed: seed)
        var shuffled = all
        for _ in 0..<rounds {
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            for (o, d) in differences(shuffled).enumerated() {
                if let d, let seen = observed[o], abs(d) >= abs(seen) - 1e-12 { asLarge[o] += 1 }
            }
        }
        var next = 0
        return sizes.enumerated().map { o, n in
            defer { next += n }
            var w = 0.0, l = 0.0
            for s in all[next..<next + n] { w += s.words; l += s.loaded }
            guard observed[o] != nil else { return nil }
            return (l / w, (totalLoaded - l) / (totalWords - w), Double(asLarge[o] + 1) / Double(rounds + 1))
        }
    }

    /// What outlet `o` never mentions that most (more than half, and at least two) of the story's
    /// other outlets carry, among the units `wanted` admits; a unit is "mentioned" when the outlet
    /// writes its last word (a surname, the head of a phrase). Longest units first where a unit and
    /// its parts would both be listed. Returns (unit, outlets carrying it, their occurrences),
    /// most carried first.
    func omitted(by o: Int, wanted: (Int32) -> Bool) -> [(unit: Int32, carriedBy: Int, occurrences: Double)] {
        let others = outlets.count - 1
        guard others >= 2 else { return [] }
        let need = max(2, others / 2 + 1)
        let mine = counts[o]
        var found: [(unit: Int32, carriedBy: Int, occurrences: Double)] = []
        for u in mine.indices where mine[u] == 0 && carriers[u] >= need && wanted(Int32(u)) {
            let key = units.keys[u]
            if let head = units.index[UnitKey(a: key.last)], mine[Int(head)] > 0 { continue }
            found.append((Int32(u), carriers[u], storyCounts[u]))   // o is not among the carriers
        }
        found.sort { ($0.carriedBy, $0.occurrences, units.keys[Int($0.unit)].length, -$0.unit) > ($1.carriedBy, $1.occurrences, units.keys[Int($1.unit)].length, -$1.unit) }
        // Drop a unit contained in a longer listed one carried as widely.
        return found.filter { f in
            let key = units.keys[Int(f.unit)]
            return !found.contains { g in
                let k = units.keys[Int(g.unit)]
                return k.length > key.length && k.contains(key) && g.carriedBy >= f.carriedBy
            }
        }
    }
}

/// A seedable generator (SplitMix64, over ``Hashing/mix(_:)``): the same report from the same store.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        defer { state &+= 0x9e37_79b9_7f4a_7c15 }
        return Hashing.mix(state)
    }
}
