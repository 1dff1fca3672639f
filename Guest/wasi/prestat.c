/*
 * prestat.c: fd_prestat_get and fd_prestat_dir_name, which wasi-libc and
 * Rust std call from fd 3 upward until EBADF to find the preopens. As in
 * wasmtime: an open descriptor that is no preopen is EBADF for the first
 * and ENOTDIR for the second; a name buffer too small is ENAMETOOLONG; the
 * name is not NUL-terminated.
 */
#include "kernel.h"

static const char *preopen_name(const struct mewz_fd *entry)
{
    switch (entry->preopen) {
    case MEWZ_PREOPEN_ROOT:
        return "/";
    case MEWZ_PREOPEN_CWD:
        return ".";
    case MEWZ_PREOPEN_VOLUME:
        return mewz_volume_name(entry);
    default:
        return NULL;
    }
}

uint32_t mewz_wasi_fd_prestat_get(uint32_t fd, uint32_t prestat_out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    const char *name = entry ? preopen_name(entry) : NULL;
    if (name == NULL)
        return MEWZ_WASI_EBADF;
    if (!mewz_guest_range_ok(prestat_out, MEWZ_WASI_PRESTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    /* prestat: u8 tag (dir), u32 pr_name_len at 4; padding zero. */
    memset(mewz_guest_ptr(prestat_out), 0, MEWZ_WASI_PRESTAT_SIZE);
    mewz_guest_ptr(prestat_out)[0] = MEWZ_WASI_PREOPENTYPE_DIR;
    mewz_guest_store_u32(prestat_out + 4, (uint32_t)strlen(name));
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_prestat_dir_name(uint32_t fd, uint32_t path,
                                       uint32_t path_len)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    const char *name = preopen_name(entry);
    if (name == NULL)
        return MEWZ_WASI_ENOTDIR;
    uint32_t len = (uint32_t)strlen(name);
    if (path_len < len)
        return MEWZ_WASI_ENAMETOOLONG;
    if (!mewz_guest_range_ok(path, len))
        return MEWZ_WASI_EFAULT;
    memcpy(mewz_guest_ptr(path), name, len);
    return MEWZ_WASI_ESUCCESS;
}
