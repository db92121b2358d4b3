// The dense stage of the similarity search on int8 sketches with AVX-512 VNNI (vpdpbusd:
// 64 multiply-adds of u8 × s8 into 16 int32 sums per instruction). The float sketches' product
// through sgemm is the fallback on CPUs without VNNI (CandidateSearch decides).
#include "sketch_kernel.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define MR SL_TILE_ROWS
#define NR SL_TILE_COLUMNS
/// Columns of `b` one row tile is run against before the next: 256 packed rows of 1024 bytes
/// (256 KB) stay in L2 while a row tile (12 KB) stays in L1.
#define NC 256

int sl_int8_kernel_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vnni");
}

/// One row: the unsigned copy, the packed copy when `group` is given (this row's place in its
/// group of 16), the scale and the correction.
static void quantize_one(const float *x, long k, uint8_t *u, int8_t *group, float *scale, int32_t *correction) {
    float top = 0;
    for (long t = 0; t < k; t++) top = fmaxf(top, fabsf(x[t]));
    float q = top > 0 ? 127.0f / top : 0;
    int32_t sum = 0;
    for (long t = 0; t < k; t++) {
        int v = (int)lrintf(x[t] * q);
        v = v > 127 ? 127 : v < -127 ? -127 : v;
        u[t] = (uint8_t)(v + 128);
        if (group) group[(t / 4) * 64 + t % 4] = (int8_t)v;
        sum += v;
    }
    *scale = top > 0 ? top / 127.0f : 0;
    *correction = 128 * sum;
}

void sl_quantize(const float *sketch, long rows, long first_row, long k,
                 uint8_t *unsigned_rows, int8_t *packed, float *scale, int32_t *correction) {
    for (long i = 0; i < rows; i++) {
        long r = first_row + i;
        quantize_one(sketch + i * k, k, unsigned_rows + r * k, packed + (r / 16) * k * 16 + (r % 16) * 4,
                     scale + r, correction + r);
    }
}

void sl_quantize_row(const float *sketch, long row, long k, uint8_t *unsigned_rows, float *scale, int32_t *correction) {
    quantize_one(sketch, k, unsigned_rows + row * k, 0, scale + row, correction + row);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static int32_t dot_vnni(const uint8_t *x, const uint8_t *y, long k) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    const __m512i flip = _mm512_set1_epi8((char)0x80);   // u8 → s8: y − 128 is y with its top bit flipped
    long t = 0;
    for (; t + 128 <= k; t += 128) {
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512((const void *)(x + t)),
                                   _mm512_xor_si512(_mm512_loadu_si512((const void *)(y + t)), flip));
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512((const void *)(x + t + 64)),
                                   _mm512_xor_si512(_mm512_loadu_si512((const void *)(y + t + 64)), flip));
    }
    int32_t sum = _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
    for (; t < k; t++) sum += (int32_t)x[t] * ((int32_t)y[t] - 128);
    return sum;
}

static int32_t dot_plain(const uint8_t *x, const uint8_t *y, long k) {
    int32_t sum = 0;
    for (long t = 0; t < k; t++) sum += (int32_t)x[t] * ((int32_t)y[t] - 128);
    return sum;
}

static int vnni = -1;

float sl_int8_dot(const uint8_t *x, float x_scale, const uint8_t *y, float y_scale, int32_t y_correction, long k) {
    if (vnni < 0) vnni = sl_int8_kernel_supported();
    int32_t sum = vnni ? dot_vnni(x, y, k) : dot_plain(x, y, k);
    return (float)(sum - y_correction) * x_scale * y_scale;
}

/// One MR × NR tile of raw sums: rows a[0..MR) (lda apart) against two packed groups of 16 columns.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static inline void tile_sums(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
    __m512i c0[MR], c1[MR];
    for (int r = 0; r < MR; r++) { c0[r] = _mm512_setzero_si512(); c1[r] = _mm512_setzero_si512(); }
    const int8_t *b0 = b, *b1 = b + group_stride;
    for (long t = 0; t < k; t += 4) {
        __m512i x0 = _mm512_loadu_si512((const void *)(b0 + t * 16));
        __m512i x1 = _mm512_loadu_si512((const void *)(b1 + t * 16));
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            int32_t v;
            memcpy(&v, a + r * lda + t, 4);
            __m512i av = _mm512_set1_epi32(v);
            c0[r] = _mm512_dpbusd_epi32(c0[r], av, x0);
            c1[r] = _mm512_dpbusd_epi32(c1[r], av, x1);
        }
    }
    for (int r = 0; r < MR; r++) {
        _mm512_storeu_si512((void *)(out + r * NR), c0[r]);
        _mm512_storeu_si512((void *)(out + r * NR + 16), c1[r]);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
void sl_int8_scores(const uint8_t *a, long m, const float *a_scale,
                    const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                    long k, int upper, long first_tile, long tile_step, float *c, long ldc) {
    int32_t sums[MR * NR] __attribute__((aligned(64)));
    long group_stride = k * 16;
    for (long j0 = 0; j0 < n; j0 += NC) {
        long j1 = j0 + NC < n ? j0 + NC : n;
        for (long i0 = first_tile * MR; i0 < m; i0 += tile_step * MR) {
            long rows = m - i0 < MR ? m - i0 : MR;
            for (long j = j0; j < j1; j += NR) {
                if (upper && j + NR <= i0) continue;
                tile_sums(a + i0 * k, k, b + (j / 16) * group_stride, group_stride, k, sums);
                long cols = n - j < NR ? n - j : NR;
                __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
                __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
                __m512i corr0 = _mm512_maskz_loadu_epi32(m0, b_correction + j);
                __m512i corr1 = _mm512_maskz_loadu_epi32(m1, b_correction + j + 16);
                __m512 s0 = _mm512_maskz_loadu_ps(m0, b_scale + j), s1 = _mm512_maskz_loadu_ps(m1, b_scale + j + 16);
                for (long r = 0; r < rows; r++) {
                    __m512 as = _mm512_set1_ps(a_scale[i0 + r]);
                    __m512 v0 = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_load_si512((const void *)(sums + r * NR)), corr0));
                    __m512 v1 = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_load_si512((const void *)(sums + r * NR + 16)), corr1));
                    float *row = c + (i0 + r) * ldc + j;
                    _mm512_mask_storeu_ps(row, m0, _mm512_mul_ps(_mm512_mul_ps(v0, as), s0));
                    _mm512_mask_storeu_ps(row + 16, m1, _mm512_mul_ps(_mm512_mul_ps(v1, as), s1));
                }
            }
        }
    }
}
