/*
 * SIMD kernel: int8 matrix-vector products with int32 sums, the inner loop
 * of quantized neural-network inference (clang vectorizes the dot products
 * with widening multiplies for SSE and for Wasm SIMD alike). Each result
 * vector, requantized to int8, is the next input. Prints the FNV-1a digest
 * of the last sums, the same under every runtime.
 *
 *   dot_i8 [ITERATIONS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROWS = 1024, COLUMNS = 1024 };

static int8_t weights[ROWS][COLUMNS];
static int8_t input[COLUMNS];
static int32_t sums[ROWS];

static int32_t dot(const int8_t *restrict a, const int8_t *restrict b) {
    int32_t sum = 0;
    for (int j = 0; j < COLUMNS; j++) sum += (int32_t)a[j] * (int32_t)b[j];
    return sum;
}

int main(int argc, char **argv) {
    int iterations = argc > 1 ? atoi(argv[1]) : 6000;
    uint32_t seed = 4242;
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLUMNS; j++) {
            seed = seed * 1664525u + 1013904223u;
            weights[i][j] = (int8_t)(seed >> 24);
        }
    for (int j = 0; j < COLUMNS; j++) input[j] = (int8_t)(j * 37);
    for (int it = 0; it < iterations; it++) {
        for (int i = 0; i < ROWS; i++) sums[i] = dot(weights[i], input);
        /* Requantize: the middle bits of each sum, rotated one lane. */
        for (int i = 0; i < COLUMNS; i++) input[i] = (int8_t)(sums[(i + 1) % ROWS] >> 10);
    }
    uint64_t digest = 0xcbf29ce484222325ull;
    for (int i = 0; i < ROWS; i++) digest = (digest ^ (uint32_t)sums[i]) * 0x100000001b3ull;
    printf("dot_i8 %dx%d x%d: %016llx\n", ROWS, COLUMNS, iterations, (unsigned long long)digest);
    return 0;
}
