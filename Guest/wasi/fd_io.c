/*
 * fd_io.c: fd_read, fd_pread, fd_write, fd_pwrite.
 *
 * stdio goes to the monitor as gathering and scattering hypercalls straight
 * from and into linear memory. A ROFS file is read by copying from the
 * mapped image into linear memory: no VM exit. Errors follow Linux on a
 * read-only mount: a descriptor not open for the direction is EBADF (no
 * ROFS file is ever open for writing), a directory is EISDIR, stdio cannot
 * pread/pwrite (ESPIPE, as wasmtime); a right the descriptor lacks is
 * ENOTCAPABLE. The descriptor is checked before the pointers. A socket
 * reads and writes as sock_recv and sock_send do (wasi/sock_io.c).
 */
#include "kernel.h"
#include "mewz/rofs.h"

/* Static: the monitor reads it from guest RAM. */
static struct mewz_hc_iovec hc_iov[MEWZ_HC_IOV_MAX] MEWZ_BULK(hc_iov);

static uint32_t need(const struct mewz_fd *entry, uint64_t rights)
{
    return (entry->rights_base & rights) == rights ? MEWZ_WASI_ESUCCESS
                                                   : MEWZ_WASI_ENOTCAPABLE;
}

static uint32_t check_buffers(uint32_t iovs, uint32_t iovs_len, uint32_t out)
{
    uint32_t err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return mewz_guest_range_ok(out, sizeof(uint32_t)) ? MEWZ_WASI_ESUCCESS
                                                      : MEWZ_WASI_EFAULT;
}

/* Copies the file's bytes from `offset` into the iovecs. */
static uint32_t read_file(const struct mewz_fd *entry, uint32_t iovs,
                          uint32_t iovs_len, uint64_t offset, uint32_t *nread)
{
    struct mewz_rofs_node node;
    uint32_t err = mewz_fd_node(entry, &node);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (node.type != MEWZ_ROFS_TYPE_REGULAR)
        return MEWZ_WASI_EIO;
    *nread = 0;
    if (offset < node.size)
        *nread = mewz_iovec_fill(iovs, iovs_len,
                                 mewz_rofs_bytes(&node) + offset,
                                 node.size - offset);
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t read_stdin(const struct mewz_fd *entry, uint32_t iovs,
                           uint32_t iovs_len, uint32_t *nread_out)
{
    /* One read only: a second could block although data already came. */
    uint64_t batch_bytes, nread = 0;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, hc_iov,
                                          MEWZ_HC_IOV_MAX, &batch_bytes);
    if (count > 0) {
        uint32_t err = mewz_hc_read(entry->handle, hc_iov, count, &nread);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        if (nread > batch_bytes)
            nread = batch_bytes;
    }
    *nread_out = (uint32_t)nread;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                           uint32_t nread_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_read(fd, iovs, iovs_len, nread_out);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    switch (entry->kind) {
    case MEWZ_FD_STDIN:
    case MEWZ_FD_FILE:
    case MEWZ_FD_SOCKET:
        break;
    case MEWZ_FD_DIRECTORY:
        return MEWZ_WASI_EISDIR;
    default:
        return MEWZ_WASI_EBADF;
    }
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_READ);
    if (err == MEWZ_WASI_ESUCCESS)
        err = check_buffers(iovs, iovs_len, nread_out);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t nread, roflags;
    if (entry->kind == MEWZ_FD_SOCKET) {
        err = mewz_sock_recv(entry, iovs, iovs_len, 0, &nread, &roflags, NULL);
    } else if (entry->kind == MEWZ_FD_STDIN) {
        err = read_stdin(entry, iovs, iovs_len, &nread);
    } else {
        err = read_file(entry, iovs, iovs_len, entry->offset, &nread);
        if (err == MEWZ_WASI_ESUCCESS)
            entry->offset += nread;
    }
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(nread_out, nread);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_pread(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint64_t offset, uint32_t nread_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_pread(fd, iovs, iovs_len, offset, nread_out);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    switch (entry->kind) {
    case MEWZ_FD_FILE:
        break;
    case MEWZ_FD_STDIN:
    case MEWZ_FD_SOCKET:
        return MEWZ_WASI_ESPIPE;
    case MEWZ_FD_DIRECTORY:
        return MEWZ_WASI_EISDIR;
    default:
        return MEWZ_WASI_EBADF;
    }
    uint32_t err =
        need(entry, MEWZ_WASI_RIGHT_FD_READ | MEWZ_WASI_RIGHT_FD_SEEK);
    if (err == MEWZ_WASI_ESUCCESS)
        err = check_buffers(iovs, iovs_len, nread_out);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (offset > INT64_MAX) /* a negative off_t for preadv */
        return MEWZ_WASI_EINVAL;
    uint32_t nread;
    err = read_file(entry, iovs, iovs_len, offset, &nread);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(nread_out, nread);
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t write_stdio(const struct mewz_fd *entry, uint32_t iovs,
                            uint32_t iovs_len, uint32_t *nwritten)
{
    uint64_t total = 0;
    uint32_t next = 0;
    while (next < iovs_len) {
        uint64_t batch_bytes, written = 0;
        uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, hc_iov,
                                              MEWZ_HC_IOV_MAX, &batch_bytes);
        if (count == 0 || total + batch_bytes > UINT32_MAX)
            break;
        uint32_t err = mewz_hc_write(entry->handle, hc_iov, count, &written);
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
    *nwritten = (uint32_t)total;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t nwritten_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_write(fd, iovs, iovs_len, nwritten_out);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    switch (entry->kind) {
    case MEWZ_FD_STDOUT:
    case MEWZ_FD_STDERR:
    case MEWZ_FD_SOCKET:
        break;
    case MEWZ_FD_DIRECTORY:
        return MEWZ_WASI_EISDIR;
    default: /* stdin, and ROFS files: never open for writing */
        return MEWZ_WASI_EBADF;
    }
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_WRITE);
    if (err == MEWZ_WASI_ESUCCESS)
        err = check_buffers(iovs, iovs_len, nwritten_out);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t nwritten;
    if (entry->kind == MEWZ_FD_SOCKET)
        err = mewz_sock_send(entry, iovs, iovs_len, NULL, &nwritten);
    else
        err = write_stdio(entry, iovs, iovs_len, &nwritten);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(nwritten_out, nwritten);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_fd_pwrite(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                             uint64_t offset, uint32_t nwritten_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_pwrite(fd, iovs, iovs_len, offset, nwritten_out);
    (void)iovs;
    (void)iovs_len;
    (void)offset;
    (void)nwritten_out;
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    switch (entry->kind) {
    case MEWZ_FD_STDOUT:
    case MEWZ_FD_STDERR:
    case MEWZ_FD_SOCKET:
        return MEWZ_WASI_ESPIPE;
    case MEWZ_FD_DIRECTORY:
        return MEWZ_WASI_EISDIR;
    default: /* stdin, and ROFS files: never open for writing */
        return MEWZ_WASI_EBADF;
    }
}
