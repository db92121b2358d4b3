/// An in-place, unstable sort of integers: median-of-three quicksort with insertion sort for short
/// ranges. Swift's `sort()` is a stable merge sort that allocates; articles sort ~300 keys each,
/// millions of times.
@inline(__always)
func _quickSort(_ a: inout [Int64]) {
    a.withUnsafeMutableBufferPointer { p in
        guard p.count > 1 else { return }
        _quickSort(p.baseAddress!, 0, p.count - 1)
    }
}

private func _quickSort(_ a: UnsafeMutablePointer<Int64>, _ lo0: Int, _ hi0: Int) {
    var lo = lo0, hi = hi0
    while hi - lo > 16 {
        let mid = lo + (hi - lo) / 2
        if a[mid] < a[lo] { swap(&a[mid], &a[lo]) }
        if a[hi] < a[lo] { swap(&a[hi], &a[lo]) }
        if a[hi] < a[mid] { swap(&a[hi], &a[mid]) }
        let pivot = a[mid]
        var i = lo, j = hi
        while i <= j {
            while a[i] < pivot { i += 1 }
            while a[j] > pivot { j -= 1 }
            if i <= j { swap(&a[i], &a[j]); i += 1; j -= 1 }
        }
        // Recurse into the smaller side, loop on the larger (bounded stack).
        if j - lo < hi - i {
            if lo < j { _quickSort(a, lo, j) }
            lo = i
        } else {
            if i < hi { _quickSort(a, i, hi) }
            hi = j
        }
    }
    if hi > lo {
        for k in (lo + 1)...hi {
            let x = a[k]
            var m = k - 1
            while m >= lo && a[m] > x { a[m + 1] = a[m]; m -= 1 }
            a[m + 1] = x
        }
    }
}

/// Sorts non-negative keys by their high 32 bits (the low 32 ride along; ties keep input order):
/// an LSD radix sort on bytes, one pass per byte the largest key needs. For the few hundred keys
/// of an article it beats the comparison sort, whose branches the data makes unpredictable.
package func _radixSortHigh32(_ a: inout [Int64], scratch: inout [Int64]) {
    let n = a.count
    guard n > 1 else { return }
    if n < 32 { _quickSort(&a); return }
    var largest: Int64 = 0
    for k in a { largest = max(largest, k) }
    var passes = 0
    while passes < 4 && (largest >> (32 + 8 * passes)) != 0 { passes += 1 }
    if scratch.count < n { scratch = [Int64](repeating: 0, count: n) }
    var counts = [Int](repeating: 0, count: 256)
    a.withUnsafeMutableBufferPointer { pa in
        scratch.withUnsafeMutableBufferPointer { ps in
            counts.withUnsafeMutableBufferPointer { c in
                var src = pa.baseAddress!, dst = ps.baseAddress!
                for pass in 0..<passes {
                    let shift = Int64(32 + 8 * pass)
                    for d in 0..<256 { c[d] = 0 }
                    for k in 0..<n { c[Int((src[k] >> shift) & 0xFF)] += 1 }
                    var sum = 0
                    for d in 0..<256 { let x = c[d]; c[d] = sum; sum += x }
                    for k in 0..<n {
                        let v = src[k]
                        let d = Int((v >> shift) & 0xFF)
                        dst[c[d]] = v
                        c[d] += 1
                    }
                    swap(&src, &dst)
                }
                // An odd number of passes leaves the result in the scratch buffer.
                if src != pa.baseAddress! { pa.baseAddress!.update(from: src, count: n) }
            }
        }
    }
}
