/*
 * fd_io.c: fd_write (stdout, stderr) and fd_read (stdin) as gathering and
 * scattering hypercalls straight from and into linear memory.
 */
#include "kernel.h"

/* Static: the monitor reads it from guest RAM. */
static struct mewz_hc_iovec hc_iov[MEWZ_HC_IOV_MAX];

static bool writable(uint32_t fd)
{
    return (fd == 1 || fd == 2) && mewz_fd_is_open(fd);
}

uint32_t mewz_wasi_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t nwritten_out)
{
    if (!writable(fd))
        return MEWZ_WASI_EBADF;
    uint32_t err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(nwritten_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;

    uint64_t total = 0;
    uint32_t next = 0;
    while (next < iovs_len) {
        uint64_t batch_bytes, written = 0;
        uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, hc_iov,
                                              MEWZ_HC_IOV_MAX, &batch_bytes);
        if (count == 0 || total + batch_bytes > UINT32_MAX)
            break;
        err = mewz_hc_write(fd, hc_iov, count, &written);
        if (written > batch_bytes) /* a monitor bug; never report more */
            written = batch_bytes;
        total += written;
        /* Like writev: an error after some bytes is a short write. */
        if (err != MEWZ_WASI_ESUCCESS) {
            if (total == 0)
                return err;
            break;
        }
        if (written < batch_bytes)
            break;
    }
    mewz_guest_store_u32(nwritten_out, (uint32_t)total);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                           uint32_t nread_out)
{
    if (fd != 0 || !mewz_fd_is_open(fd))
        return MEWZ_WASI_EBADF;
    uint32_t err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(nread_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;

    /* One read only: a second could block although data already came. */
    uint64_t batch_bytes, nread = 0;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, hc_iov,
                                          MEWZ_HC_IOV_MAX, &batch_bytes);
    if (count > 0) {
        err = mewz_hc_read(fd, hc_iov, count, &nread);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        if (nread > batch_bytes)
            nread = batch_bytes;
    }
    mewz_guest_store_u32(nread_out, (uint32_t)nread);
    return MEWZ_WASI_ESUCCESS;
}
