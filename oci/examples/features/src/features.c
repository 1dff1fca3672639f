/*
 * Exercises what clang emits for ordinary C at -O2: integer and float
 * arithmetic, conversions (trapping and saturating), loops, switch tables
 * (br_table), function pointers (call_indirect), globals, data and element
 * segments, malloc (memory.grow), memcpy/memset (bulk memory), sign
 * extension and, built with the experimental multi-value ABI, functions
 * returning two values. It prints one line per check; the end-to-end test
 * compares the output with the same source compiled natively.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static volatile int32_t v_zero = 0;
static int32_t counter = 7;                 /* a mutable global in memory */
static const char table_text[] = "mewz-runtime data segment";

struct pair {
    int32_t quotient;
    int32_t remainder;
};

__attribute__((noinline)) static struct pair divide(int32_t a, int32_t b)
{
    struct pair p = { a / b, a % b };
    return p; /* two results: multi-value with -Xclang -target-abi experimental-mv */
}

static int32_t op_add(int32_t a, int32_t b) { return a + b; }
static int32_t op_sub(int32_t a, int32_t b) { return a - b; }
static int32_t op_mul(int32_t a, int32_t b) { return a * b; }
static int32_t op_xor(int32_t a, int32_t b) { return a ^ b; }
static int32_t (*const operations[])(int32_t, int32_t) = { op_add, op_sub, op_mul, op_xor };

__attribute__((noinline)) static const char *classify(int value)
{
    switch (value) { /* dense cases: a jump table, br_table in Wasm */
    case 0: return "zero";
    case 1: return "one";
    case 2: return "two";
    case 3: return "three";
    case 4: return "four";
    case 5: return "five";
    case 6: return "six";
    default: return "many";
    }
}

__attribute__((noinline)) static int32_t sext8(int32_t x) { return (int8_t)x; }
__attribute__((noinline)) static int32_t sext16(int32_t x) { return (int16_t)x; }
__attribute__((noinline)) static int64_t sext32(int64_t x) { return (int32_t)x; }

static uint32_t fnv1a(const uint8_t *data, size_t length)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++) {
        hash ^= data[i];
        hash *= 16777619u;
    }
    return hash;
}

int main(void)
{
    /* integer arithmetic, 32 and 64 bit */
    uint64_t acc = 1;
    for (uint32_t i = 1; i <= 20; i++)
        acc = acc * 6364136223846793005ull + i;
    printf("u64 lcg: %llu\n", (unsigned long long)acc);
    int64_t s = -123456789012345ll;
    printf("i64 div/rem: %lld %lld %lld\n", (long long)(s / 1000), (long long)(s % 1000),
           (long long)(s >> 7));
    printf("i32 rotl/clz/ctz/popcount: %u %d %d %d\n",
           (unsigned)((0x12345678u << 8) | (0x12345678u >> 24)), __builtin_clz(0x00f0u),
           __builtin_ctz(0x0f00u), __builtin_popcount(0xdeadbeefu));

    /* sign extension */
    volatile int8_t narrow = (int8_t)0xf0;
    volatile int16_t mid = (int16_t)0x8001;
    int32_t mixed = (counter + v_zero) * 0x1234567;
    printf("sign extension: %d %d %d %d %lld\n", narrow, mid, sext8(mixed), sext16(mixed),
           (long long)sext32((int64_t)mixed << 20));

    /* floats */
    double x = 0;
    for (int i = 1; i <= 1000; i++)
        x += 1.0 / ((double)i * i);
    printf("basel: %.12f sqrt: %.9f\n", x, sqrt(x * 6));
    volatile float vf = 2.5f;
    float f = vf;
    printf("float ops: %.3f %.3f %.3f %.3f %.3f\n", floorf(-f), ceilf(f), truncf(-f),
           rintf(f), fabsf(-f));
    volatile double vd = 3.5, vneg = -0.0;
    printf("minmax: %.1f %.1f copysign: %.1f nearest: %.1f %.1f\n", fmin(vneg, vd),
           fmax(1.5, -vd), copysign(vd, vneg), rint(vd), rint(vd + 1));

    /* conversions */
    volatile double big = 3.9e9, neg = -7.9;
    printf("conversions: %u %d %lld %.1f %.1f\n", (unsigned)big, (int)neg,
           (long long)(big * 1000), (double)(uint64_t)18446744073709551615ull,
           (double)(float)16777217);

    /* multi-value return and division */
    struct pair p = divide(counter * 1000 + 3, 7 + v_zero);
    printf("divide: %d %d\n", p.quotient, p.remainder);

    /* function pointers: call_indirect through an element segment */
    int32_t value = 10;
    for (int i = 0; i < 8; i++)
        value = operations[(i + counter) & 3](value, i + 3);
    printf("call_indirect: %d\n", value);

    /* switch: br_table */
    for (int i = 0; i < 9; i += 2)
        printf("%s%s", classify(i), i < 8 ? " " : "\n");

    /* data segments, malloc (memory.grow), memcpy/memset (bulk memory) */
    size_t length = 3 << 20;
    uint8_t *buffer = malloc(length);
    if (buffer == NULL) {
        puts("malloc failed");
        return 1;
    }
    memset(buffer, 0x5a, length);
    for (size_t i = 0; i + sizeof table_text <= length; i += 65536)
        memcpy(buffer + i, table_text, sizeof table_text);
    memmove(buffer + 1, buffer, 4096);
    printf("memory: %s fnv=%08x\n", table_text, fnv1a(buffer, length));
    free(buffer);

    counter += 1;
    printf("global: %d\n", counter);
    return 0;
}
