/*
 * fd_seek.c: stdio cannot seek. As in wasmtime, whence is decoded first
 * (a witx u8 enum: above 255 does not fit, EOVERFLOW; 3..255 is no
 * variant, EINVAL), then the descriptor: ESPIPE for stdio, EBADF otherwise.
 */
#include "kernel.h"

uint32_t mewz_wasi_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                           uint32_t newoffset_out)
{
    (void)offset;
    (void)newoffset_out;
    if (whence > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (whence > MEWZ_WASI_WHENCE_END)
        return MEWZ_WASI_EINVAL;
    return mewz_fd_is_open(fd) ? MEWZ_WASI_ESPIPE : MEWZ_WASI_EBADF;
}
