/*
 * The filesystem example: each argument is one OPERATION:PATH, done through
 * wasi-libc and answered on one line, so tests (EndToEndTests
 * FilesystemTests) can check the guest's read-only filesystem, its
 * preopens and process.cwd from outside. Operations:
 *
 *   cat      the file's bytes          sum      its size and FNV-1a hash
 *   ls       the sorted entry names    stat     type and size
 *   readlink the symlink's target      create   open(O_CREAT|O_WRONLY)
 *   mkdir    mkdir(0755)               rm       unlink
 *
 * A failure prints strerror. Built to rootfs/files.wasm by
 * hack/build-examples.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(const char *op, const char *path)
{
    printf("%s %s: %s\n", op, path, strerror(errno));
}

static void cat(const char *path, int sum)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fail(sum ? "sum" : "cat", path);
        return;
    }
    static char buffer[65536];
    uint64_t size = 0, hash = 0xcbf29ce484222325ULL;
    if (!sum)
        printf("cat %s: ", path);
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        if (!sum)
            fwrite(buffer, 1, (size_t)n, stdout);
        for (ssize_t i = 0; i < n; i++)
            hash = (hash ^ (uint8_t)buffer[i]) * 0x100000001b3ULL;
        size += (uint64_t)n;
    }
    close(fd);
    if (sum)
        printf("sum %s: %llu %016llx\n", path, (unsigned long long)size,
               (unsigned long long)hash);
}

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fail("ls", path);
        return;
    }
    char *names[256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 256)
        names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], compare);
    printf("ls %s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void stat_path(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        fail("stat", path);
        return;
    }
    const char *type = S_ISDIR(st.st_mode)   ? "directory"
                       : S_ISLNK(st.st_mode) ? "symlink"
                       : S_ISREG(st.st_mode) ? "file"
                                             : "other";
    printf("stat %s: %s %lld\n", path, type, (long long)st.st_size);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *colon = strchr(argv[i], ':');
        if (colon == NULL) {
            printf("%s: not OPERATION:PATH\n", argv[i]);
            return 2;
        }
        *colon = '\0';
        const char *op = argv[i], *path = colon + 1;
        if (strcmp(op, "cat") == 0 || strcmp(op, "sum") == 0) {
            cat(path, op[0] == 's');
        } else if (strcmp(op, "ls") == 0) {
            ls(path);
        } else if (strcmp(op, "stat") == 0) {
            stat_path(path);
        } else if (strcmp(op, "readlink") == 0) {
            char target[4096];
            ssize_t n = readlink(path, target, sizeof target - 1);
            if (n < 0) {
                fail(op, path);
            } else {
                target[n] = '\0';
                printf("readlink %s: %s\n", path, target);
            }
        } else if (strcmp(op, "create") == 0) {
            int fd = open(path, O_CREAT | O_WRONLY, 0644);
            if (fd < 0)
                fail(op, path);
            else
                printf("create %s: created\n", path);
        } else if (strcmp(op, "mkdir") == 0) {
            if (mkdir(path, 0755) != 0)
                fail(op, path);
            else
                printf("mkdir %s: made\n", path);
        } else if (strcmp(op, "rm") == 0) {
            if (unlink(path) != 0)
                fail(op, path);
            else
                printf("rm %s: removed\n", path);
        } else {
            printf("%s: unknown operation\n", op);
            return 2;
        }
    }
    return 0;
}
