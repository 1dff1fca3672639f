/* Dense double-precision matrix multiply (i-k-j order), repeated. */
#include <stdint.h>
#include <stdio.h>

#define N 256
#define ROUNDS 160

static double a[N][N], b[N][N], c[N][N];

int main(void) {
    uint32_t seed = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 1664525u + 1013904223u;
            a[i][j] = (double)(seed >> 8) / 16777216.0 - 0.5;
            seed = seed * 1664525u + 1013904223u;
            b[i][j] = (double)(seed >> 8) / 16777216.0 - 0.5;
        }
    double checksum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) c[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double x = a[i][k];
                for (int j = 0; j < N; j++) c[i][j] += x * b[k][j];
            }
        checksum += c[round % N][(round * 7) % N];
        a[round % N][round % N] += c[0][0] * 1e-3; /* the next round depends on this one */
    }
    printf("checksum %.9e\n", checksum);
    return 0;
}
