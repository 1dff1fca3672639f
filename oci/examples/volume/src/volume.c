/*
 * volume: one OPERATION:PATH[:TEXT] per argument, on a writable volume
 * through wasi-libc, one line of output each ("op path: result"):
 *
 *   append:PATH:TEXT  open with O_APPEND|O_CREAT, write TEXT and a newline,
 *                     fsync, close
 *   cat:PATH          the file's contents
 *   mkdir:PATH, rmdir:PATH, rm:PATH, rename:OLD:NEW, ls:PATH (sorted)
 *   sleep:SECONDS     sleeps (the durability test kills the container then)
 *
 * Errors print strerror's text; the exit status is 0 unless an argument is
 * malformed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void report(const char *op, const char *path, int failed)
{
    printf("%s %s: %s\n", op, path, failed ? strerror(errno) : "ok");
}

static void append(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return report("append", path, 1);
    size_t len = strlen(text);
    char line[4096];
    if (len >= sizeof line - 1)
        len = sizeof line - 2;
    memcpy(line, text, len);
    line[len] = '\n';
    int failed = write(fd, line, len + 1) != (ssize_t)(len + 1) || fsync(fd) != 0;
    int saved = errno;
    close(fd);
    errno = saved;
    report("append", path, failed);
    fflush(stdout);
}

static void cat(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return report("cat", path, 1);
    char buffer[4096];
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    fclose(f);
    buffer[n] = '\0';
    while (n > 0 && buffer[n - 1] == '\n')
        buffer[--n] = '\0';
    for (char *c = buffer; *c; c++)
        if (*c == '\n')
            *c = '|';
    printf("cat %s: %s\n", path, buffer);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return report("ls", path, 1);
    char *names[256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 256)
        names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    printf("ls %s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *op = argv[i];
        char *path = strchr(op, ':');
        if (path == NULL) {
            fprintf(stderr, "volume: %s is not OPERATION:PATH\n", op);
            return 2;
        }
        *path++ = '\0';
        char *rest = strchr(path, ':');
        if (rest != NULL)
            *rest++ = '\0';
        if (strcmp(op, "append") == 0 && rest != NULL) {
            append(path, rest);
        } else if (strcmp(op, "cat") == 0) {
            cat(path);
        } else if (strcmp(op, "ls") == 0) {
            ls(path);
        } else if (strcmp(op, "mkdir") == 0) {
            report(op, path, mkdir(path, 0755) != 0);
        } else if (strcmp(op, "rmdir") == 0) {
            report(op, path, rmdir(path) != 0);
        } else if (strcmp(op, "rm") == 0) {
            report(op, path, unlink(path) != 0);
        } else if (strcmp(op, "rename") == 0 && rest != NULL) {
            report(op, path, rename(path, rest) != 0);
        } else if (strcmp(op, "sleep") == 0) {
            fflush(stdout);
            sleep((unsigned)atoi(path));
        } else {
            fprintf(stderr, "volume: unknown operation %s\n", op);
            return 2;
        }
    }
    return 0;
}
