// Checks the sketch kernel's ARM64 sdot path against the portable reference, bit for bit, on
// blocks that are not multiples of the tile (with a row offset, a column prefix and the upper
// triangle), and its second-sketch dot. Built and run by tools/check-arm64 under qemu-aarch64.
#include "../../Sources/CSketchKernel/include/sketch_kernel.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float next(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (float)(state % 20001) / 10000.0f - 1.0f;
}

typedef struct { uint8_t *u; int8_t *packed; float *scale; float *pscale; int32_t *corr; } block;

static block quantized(long rows, long k) {
    long padded = (rows + 31) / 32 * 32 + 32;
    block b = {calloc(padded * k, 1), calloc(padded * k, 1), calloc(padded, 4), calloc(padded, 4), calloc(padded, 4)};
    memset(b.u, 128, padded * k);
    float *x = malloc(k * sizeof(float));
    for (long r = 0; r < rows; r++) {
        for (long t = 0; t < k; t++) x[t] = r % 17 == 5 ? 0 : next();
        sl_quantize(x, 1, r, k, b.u, b.packed, b.scale, b.pscale, b.corr);
    }
    free(x);
    return b;
}

int main(void) {
    if (!sl_kernel_supported(SL_KERNEL_NEON_DOT)) { printf("arm64: this CPU has no dot-product extension\n"); return 1; }
    long cases[][5] = {{37, 45, 0, 45, 0}, {37, 45, 5, 19, 0}, {70, 70, 0, 70, 1}, {1, 1, 0, 1, 0}, {300, 290, 13, 290, 0}};
    long k = 256, scores = 0, dots = 0, differing = 0;
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        long rows = cases[c][0], columns = cases[c][1], offset = cases[c][2], n = cases[c][3], upper = cases[c][4];
        block a = quantized(rows, k), b = upper ? a : quantized(columns, k);
        long m = rows - offset;
        float *ref = malloc(m * n * sizeof(float)), *got = malloc(m * n * sizeof(float));
        for (long w = 0; w < 2; w++) {
            sl_int8_scores(SL_KERNEL_PORTABLE, a.u + offset * k, m, a.scale + offset, b.packed, n, b.pscale, b.corr, k, (int)upper, w, 2, ref, n);
            sl_int8_scores(SL_KERNEL_NEON_DOT, a.u + offset * k, m, a.scale + offset, b.packed, n, b.pscale, b.corr, k, (int)upper, w, 2, got, n);
        }
        for (long i = 0; i < m; i++) {
            for (long j = 0; j < n; j++) {
                if (upper && j <= i) continue;
                scores++;
                if (memcmp(&ref[i * n + j], &got[i * n + j], 4) != 0) differing++;
            }
        }
        for (long i = 0; i + 1 < rows; i++) {
            float x = sl_int8_dot(SL_KERNEL_PORTABLE, a.u + i * k, a.scale[i], a.u + (i + 1) * k, a.scale[i + 1], a.corr[i + 1], k);
            float y = sl_int8_dot(SL_KERNEL_NEON_DOT, a.u + i * k, a.scale[i], a.u + (i + 1) * k, a.scale[i + 1], a.corr[i + 1], k);
            dots++;
            if (memcmp(&x, &y, 4) != 0) differing++;
        }
        free(ref); free(got);
    }
    printf("arm64 neon-dot against portable: %ld scores and %ld dots, %ld differing\n", scores, dots, differing);
    // The peak probe's sdot loop runs (its rate under an emulator says nothing of a real CPU).
    double peak = sl_peak_macs_per_second(SL_KERNEL_NEON_DOT, 0.02);
    printf("arm64 sdot peak probe: %s\n", peak > 0 ? "measures" : "measured nothing");
    return differing == 0 && peak > 0 ? 0 : 1;
}
