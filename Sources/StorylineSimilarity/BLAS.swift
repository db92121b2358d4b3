internal import CBLAS
import StorylineCore
import StorylineVectors

/// The one place that calls BLAS. Links `libblas`; with OpenBLAS installed
/// (libopenblas0-pthread) the system resolves it to OpenBLAS at run time.
enum BLAS {
    /// `C = A · Bᵀ` for row-major `A` (m×k) and `B` (n×k); `C` is m×n, row-major.
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows m: Int,
                                   _ b: UnsafePointer<Float>, rows n: Int,
                                   width k: Int, into c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }

    /// The upper triangle (column ≥ row) of `C = A · Aᵀ` for row-major `A` (n×k); `C` is n×n,
    /// row-major, its lower triangle left as it was. Half the flops of `multiplyTransposed`.
    static func multiplySelfTransposed(_ a: UnsafePointer<Float>, rows n: Int, width k: Int,
                                       into c: UnsafeMutablePointer<Float>) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), 1, a, Int32(k), 0, c, Int32(n))
    }
}
