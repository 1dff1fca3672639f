/*
 * poll.c: poll_oneoff.
 *
 * ROFS files and directories are always ready (a read never blocks; a
 * file's FD_READ event reports the bytes left after its position), and so
 * is a subscription on a descriptor that is not open: its event carries
 * EBADF, as the witx puts per-subscription errors. stdio and socket
 * readiness and the clocks go to the monitor in one MEWZ_HC_POLL (with
 * MEWZ_HC_POLL_RECV, which also receives into the stage of each readable
 * stream socket, so the read that follows needs no exit) (ppoll on the host: a
 * sleeping guest costs no CPU), with a zero timeout when some event is
 * already ready, else until the earliest clock deadline. A call returns
 * at least one event: a wake-up with nothing due yet waits again.
 *
 * As wasmtime: no subscriptions, an unknown event type or clock (the CPU
 * time clocks included), or unknown clock flags is EINVAL for the call.
 */
#include "kernel.h"
#include "mewz/rofs.h"

/* stdio's three handles and every socket's: one entry per handle. */
#define HOST_HANDLES (3 + MEWZ_SOCK_MAX)

/* Static: the monitor reads and writes it in guest RAM. */
static struct mewz_hc_poll_fd hc_fds[HOST_HANDLES] MEWZ_BULK(hc_fds);
/* Receive stages offered with the wait (MEWZ_HC_POLL_RECV), per entry, and
 * which entries are stream sockets asked for reading. */
static struct mewz_hc_stage hc_stages[HOST_HANDLES] MEWZ_BULK(hc_stages);
static bool stream_read[HOST_HANDLES];
/* Each handle's entry in hc_fds during call number `calls` (entry + 1 when
 * its mark is the current call's): a server polling hundreds of sockets
 * finds them without a search. */
static uint16_t entry_of[HOST_HANDLES];
static uint32_t entry_mark[HOST_HANDLES];
static uint32_t calls;

/* A handle's index in entry_of: stdio's 0-2, then the sockets'. */
static uint32_t handle_index(uint32_t handle)
{
    if (handle < 3)
        return handle;
    if (handle >= MEWZ_SOCK_HANDLE_BASE && handle - MEWZ_SOCK_HANDLE_BASE < MEWZ_SOCK_MAX)
        return 3 + (handle - MEWZ_SOCK_HANDLE_BASE);
    return HOST_HANDLES; /* none the monitor hands out */
}

static uint64_t monotonic_now(void)
{
    return mewz_boot->boot_monotonic_ns + mewz_clock_since_boot_ns();
}

static uint64_t realtime_now(void)
{
    return mewz_boot->boot_realtime_ns + mewz_clock_since_boot_ns();
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The monotonic deadline of the clock subscription at sub. */
static uint32_t clock_deadline(uint32_t sub, uint64_t *deadline)
{
    uint32_t id = mewz_guest_load_u32(sub + 16);
    uint64_t timeout = mewz_guest_load_u64(sub + 24);
    uint16_t flags;
    memcpy(&flags, mewz_guest_ptr(sub + 40), sizeof flags);
    if (flags & ~MEWZ_WASI_SUBCLOCK_ABSTIME)
        return MEWZ_WASI_EINVAL;
    bool absolute = flags & MEWZ_WASI_SUBCLOCK_ABSTIME;
    uint64_t now = monotonic_now();
    if (id == MEWZ_WASI_CLOCK_MONOTONIC)
        *deadline = absolute ? timeout : saturating_add(now, timeout);
    else if (id == MEWZ_WASI_CLOCK_REALTIME && !absolute)
        *deadline = saturating_add(now, timeout);
    else if (id == MEWZ_WASI_CLOCK_REALTIME) {
        uint64_t real = realtime_now();
        *deadline = timeout > real ? saturating_add(now, timeout - real) : now;
    } else
        return MEWZ_WASI_EINVAL;
    return MEWZ_WASI_ESUCCESS;
}

enum state { READY, WAIT_CLOCK, WAIT_HOST };

struct pending {
    uint8_t state;
    uint8_t type;
    bool socket;
    uint16_t error;
    uint32_t slot;     /* WAIT_HOST: index in hc_fds */
    uint64_t nbytes;   /* READY */
    uint64_t deadline; /* WAIT_CLOCK */
};

/* What an fd subscription waits for, or its immediate answer. */
static void classify_fd(uint32_t fd, uint8_t type, struct pending *p,
                        uint32_t *nfds)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    p->state = READY;
    if (entry == NULL) {
        p->error = MEWZ_WASI_EBADF;
        return;
    }
    bool read = type == MEWZ_WASI_EVENTTYPE_FD_READ;
    /* Host volume files and directories: always ready, as regular files
     * are to poll(2); nbytes 0 (unknown). */
    if (mewz_volume_owns(fd)) {
        if (!(entry->rights_base & MEWZ_WASI_RIGHT_POLL_FD_READWRITE))
            p->error = MEWZ_WASI_ENOTCAPABLE;
        return;
    }
    if (entry->kind == MEWZ_FD_FILE || entry->kind == MEWZ_FD_DIRECTORY) {
        struct mewz_rofs_node node;
        if (!(entry->rights_base & MEWZ_WASI_RIGHT_POLL_FD_READWRITE))
            p->error = MEWZ_WASI_ENOTCAPABLE;
        else if (mewz_fd_node(entry, &node) != MEWZ_WASI_ESUCCESS)
            p->error = MEWZ_WASI_EIO;
        else if (read && entry->kind == MEWZ_FD_FILE &&
                 entry->offset < node.size)
            p->nbytes = node.size - entry->offset;
        return;
    }
    /* What a stream socket's stage holds answers a read at once. */
    uint64_t staged;
    if (read && entry->kind == MEWZ_FD_SOCKET &&
        mewz_sock_staged(entry->handle, &staged)) {
        p->nbytes = staged;
        return;
    }
    bool direction_ok = entry->kind == MEWZ_FD_SOCKET ||
                        (read ? entry->kind == MEWZ_FD_STDIN
                              : entry->kind != MEWZ_FD_STDIN);
    if (!direction_ok) {
        p->error = MEWZ_WASI_EBADF;
        return;
    }
    /* One host entry per handle, whatever number the module renumbered
     * it to and however often it subscribed. */
    uint32_t index = handle_index(entry->handle), slot;
    if (index == HOST_HANDLES) {
        p->error = MEWZ_WASI_EBADF;
        return;
    }
    if (entry_mark[index] == calls) {
        slot = entry_of[index];
    } else {
        slot = (*nfds)++;
        entry_mark[index] = calls;
        entry_of[index] = (uint16_t)slot;
        hc_fds[slot] = (struct mewz_hc_poll_fd){.handle = entry->handle};
        stream_read[slot] = false;
    }
    /* A listener's readiness is a connection to accept: no stage. */
    if (read && entry->kind == MEWZ_FD_SOCKET && entry->socktype == MEWZ_SOCK_STREAM &&
        !entry->listening)
        stream_read[slot] = true;
    hc_fds[slot].events |= read ? MEWZ_POLL_IN : MEWZ_POLL_OUT;
    p->state = WAIT_HOST;
    p->slot = slot;
    p->socket = entry->kind == MEWZ_FD_SOCKET;
}

static void store_event(uint32_t at, uint64_t userdata, uint16_t error,
                        uint8_t type, uint64_t nbytes, uint16_t flags)
{
    memset(mewz_guest_ptr(at), 0, MEWZ_WASI_EVENT_SIZE);
    mewz_guest_store_u64(at, userdata);
    mewz_guest_store_u16(at + 8, error);
    mewz_guest_ptr(at)[10] = type;
    mewz_guest_store_u64(at + 16, nbytes);
    mewz_guest_store_u16(at + 24, flags);
}

/* Writes the events that are due; returns how many. */
static uint32_t collect(uint32_t in, uint32_t out, uint32_t nsubs,
                        const struct pending *pending, uint64_t now)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        const struct pending *p = &pending[i];
        uint32_t sub = in + i * MEWZ_WASI_SUBSCRIPTION_SIZE;
        uint16_t error = p->error, flags = 0;
        uint64_t nbytes = p->nbytes;
        if (p->state == WAIT_CLOCK && p->deadline > now)
            continue;
        if (p->state == WAIT_HOST) {
            uint16_t revents = hc_fds[p->slot].revents;
            uint16_t wanted = p->type == MEWZ_WASI_EVENTTYPE_FD_READ
                                  ? MEWZ_POLL_IN
                                  : MEWZ_POLL_OUT;
            if (!(revents & (wanted | MEWZ_POLL_ERR | MEWZ_POLL_HUP |
                             MEWZ_POLL_NVAL)))
                continue;
            /* ERR on stdin is EIO; on an output it is what a write would
             * get (a pipe whose reader is gone: EPIPE). */
            bool read = p->type == MEWZ_WASI_EVENTTYPE_FD_READ;
            /* A socket's error is the next recv's or send's to report
             * (ECONNRESET, ...): its event only says it is due. */
            if (revents & MEWZ_POLL_NVAL)
                error = MEWZ_WASI_EBADF;
            else if ((revents & MEWZ_POLL_ERR) && !p->socket)
                error = read ? MEWZ_WASI_EIO : MEWZ_WASI_EPIPE;
            if (revents & MEWZ_POLL_HUP)
                flags = 1; /* FD_READWRITE_HANGUP */
            /* Ready: the host's FIONREAD count when it knows one, else 1
             * (as wasmtime reports a ready stream). */
            uint64_t known = read ? hc_fds[p->slot].nbytes : 0;
            nbytes = error == MEWZ_WASI_ESUCCESS && (revents & wanted)
                         ? (known > 0 ? known : 1)
                         : 0;
        }
        store_event(out + count * MEWZ_WASI_EVENT_SIZE,
                    mewz_guest_load_u64(sub), error, p->type, nbytes, flags);
        count++;
    }
    return count;
}

/* Bookkeeping for one call; 48 bytes in the module's memory per
 * subscription become 32 here, so a fixed pool covers what any module
 * can pass without an allocator. */
#define PENDING_MAX 4096
static struct pending pending_pool[PENDING_MAX] MEWZ_BULK(pending_pool);

uint32_t mewz_wasi_poll_oneoff(uint32_t in, uint32_t out,
                               uint32_t nsubscriptions, uint32_t nevents_out)
{
    if (nsubscriptions == 0)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(in, (uint64_t)nsubscriptions *
                                     MEWZ_WASI_SUBSCRIPTION_SIZE) ||
        !mewz_guest_range_ok(out, (uint64_t)nsubscriptions *
                                      MEWZ_WASI_EVENT_SIZE) ||
        !mewz_guest_range_ok(nevents_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    if (nsubscriptions > PENDING_MAX)
        return MEWZ_WASI_ENOMEM;

    uint32_t nfds = 0;
    bool any_ready = false;
    calls++; /* (from 1: a mark of 0 is no call's) */
    for (uint32_t i = 0; i < nsubscriptions; i++) {
        uint32_t sub = in + i * MEWZ_WASI_SUBSCRIPTION_SIZE;
        struct pending *p = &pending_pool[i];
        *p = (struct pending){.type = mewz_guest_ptr(sub)[8]};
        if (p->type == MEWZ_WASI_EVENTTYPE_CLOCK) {
            uint32_t err = clock_deadline(sub, &p->deadline);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            p->state = WAIT_CLOCK;
        } else if (p->type == MEWZ_WASI_EVENTTYPE_FD_READ ||
                   p->type == MEWZ_WASI_EVENTTYPE_FD_WRITE) {
            classify_fd(mewz_guest_load_u32(sub + 16), p->type, p, &nfds);
        } else {
            return MEWZ_WASI_EINVAL;
        }
        any_ready |= p->state == READY;
    }

    for (;;) {
        uint64_t now = monotonic_now();
        uint64_t earliest = UINT64_MAX;
        for (uint32_t i = 0; i < nsubscriptions; i++)
            if (pending_pool[i].state == WAIT_CLOCK &&
                pending_pool[i].deadline < earliest)
                earliest = pending_pool[i].deadline;
        uint64_t timeout = MEWZ_HC_TIMEOUT_NONE;
        if (any_ready || earliest <= now)
            timeout = 0;
        else if (earliest != UINT64_MAX)
            timeout = earliest - now;
        for (uint32_t i = 0; i < nfds; i++)
            hc_fds[i].revents = 0;
        if (nfds > 0 || timeout > 0) {
            uint32_t ready, err;
            bool staging = false;
            for (uint32_t i = 0; i < nfds; i++) {
                hc_stages[i] = (struct mewz_hc_stage){0};
                if (stream_read[i])
                    mewz_sock_stage_offer(hc_fds[i].handle, &hc_stages[i]);
                staging |= hc_stages[i].cap > 0;
            }
            if (staging) {
                err = mewz_hc_poll_recv(hc_fds, nfds, hc_stages, timeout, &ready);
                for (uint32_t i = 0; i < nfds; i++)
                    if (hc_stages[i].cap > 0)
                        mewz_sock_stage_take(hc_fds[i].handle, &hc_stages[i]);
            } else {
                err = mewz_hc_poll(hc_fds, nfds, timeout, &ready);
            }
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            /* Writable: the monitor holds none of its sent bytes. */
            for (uint32_t i = 0; i < nfds; i++)
                if (hc_fds[i].revents & MEWZ_POLL_OUT)
                    mewz_sock_sent_directly(hc_fds[i].handle);
        }
        uint32_t count = collect(in, out, nsubscriptions, pending_pool,
                                 monotonic_now());
        if (count > 0) {
            mewz_guest_store_u32(nevents_out, count);
            return MEWZ_WASI_ESUCCESS;
        }
    }
}
