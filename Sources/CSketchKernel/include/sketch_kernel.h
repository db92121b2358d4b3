#ifndef STORYLINE_SKETCH_KERNEL_H
#define STORYLINE_SKETCH_KERNEL_H
#include <stdint.h>

/// The packed (right) operand's largest magnitude: ±31, 6 bits (see sl_quantize).
#define SL_PACKED_MAX 31

/// Rows of a quantized sketch block are padded to these multiples (the micro-tile's rows and columns).
#define SL_TILE_ROWS 12
#define SL_TILE_COLUMNS 32

/// The int8 kernels, by what they need of the CPU. Every kernel computes the same exact integer
/// sums and the same float epilogue, so all give bit-identical scores (tests check each against
/// the portable one).
typedef enum {
    /// Plain C: any CPU. The reference.
    SL_KERNEL_PORTABLE = 0,
    /// x86-64 AVX2: vpmaddubsw on |a| and sign(a)·b, then vpmaddwd (no saturation: |q| ≤ 127).
    SL_KERNEL_AVX2 = 1,
    /// x86-64 AVX-VNNI: vpdpbusd on 256-bit registers.
    SL_KERNEL_AVX_VNNI = 2,
    /// x86-64 AVX-512 F, BW and VNNI: vpdpbusd on 512-bit registers.
    SL_KERNEL_AVX512_VNNI = 3,
    /// ARM64 with the dot-product extension: sdot.
    SL_KERNEL_NEON_DOT = 4,
    SL_KERNEL_COUNT = 5
} sl_kernel;

/// 1 when this CPU (and its OS) runs `kernel`, and this build has it.
int sl_kernel_supported(int kernel);

/// The best kernel this CPU runs.
int sl_best_kernel(void);

/// Quantizes `rows` float sketches of width `k` (a multiple of 4), row-major in `sketch`, to int8
/// with one scale per row. Writes row r:
/// - `unsigned_rows[r·k ..]`: q + 128 with q = round(x · 127 / max|x|) (the left operand),
/// - `packed`: p = round(x · SL_PACKED_MAX / max|x|) in groups of 16 rows, each group laid out
///   [k/4][16][4] (the right operand: 6 bits, so that two steps of u8 × s8 pair sums fit 16 bits:
///   2 · 2 · 255 · 31 < 32768, which lets AVX2's vpmaddubsw multiply the unsigned rows directly
///   and add two steps before widening),
/// - `scale[r]`: max|x| / 127, `packed_scale[r]`: max|x| / SL_PACKED_MAX (0 for an all-zero row),
///   `correction[r]`: 128 · Σ p.
/// `first_row` places the rows inside a larger block (so workers can quantize parts of one).
void sl_quantize(const float *sketch, long rows, long first_row, long k,
                 uint8_t *unsigned_rows, int8_t *packed, float *scale, float *packed_scale, int32_t *correction);

/// Quantizes one float sketch like sl_quantize, into row `row` of `unsigned_rows` only (for
/// sl_int8_dot: no packed copy); `correction[row]` is 128 · Σ q.
void sl_quantize_row(const float *sketch, long row, long k, uint8_t *unsigned_rows, float *scale, int32_t *correction);

/// The approximate inner product of two rows quantized by sl_quantize_row (or sl_quantize):
/// (Σ x[t]·(y[t] − 128) − y_correction) · x_scale · y_scale, with x and y the unsigned rows,
/// by `kernel` (which this CPU must run).
float sl_int8_dot(int kernel, const uint8_t *x, float x_scale, const uint8_t *y, float y_scale, int32_t y_correction, long k);

/// Approximate inner products of quantized sketches, as floats, by `kernel` (which this CPU must run):
/// c[i·ldc + j] = (Σ_t a[i][t]·b[j][t] − b_correction[j]) · a_scale[i] · b_scale[j] for i < m, j < n
/// (a: unsigned rows with their `scale`; b: packed rows with their `packed_scale`),
/// computed for the row tiles first_tile, first_tile + tile_step, ... (tiles of SL_TILE_ROWS rows),
/// so that workers can share one product. `a` points at row 0 (unsigned rows, k bytes apart, readable
/// to a multiple of SL_TILE_ROWS rows); `b` at column 0 (packed, readable to a multiple of
/// SL_TILE_COLUMNS rows). With `upper`, tiles wholly below the diagonal (every column < every row)
/// may be skipped: a block against itself, of which only column > row is read.
void sl_int8_scores(int kernel, const uint8_t *a, long m, const float *a_scale,
                    const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                    long k, int upper, long first_tile, long tile_step, float *c, long ldc);

/// A pair found by sl_int8_candidates or sl_float_candidates: its row (of the rows given) and column, and its score.
typedef struct {
    int32_t row, column;
    float score;
} sl_candidate;

/// The cheapest bar a pair (row i, column j) must clear to be a candidate:
/// min(row_reach[i], column_reach[j]) · factor · g(x) − margin, with x = max(0, |column_time[j] −
/// row_time[i]| − grace) · inverse_decay and g(x) = 1 + x + x²/2 (a lower bound of eˣ, so the bar
/// is never above threshold / (boost · decay): reach is threshold / boost per article, factor 1 /
/// the undated factor of the pair, inverse_decay 0 where time does not count). Column arrays are
/// readable to a multiple of SL_TILE_COLUMNS.
typedef struct {
    const float *row_reach, *row_time, *column_reach, *column_time;
    float grace, inverse_decay, factor, margin;
} sl_cut;

/// Columns one call of sl_int8_candidates should span at most (a panel: the columns one row tile
/// is run against before the next); a call over [j_begin, j_end) appends at most
/// (its rows) × (j_end − j_begin) candidates.
#define SL_PANEL_COLUMNS 256

/// The pairs of sl_int8_scores's product (same operands, same scores to the bit) that clear `cut`,
/// for the columns [j_begin, j_end) (j_begin a multiple of SL_PANEL_COLUMNS), appended to `out`
/// (row-tile by row-tile); returns how many. With `upper`, only column > row. No score matrix is
/// written: the scores of a tile are cut while they are in cache.
long sl_int8_candidates(int kernel, const uint8_t *a, long m, const float *a_scale,
                        const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                        long k, int upper, long first_tile, long tile_step, long j_begin, long j_end,
                        const sl_cut *cut, sl_candidate *out);

/// The same cut over a float score matrix c (m × n, ldc apart; the float32 path's sgemm product):
/// rows of the row tiles first_tile, first_tile + tile_step, ... and columns [j_begin, j_end).
long sl_float_candidates(const float *c, long ldc, long m, long n, int upper, long first_tile, long tile_step,
                         long j_begin, long j_end, const sl_cut *cut, sl_candidate *out);

/// Multiply-accumulates per second one thread gets from `kernel`'s multiply instruction alone
/// (the best of repeated runs over about `duration` seconds): the int8 peak a kernel's share is
/// measured against. 0 when this CPU does not run `kernel` or it has no probe (the portable one).
double sl_peak_macs_per_second(int kernel, double duration);

#endif
