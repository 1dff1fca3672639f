/*
 * poll.c: poll_oneoff. Clock subscriptions (realtime and monotonic,
 * relative or absolute) are deadlines on the guest's TSC clock; fd_read on
 * stdin and fd_write on stdout/stderr are host handles. One MEWZ_HC_POLL
 * waits for the earliest deadline or a ready handle in the monitor's ppoll,
 * so a sleeping guest costs no host CPU. Layouts are witx's
 * (wasi_snapshot_preview1): subscription 48 bytes, event 32 bytes.
 */
#include "kernel.h"

#define SUBSCRIPTION_SIZE 48
#define SUB_USERDATA 0
#define SUB_TAG 8
#define SUB_CLOCK_ID 16
#define SUB_CLOCK_TIMEOUT 24
#define SUB_CLOCK_FLAGS 40
#define SUB_FD 16

#define EVENT_SIZE 32
#define EVENT_USERDATA 0
#define EVENT_ERROR 8
#define EVENT_TYPE 10
#define EVENT_NBYTES 16
#define EVENT_FLAGS 24

#define EVENTTYPE_CLOCK 0
#define EVENTTYPE_FD_READ 1
#define EVENTTYPE_FD_WRITE 2
#define SUBCLOCKFLAGS_ABSTIME 1
#define EVENTRWFLAGS_HANGUP 1

#define NO_DEADLINE UINT64_MAX

/* The distinct host handles of one call (stdio: at most three). */
static struct mewz_hc_poll_fd handles[MEWZ_HC_POLL_MAX];
static uint32_t handle_count;

static uint64_t load_u64(uint32_t ptr)
{
    uint64_t value;
    memcpy(&value, mewz_guest_ptr(ptr), sizeof value);
    return value;
}

static uint16_t load_u16(uint32_t ptr)
{
    uint16_t value;
    memcpy(&value, mewz_guest_ptr(ptr), sizeof value);
    return value;
}

/* The host handle behind a subscription on `fd`, or -1 when the fd cannot
 * do what the subscription waits for (EBADF). */
static int64_t host_handle(uint32_t fd, uint8_t type)
{
    if (!mewz_fd_is_open(fd))
        return -1;
    if (type == EVENTTYPE_FD_READ)
        return fd == 0 ? 0 : -1;
    return fd == 1 || fd == 2 ? (int64_t)fd : -1;
}

/* The handles[] entry for `handle`, added with `events` if new; NULL when
 * the table is full. */
static struct mewz_hc_poll_fd *add_handle(uint32_t handle, uint16_t events)
{
    for (uint32_t i = 0; i < handle_count; i++) {
        if (handles[i].handle == handle) {
            handles[i].events |= events;
            return &handles[i];
        }
    }
    if (handle_count == MEWZ_HC_POLL_MAX)
        return NULL;
    handles[handle_count] = (struct mewz_hc_poll_fd){
        .handle = handle,
        .events = events,
    };
    return &handles[handle_count++];
}

static const struct mewz_hc_poll_fd *find_handle(uint32_t handle)
{
    for (uint32_t i = 0; i < handle_count; i++)
        if (handles[i].handle == handle)
            return &handles[i];
    return NULL;
}

static bool clock_pollable(uint32_t clock_id)
{
    return clock_id == MEWZ_WASI_CLOCK_REALTIME ||
           clock_id == MEWZ_WASI_CLOCK_MONOTONIC;
}

/* A clock subscription's deadline in nanoseconds since entry; `start` is
 * when poll_oneoff began, which relative timeouts count from. */
static uint64_t clock_deadline(uint32_t sub, uint64_t start)
{
    uint64_t timeout = load_u64(sub + SUB_CLOCK_TIMEOUT);
    if (load_u16(sub + SUB_CLOCK_FLAGS) & SUBCLOCKFLAGS_ABSTIME) {
        uint64_t at_boot =
            mewz_clock_at_boot_ns(mewz_guest_load_u32(sub + SUB_CLOCK_ID));
        return timeout > at_boot ? timeout - at_boot : 0;
    }
    return timeout > NO_DEADLINE - start ? NO_DEADLINE : start + timeout;
}

static void store_event(uint32_t event, uint64_t userdata, uint16_t error,
                        uint8_t type, uint64_t nbytes, uint16_t flags)
{
    uint8_t *p = mewz_guest_ptr(event);
    memset(p, 0, EVENT_SIZE);
    memcpy(p + EVENT_USERDATA, &userdata, sizeof userdata);
    memcpy(p + EVENT_ERROR, &error, sizeof error);
    p[EVENT_TYPE] = type;
    memcpy(p + EVENT_NBYTES, &nbytes, sizeof nbytes);
    memcpy(p + EVENT_FLAGS, &flags, sizeof flags);
}

/* An fd subscription's event from its handle's answer: false when it is
 * not ready. ERR on stdin is EIO; on an output it is what a write would
 * get (a pipe whose reader is gone: EPIPE). */
static bool fd_event(uint8_t type, const struct mewz_hc_poll_fd *answer,
                     uint16_t *error, uint64_t *nbytes, uint16_t *flags)
{
    uint16_t ready = type == EVENTTYPE_FD_READ ? MEWZ_POLL_IN : MEWZ_POLL_OUT;
    uint16_t revents = answer->revents;
    if (!(revents & (ready | MEWZ_POLL_ERR | MEWZ_POLL_HUP | MEWZ_POLL_NVAL)))
        return false;
    *error = MEWZ_WASI_ESUCCESS;
    *nbytes = type == EVENTTYPE_FD_READ && (revents & MEWZ_POLL_IN)
                  ? answer->nbytes
                  : 0;
    *flags = revents & MEWZ_POLL_HUP ? EVENTRWFLAGS_HANGUP : 0;
    if (revents & MEWZ_POLL_NVAL)
        *error = MEWZ_WASI_EBADF;
    else if (revents & MEWZ_POLL_ERR)
        *error = type == EVENTTYPE_FD_READ ? MEWZ_WASI_EIO : MEWZ_WASI_EPIPE;
    return true;
}

/* Writes the events of every subscription that is ready at `now`, in
 * subscription order; returns their count. */
static uint32_t collect_events(uint32_t in, uint32_t out, uint32_t count,
                               uint64_t start, uint64_t now)
{
    uint32_t events = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t sub = in + i * SUBSCRIPTION_SIZE;
        uint64_t userdata = load_u64(sub + SUB_USERDATA);
        uint8_t type = *mewz_guest_ptr(sub + SUB_TAG);
        uint16_t error = MEWZ_WASI_ESUCCESS, flags = 0;
        uint64_t nbytes = 0;
        if (type == EVENTTYPE_CLOCK) {
            if (!clock_pollable(mewz_guest_load_u32(sub + SUB_CLOCK_ID)))
                error = MEWZ_WASI_EINVAL;
            else if (clock_deadline(sub, start) > now)
                continue;
        } else {
            int64_t handle = host_handle(mewz_guest_load_u32(sub + SUB_FD), type);
            if (handle < 0) {
                error = MEWZ_WASI_EBADF;
            } else {
                const struct mewz_hc_poll_fd *answer =
                    find_handle((uint32_t)handle);
                if (answer == NULL ||
                    !fd_event(type, answer, &error, &nbytes, &flags))
                    continue;
            }
        }
        store_event(out + events * EVENT_SIZE, userdata, error, type, nbytes,
                    flags);
        events++;
    }
    return events;
}

uint32_t mewz_wasi_poll_oneoff(uint32_t in, uint32_t out,
                               uint32_t nsubscriptions, uint32_t nevents_out)
{
    if (nsubscriptions == 0)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(in, (uint64_t)nsubscriptions * SUBSCRIPTION_SIZE) ||
        !mewz_guest_range_ok(out, (uint64_t)nsubscriptions * EVENT_SIZE) ||
        !mewz_guest_range_ok(nevents_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;

    /* What to wait for: the earliest deadline and the handles; a
     * subscription that is an answer already (an error) means no wait. */
    uint64_t start = mewz_clock_since_boot_ns();
    uint64_t deadline = NO_DEADLINE;
    bool answered = false;
    handle_count = 0;
    for (uint32_t i = 0; i < nsubscriptions; i++) {
        uint32_t sub = in + i * SUBSCRIPTION_SIZE;
        uint8_t type = *mewz_guest_ptr(sub + SUB_TAG);
        if (type == EVENTTYPE_CLOCK) {
            if (!clock_pollable(mewz_guest_load_u32(sub + SUB_CLOCK_ID))) {
                answered = true;
                continue;
            }
            uint64_t at = clock_deadline(sub, start);
            if (at < deadline)
                deadline = at;
        } else if (type == EVENTTYPE_FD_READ || type == EVENTTYPE_FD_WRITE) {
            int64_t handle = host_handle(mewz_guest_load_u32(sub + SUB_FD), type);
            if (handle < 0)
                answered = true;
            else if (add_handle((uint32_t)handle, type == EVENTTYPE_FD_READ
                                                      ? MEWZ_POLL_IN
                                                      : MEWZ_POLL_OUT) == NULL)
                return MEWZ_WASI_ENOTSUP;
        } else {
            return MEWZ_WASI_EINVAL;
        }
    }

    /* Until something is ready by the guest's own clock: the host may wake
     * a little before the TSC says the deadline has passed. */
    uint64_t now = start;
    for (;;) {
        uint64_t timeout = MEWZ_HC_TIMEOUT_NONE;
        if (answered)
            timeout = 0;
        else if (deadline != NO_DEADLINE)
            timeout = deadline > now ? deadline - now : 0;
        uint32_t ready;
        uint32_t err = mewz_hc_poll(handles, handle_count, timeout, &ready);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        now = mewz_clock_since_boot_ns();
        uint32_t events = collect_events(in, out, nsubscriptions, start, now);
        if (events > 0) {
            mewz_guest_store_u32(nevents_out, events);
            return MEWZ_WASI_ESUCCESS;
        }
    }
}
