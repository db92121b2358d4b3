// What the kernel files share (not part of the module's interface).
#ifndef STORYLINE_KERNELS_H
#define STORYLINE_KERNELS_H
#include "include/sketch_kernel.h"

#define MR SL_TILE_ROWS
#define NR SL_TILE_COLUMNS
/// Columns of `b` one row tile is run against before the next: 256 packed rows of 1024 bytes
/// (256 KB) stay in L2 while a row tile (12 KB) stays in L1.
#define NC 256

/// Sums of one MR × NR tile: rows a[0..MR) (lda apart, unsigned) against two packed groups of 16
/// columns: out[r·NR + j] = Σ_t qa[r][t]·qb[j][t] (signed), or for a kernel that multiplies the
/// unsigned rows, Σ_t a[r][t]·qb[j][t] (the correction 128 · Σ qb not yet taken off).
typedef void (*sl_tile_fn)(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);

/// The tile loop every kernel but AVX-512's shares: tiles in the order and partition the header
/// describes, each tile's sums from `tile`, then the scalar epilogue ((s − corr) · a_scale) · b_scale,
/// with corr = 0 where the tile's sums are `signed`.
void sl_scores_by_tiles(sl_tile_fn tile, int signed_sums, const uint8_t *a, long m, const float *a_scale,
                        const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                        long k, int upper, long first_tile, long tile_step, float *c, long ldc);

void sl_tile_portable(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);
int32_t sl_dot_portable(const uint8_t *x, const uint8_t *y, long k);

#if defined(__x86_64__)
void sl_tile_avx2(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);
void sl_tile_avx_vnni(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);
int32_t sl_dot_avx2(const uint8_t *x, const uint8_t *y, long k);
int32_t sl_dot_avx_vnni(const uint8_t *x, const uint8_t *y, long k);
int32_t sl_dot_avx512_vnni(const uint8_t *x, const uint8_t *y, long k);
void sl_scores_avx512_vnni(const uint8_t *a, long m, const float *a_scale,
                           const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                           long k, int upper, long first_tile, long tile_step, float *c, long ldc);
#endif
#if defined(__aarch64__)
void sl_tile_neon_dot(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out);
int32_t sl_dot_neon_dot(const uint8_t *x, const uint8_t *y, long k);
#endif

#endif
