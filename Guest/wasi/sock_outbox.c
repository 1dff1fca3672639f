/*
 * sock_outbox.c: sends held until the next call to the host (abi.h, struct
 * mewz_outbox). A send on a connected (accepted or connecting) non-blocking
 * stream socket is copied here and answered at once; the monitor sends the
 * records before the next hypercall it handles, so a server's responses
 * ride on its next poll instead of costing an exit each. A send on any
 * other socket goes to the host, which refuses it at once if it must. Like
 * a kernel's socket buffer: an error the host answers later is the
 * socket's next send's, and bytes the host could not take yet are the
 * monitor's to send (the socket is "held" until a send or a poll says they
 * went): sends on it then go straight to the monitor, which answers EAGAIN
 * while it still holds bytes.
 */
#include "kernel.h"

/* Larger sends go straight to the host: the copy would cost more than the
 * exit saves. */
#define DEFER_MAX (16U << 10)
/* What one flush can leave held for a socket is what the monitor keeps. */
#define ARENA_SIZE MEWZ_OUTBOX_HELD_MAX

struct mewz_outbox *mewz_outbox_page = (struct mewz_outbox *)(uintptr_t)MEWZ_OUTBOX_ADDR;
uint32_t mewz_outbox_records;

/* Static: the monitor reads the bytes from guest RAM. */
static uint8_t arena[ARENA_SIZE] MEWZ_ALIGN_PAGE MEWZ_BULK(arena);
static uint32_t arena_used;

struct socket_state {
    uint16_t error; /* an earlier held send failed: the next send's answer */
    bool held;      /* the monitor keeps bytes of this socket */
    bool connected; /* accepted, or connecting: a send on any other socket
                       is the host's to refuse at once (ENOTCONN, EPIPE) */
};
static struct socket_state states[MEWZ_SOCK_MAX] MEWZ_BULK(states);

static struct socket_state *state_of(uint32_t handle)
{
    if (handle < MEWZ_SOCK_HANDLE_BASE || handle - MEWZ_SOCK_HANDLE_BASE >= MEWZ_SOCK_MAX)
        return NULL;
    return &states[handle - MEWZ_SOCK_HANDLE_BASE];
}

void mewz_outbox_settle(void)
{
    struct mewz_outbox *box = mewz_outbox_page;
    /* Not sent yet (the call was one the monitor answered without looking,
     * such as a ring wait): the records stay for the next. */
    if (mewz_outbox_records == 0 || __atomic_load_n(&box->count, __ATOMIC_ACQUIRE) != 0)
        return;
    for (uint32_t i = 0; i < mewz_outbox_records; i++) {
        const struct mewz_outbox_record *record = &box->records[i];
        struct socket_state *st = state_of(record->handle);
        if (st == NULL)
            continue;
        if (record->error != MEWZ_WASI_ESUCCESS && st->error == MEWZ_WASI_ESUCCESS)
            st->error = (uint16_t)record->error;
        if (record->held > 0)
            st->held = true;
    }
    mewz_outbox_records = 0;
    arena_used = 0;
}

void mewz_outbox_flush(void)
{
    if (mewz_outbox_records > 0)
        mewz_hc_flush();
}

void mewz_sock_forget(uint32_t handle)
{
    struct socket_state *st = state_of(handle);
    if (st != NULL)
        *st = (struct socket_state){0};
}

void mewz_sock_mark_connected(uint32_t handle)
{
    struct socket_state *st = state_of(handle);
    if (st != NULL)
        st->connected = true;
}

void mewz_sock_sent_directly(uint32_t handle)
{
    struct socket_state *st = state_of(handle);
    if (st != NULL)
        st->held = false;
}

uint32_t mewz_sock_take_error(uint32_t handle)
{
    struct socket_state *st = state_of(handle);
    if (st == NULL || st->error == MEWZ_WASI_ESUCCESS)
        return MEWZ_WASI_ESUCCESS;
    uint32_t err = st->error;
    st->error = MEWZ_WASI_ESUCCESS;
    return err;
}

/* Appends len bytes gathered from the module's iovecs; false when the
 * outbox has no room for them. */
static bool append(uint32_t handle, uint32_t iovs, uint32_t iovs_len, uint32_t len)
{
    struct mewz_outbox *box = mewz_outbox_page;
    if (ARENA_SIZE - arena_used < len)
        return false;
    struct mewz_outbox_record *last =
        mewz_outbox_records > 0 ? &box->records[mewz_outbox_records - 1] : NULL;
    bool extends = last != NULL && last->handle == handle &&
                   last->addr + last->len == MEWZ_HC_ADDR(arena + arena_used);
    if (!extends && mewz_outbox_records == MEWZ_OUTBOX_RECORDS)
        return false;
    uint32_t copied = mewz_iovec_gather(iovs, iovs_len, arena + arena_used, len);
    if (extends) {
        last->len += copied;
    } else {
        box->records[mewz_outbox_records++] = (struct mewz_outbox_record){
            .addr = MEWZ_HC_ADDR(arena + arena_used), .handle = handle, .len = copied};
    }
    arena_used += copied;
    /* Release: the record before the count the monitor reads. */
    __atomic_store_n(&box->count, mewz_outbox_records, __ATOMIC_RELEASE);
    return true;
}

bool mewz_sock_defer(const struct mewz_fd *entry, uint32_t iovs, uint32_t iovs_len,
                     uint64_t total, uint32_t *nwritten)
{
    struct socket_state *st = state_of(entry->handle);
    if (st == NULL || st->held || !st->connected || entry->socktype != MEWZ_SOCK_STREAM ||
        !(entry->flags & MEWZ_WASI_FDFLAG_NONBLOCK) || total == 0 || total > DEFER_MAX)
        return false;
    if (!append(entry->handle, iovs, iovs_len, (uint32_t)total)) {
        mewz_outbox_flush();
        /* The flush may have found the socket full or broken. */
        if (st->held || st->error != MEWZ_WASI_ESUCCESS ||
            !append(entry->handle, iovs, iovs_len, (uint32_t)total))
            return false;
    }
    *nwritten = (uint32_t)total;
    return true;
}
