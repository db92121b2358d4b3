// What the kernel files share (not part of the module's interface).
#ifndef STORYLINE_KERNELS_H
#define STORYLINE_KERNELS_H
#include "include/sketch_kernel.h"

#define MR SL_TILE_ROWS
#define NR SL_TILE_COLUMNS
/// Columns of `b` one row tile is run against before the next: 256 packed rows of 1024 bytes
/// (256 KB) stay in L2 while a row tile (12 KB) stays in L1.
#define NC SL_PANEL_COLUMNS
_Static_assert(NR <= 32, "a tile row's passes are one 32-bit mask");

/// Sums of one MR × NR tile: rows a[0..MR) (lda apart, unsigned) against two packed groups of 16
/// columns: out[r·NR + j] = Σ_t qa[r][t]·qb[j][t] (signed), or for a kernel that multiplies the
/// unsigned rows, Σ_t a[r][t]·qb[j][t] (the correction 128 · Σ qb not yet taken off).
typedef void (*sl_tile_fn)(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);

/// The operands of one product, as sl_int8_scores and sl_int8_candidates take them.
typedef struct {
    const uint8_t *a; long m; const float *a_scale;
    const int8_t *b; long n; const float *b_scale; const int32_t *b_correction;
    long k; int upper; long first_tile, tile_step;
} sl_operands;

/// Appends the pairs of row `i` (scores s[0..cols) of columns j, j + 1, ...) that clear `cut` to
/// `out`; returns how many. s, and the cut's column arrays from j, are readable to NR entries.
/// The bar is the cut's cheapest one for the pair, a lower bound of the verifier's exact bar
/// (1 + x + x²/2 ≤ eˣ), so no pair the verifier would take is dropped here.
static inline __attribute__((always_inline))
long sl_emit(const float *s, long cols, long i, long j, int upper, const sl_cut *cut, sl_candidate *out) {
    const float ra = cut->row_reach[i], ta = cut->row_time[i];
    const float *rb = cut->column_reach + j, *tb = cut->column_time + j;
    // A bit per column that clears its bar (a compare and a mask the compiler vectorizes).
    uint32_t mask = 0;
    for (int x = 0; x < NR; x++) {
        float dt = tb[x] - ta;
        dt = dt < 0 ? -dt : dt;
        float over = dt - cut->grace;
        over = (over > 0 ? over : 0) * cut->inverse_decay;
        float reach = ra < rb[x] ? ra : rb[x];
        mask |= (uint32_t)(s[x] >= reach * cut->factor * (1.0f + over * (1.0f + 0.5f * over)) - cut->margin) << x;
    }
    if (cols < NR) mask &= (1u << cols) - 1;
    // Above the diagonal only: columns j + x > i.
    if (upper && i >= j) mask = i - j + 1 >= NR ? 0 : mask & ~((1u << (i - j + 1)) - 1);
    long count = 0;
    while (mask) {
        int x = __builtin_ctz(mask);
        mask &= mask - 1;
        out[count].row = (int32_t)i;
        out[count].column = (int32_t)(j + x);
        out[count].score = s[x];
        count++;
    }
    return count;
}

/// The tile loop every kernel shares, inlined into each kernel's own function (so that its
/// epilogue is compiled for the kernel's instruction set): the row tiles first_tile,
/// first_tile + tile_step, ... against columns [j_begin, j_end) (j_begin a multiple of NC), in
/// panels of NC columns. Each tile's sums become scores ((Σ − correction) · a_scale) · b_scale,
/// stored into c (`cut` NULL) or, with a cut, appended to `out` where they clear it (returns how
/// many).
static inline __attribute__((always_inline))
long sl_tile_loop(sl_tile_fn tile, int signed_sums, const sl_operands *o, long j_begin, long j_end,
                  float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    int32_t sums[MR * NR] __attribute__((aligned(64)));
    float row[NR] __attribute__((aligned(64)));
    const long k = o->k, group_stride = k * 16;
    long count = 0;
    for (long j0 = j_begin; j0 < j_end; j0 += NC) {
        long j1 = j0 + NC < j_end ? j0 + NC : j_end;
        for (long i0 = o->first_tile * MR; i0 < o->m; i0 += o->tile_step * MR) {
            long rows = o->m - i0 < MR ? o->m - i0 : MR;
            for (long j = j0; j < j1; j += NR) {
                if (o->upper && j + NR <= i0) continue;
                tile(o->a + i0 * k, k, o->b + (j / 16) * group_stride, group_stride, k, sums);
                long cols = j_end - j < NR ? j_end - j : NR;
                for (long r = 0; r < rows; r++) {
                    float as = o->a_scale[i0 + r];
                    for (int x = 0; x < NR; x++) {
                        int32_t sum = sums[r * NR + x] - (signed_sums ? 0 : o->b_correction[j + x]);
                        row[x] = ((float)sum * as) * o->b_scale[j + x];
                    }
                    if (cut) {
                        count += sl_emit(row, cols, i0 + r, j, o->upper, cut, out + count);
                    } else {
                        float *dst = c + (i0 + r) * ldc + j;
                        for (long x = 0; x < cols; x++) dst[x] = row[x];
                    }
                }
            }
        }
    }
    return count;
}

/// One kernel's tile loop (sl_tile_loop with its tile), as sl_int8_scores dispatches to it.
typedef long (*sl_loop_fn)(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);

long sl_loop_portable(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);
int32_t sl_dot_portable(const uint8_t *x, const uint8_t *y, long k);

#if defined(__x86_64__)
long sl_loop_avx2(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);
long sl_loop_avx_vnni(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);
long sl_loop_avx512_vnni(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);
int32_t sl_dot_avx2(const uint8_t *x, const uint8_t *y, long k);
int32_t sl_dot_avx_vnni(const uint8_t *x, const uint8_t *y, long k);
int32_t sl_dot_avx512_vnni(const uint8_t *x, const uint8_t *y, long k);
#endif
#if defined(__aarch64__)
long sl_loop_neon_dot(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out);
int32_t sl_dot_neon_dot(const uint8_t *x, const uint8_t *y, long k);
#endif

#endif
