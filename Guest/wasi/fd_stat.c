/*
 * fd_stat.c: fd_fdstat_get and the preopen queries, answered as wasmtime
 * answers them for stdio: a character device with no flags, FD_READ
 * (stdin) or FD_WRITE (stdout, stderr) rights; no preopens exist yet.
 */
#include "kernel.h"

uint32_t mewz_wasi_fd_fdstat_get(uint32_t fd, uint32_t stat_out)
{
    if (!mewz_fd_is_open(fd))
        return MEWZ_WASI_EBADF;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FDSTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    uint64_t rights =
        fd == 0 ? MEWZ_WASI_RIGHT_FD_READ : MEWZ_WASI_RIGHT_FD_WRITE;
    /* fdstat: u8 filetype, u16 flags at 2, u64 rights base at 8 and
     * inheriting at 16; the padding is written as zero. */
    uint8_t *stat = mewz_guest_ptr(stat_out);
    memset(stat, 0, MEWZ_WASI_FDSTAT_SIZE);
    stat[0] = MEWZ_WASI_FILETYPE_CHARACTER_DEVICE;
    mewz_guest_store_u64(stat_out + 8, rights);
    mewz_guest_store_u64(stat_out + 16, rights);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_prestat_get(uint32_t fd, uint32_t prestat_out)
{
    (void)fd;
    (void)prestat_out;
    /* Open or not, no descriptor is a preopened directory. */
    return MEWZ_WASI_EBADF;
}

uint32_t mewz_wasi_fd_prestat_dir_name(uint32_t fd, uint32_t path,
                                       uint32_t path_len)
{
    (void)path;
    (void)path_len;
    /* wasmtime: an open descriptor that is no preopen is ENOTDIR. */
    return mewz_fd_is_open(fd) ? MEWZ_WASI_ENOTDIR : MEWZ_WASI_EBADF;
}
