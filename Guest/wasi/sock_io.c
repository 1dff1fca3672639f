/*
 * sock_io.c: socket descriptors and the data on them, for sock_* and for
 * fd_read, fd_write and fd_close on a socket. A socket descriptor holds the
 * monitor's handle; the data goes from and into linear memory as one
 * scattering or gathering hypercall (no copy in the guest). The descriptor's
 * NONBLOCK flag becomes MEWZ_SOCK_NONBLOCK on each call: the monitor's
 * host socket never blocks, it waits (or not) for the guest.
 */
#include "kernel.h"

/* Static: the monitor reads it from guest RAM. */
static struct mewz_hc_iovec sock_iov[MEWZ_HC_IOV_MAX];

uint32_t mewz_sock_get(uint32_t fd, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind != MEWZ_FD_SOCKET)
        return MEWZ_WASI_ENOTSOCK;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_sock_install(uint32_t handle, uint32_t socktype, uint16_t flags,
                           uint32_t *fd)
{
    struct mewz_fd entry = {
        .kind = MEWZ_FD_SOCKET,
        .flags = flags,
        .handle = handle,
        .socktype = socktype,
        .rights_base = MEWZ_RIGHTS_SOCKET,
        .rights_inheriting = MEWZ_RIGHTS_SOCKET,
    };
    uint32_t err = mewz_fd_alloc(&entry, fd);
    if (err != MEWZ_WASI_ESUCCESS) {
        struct mewz_hc_socket close = {.op = MEWZ_SOCK_CLOSE, .handle = handle};
        mewz_hc_socket(&close);
    }
    return err;
}

static uint32_t call_flags(const struct mewz_fd *entry)
{
    return (entry->flags & MEWZ_WASI_FDFLAG_NONBLOCK) ? MEWZ_SOCK_NONBLOCK : 0;
}

uint32_t mewz_sock_recv(const struct mewz_fd *entry, uint32_t iovs,
                        uint32_t iovs_len, uint32_t flags, uint32_t *nread,
                        uint32_t *roflags, struct mewz_hc_sockaddr *from)
{
    uint64_t batch_bytes, received = 0;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, sock_iov,
                                          MEWZ_HC_IOV_MAX, &batch_bytes);
    *roflags = 0;
    /* Nothing to fill: answered at once, as recv(2) with length 0. */
    if (count == 0 && entry->socktype == MEWZ_SOCK_STREAM) {
        *nread = 0;
        return MEWZ_WASI_ESUCCESS;
    }
    uint32_t err = mewz_hc_recv(entry->handle, sock_iov, count,
                                flags | call_flags(entry), &received, roflags,
                                from);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    *nread = (uint32_t)(received > batch_bytes ? batch_bytes : received);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_sock_send(const struct mewz_fd *entry, uint32_t iovs,
                        uint32_t iovs_len, const struct mewz_hc_sockaddr *to,
                        uint32_t *nwritten)
{
    uint64_t batch_bytes, written = 0;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, sock_iov,
                                          MEWZ_HC_IOV_MAX, &batch_bytes);
    if (count == 0 && entry->socktype == MEWZ_SOCK_STREAM) {
        *nwritten = 0;
        return MEWZ_WASI_ESUCCESS;
    }
    uint32_t err = mewz_hc_send(entry->handle, sock_iov, count,
                                call_flags(entry), to, &written);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    *nwritten = (uint32_t)(written > batch_bytes ? batch_bytes : written);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_sock_op(const struct mewz_fd *entry, uint32_t op, uint32_t arg0,
                      struct mewz_hc_socket *call)
{
    call->op = op;
    call->handle = entry->handle;
    call->arg0 = arg0;
    return mewz_hc_socket(call);
}
