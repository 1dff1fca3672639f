/* Sorting 2^21 pseudo-random 32-bit keys: quicksort with insertion sort
 * for short runs, then a merge sort of the same data, repeated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT (1u << 21)
#define ROUNDS 2

static uint32_t keys[COUNT], scratch[COUNT];

static void insertion(uint32_t *v, long n) {
    for (long i = 1; i < n; i++) {
        uint32_t x = v[i];
        long j = i - 1;
        while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
}

static void quick(uint32_t *v, long n) {
    while (n > 16) {
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        long i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i >= j) break;
            uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
            i++, j--;
        }
        if (j + 1 < n - j - 1) { quick(v, j + 1); v += j + 1; n -= j + 1; }
        else { quick(v + j + 1, n - j - 1); n = j + 1; }
    }
    insertion(v, n);
}

static void merge_sort(uint32_t *v, uint32_t *tmp, long n) {
    for (long width = 1; width < n; width *= 2) {
        for (long lo = 0; lo < n; lo += 2 * width) {
            long mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        uint32_t *t = v; v = tmp; tmp = t;
        for (long i = 0; i < n; i++) tmp[i] = v[i];
        t = v; v = tmp; tmp = t;
    }
}

int main(void) {
    uint64_t checksum = 0;
    uint32_t seed = 42;
    for (int round = 0; round < ROUNDS; round++) {
        for (uint32_t i = 0; i < COUNT; i++) {
            seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
            keys[i] = seed;
        }
        quick(keys, COUNT);
        for (uint32_t i = 1; i < COUNT; i++) if (keys[i - 1] > keys[i]) { puts("unsorted"); return 1; }
        for (uint32_t i = 0; i < COUNT; i += 4096) checksum = checksum * 31 + keys[i];
        for (uint32_t i = 0; i < COUNT; i++) keys[i] = keys[i] * 2654435761u;
        merge_sort(keys, scratch, COUNT);
        for (uint32_t i = 0; i < COUNT; i += 4096) checksum = checksum * 31 + keys[i];
    }
    printf("checksum %llu\n", (unsigned long long)checksum);
    return 0;
}
