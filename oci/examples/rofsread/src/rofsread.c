/*
 * The read-throughput probe of `hack/bench rofs`: reads FILE from start to
 * end PASSES times in CHUNK-byte read() calls, touching one word of every
 * cache line (so the bytes are really there), and prints one line per pass
 * with its throughput, timed inside the program so start-up is left out.
 * The same source runs natively, under wasmtime and in mewz-runtime.
 * Built to rootfs/rofsread.wasm by hack/build-examples.
 *
 * usage: rofsread FILE [CHUNK [PASSES]]   (defaults: 1 MiB, 3)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: rofsread FILE [CHUNK [PASSES]]\n");
        return 2;
    }
    size_t chunk = argc > 2 ? strtoul(argv[2], NULL, 10) : 1 << 20;
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    if (chunk < 64 || chunk % 64 != 0 || passes < 1) {
        fprintf(stderr, "rofsread: CHUNK must be a multiple of 64, PASSES at least 1\n");
        return 2;
    }
    uint64_t *buffer = malloc(chunk);
    if (buffer == NULL) {
        fprintf(stderr, "rofsread: no memory for a %zu-byte buffer\n", chunk);
        return 1;
    }
    uint64_t checksum = 0;
    for (int pass = 1; pass <= passes; pass++) {
        double start = now();
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "rofsread: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        uint64_t total = 0;
        for (;;) {
            ssize_t n = read(fd, buffer, chunk);
            if (n < 0) {
                fprintf(stderr, "rofsread: read: %s\n", strerror(errno));
                return 1;
            }
            if (n == 0)
                break;
            for (size_t i = 0; i < (size_t)n / 8; i += 8)
                checksum += buffer[i];
            total += (uint64_t)n;
        }
        close(fd);
        double seconds = now() - start;
        printf("pass %d: %llu bytes in %.6f s: %.1f MB/s (checksum %016llx)\n", pass,
               (unsigned long long)total, seconds, (double)total / seconds / 1e6,
               (unsigned long long)checksum);
    }
    free(buffer);
    return 0;
}
