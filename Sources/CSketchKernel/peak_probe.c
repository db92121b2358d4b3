// The int8 peak of this CPU, measured: how many multiply-accumulates per second one thread gets
// from the instruction each kernel's inner loop is built on, in a loop of independent chains that
// does nothing else (AVX2 vpmaddubsw: 32 u8×s8 products a 256-bit instruction; AVX-VNNI vpdpbusd
// ymm: 32; AVX-512 VNNI vpdpbusd zmm: 64; NEON sdot: 16). A kernel's share of it is the share of
// the multiply unit's throughput it reaches at the clock the machine runs now (instruction tables
// give the same figure times the clock; measuring it takes the clock, and its boost, along).
#define _POSIX_C_SOURCE 199309L   // clock_gettime under -std=c11
#include "include/sketch_kernel.h"
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define CHAINS 12

#if defined(__x86_64__)
__attribute__((target("avx2")))
static long probe_avx2(long rounds, int *sink) {
    __m256i acc[CHAINS];
    const __m256i b = _mm256_set1_epi8(3);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_epi8((char)(i + 1));
    for (long r = 0; r < rounds; r++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_maddubs_epi16(acc[i], b);
    }
    __m256i x = acc[0];
    for (int i = 1; i < CHAINS; i++) x = _mm256_xor_si256(x, acc[i]);
    *sink = _mm256_extract_epi32(x, 0);
    return rounds * CHAINS * 32;
}

__attribute__((target("avx2,avxvnni")))
static long probe_avx_vnni(long rounds, int *sink) {
    __m256i acc[CHAINS];
    const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(5);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_epi32(i);
    for (long r = 0; r < rounds; r++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
    }
    __m256i x = acc[0];
    for (int i = 1; i < CHAINS; i++) x = _mm256_xor_si256(x, acc[i]);
    *sink = _mm256_extract_epi32(x, 0);
    return rounds * CHAINS * 32;
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static long probe_avx512_vnni(long rounds, int *sink) {
    __m512i acc[CHAINS];
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(5);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_epi32(i);
    for (long r = 0; r < rounds; r++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
    __m512i x = acc[0];
    for (int i = 1; i < CHAINS; i++) x = _mm512_xor_si512(x, acc[i]);
    *sink = _mm512_reduce_add_epi32(x);
    return rounds * CHAINS * 64;
}
#endif

#if defined(__aarch64__)
#if defined(__clang__)
__attribute__((target("dotprod")))
#else
__attribute__((target("arch=armv8.2-a+dotprod")))
#endif
static long probe_neon_dot(long rounds, int *sink) {
    int32x4_t acc[CHAINS];
    const int8x16_t a = vdupq_n_s8(3), b = vdupq_n_s8(5);
    for (int i = 0; i < CHAINS; i++) acc[i] = vdupq_n_s32(i);
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = vdotq_s32(acc[i], a, b);
    }
    int32x4_t x = acc[0];
    for (int i = 1; i < CHAINS; i++) x = veorq_s32(x, acc[i]);
    *sink = vgetq_lane_s32(x, 0);
    return rounds * CHAINS * 16;
}
#endif

double sl_peak_macs_per_second(int kernel, double duration) {
    if (!sl_kernel_supported(kernel)) return 0;
    long (*probe)(long, int *) = 0;
    switch (kernel) {
#if defined(__x86_64__)
    case SL_KERNEL_AVX2: probe = probe_avx2; break;
    case SL_KERNEL_AVX_VNNI: probe = probe_avx_vnni; break;
    case SL_KERNEL_AVX512_VNNI: probe = probe_avx512_vnni; break;
#endif
#if defined(__aarch64__)
    case SL_KERNEL_NEON_DOT: probe = probe_neon_dot; break;
#endif
    default: return 0;
    }
    int sink = 0;
    probe(100000, &sink);   // warm up: the clock ramps, the wide units power on
    double best = 0;
    long rounds = 1000000;
    for (double start = seconds(); seconds() - start < duration;) {
        double t0 = seconds();
        long macs = probe(rounds, &sink);
        double rate = (double)macs / (seconds() - t0);
        if (rate > best) best = rate;
    }
    volatile int keep = sink;
    (void)keep;
    return best;
}
