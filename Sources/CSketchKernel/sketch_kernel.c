// The dense stage of the similarity search on int8 sketches: quantization, the choice of kernel
// by CPU, the portable reference kernel, and the tile loop the kernels share. The kernels for
// particular instruction sets are in kernel_x86.c and kernel_neon.c.
#include "kernels.h"
#include <math.h>
#include <string.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

int sl_kernel_supported(int kernel) {
    switch (kernel) {
    case SL_KERNEL_PORTABLE: return 1;
#if defined(__x86_64__)
    case SL_KERNEL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    case SL_KERNEL_AVX_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
    case SL_KERNEL_AVX512_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vnni");
#endif
#if defined(__aarch64__) && defined(__linux__)
    case SL_KERNEL_NEON_DOT: return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
    default: return 0;
    }
}

int sl_best_kernel(void) {
    static const int order[] = {SL_KERNEL_AVX512_VNNI, SL_KERNEL_AVX_VNNI, SL_KERNEL_NEON_DOT, SL_KERNEL_AVX2};
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (sl_kernel_supported(order[i])) return order[i];
    }
    return SL_KERNEL_PORTABLE;
}

/// One row: the unsigned copy (±127), the packed copy when `group` is given (±SL_PACKED_MAX; this row's
/// place in its group of 16), the scales and the correction.
static void quantize_one(const float *x, long k, uint8_t *u, int8_t *group, float *scale, float *packed_scale, int32_t *correction) {
    float top = 0;
    for (long t = 0; t < k; t++) top = fmaxf(top, fabsf(x[t]));
    float q = top > 0 ? 127.0f / top : 0;
    int32_t sum = 0, packed_sum = 0;
    for (long t = 0; t < k; t++) {
        int v = (int)lrintf(x[t] * q);
        v = v > 127 ? 127 : v < -127 ? -127 : v;
        u[t] = (uint8_t)(v + 128);
        sum += v;
        if (group) {
            // v · SL_PACKED_MAX/127, rounded half away from zero, in integers (no second float rounding pass).
            int p = (v * 2 * SL_PACKED_MAX + (v >= 0 ? 127 : -127)) / 254;
            group[(t / 4) * 64 + t % 4] = (int8_t)p;
            packed_sum += p;
        }
    }
    *scale = top > 0 ? top / 127.0f : 0;
    if (packed_scale) *packed_scale = top > 0 ? top / (float)SL_PACKED_MAX : 0;
    *correction = 128 * (group ? packed_sum : sum);
}

void sl_quantize(const float *sketch, long rows, long first_row, long k,
                 uint8_t *unsigned_rows, int8_t *packed, float *scale, float *packed_scale, int32_t *correction) {
    for (long i = 0; i < rows; i++) {
        long r = first_row + i;
        quantize_one(sketch + i * k, k, unsigned_rows + r * k, packed + (r / 16) * k * 16 + (r % 16) * 4,
                     scale + r, packed_scale + r, correction + r);
    }
}

void sl_quantize_row(const float *sketch, long row, long k, uint8_t *unsigned_rows, float *scale, int32_t *correction) {
    quantize_one(sketch, k, unsigned_rows + row * k, 0, scale + row, 0, correction + row);
}

// MARK: - The portable reference

/// Σ qx·qy for two unsigned rows (q = u − 128).
int32_t sl_dot_portable(const uint8_t *x, const uint8_t *y, long k) {
    int32_t sum = 0;
    for (long t = 0; t < k; t++) sum += ((int32_t)x[t] - 128) * ((int32_t)y[t] - 128);
    return sum;
}

/// Signed sums Σ qa·qb of one MR × NR tile.
static void tile_portable(const uint8_t *a, long lda, const int8_t *b, long group_stride, long k, int32_t *out) {
    for (int r = 0; r < MR; r++) {
        for (int j = 0; j < NR; j++) {
            const int8_t *g = b + (j / 16) * group_stride + (j % 16) * 4;
            int32_t sum = 0;
            for (long t = 0; t < k; t++) sum += ((int32_t)a[r * lda + t] - 128) * (int32_t)g[(t / 4) * 64 + t % 4];
            out[r * NR + j] = sum;
        }
    }
}

long sl_loop_portable(const sl_operands *o, long j_begin, long j_end, float *c, long ldc, const sl_cut *cut, sl_candidate *out) {
    return sl_tile_loop(tile_portable, 1, o, j_begin, j_end, c, ldc, cut, out);
}

// MARK: - Dispatch

float sl_int8_dot(int kernel, const uint8_t *x, float x_scale, const uint8_t *y, float y_scale, int32_t y_correction, long k) {
    (void)y_correction;   // Σ x·(y − 128) − y_correction = Σ qx·qy, which every dot gives directly
    int32_t sum;
    switch (kernel) {
#if defined(__x86_64__)
    case SL_KERNEL_AVX2: sum = sl_dot_avx2(x, y, k); break;
    case SL_KERNEL_AVX_VNNI: sum = sl_dot_avx_vnni(x, y, k); break;
    case SL_KERNEL_AVX512_VNNI: sum = sl_dot_avx512_vnni(x, y, k); break;
#endif
#if defined(__aarch64__)
    case SL_KERNEL_NEON_DOT: sum = sl_dot_neon_dot(x, y, k); break;
#endif
    default: sum = sl_dot_portable(x, y, k); break;
    }
    return (float)sum * x_scale * y_scale;
}

/// The tile loop of `kernel` (which this CPU must run).
static sl_loop_fn loop_of(int kernel) {
    switch (kernel) {
#if defined(__x86_64__)
    case SL_KERNEL_AVX512_VNNI: return sl_loop_avx512_vnni;
    case SL_KERNEL_AVX_VNNI: return sl_loop_avx_vnni;
    case SL_KERNEL_AVX2: return sl_loop_avx2;
#endif
#if defined(__aarch64__)
    case SL_KERNEL_NEON_DOT: return sl_loop_neon_dot;
#endif
    default: return sl_loop_portable;
    }
}

void sl_int8_scores(int kernel, const uint8_t *a, long m, const float *a_scale,
                    const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                    long k, int upper, long first_tile, long tile_step, float *c, long ldc) {
    const sl_operands o = {a, m, a_scale, b, n, b_scale, b_correction, k, upper, first_tile, tile_step};
    loop_of(kernel)(&o, 0, n, c, ldc, 0, 0);
}

long sl_int8_candidates(int kernel, const uint8_t *a, long m, const float *a_scale,
                        const int8_t *b, long n, const float *b_scale, const int32_t *b_correction,
                        long k, int upper, long first_tile, long tile_step, long j_begin, long j_end,
                        const sl_cut *cut, sl_candidate *out) {
    const sl_operands o = {a, m, a_scale, b, n, b_scale, b_correction, k, upper, first_tile, tile_step};
    return loop_of(kernel)(&o, j_begin, j_end, 0, 0, cut, out);
}

long sl_float_candidates(const float *c, long ldc, long m, long n, int upper, long first_tile, long tile_step,
                         long j_begin, long j_end, const sl_cut *cut, sl_candidate *out) {
    (void)n;
    float row[NR];
    long count = 0;
    for (long i0 = first_tile * MR; i0 < m; i0 += tile_step * MR) {
        long rows = m - i0 < MR ? m - i0 : MR;
        for (long r = 0; r < rows; r++) {
            for (long j = j_begin; j < j_end; j += NR) {
                if (upper && j + NR <= i0 + r) continue;
                long cols = j_end - j < NR ? j_end - j : NR;
                for (long x = 0; x < NR; x++) row[x] = x < cols ? c[(i0 + r) * ldc + j + x] : 0;
                count += sl_emit(row, cols, i0 + r, j, upper, cut, out + count);
            }
        }
    }
    return count;
}
