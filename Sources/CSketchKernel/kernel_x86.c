// The int8 kernels for x86-64: AVX2, AVX-VNNI and AVX-512 VNNI, each compiled for its own
// instruction set (target attributes) and called only where the CPU has it (sketch_kernel.c).
// Every one computes the exact integer Σ qa·qb, so all give the portable kernel's scores.
#if defined(__x86_64__)
#include "kernels.h"
#include <immintrin.h>
#include <string.h>

// MARK: - AVX2

/// 4 rows (SUBROWS) × 16 columns (one packed group) of raw sums Σ (qa + 128)·pb: vpmaddubsw multiplies the
/// unsigned rows by the 6-bit packed columns (pair sums at most 2 · 255 · 31), two steps of them
/// are added in 16 bits (at most 31,620: no saturation), and only then does vpmaddwd widen them
/// into 32 bits: one widening per two multiplies, where each took one before (vpmaddwd uses the
/// multiply units too). The tile loop takes the correction off.
#define SUBROWS 4
_Static_assert(2 * 2 * 255 * SL_PACKED_MAX < 32768, "16-bit sums of two steps would saturate");
__attribute__((target("avx2")))
static inline void subtile_avx2(const uint8_t *a, long lda, const int8_t *g, long k, int32_t *out) {
    __m256i acc[SUBROWS][2];
    for (int r = 0; r < SUBROWS; r++) { acc[r][0] = _mm256_setzero_si256(); acc[r][1] = _mm256_setzero_si256(); }
    const __m256i ones = _mm256_set1_epi16(1);
    long t = 0;
    for (; t + 8 <= k; t += 8) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(g + t * 16));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(g + t * 16 + 32));
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(g + t * 16 + 64));
        __m256i y1 = _mm256_loadu_si256((const __m256i *)(g + t * 16 + 96));
#pragma clang loop unroll(full)
        for (int r = 0; r < SUBROWS; r++) {
            int32_t v, w;
            memcpy(&v, a + r * lda + t, 4);
            memcpy(&w, a + r * lda + t + 4, 4);
            __m256i av = _mm256_set1_epi32(v), aw = _mm256_set1_epi32(w);
            __m256i s0 = _mm256_add_epi16(_mm256_maddubs_epi16(av, x0), _mm256_maddubs_epi16(aw, y0));
            __m256i s1 = _mm256_add_epi16(_mm256_maddubs_epi16(av, x1), _mm256_maddubs_epi16(aw, y1));
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(s0, ones));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(s1, ones));
        }
    }
    for (; t < k; t += 4) {   // k a multiple of 4, not of 8: one step left
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(g + t * 16));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(g + t * 16 + 32));
        for (int r = 0; r < SUBROWS; r++) {
            int32_t v;
            memcpy(&v, a + r * lda + t, 4);
            __m256i av = _mm256_set1_epi32(v);
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(av, x0), ones));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(av, x1), ones));
        }
    }
    for (int r = 0; r < SUBROWS; r++) {
        _mm256_storeu_si256((__m256i *)(out + r * NR), acc[r][0]);
        _mm256_storeu_si256((__m256i *)(out + r * NR + 8), acc[r][1]);
    }
}

__attribute__((target("avx2")))
static inline void tile_avx2(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
    for (int r = 0; r < MR; r += SUBROWS) {
        subtile_avx2(a + r * lda, lda, b, k, out + r * NR);
        subtile_avx2(a + r * lda, lda, b + group_stride, k, out + r * NR + 16);
    }
}

__attribute__((target("avx2")))
long sl_loop_avx2(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    return sl_tile_loop(tile_avx2, 0, o, j_begin, j_end, c, ldc, cut, out);
}

/// Σ qx·qy of two unsigned rows (both ±127: the sign moves to y so that |qx| · sign(qx)·qy pairs
/// stay within 16 bits).
__attribute__((target("avx2")))
int32_t sl_dot_avx2(const uint8_t *x, const uint8_t *y, long k) {
    const __m256i flip = _mm256_set1_epi8((char)0x80), ones = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    long t = 0;
    for (; t + 32 <= k; t += 32) {
        __m256i qx = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(x + t)), flip);
        __m256i qy = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(y + t)), flip);
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx)), ones));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    int32_t sum = _mm_cvtsi128_si32(s);
    for (; t < k; t++) sum += ((int32_t)x[t] - 128) * ((int32_t)y[t] - 128);
    return sum;
}

// MARK: - AVX-VNNI

/// 6 rows × 16 columns of raw sums Σ (qa + 128)·qb (vpdpbusd of the unsigned rows against the
/// signed packed columns); the tile loop takes 128 · Σ qb (the correction) off.
__attribute__((target("avx2,avxvnni")))
static inline void subtile_avx_vnni(const uint8_t *a, long lda, const int8_t *g, long k, int32_t *out) {
    __m256i acc[6][2];
    for (int r = 0; r < 6; r++) { acc[r][0] = _mm256_setzero_si256(); acc[r][1] = _mm256_setzero_si256(); }
    for (long t = 0; t < k; t += 4) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(g + t * 16));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(g + t * 16 + 32));
#pragma clang loop unroll(full)
        for (int r = 0; r < 6; r++) {
            int32_t v;
            memcpy(&v, a + r * lda + t, 4);
            __m256i av = _mm256_set1_epi32(v);
            acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], av, x0);
            acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], av, x1);
        }
    }
    for (int r = 0; r < 6; r++) {
        _mm256_storeu_si256((__m256i *)(out + r * NR), acc[r][0]);
        _mm256_storeu_si256((__m256i *)(out + r * NR + 8), acc[r][1]);
    }
}

__attribute__((target("avx2,avxvnni")))
static inline void tile_avx_vnni(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
    for (int r = 0; r < MR; r += 6) {
        subtile_avx_vnni(a + r * lda, lda, b, k, out + r * NR);
        subtile_avx_vnni(a + r * lda, lda, b + group_stride, k, out + r * NR + 16);
    }
}

__attribute__((target("avx2,avxvnni")))
long sl_loop_avx_vnni(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    return sl_tile_loop(tile_avx_vnni, 0, o, j_begin, j_end, c, ldc, cut, out);
}

__attribute__((target("avx2,avxvnni")))
int32_t sl_dot_avx_vnni(const uint8_t *x, const uint8_t *y, long k) {
    const __m256i flip = _mm256_set1_epi8((char)0x80), ones8 = _mm256_set1_epi8(1);
    __m256i acc = _mm256_setzero_si256(), ysum = _mm256_setzero_si256();
    long t = 0;
    for (; t + 32 <= k; t += 32) {
        __m256i qy = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(y + t)), flip);
        acc = _mm256_dpbusd_avx_epi32(acc, _mm256_loadu_si256((const __m256i *)(x + t)), qy);
        ysum = _mm256_dpbusd_avx_epi32(ysum, ones8, qy);
    }
    acc = _mm256_sub_epi32(acc, _mm256_slli_epi32(ysum, 7));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    int32_t sum = _mm_cvtsi128_si32(s);
    for (; t < k; t++) sum += ((int32_t)x[t] - 128) * ((int32_t)y[t] - 128);
    return sum;
}

// MARK: - AVX-512 VNNI

__attribute__((target("avx512f,avx512bw,avx512vnni")))
int32_t sl_dot_avx512_vnni(const uint8_t *x, const uint8_t *y, long k) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512(), ysum = _mm512_setzero_si512();
    const __m512i flip = _mm512_set1_epi8((char)0x80), ones8 = _mm512_set1_epi8(1);   // u8 → s8: y − 128 flips y's top bit
    long t = 0;
    for (; t + 128 <= k; t += 128) {
        __m512i qy0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(y + t)), flip);
        __m512i qy1 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(y + t + 64)), flip);
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512((const void *)(x + t)), qy0);
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512((const void *)(x + t + 64)), qy1);
        ysum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(ysum, ones8, qy0), ones8, qy1);
    }
    int32_t sum = _mm512_reduce_add_epi32(_mm512_sub_epi32(_mm512_add_epi32(acc0, acc1), _mm512_slli_epi32(ysum, 7)));
    for (; t < k; t++) sum += ((int32_t)x[t] - 128) * ((int32_t)y[t] - 128);
    return sum;
}

/// One MR × NR tile of raw sums Σ (qa + 128)·qb: rows a[0..MR) against two packed groups of 16 columns.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static inline void tile_sums_avx512(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
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
long sl_loop_avx512_vnni(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    return sl_tile_loop(tile_sums_avx512, 0, o, j_begin, j_end, c, ldc, cut, out);
}
#endif
