/// Which articles the similarity search compares: the articles sorted by time (dated first, then
/// undated), cut into blocks, and for each pair of blocks the rows and columns that the time
/// window joins. Pure arithmetic on times: no sketches, no scores.
///
/// Positions are in sorted order (`order[p]` is the input row at position `p`, `day[p]` its time
/// in days, NaN when undated). Blocks never straddle dated and undated articles. A dated block is
/// compared with itself and the later dated blocks its window reaches; every block is compared
/// with every undated block (when undated articles are compared at all).
final class BlockPlan {
    /// Input row at each sorted position.
    let order: UnsafeMutableBufferPointer<Int>
    /// Time in days at each sorted position (NaN: undated).
    let day: UnsafeMutableBufferPointer<Double>
    let blocks: [Range<Int>]
    let isUndated: [Bool]
    /// The first undated block (blocks.count when none).
    let datedEnd: Int
    /// The time window in days.
    let window: Double

    /// - Parameters:
    ///   - days: each input row's time in days (nil when undated).
    ///   - compareUndated: whether undated articles are compared (else left out of the plan).
    init(days: [Double?], blockSize: Int, window: Double, compareUndated: Bool) {
        precondition(blockSize > 0)
        var dated = days.indices.filter { days[$0] != nil }
        dated.sort { (days[$0]!, $0) < (days[$1]!, $1) }
        let undated = compareUndated ? days.indices.filter { days[$0] == nil } : []
        var sorted: [Int] = []
        var blocks: [Range<Int>] = []
        for group in [dated, undated] where !group.isEmpty {
            let base = sorted.count
            sorted.append(contentsOf: group)
            for s in stride(from: 0, to: group.count, by: blockSize) {
                blocks.append((base + s)..<(base + min(s + blockSize, group.count)))
            }
        }
        order = .allocate(capacity: max(1, sorted.count))
        _ = order.initialize(from: sorted)
        day = .allocate(capacity: max(1, sorted.count))
        for (p, row) in sorted.enumerated() { day[p] = days[row] ?? .nan }
        self.blocks = blocks
        isUndated = blocks.map { days[sorted[$0.lowerBound]] == nil }
        datedEnd = isUndated.firstIndex(of: true) ?? blocks.count
        self.window = window
    }

    deinit {
        order.deallocate()
        day.deallocate()
    }

    /// How many articles the plan places (undated ones left out when they are not compared).
    var count: Int { blocks.last?.upperBound ?? 0 }

    /// The blocks that block `b` is compared with, itself first: the dated blocks its window
    /// reaches, then every undated block after it.
    func partners(of b: Int) -> [Int] {
        var out: [Int] = []
        if b < datedEnd {
            let last = day[blocks[b].upperBound - 1]
            for c in b..<datedEnd {
                if day[blocks[c].lowerBound] - last > window { break }
                out.append(c)
            }
        }
        out.append(contentsOf: max(b, datedEnd)..<blocks.count)
        return out
    }

    /// The positions of block `a` (rows) and `b` (columns) that the window joins: rows of `a` late
    /// enough to reach `b`, columns of `b` early enough to be reached (a suffix and a prefix: times
    /// are sorted). Nil when none. With an undated block, or `a == b`, the whole blocks.
    func span(_ a: Int, _ b: Int) -> (rows: Range<Int>, columns: Range<Int>)? {
        let ra = blocks[a], rb = blocks[b]
        guard a != b, !isUndated[a], !isUndated[b] else { return (ra, rb) }
        var rowStart = ra.lowerBound, columnEnd = rb.upperBound
        while rowStart < ra.upperBound && day[rb.lowerBound] - day[rowStart] > window { rowStart += 1 }
        while columnEnd > rb.lowerBound && day[columnEnd - 1] - day[ra.upperBound - 1] > window { columnEnd -= 1 }
        if rowStart == ra.upperBound || columnEnd == rb.lowerBound { return nil }
        return (rowStart..<ra.upperBound, rb.lowerBound..<columnEnd)
    }

    /// Where the partners of position `p` end among `columns` (which start after `p`'s block or at
    /// `p + 1`): the first column past `p`'s window. Times are sorted, so a binary search.
    @inline(__always)
    func windowEnd(of p: Int, in columns: Range<Int>, undated: Bool) -> Int {
        if undated { return columns.upperBound }
        var lo = columns.lowerBound, hi = columns.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if day[mid] - day[p] > window { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The pairs of blocks `a` and `b` inside the window (each unordered pair once), for statistics.
    func pairsInWindow(_ a: Int, _ b: Int) -> Int {
        let ra = blocks[a], rb = blocks[b]
        if isUndated[a] || isUndated[b] { return a == b ? ra.count * (ra.count - 1) / 2 : ra.count * rb.count }
        var pairs = 0
        var j = rb.lowerBound
        for i in ra {
            let lo = a == b ? i + 1 : rb.lowerBound
            j = max(j, lo)
            while j < rb.upperBound && day[j] - day[i] <= window { j += 1 }
            pairs += max(0, j - lo)
        }
        return pairs
    }
}
