/// An open-addressing hash table from 64-bit token hashes to terms: the analyzer's per-token
/// lookup. The keys are already well-mixed hashes, so no rehashing (Swift's `Dictionary` would
/// run SipHash on each). Key 0 is the empty slot; a real key of 0 is stored as 1.
///
/// A key and its value share one 16-byte slot, so a lookup touches one cache line (with keys
/// and values in separate arrays, a hit on a word not seen lately missed the cache twice).
struct _TermCache {
    /// Slot `i`: the key at `2i`, the value (as UInt64) at `2i + 1`.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 14) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: 2 * size)
        mask = size - 1
    }

    @inline(__always)
    func get(_ key: UInt64) -> Int32? {
        let k = key == 0 ? 1 : key
        var i = Int(truncatingIfNeeded: k ^ (k >> 29)) & mask
        return slots.withUnsafeBufferPointer { s in
            while true {
                let stored = s[2 * i]
                if stored == k { return Int32(truncatingIfNeeded: s[2 * i + 1]) }
                if stored == 0 { return nil }
                i = (i + 1) & mask
            }
        }
    }

    mutating func set(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 4 > slots.count { grow() }   // load factor at most 1/2
        let k = key == 0 ? 1 : key
        var i = Int(truncatingIfNeeded: k ^ (k >> 29)) & mask
        while slots[2 * i] != 0 && slots[2 * i] != k { i = (i + 1) & mask }
        if slots[2 * i] == 0 { count += 1 }
        slots[2 * i] = k
        slots[2 * i + 1] = UInt64(UInt32(bitPattern: value))
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count / 2 - 1
        count = 0
        for s in stride(from: 0, to: old.count, by: 2) where old[s] != 0 {
            set(old[s], Int32(truncatingIfNeeded: old[s + 1]))
        }
    }
}
