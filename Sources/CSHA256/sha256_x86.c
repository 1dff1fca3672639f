#include "csha256.h"

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes. The SHA-NI rounds and ImageFormat's Swift rounds both read this one table. */
static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t *csha256_round_constants(void) { return round_constants; }

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>

/* From what glibc read at the process's start: CPUID traps to the hypervisor
 * when the host is itself a VM (about 6 us each on this project's machines). */
int csha256_available(void)
{
    return CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SHA);
}
#else
/* -1 until the first call; benign if two threads both look, they find the same answer. */
static int available = -1;

int csha256_available(void)
{
    int cached = __atomic_load_n(&available, __ATOMIC_RELAXED);
    if (cached >= 0)
        return cached;
    unsigned eax, ebx, ecx, edx;
    int ssse3_sse41 = __get_cpuid(1, &eax, &ebx, &ecx, &edx)
                      && (ecx & bit_SSSE3) && (ecx & bit_SSE4_1);
    int sha = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_SHA);
    cached = ssse3_sse41 && sha;
    __atomic_store_n(&available, cached, __ATOMIC_RELAXED);
    return cached;
}
#endif

/* Only this function is compiled for the SHA extensions; the package's baseline stays x86-64. */
__attribute__((target("sha,sse4.1,ssse3")))
void csha256_compress(uint32_t state[8], const uint8_t *blocks, size_t count)
{
    /* SHA256RNDS2 wants the working variables as {A,B,E,F} and {C,D,G,H}, the first letter in
     * the highest lane (_mm_set_epi32 takes lanes highest first). */
    __m128i abef = _mm_set_epi32((int)state[0], (int)state[1], (int)state[4], (int)state[5]);
    __m128i cdgh = _mm_set_epi32((int)state[2], (int)state[3], (int)state[6], (int)state[7]);
    /* The message words are big-endian: reverse the bytes of each 32-bit lane. */
    const __m128i byteswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

    for (; count > 0; count--, blocks += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        /* The latest 16 message words: step i puts W[4i..4i+3] in w[i % 4], W[4i] lowest. */
        __m128i w[4];
#pragma clang loop unroll(full)
        for (int i = 0; i < 16; i++) {
            __m128i *next = &w[i % 4];
            if (i < 4) {
                *next = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)), byteswap);
            } else {
                /* W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a time: MSG1 adds
                 * σ0(W[t-15..t-12]) to W[t-16..t-13] (w[i%4], w[(i+1)%4]), W[t-7..t-4] straddles
                 * w[(i+2)%4] and w[(i+3)%4], and MSG2 adds σ1 of the two words before each. */
                __m128i older = _mm_sha256msg1_epu32(*next, w[(i + 1) % 4]);
                older = _mm_add_epi32(older, _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4));
                *next = _mm_sha256msg2_epu32(older, w[(i + 3) % 4]);
            }
            __m128i wk = _mm_add_epi32(*next, _mm_load_si128((const __m128i *)&round_constants[4 * i]));
            /* Two rounds each (W+K from the low two lanes): the result is the new {A,B,E,F}, and
             * the old {A,B,E,F} is the new {C,D,G,H}, so the two registers swap roles. */
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    /* Lanes lowest first are {F,E,B,A} and {H,G,D,C}. */
    uint32_t lanes[8];
    _mm_storeu_si128((__m128i *)lanes, abef);
    _mm_storeu_si128((__m128i *)(lanes + 4), cdgh);
    state[0] = lanes[3], state[1] = lanes[2], state[4] = lanes[1], state[5] = lanes[0];
    state[2] = lanes[7], state[3] = lanes[6], state[6] = lanes[5], state[7] = lanes[4];
}

#else

int csha256_available(void) { return 0; }

void csha256_compress(uint32_t state[8], const uint8_t *blocks, size_t count)
{
    (void)state, (void)blocks, (void)count;
    __builtin_trap(); /* unreachable: callers check csha256_available() first */
}

#endif
