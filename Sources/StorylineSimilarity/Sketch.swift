import StorylineCore
import StorylineVectors

/// Dense sketches of sparse unit rows by signed feature hashing: feature `f` adds
/// `±w` to column `h(f) mod d`, the sign from another bit of `h(f)`. Inner products of sketches
/// are unbiased estimates of the rows' cosine, with a standard error of about `1/sqrt(d)`.
public struct Sketcher: Sendable {
    public let dimension: Int
    public let seed: UInt64

    public init(dimension: Int, seed: UInt64) {
        self.dimension = dimension
        self.seed = seed
    }

    /// Writes the sketch of `row` into `out` (`dimension` floats, overwritten).
    /// - Complexity: O(nnz(row) + dimension).
    @inline(__always)
    public func sketch(_ rows: SparseRows, _ row: Int, into out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: dimension)
        let d = UInt64(dimension)
        for k in rows.offsets[row]..<rows.offsets[row + 1] {
            let h = Hashing.mix(UInt64(UInt32(bitPattern: rows.indices[k])) ^ seed)
            let column = Int(h % d)
            let v = rows.values[k]
            out[column] += (h >> 63) == 0 ? v : -v
        }
    }
}
