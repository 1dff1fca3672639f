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

/* SYNC_FILE_RANGE_WRITE (behind _GNU_SOURCE): start writeback of the
 * file's dirty pages, without waiting for it. */
static const unsigned CKVM_SYNC_FILE_RANGE_WRITE = 2;

/* Starts the writeback of every dirty page of the file at fd (offset 0,
 * length 0: to its end) and returns without waiting for it. Its errors
 * stay for fsync to report, as the kernel's own writeback's do. */
static inline int ckvm_start_writeback(int fd)
{
    return (int)syscall(SYS_sync_file_range, fd, 0L, 0L, (long)CKVM_SYNC_FILE_RANGE_WRITE);
}

#endif
