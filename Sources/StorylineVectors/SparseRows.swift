import StorylineCore

/// Sparse rows in compressed sparse row (CSR) form: row `r` holds feature ids
/// `indices[offsets[r]..<offsets[r+1]]` (sorted, unique) with `values` at the same places.
public struct SparseRows: Sendable {
    public var offsets: [Int] = [0]
    public var indices: [Int32] = []
    public var values: [Float] = []

    public init() {}

    public var count: Int { offsets.count - 1 }

    public mutating func append(indices newIndices: [Int32], values newValues: [Float]) {
        indices.append(contentsOf: newIndices)
        values.append(contentsOf: newValues)
        offsets.append(indices.count)
    }

    /// Exact dot product of rows `a` and `b` (a merge of two sorted lists).
    /// - Complexity: O(nnz(a) + nnz(b)).
    @inline(__always)
    public func dot(_ a: Int, _ b: Int) -> Float {
        var i = offsets[a], j = offsets[b]
        let ie = offsets[a + 1], je = offsets[b + 1]
        var sum: Float = 0
        while i < ie && j < je {
            let x = indices[i], y = indices[j]
            if x == y { sum += values[i] * values[j]; i += 1; j += 1 }
            else if x < y { i += 1 } else { j += 1 }
        }
        return sum
    }

    /// The rows' invariants: ids sorted and unique, rows unit-norm or empty. Compiled in every
    /// build (tests run it in release too); the engine calls it in debug builds only.
    public func _checkInvariants() {
        for r in 0..<count {
            var norm: Float = 0
            for k in offsets[r]..<offsets[r + 1] {
                if k > offsets[r] { precondition(indices[k - 1] < indices[k], "row \(r): ids not sorted and unique") }
                norm += values[k] * values[k]
            }
            precondition(offsets[r] == offsets[r + 1] || abs(norm - 1) < 1e-3, "row \(r): norm² \(norm)")
        }
    }
}

/// Pointers to a ``SparseRows``'s three arrays, for hot loops without bounds checks; valid only
/// inside ``SparseRows/withUnsafeRows(_:)``.
public struct UnsafeSparseRows {
    public let offsets: UnsafePointer<Int>
    public let indices: UnsafePointer<Int32>
    public let values: UnsafePointer<Float>
}

extension SparseRows {
    /// Calls `body` with pointers to the rows' arrays.
    public func withUnsafeRows<R>(_ body: (UnsafeSparseRows) throws -> R) rethrows -> R {
        try offsets.withUnsafeBufferPointer { o in
            try indices.withUnsafeBufferPointer { i in
                try values.withUnsafeBufferPointer { v in
                    // Empty arrays may have no base address: a stand-in that is never read.
                    try body(UnsafeSparseRows(offsets: o.baseAddress!, indices: i.baseAddress ?? UnsafePointer(_noIndices),
                                              values: v.baseAddress ?? UnsafePointer(_noValues)))
                }
            }
        }
    }
}

// Where an empty matrix's arrays point: never read (no row has an entry) nor written.
nonisolated(unsafe) private let _noIndices = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
nonisolated(unsafe) private let _noValues = UnsafeMutablePointer<Float>.allocate(capacity: 1)
