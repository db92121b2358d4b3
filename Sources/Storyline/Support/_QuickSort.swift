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
