/*
 * readback: reads the rootfs as a program in the container sees it. Arguments
 * come in pairs, OP PATH, each answered on stdout; relative paths are
 * resolved from process.cwd, as wasi-libc does.
 *
 *   cat PATH       the file's bytes
 *   ls DIR         its entries, sorted, one per line
 *   stat PATH      "PATH: TYPE SIZE MTIME" (lstat: a symlink is not followed)
 *   readlink PATH  "PATH -> TARGET"
 *   write PATH     tries to create PATH: "write PATH: ERRNO TEXT"
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cat(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        printf("cat %s: %s\n", path, strerror(errno));
        return 1;
    }
    char buffer[4096];
    size_t count;
    while ((count = fread(buffer, 1, sizeof buffer, file)) > 0)
        fwrite(buffer, 1, count, stdout);
    fclose(file);
    return 0;
}

static int list(const char *path)
{
    DIR *directory = opendir(path);
    if (!directory) {
        printf("ls %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *names[1024];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) && count < 1024) {
        if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
            names[count++] = strdup(entry->d_name);
    }
    closedir(directory);
    qsort(names, count, sizeof names[0], compare);
    for (int i = 0; i < count; i++) {
        printf("%s\n", names[i]);
        free(names[i]);
    }
    return 0;
}

static int describe(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0) {
        printf("stat %s: %s\n", path, strerror(errno));
        return 1;
    }
    const char *type = S_ISDIR(info.st_mode)   ? "directory"
                       : S_ISREG(info.st_mode) ? "regular"
                       : S_ISLNK(info.st_mode) ? "symlink"
                                               : "other";
    printf("%s: %s %lld %lld\n", path, type, (long long)info.st_size,
           (long long)info.st_mtim.tv_sec);
    return 0;
}

static int link_target(const char *path)
{
    char target[4096];
    ssize_t count = readlink(path, target, sizeof target - 1);
    if (count < 0) {
        printf("readlink %s: %s\n", path, strerror(errno));
        return 1;
    }
    target[count] = 0;
    printf("%s -> %s\n", path, target);
    return 0;
}

static int try_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        close(fd);
        printf("write %s: created\n", path);
        return 1;
    }
    printf("write %s: %d %s\n", path, errno, strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    int failures = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *op = argv[i], *path = argv[i + 1];
        if (!strcmp(op, "cat"))
            failures += cat(path);
        else if (!strcmp(op, "ls"))
            failures += list(path);
        else if (!strcmp(op, "stat"))
            failures += describe(path);
        else if (!strcmp(op, "readlink"))
            failures += link_target(path);
        else if (!strcmp(op, "write"))
            failures += try_write(path);
        else {
            printf("unknown op %s\n", op);
            failures++;
        }
    }
    fflush(stdout);
    return failures;
}
