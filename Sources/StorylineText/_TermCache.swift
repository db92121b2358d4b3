internal import CPrefetch
import StorylineCore

/// An open-addressing hash table from 64-bit token hashes to terms: the analyzer's per-token
/// lookup. The keys are already well-mixed hashes, so no rehashing (Swift's `Dictionary` would
/// run SipHash on each). Key 0 is the empty slot; a real key of 0 is stored as 1.
///
/// A key and its value share one 16-byte slot, so a lookup touches one cache line (with keys
/// and values in separate arrays, a hit on a word not seen lately missed the cache twice), and
/// ``prefetch(_:)`` can ask for that line ahead of the lookup. The slots are plain memory (no
/// array, so no reference counting or uniqueness checks per lookup); copies of a cache share
/// them, so a cache has one owner at a time (an ``Analyzer``'s pipeline).
struct _TermCache {
    private final class Storage {
        let slots: UnsafeMutablePointer<UInt64>
        init(slots: Int) {
            self.slots = .allocate(capacity: 2 * slots)
            self.slots.initialize(repeating: 0, count: 2 * slots)
        }
        deinit { slots.deallocate() }
    }
    private var storage: Storage
    /// Slot `i`: the key at `2i`, the value (as UInt64) at `2i + 1`.
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private(set) var count = 0

    /// A cache that stands in while the real one is moved out of its owner: never looked up nor
    /// written, so sharing it across threads is safe.
    nonisolated(unsafe) static let placeholder = _TermCache(capacity: 0)

    init(capacity: Int = 1 << 14) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        storage = Storage(slots: size)
        slots = storage.slots
        mask = size - 1
    }

    @inline(__always)
    private func home(_ k: UInt64) -> Int { Int(truncatingIfNeeded: k ^ (k >> 29)) & mask }

    @inline(__always)
    func get(_ key: UInt64) -> Int32? {
        let k = key == 0 ? 1 : key
        var i = home(k)
        while true {
            let stored = slots[2 * i]
            if stored == k { return Int32(truncatingIfNeeded: slots[2 * i + 1]) }
            if stored == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Asks the CPU to bring in the slot where a lookup of `key` starts.
    @inline(__always)
    func prefetch(_ key: UInt64) {
        sl_prefetch(slots + 2 * home(key == 0 ? 1 : key))
    }

    mutating func set(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 2 > mask + 1 { grow() }   // load factor at most 1/2
        let k = key == 0 ? 1 : key
        var i = home(k)
        while slots[2 * i] != 0 && slots[2 * i] != k { i = (i + 1) & mask }
        if slots[2 * i] == 0 { count += 1 }
        slots[2 * i] = k
        slots[2 * i + 1] = UInt64(UInt32(bitPattern: value))
    }

    private mutating func grow() {
        let old = storage, oldSize = mask + 1
        storage = Storage(slots: 2 * oldSize)
        slots = storage.slots
        mask = 2 * oldSize - 1
        count = 0
        for s in 0..<oldSize where old.slots[2 * s] != 0 {
            set(old.slots[2 * s], Int32(truncatingIfNeeded: old.slots[2 * s + 1]))
        }
    }
}
