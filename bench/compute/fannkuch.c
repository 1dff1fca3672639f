/* fannkuch-redux of the Computer Language Benchmarks Game (n = 10, twice). */
#include <stdio.h>

#define N 10

static int fannkuch(int *max_flips_out) {
    int perm[N], perm1[N], count[N];
    int max_flips = 0, checksum = 0, permutation = 0, r = N;
    for (int i = 0; i < N; i++) perm1[i] = i;
    for (;;) {
        for (; r != 1; r--) count[r - 1] = r;
        for (int i = 0; i < N; i++) perm[i] = perm1[i];
        int flips = 0;
        for (int k = perm[0]; k != 0; k = perm[0]) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > max_flips) max_flips = flips;
        checksum += permutation % 2 == 0 ? flips : -flips;
        for (;;) {
            if (r == N) {
                *max_flips_out = max_flips;
                return checksum;
            }
            int first = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = first;
            if (--count[r] > 0) break;
            r++;
        }
        permutation++;
    }
}

int main(void) {
    int checksum = 0, max_flips = 0;
    for (int round = 0; round < 2; round++) checksum += fannkuch(&max_flips);
    printf("checksum %d max_flips %d\n", checksum, max_flips);
    return 0;
}
