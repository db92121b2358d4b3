// The int8 kernel for ARM64 with the dot-product extension (sdot: four int8 products summed into
// each 32-bit lane). Signed rows (u − 128) against the signed packed columns: Σ qa·qb directly.
#if defined(__aarch64__)
#include "kernels.h"
#include <arm_neon.h>

// The dot-product extension for these functions only (clang and gcc spell it differently).
#if defined(__clang__)
#define SL_DOTPROD __attribute__((target("dotprod")))
#else
#define SL_DOTPROD __attribute__((target("arch=armv8.2-a+dotprod")))
#endif

/// 4 rows × 16 columns (one packed group): per step of 4 bytes, the group's 64 bytes are four
/// registers of 4 columns each, and each row's 4 bytes are broadcast to every lane.
SL_DOTPROD
static inline void subtile_neon_dot(const uint8_t *a, long lda, const int8_t *g, long k, int32_t *out) {
    int32x4_t acc[4][4];
    for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) acc[r][c] = vdupq_n_s32(0);
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (long t = 0; t < k; t += 4) {
        int8x16_t x[4];
        for (int c = 0; c < 4; c++) x[c] = vld1q_s8(g + t * 16 + c * 16);
        for (int r = 0; r < 4; r++) {
            uint32_t v;
            __builtin_memcpy(&v, a + r * lda + t, 4);
            int8x16_t q = vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u32(vdupq_n_u32(v)), flip));
            for (int c = 0; c < 4; c++) acc[r][c] = vdotq_s32(acc[r][c], x[c], q);
        }
    }
    for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) vst1q_s32(out + r * NR + c * 4, acc[r][c]);
}

SL_DOTPROD
static inline void tile_neon_dot(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
    for (int r = 0; r < MR; r += 4) {
        subtile_neon_dot(a + r * lda, lda, b, k, out + r * NR);
        subtile_neon_dot(a + r * lda, lda, b + group_stride, k, out + r * NR + 16);
    }
}

SL_DOTPROD
long sl_loop_neon_dot(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    return sl_tile_loop(tile_neon_dot, 1, o, j_begin, j_end, c, ldc, cut, out);
}

SL_DOTPROD
int32_t sl_dot_neon_dot(const uint8_t *x, const uint8_t *y, long k) {
    const uint8x16_t flip = vdupq_n_u8(0x80);
    int32x4_t acc = vdupq_n_s32(0);
    long t = 0;
    for (; t + 16 <= k; t += 16) {
        int8x16_t qx = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x + t), flip));
        int8x16_t qy = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(y + t), flip));
        acc = vdotq_s32(acc, qx, qy);
    }
    int32_t sum = vaddvq_s32(acc);
    for (; t < k; t++) sum += ((int32_t)x[t] - 128) * ((int32_t)y[t] - 128);
    return sum;
}
#endif
