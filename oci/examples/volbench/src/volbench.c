/*
 * volbench: filesystem write benchmarks for hack/bench volume, the same
 * source natively (gcc) and as Wasm (wasmtime --dir, mewz-runtime with a
 * bind mount). Timed inside the program (CLOCK_MONOTONIC):
 *
 *   write PATH MIB   MIB MiB written sequentially in 1 MiB write() calls,
 *                    then one fsync; prints MB/s
 *   files DIR N      N times: create DIR/f<i>, write 100 bytes, close,
 *                    unlink; prints files per second
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_file(const char *path, long mib)
{
    static char chunk[1 << 20];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)(i * 31 + 7);
    double start = now();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    for (long i = 0; i < mib; i++) {
        if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
            perror("write");
            return 1;
        }
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        perror("fsync");
        return 1;
    }
    double seconds = now() - start;
    unlink(path);
    printf("write: %ld bytes in %.4f s: %.1f MB/s\n", mib << 20, seconds,
           (double)(mib << 20) / 1e6 / seconds);
    return 0;
}

static int small_files(const char *dir, long count)
{
    char data[100];
    memset(data, 'x', sizeof data);
    char path[4096];
    double start = now();
    for (long i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/f%ld", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, data, sizeof data) != (ssize_t)sizeof data ||
            close(fd) != 0 || unlink(path) != 0) {
            perror(path);
            return 1;
        }
    }
    double seconds = now() - start;
    printf("files: %ld in %.4f s: %.1f files/s\n", count, seconds,
           (double)count / seconds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return write_file(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "files") == 0)
        return small_files(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: volbench write PATH MIB | files DIR N\n");
    return 2;
}
