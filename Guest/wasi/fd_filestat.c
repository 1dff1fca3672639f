/*
 * fd_filestat.c: fd_filestat_get, fd_filestat_set_size,
 * fd_filestat_set_times.
 *
 * stdio answers a character device with zero ids, sizes and times, as
 * wasmtime does (the guest knows nothing else about the host descriptor).
 * The filesystem is read-only: ftruncate on a descriptor not open for
 * writing is EINVAL on Linux (no ROFS file ever is), futimens on a
 * read-only mount EROFS unless it changes nothing; rights are checked
 * first (ENOTCAPABLE).
 */
#include "kernel.h"

uint32_t mewz_wasi_fd_filestat_get(uint32_t fd, uint32_t stat_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_filestat_get(fd, stat_out);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    bool stdio = entry->kind != MEWZ_FD_FILE &&
                 entry->kind != MEWZ_FD_DIRECTORY;
    if (!stdio && !(entry->rights_base & MEWZ_WASI_RIGHT_FD_FILESTAT_GET))
        return MEWZ_WASI_ENOTCAPABLE;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FILESTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    if (stdio) {
        memset(mewz_guest_ptr(stat_out), 0, MEWZ_WASI_FILESTAT_SIZE);
        /* A socket is its socket type (wasi-libc's fstat tells them so). */
        mewz_guest_ptr(stat_out)[16] =
            entry->kind != MEWZ_FD_SOCKET ? MEWZ_WASI_FILETYPE_CHARACTER_DEVICE
            : entry->socktype == MEWZ_SOCK_STREAM ? MEWZ_WASI_FILETYPE_SOCKET_STREAM
                                                  : MEWZ_WASI_FILETYPE_SOCKET_DGRAM;
        return MEWZ_WASI_ESUCCESS;
    }
    struct mewz_rofs_node node;
    uint32_t err = mewz_fd_node(entry, &node);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_filestat_store(stat_out, &node);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_filestat_set_size(uint32_t fd, uint64_t size)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_filestat_set_size(fd, size);
    (void)size;
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind == MEWZ_FD_FILE &&
        !(entry->rights_base & MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE))
        return MEWZ_WASI_ENOTCAPABLE;
    /* Directories, stdio, and files not open for writing: EINVAL. */
    return MEWZ_WASI_EINVAL;
}

uint32_t mewz_wasi_fd_filestat_set_times(uint32_t fd, uint64_t atim,
                                         uint64_t mtim, uint32_t fst_flags)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_filestat_set_times(fd, atim, mtim, fst_flags);
    (void)atim;
    (void)mtim;
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t err = mewz_fstflags_check(fst_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (entry->kind != MEWZ_FD_FILE && entry->kind != MEWZ_FD_DIRECTORY)
        return MEWZ_WASI_EBADF; /* as wasmtime: not a filesystem object */
    if (!(entry->rights_base & MEWZ_WASI_RIGHT_FD_FILESTAT_SET_TIMES))
        return MEWZ_WASI_ENOTCAPABLE;
    /* Changing neither time succeeds even on a read-only mount (Linux
     * utimensat with both UTIME_OMIT). */
    return fst_flags == 0 ? MEWZ_WASI_ESUCCESS : MEWZ_WASI_EROFS;
}
