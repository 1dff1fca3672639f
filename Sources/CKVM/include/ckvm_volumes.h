/*
 * System calls the monitor's host volumes need that Glibc does not expose
 * to Swift: openat2 (no glibc wrapper; struct open_how) and getdents64.
 */
#ifndef CKVM_VOLUMES_H
#define CKVM_VOLUMES_H

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* openat2 beneath dirfd: no "..", absolute path or symlink may leave it,
 * no /proc magic link is followed. -1 with errno on failure. */
static inline int ckvm_open_beneath(int dirfd, const char *path, uint64_t flags,
                                    uint64_t mode)
{
    struct open_how how = {
        .flags = flags,
        .mode = mode,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Glibc hides these behind _GNU_SOURCE, which Swift's Glibc module lacks. */
static const int CKVM_O_PATH = 010000000;
static const long CKVM_UTIME_NOW = (1L << 30) - 1L;
static const long CKVM_UTIME_OMIT = (1L << 30) - 2L;

static inline int ckvm_fallocate(int fd, int64_t offset, int64_t length)
{
    return (int)syscall(SYS_fallocate, fd, 0, offset, length);
}

static inline long ckvm_getdents64(int fd, void *buffer, unsigned long size)
{
    return syscall(SYS_getdents64, fd, buffer, size);
}

#endif
