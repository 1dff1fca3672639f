/*
 * fd_seek.c: fd_seek and fd_tell. As in wasmtime, whence is decoded first
 * (a witx u8 enum: above 255 does not fit, EOVERFLOW; 3..255 is no
 * variant, EINVAL), then the descriptor: EBADF when not open, ESPIPE for
 * stdio, EISDIR for a directory (directories are walked with fd_readdir
 * cookies). On a file, seeking needs FD_SEEK, except that asking for the
 * position (offset 0 from CUR) needs only FD_TELL; a position before 0 is
 * EINVAL and one past INT64_MAX EOVERFLOW, as lseek; past the end is fine.
 */
#include "kernel.h"
#include "mewz/rofs.h"

static uint32_t seekable(uint32_t fd, uint64_t rights, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    switch (entry->kind) {
    case MEWZ_FD_FILE:
        break;
    case MEWZ_FD_DIRECTORY:
        return MEWZ_WASI_EISDIR;
    default:
        return MEWZ_WASI_ESPIPE;
    }
    if ((entry->rights_base & rights) != rights)
        return MEWZ_WASI_ENOTCAPABLE;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

/* base + delta as lseek computes it: EINVAL below 0, EOVERFLOW past
 * INT64_MAX. */
static uint32_t add_offset(uint64_t base, int64_t delta, uint64_t *out)
{
    if (delta < 0) {
        uint64_t back = (uint64_t)(-(delta + 1)) + 1;
        if (back > base)
            return MEWZ_WASI_EINVAL;
        *out = base - back;
    } else {
        if ((uint64_t)delta > (uint64_t)INT64_MAX - base)
            return MEWZ_WASI_EOVERFLOW;
        *out = base + (uint64_t)delta;
    }
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                           uint32_t newoffset_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_seek(fd, offset, whence, newoffset_out);
    if (whence > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (whence > MEWZ_WASI_WHENCE_END)
        return MEWZ_WASI_EINVAL;
    uint64_t rights = offset == 0 && whence == MEWZ_WASI_WHENCE_CUR
                          ? MEWZ_WASI_RIGHT_FD_TELL
                          : MEWZ_WASI_RIGHT_FD_SEEK;
    struct mewz_fd *entry;
    uint32_t err = seekable(fd, rights, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(newoffset_out, sizeof(uint64_t)))
        return MEWZ_WASI_EFAULT;
    uint64_t base = 0;
    if (whence == MEWZ_WASI_WHENCE_CUR) {
        base = entry->offset;
    } else if (whence == MEWZ_WASI_WHENCE_END) {
        struct mewz_rofs_node node;
        err = mewz_fd_node(entry, &node);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        base = node.size;
    }
    uint64_t position;
    err = add_offset(base, (int64_t)offset, &position);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    entry->offset = position;
    mewz_guest_store_u64(newoffset_out, position);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_tell(uint32_t fd, uint32_t offset_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_tell(fd, offset_out);
    struct mewz_fd *entry;
    uint32_t err = seekable(fd, MEWZ_WASI_RIGHT_FD_TELL, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(offset_out, sizeof(uint64_t)))
        return MEWZ_WASI_EFAULT;
    mewz_guest_store_u64(offset_out, entry->offset);
    return MEWZ_WASI_ESUCCESS;
}
