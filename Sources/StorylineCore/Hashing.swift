/// Small, fast, dependency-free hashes. Stable across runs and platforms: they are stored
/// (content hashes) and seed the similarity sketch, so they must never change.
package enum Hashing {
    /// FNV-1a, 64 bit, over raw bytes.
    @inline(__always)
    package static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }

    package static func fnv1a(_ string: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var s = string
        return s.withUTF8 { fnv1a($0, seed: seed) }
    }

    /// Two FNV-1a lanes over the same bytes in one pass: the values of two ``fnv1a(_:seed:)`` calls,
    /// in about the time of one (each lane's multiply waits on its own previous one, so the
    /// two chains overlap).
    package static func fnv1a(_ string: String, seeds: (UInt64, UInt64)) -> (UInt64, UInt64) {
        var s = string
        return s.withUTF8 { bytes in
            var a = seeds.0, b = seeds.1
            for byte in bytes {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            return (a, b)
        }
    }

    /// SplitMix64 finalizer: a bijective mixer with good avalanche.
    @inline(__always)
    package static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A 128-bit content fingerprint as 32 hex digits (two independent FNV-1a lanes, mixed).
    static func fingerprint(_ parts: [String]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for part in parts {
            (a, b) = fnv1a(part, seeds: (a, b))
            // Separator so that ("ab", "c") and ("a", "bc") differ.
            a = mix(a ^ 0x1f)
            b = mix(b ^ 0x2f)
        }
        return hex(mix(a)) + hex(mix(b))
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
