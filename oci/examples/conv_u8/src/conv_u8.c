/*
 * SIMD kernel: a 3x3 Gaussian blur ([1 2 1; 2 4 2; 1 2 1] / 16, rounded)
 * of an 8-bit grayscale image, as separable 16-bit passes that clang
 * vectorizes for SSE and for Wasm SIMD alike. Each result is XORed with
 * the original image (so repeated blurs never settle) and blurred again.
 * Prints the final image's FNV-1a digest, the same under every runtime.
 *
 *   conv_u8 [ITERATIONS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { WIDTH = 1920, HEIGHT = 1080 };

static uint8_t image[2][HEIGHT][WIDTH];
static uint8_t original[HEIGHT][WIDTH];
static uint16_t rows[3][WIDTH];

/* One row's horizontal pass: t[x] = p[x-1] + 2 p[x] + p[x+1] (edges clamped). */
static void horizontal(const uint8_t *restrict p, uint16_t *restrict t) {
    t[0] = (uint16_t)(3 * p[0] + p[1]);
    for (int x = 1; x < WIDTH - 1; x++) t[x] = (uint16_t)(p[x - 1] + 2 * p[x] + p[x + 1]);
    t[WIDTH - 1] = (uint16_t)(p[WIDTH - 2] + 3 * p[WIDTH - 1]);
}

static void vertical(const uint16_t *restrict a, const uint16_t *restrict b, const uint16_t *restrict c,
                     const uint8_t *restrict noise, uint8_t *restrict out) {
    for (int x = 0; x < WIDTH; x++) out[x] = (uint8_t)(((a[x] + 2 * b[x] + c[x] + 8) >> 4) ^ noise[x]);
}

static void blur(uint8_t (*src)[WIDTH], uint8_t (*dst)[WIDTH]) {
    horizontal(src[0], rows[0]);
    horizontal(src[0], rows[1]);
    for (int y = 0; y < HEIGHT; y++) {
        horizontal(src[y + 1 < HEIGHT ? y + 1 : HEIGHT - 1], rows[(y + 2) % 3]);
        vertical(rows[y % 3], rows[(y + 1) % 3], rows[(y + 2) % 3], original[y], dst[y]);
    }
}

int main(int argc, char **argv) {
    int iterations = argc > 1 ? atoi(argv[1]) : 1200;
    uint32_t seed = 12345;
    for (int y = 0; y < HEIGHT; y++)
        for (int x = 0; x < WIDTH; x++) {
            seed = seed * 1664525u + 1013904223u;
            original[y][x] = image[0][y][x] = (uint8_t)(seed >> 24);
        }
    for (int i = 0; i < iterations; i++) blur(image[i % 2], image[(i + 1) % 2]);
    uint64_t digest = 0xcbf29ce484222325ull;
    const uint8_t *result = &image[iterations % 2][0][0];
    for (size_t k = 0; k < sizeof image[0]; k++) digest = (digest ^ result[k]) * 0x100000001b3ull;
    printf("conv_u8 %dx%d x%d: %016llx\n", WIDTH, HEIGHT, iterations, (unsigned long long)digest);
    return 0;
}
