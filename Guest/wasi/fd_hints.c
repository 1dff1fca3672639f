/*
 * fd_hints.c: fd_advise, fd_allocate, fd_sync, fd_datasync.
 *
 * The ROFS is an immutable image mapped in memory: advice has nothing to
 * change and nothing is ever dirty, so on a file (and for sync a directory)
 * with the right these succeed once their arguments are checked, as
 * posix_fadvise and fsync do on Linux. fd_allocate needs a descriptor open
 * for writing (EBADF, as fallocate), which no ROFS file is. stdio answers
 * as Linux answers for a pipe: ESPIPE for advice and allocation, EINVAL for
 * sync.
 */
#include "kernel.h"

/* EBADF, ESPIPE (stdio), EISDIR (a directory, when dirs_ok is false),
 * ENOTCAPABLE, or the descriptor. */
static uint32_t fs_object(uint32_t fd, uint64_t right, bool dirs_ok,
                          uint32_t stdio_errno, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind == MEWZ_FD_DIRECTORY && !dirs_ok)
        return MEWZ_WASI_EISDIR;
    if (entry->kind != MEWZ_FD_FILE && entry->kind != MEWZ_FD_DIRECTORY)
        return stdio_errno;
    if (!(entry->rights_base & right))
        return MEWZ_WASI_ENOTCAPABLE;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_advise(uint32_t fd, uint64_t offset, uint64_t len,
                             uint32_t advice)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_advise(fd, offset, len, advice);
    (void)offset;
    (void)len;
    /* A witx u8 enum, decoded first as in fd_seek. */
    if (advice > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (advice > MEWZ_WASI_ADVICE_NOREUSE)
        return MEWZ_WASI_EINVAL;
    struct mewz_fd *entry;
    return fs_object(fd, MEWZ_WASI_RIGHT_FD_ADVISE, false, MEWZ_WASI_ESPIPE,
                     &entry);
}

uint32_t mewz_wasi_fd_allocate(uint32_t fd, uint64_t offset, uint64_t len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_allocate(fd, offset, len);
    struct mewz_fd *entry;
    uint32_t err = fs_object(fd, MEWZ_WASI_RIGHT_FD_ALLOCATE, false,
                             MEWZ_WASI_ESPIPE, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    /* fallocate: a negative offset or a length <= 0 first. */
    if (offset > INT64_MAX || len == 0 || len > INT64_MAX)
        return MEWZ_WASI_EINVAL;
    return MEWZ_WASI_EBADF; /* not open for writing */
}

uint32_t mewz_wasi_fd_sync(uint32_t fd)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_sync(fd, false);
    struct mewz_fd *entry;
    return fs_object(fd, MEWZ_WASI_RIGHT_FD_SYNC, true, MEWZ_WASI_EINVAL,
                     &entry);
}

uint32_t mewz_wasi_fd_datasync(uint32_t fd)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_sync(fd, true);
    struct mewz_fd *entry;
    return fs_object(fd, MEWZ_WASI_RIGHT_FD_DATASYNC, true, MEWZ_WASI_EINVAL,
                     &entry);
}
