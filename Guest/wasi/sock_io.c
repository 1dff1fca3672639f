/*
 * sock_io.c: socket descriptors and the data on them, for sock_* and for
 * fd_read, fd_write and fd_close on a socket. A socket descriptor holds the
 * monitor's handle; the data goes from and into linear memory as one
 * scattering or gathering hypercall (no copy in the guest). The descriptor's
 * NONBLOCK flag becomes MEWZ_SOCK_NONBLOCK on each call: the monitor's
 * host socket never blocks, it waits (or not) for the guest. A receive is
 * answered from the socket's stage first, when poll_oneoff had the monitor
 * fill it (MEWZ_HC_POLL_RECV).
 */
#include "kernel.h"

/* Static: the monitor reads it from guest RAM. */
static struct mewz_hc_iovec sock_iov[MEWZ_HC_IOV_MAX] MEWZ_BULK(sock_iov);

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
    mewz_sock_forget(handle);
    uint32_t err = mewz_fd_alloc(&entry, fd);
    if (err != MEWZ_WASI_ESUCCESS) {
        struct mewz_hc_socket close = {.op = MEWZ_SOCK_CLOSE, .handle = handle};
        mewz_hc_socket(&close);
    }
    return err;
}

/* ---- Receive stages ---------------------------------------------------- */

struct stage {
    uint32_t handle; /* 0: free */
    uint32_t start, len;
    uint16_t error;
    bool eof;
};
static struct stage stages[MEWZ_SOCK_STAGES];
static uint8_t stage_bytes[MEWZ_SOCK_STAGES][MEWZ_SOCK_STAGE_SIZE] MEWZ_ALIGN_PAGE MEWZ_BULK(stage_bytes);
/* Which stage a socket has (index + 1, 0: none), and the free ones: a
 * server's poll looks up every connection's, so no search. */
_Static_assert(MEWZ_SOCK_STAGES < 256, "stage indexes are bytes");
static uint8_t stage_of_socket[MEWZ_SOCK_MAX];
static uint8_t free_stages[MEWZ_SOCK_STAGES];
static uint32_t free_count;
static bool stages_ready;

static uint8_t *stage_slot(uint32_t handle)
{
    if (handle < MEWZ_SOCK_HANDLE_BASE || handle - MEWZ_SOCK_HANDLE_BASE >= MEWZ_SOCK_MAX)
        return NULL;
    return &stage_of_socket[handle - MEWZ_SOCK_HANDLE_BASE];
}

static struct stage *stage_of(uint32_t handle)
{
    uint8_t *slot = stage_slot(handle);
    return slot != NULL && *slot != 0 ? &stages[*slot - 1] : NULL;
}

/* A free stage for the handle, or NULL when all are taken. */
static struct stage *stage_take_free(uint32_t handle)
{
    uint8_t *slot = stage_slot(handle);
    if (!stages_ready) {
        for (uint32_t i = 0; i < MEWZ_SOCK_STAGES; i++)
            free_stages[i] = (uint8_t)(MEWZ_SOCK_STAGES - 1 - i);
        free_count = MEWZ_SOCK_STAGES;
        stages_ready = true;
    }
    if (slot == NULL || free_count == 0)
        return NULL;
    uint8_t index = free_stages[--free_count];
    *slot = (uint8_t)(index + 1);
    stages[index] = (struct stage){.handle = handle};
    return &stages[index];
}

static bool holds_something(const struct stage *st)
{
    return st->len > 0 || st->eof || st->error != 0;
}

bool mewz_sock_staged(uint32_t handle, uint64_t *nbytes)
{
    struct stage *st = stage_of(handle);
    if (st == NULL || !holds_something(st))
        return false;
    *nbytes = st->len;
    return true;
}

void mewz_sock_stage_offer(uint32_t handle, struct mewz_hc_stage *offer)
{
    *offer = (struct mewz_hc_stage){0};
    struct stage *st = stage_of(handle);
    if (st == NULL)
        st = stage_take_free(handle);
    if (st == NULL || holds_something(st))
        return;
    *st = (struct stage){.handle = handle};
    offer->buf = MEWZ_HC_ADDR(stage_bytes[st - stages]);
    offer->cap = MEWZ_SOCK_STAGE_SIZE;
}

void mewz_sock_stage_take(uint32_t handle, const struct mewz_hc_stage *answer)
{
    struct stage *st = stage_of(handle);
    if (st == NULL || answer->cap == 0)
        return;
    st->start = 0;
    st->len = answer->len <= MEWZ_SOCK_STAGE_SIZE ? answer->len : 0;
    st->eof = answer->eof != 0;
    st->error = (uint16_t)answer->error;
}

void mewz_sock_stage_release(uint32_t handle)
{
    struct stage *st = stage_of(handle);
    if (st == NULL)
        return;
    *st = (struct stage){0};
    free_stages[free_count++] = (uint8_t)(st - stages);
    *stage_slot(handle) = 0;
}

/* Answers a receive from the stage: true when it did (*nread set, or
 * *err for a staged error). */
static bool receive_staged(uint32_t handle, uint32_t iovs, uint32_t iovs_len,
                           uint32_t flags, uint32_t *nread, uint32_t *err)
{
    struct stage *st = stage_of(handle);
    if (st == NULL || !holds_something(st))
        return false;
    *err = MEWZ_WASI_ESUCCESS;
    *nread = 0;
    if (st->len > 0) {
        *nread = mewz_iovec_fill(iovs, iovs_len, stage_bytes[st - stages] + st->start, st->len);
        if (!(flags & MEWZ_RECV_PEEK)) {
            st->start += *nread;
            st->len -= *nread;
        }
        /* WAITALL past the stage: the rest from the host. */
        return !(flags & MEWZ_RECV_WAITALL) || st->len > 0 || *nread == 0;
    }
    if (st->error != 0) {
        *err = st->error;
        if (!(flags & MEWZ_RECV_PEEK))
            st->error = 0;
    }
    return true; /* end of stream: 0 bytes, and again the next time */
}

static uint32_t call_flags(const struct mewz_fd *entry)
{
    return (entry->flags & MEWZ_WASI_FDFLAG_NONBLOCK) ? MEWZ_SOCK_NONBLOCK : 0;
}

uint32_t mewz_sock_recv(const struct mewz_fd *entry, uint32_t iovs,
                        uint32_t iovs_len, uint32_t flags, uint32_t *nread,
                        uint32_t *roflags, struct mewz_hc_sockaddr *from)
{
    *roflags = 0;
    uint32_t staged = 0, err;
    if (entry->socktype == MEWZ_SOCK_STREAM &&
        receive_staged(entry->handle, iovs, iovs_len, flags, &staged, &err)) {
        *nread = staged;
        return err;
    }
    if (staged > 0) {
        /* MSG_WAITALL with part of it staged: the rest from the host, into
         * the buffers past what was copied. */
        uint64_t wanted, more = 0;
        uint32_t next = 0, used = 0, skip = staged;
        uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, sock_iov,
                                              MEWZ_HC_IOV_MAX, &wanted);
        for (uint32_t i = 0; i < count; i++) {
            if (sock_iov[i].len <= skip) {
                skip -= (uint32_t)sock_iov[i].len;
                continue;
            }
            sock_iov[used].addr = sock_iov[i].addr + skip;
            sock_iov[used].len = sock_iov[i].len - skip;
            skip = 0;
            used++;
        }
        if (used > 0 &&
            mewz_hc_recv(entry->handle, sock_iov, used, flags | call_flags(entry),
                         &more, roflags, from) == MEWZ_WASI_ESUCCESS)
            staged += (uint32_t)(more > wanted - staged ? wanted - staged : more);
        /* An error after staged bytes is a short read, as recv answers. */
        *nread = staged;
        return MEWZ_WASI_ESUCCESS;
    }
    uint64_t batch_bytes, received = 0;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, sock_iov,
                                          MEWZ_HC_IOV_MAX, &batch_bytes);
    /* Nothing to fill: answered at once, as recv(2) with length 0. */
    if (count == 0 && entry->socktype == MEWZ_SOCK_STREAM) {
        *nread = 0;
        return MEWZ_WASI_ESUCCESS;
    }
    err = mewz_hc_recv(entry->handle, sock_iov, count, flags | call_flags(entry),
                       &received, roflags, from);
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
    /* A held send that failed is this send's error, as a socket reports
     * an asynchronous error on the next call. */
    uint32_t err = mewz_sock_take_error(entry->handle);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (count == 0 && entry->socktype == MEWZ_SOCK_STREAM) {
        *nwritten = 0;
        return MEWZ_WASI_ESUCCESS;
    }
    if (to == NULL && mewz_sock_defer(entry, iovs, iovs_len, batch_bytes, nwritten))
        return MEWZ_WASI_ESUCCESS;
    err = mewz_hc_send(entry->handle, sock_iov, count, call_flags(entry), to,
                       &written);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_sock_sent_directly(entry->handle);
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
