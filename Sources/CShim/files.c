#define _GNU_SOURCE
#include "cshim_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

int cshim_open_in_root(int root_fd, const char *path, int flags)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)flags;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return (int)fd;
}

static int reopen_if_regular(int path_fd, int flags);

int cshim_open_regular_in_root(int root_fd, const char *path, int flags)
{
    int path_fd = cshim_open_in_root(root_fd, path, O_PATH | O_CLOEXEC);
    if (path_fd < 0)
        return -1;
    return reopen_if_regular(path_fd, flags);
}

int cshim_open_regular_at(int dir_fd, const char *name, int flags)
{
    int path_fd;
    do {
        path_fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    } while (path_fd < 0 && errno == EINTR);
    if (path_fd < 0)
        return -1;
    return reopen_if_regular(path_fd, flags);
}

/* Checks the O_PATH descriptor path_fd (closed on return) and, for a regular
 * file, opens it with `flags` through /proc/self/fd. */
static int reopen_if_regular(int path_fd, int flags)
{
    struct stat info;
    if (fstat(path_fd, &info) != 0) {
        int failed = errno;
        close(path_fd);
        errno = failed;
        return -1;
    }
    if (!S_ISREG(info.st_mode)) {
        close(path_fd);
        return -2;
    }
    char proc_path[32];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", path_fd);
    int fd;
    do {
        fd = open(proc_path, flags);
    } while (fd < 0 && errno == EINTR);
    int saved = errno;
    close(path_fd);
    errno = saved;
    return fd;
}

long cshim_filesystem_type(int fd)
{
    struct statfs info;
    if (fstatfs(fd, &info) != 0)
        return -1;
    return (long)info.f_type;
}

int cshim_open_path(const char *path, int extra_flags)
{
    int fd;
    do {
        fd = open(path, O_PATH | O_CLOEXEC | extra_flags);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

int cshim_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

static int close_range_or_loop(unsigned first, unsigned last)
{
    if (first > last)
        return 0;
    if (syscall(SYS_close_range, first, last, 0) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;
    /* Kernels before 5.9: close one by one up to the fd limit. */
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > INT_MAX)
        max = 65536;
    for (long fd = first; fd <= (long)last && fd < max; fd++)
        (void)close((int)fd);
    return 0;
}

int cshim_close_fds_except(const int *keep, int count)
{
    unsigned next = 3;
    for (int i = 0; i < count; i++) {
        if (keep[i] < (int)next)
            continue;
        if (close_range_or_loop(next, (unsigned)keep[i] - 1) != 0)
            return -1;
        next = (unsigned)keep[i] + 1;
    }
    return close_range_or_loop(next, ~0U);
}
