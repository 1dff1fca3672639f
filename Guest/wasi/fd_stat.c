/*
 * fd_stat.c: fd_fdstat_get, fd_fdstat_set_flags, fd_fdstat_set_rights.
 *
 * stdio is a character device (as wasmtime reports a terminal; the guest
 * cannot tell a pipe from one) with only the right of its direction, as
 * wasmtime reports it, so on stdio only fd_read and fd_write check rights.
 * Rights can only shrink (ENOTCAPABLE when a
 * call would add one). Flags: APPEND and NONBLOCK can change, as in
 * wasmtime and Linux F_SETFL; the sync flags cannot (EINVAL). NONBLOCK on
 * stdio would need the monitor to stop blocking on the host descriptor, so
 * stdio refuses it (ENOTSUP) instead of pretending. A socket takes
 * NONBLOCK: its calls then ask the monitor not to wait.
 */
#include "kernel.h"

static uint8_t filetype(const struct mewz_fd *entry)
{
    switch (entry->kind) {
    case MEWZ_FD_DIRECTORY:
    case MEWZ_FD_HOST_DIR:
        return MEWZ_WASI_FILETYPE_DIRECTORY;
    case MEWZ_FD_FILE:
    case MEWZ_FD_HOST_FILE:
        return MEWZ_WASI_FILETYPE_REGULAR_FILE;
    case MEWZ_FD_SOCKET:
        return entry->socktype == MEWZ_SOCK_STREAM
                   ? MEWZ_WASI_FILETYPE_SOCKET_STREAM
                   : MEWZ_WASI_FILETYPE_SOCKET_DGRAM;
    default:
        return MEWZ_WASI_FILETYPE_CHARACTER_DEVICE;
    }
}

uint32_t mewz_wasi_fd_fdstat_get(uint32_t fd, uint32_t stat_out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FDSTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    /* fdstat: u8 filetype, u16 flags at 2, u64 rights base at 8 and
     * inheriting at 16; the padding is written as zero. */
    uint8_t *stat = mewz_guest_ptr(stat_out);
    memset(stat, 0, MEWZ_WASI_FDSTAT_SIZE);
    stat[0] = filetype(entry);
    mewz_guest_store_u16(stat_out + 2, entry->flags);
    mewz_guest_store_u64(stat_out + 8, entry->rights_base);
    mewz_guest_store_u64(stat_out + 16, entry->rights_inheriting);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_fdstat_set_flags(uint32_t fd, uint32_t flags)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_fdstat_set_flags(fd, flags);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (flags > UINT16_MAX)
        return MEWZ_WASI_EOVERFLOW;
    const uint32_t sync = MEWZ_WASI_FDFLAG_DSYNC | MEWZ_WASI_FDFLAG_RSYNC |
                          MEWZ_WASI_FDFLAG_SYNC;
    if ((flags & ~MEWZ_WASI_FDFLAGS_ALL) || (flags & sync))
        return MEWZ_WASI_EINVAL;
    bool stdio = entry->kind == MEWZ_FD_STDIN ||
                 entry->kind == MEWZ_FD_STDOUT ||
                 entry->kind == MEWZ_FD_STDERR;
    if (!stdio && !(entry->rights_base & MEWZ_WASI_RIGHT_FD_FDSTAT_SET_FLAGS))
        return MEWZ_WASI_ENOTCAPABLE;
    if (stdio && (flags & MEWZ_WASI_FDFLAG_NONBLOCK))
        return MEWZ_WASI_ENOTSUP;
    /* The sync flags given at path_open stay: they cannot change here. */
    entry->flags = (uint16_t)((entry->flags & sync) | flags);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_fdstat_set_rights(uint32_t fd, uint64_t rights_base,
                                        uint64_t rights_inheriting)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if ((rights_base & ~entry->rights_base) ||
        (rights_inheriting & ~entry->rights_inheriting))
        return MEWZ_WASI_ENOTCAPABLE;
    entry->rights_base = rights_base;
    entry->rights_inheriting = rights_inheriting;
    return MEWZ_WASI_ESUCCESS;
}
