/*
 * host_poll.c: poll_oneoff (wasi/poll.c with wasi/clock.c, wasi/fd_table.c
 * and the ROFS reader, with no ROFS mounted: stdio only) on the host, against a linear memory at MEWZ_LM_BASE as
 * in the guest, with a fake TSC at 1 GHz (1 tick = 1 ns) and a fake
 * MEWZ_HC_POLL that records what it was asked and answers from a script.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "host_check.h"
#include "kernel.h"

#define MEMORY_PAGES 2
#define MEMORY_END ((uint32_t)(MEMORY_PAGES * MEWZ_WASM_PAGE_SIZE))
#define BOOT_REALTIME 1700000000000000000ULL
#define BOOT_MONOTONIC 5000000000ULL

uint32_t mewz_memory_pages = MEMORY_PAGES;
static struct mewz_boot_info fake_boot = {
    .tsc_khz = 1000000,
    .boot_realtime_ns = BOOT_REALTIME,
    .boot_monotonic_ns = BOOT_MONOTONIC,
};
const struct mewz_boot_info *mewz_boot = &fake_boot;

_Noreturn void mewz_fatal(const char *message)
{
    fprintf(stderr, "host_poll: mewz_fatal: %s\n", message);
    abort();
}

static uint64_t fake_tsc;
uint64_t mewz_rdtsc(void)
{
    return fake_tsc;
}

/* fd_close of a socket closes its host socket; no socket exists here. */
uint32_t mewz_hc_socket(struct mewz_hc_socket *call)
{
    return call->error = MEWZ_WASI_EBADF;
}

/* fd_init installs preopened listeners; the fake boot info has none. */
uint32_t mewz_sock_install(uint32_t handle, uint32_t socktype, uint16_t flags,
                           uint32_t *fd)
{
    (void)handle, (void)socktype, (void)flags, (void)fd;
    return MEWZ_WASI_EMFILE;
}

/* No socket here has a receive stage. */
bool mewz_sock_staged(uint32_t handle, uint64_t *nbytes)
{
    (void)handle, (void)nbytes;
    return false;
}
void mewz_sock_stage_offer(uint32_t handle, struct mewz_hc_stage *stage)
{
    (void)handle;
    *stage = (struct mewz_hc_stage){0};
}
void mewz_sock_stage_take(uint32_t handle, const struct mewz_hc_stage *stage)
{
    (void)handle, (void)stage;
}
void mewz_sock_stage_release(uint32_t handle)
{
    (void)handle;
}
/* Nor an outbox. */
void mewz_sock_sent_directly(uint32_t handle)
{
    (void)handle;
}
void mewz_sock_forget(uint32_t handle)
{
    (void)handle;
}
uint32_t mewz_hc_poll_recv(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                           struct mewz_hc_stage *stages, uint64_t timeout_ns,
                           uint32_t *ready)
{
    (void)stages;
    return mewz_hc_poll(fds, nfds, timeout_ns, ready);
}

/* ---- Fake MEWZ_HC_POLL ---------------------------------------------------- */

static unsigned poll_calls;
static uint64_t asked_timeouts[8];
/* No volumes in these tests: the monitor would answer EBADF. */
uint32_t mewz_hc_fs(struct mewz_hc_fs *call)
{
    call->error = MEWZ_WASI_EBADF;
    return call->error;
}

static struct mewz_hc_poll_fd asked_fds[8];
static uint32_t asked_nfds;
/* Each call sleeps min(timeout, sleep_cap) ns of fake time, minus
 * wake_early ns (a host that wakes before the guest's clock agrees). */
static uint64_t sleep_cap = UINT64_MAX, wake_early;
/* Answers: revents/nbytes for handle 0, 1, 2; error for the call. */
static uint16_t answer_revents[3];
static uint64_t answer_nbytes[3];
static uint32_t answer_error;

uint32_t mewz_hc_poll(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                      uint64_t timeout_ns, uint32_t *ready)
{
    if (poll_calls < 8)
        asked_timeouts[poll_calls] = timeout_ns;
    poll_calls++;
    asked_nfds = nfds;
    memcpy(asked_fds, fds, (nfds < 8 ? nfds : 8) * sizeof *fds);
    *ready = 0;
    for (uint32_t i = 0; i < nfds; i++) {
        uint32_t h = fds[i].handle;
        fds[i].revents = h < 3 ? answer_revents[h] & (fds[i].events | 0x38) : 0;
        fds[i].nbytes = h < 3 ? answer_nbytes[h] : 0;
        *ready += fds[i].revents != 0;
    }
    if (*ready == 0 && timeout_ns != MEWZ_HC_TIMEOUT_NONE) {
        uint64_t slept = timeout_ns < sleep_cap ? timeout_ns : sleep_cap;
        fake_tsc += slept > wake_early ? slept - wake_early : 0;
        wake_early = 0; /* once */
    }
    return answer_error;
}

/* ---- Subscriptions and events in linear memory --------------------------- */

#define IN 0x1000u
#define OUT 0x4000u
#define NEVENTS 0x8000u

static void reset(void)
{
    poll_calls = 0;
    asked_nfds = 99;
    sleep_cap = UINT64_MAX;
    wake_early = 0;
    memset(answer_revents, 0, sizeof answer_revents);
    memset(answer_nbytes, 0, sizeof answer_nbytes);
    answer_error = 0;
    memset(mewz_guest_ptr(0), 0, MEMORY_END);
}

static void put64(uint32_t at, uint64_t v) { memcpy(mewz_guest_ptr(at), &v, 8); }
static void put32(uint32_t at, uint32_t v) { memcpy(mewz_guest_ptr(at), &v, 4); }
static void put16(uint32_t at, uint16_t v) { memcpy(mewz_guest_ptr(at), &v, 2); }
static uint64_t get64(uint32_t at) { uint64_t v; memcpy(&v, mewz_guest_ptr(at), 8); return v; }
static uint32_t get32(uint32_t at) { uint32_t v; memcpy(&v, mewz_guest_ptr(at), 4); return v; }
static uint16_t get16(uint32_t at) { uint16_t v; memcpy(&v, mewz_guest_ptr(at), 2); return v; }

static void clock_sub(unsigned i, uint64_t userdata, uint32_t id,
                      uint64_t timeout, uint16_t flags)
{
    uint32_t s = IN + i * 48;
    put64(s, userdata);
    *mewz_guest_ptr(s + 8) = 0;
    put32(s + 16, id);
    put64(s + 24, timeout);
    put64(s + 32, 12345); /* precision: ignored */
    put16(s + 40, flags);
}

static void fd_sub(unsigned i, uint64_t userdata, uint8_t type, uint32_t fd)
{
    uint32_t s = IN + i * 48;
    put64(s, userdata);
    *mewz_guest_ptr(s + 8) = type;
    put32(s + 16, fd);
}

/* Event i: userdata, error, type, nbytes, flags. */
#define CHECK_EVENT(i, userdata, error, type, nbytes, flags)                   \
    do {                                                                       \
        CHECK_EQ(get64(OUT + (i) * 32), userdata);                             \
        CHECK_EQ(get16(OUT + (i) * 32 + 8), error);                            \
        CHECK_EQ(*mewz_guest_ptr(OUT + (i) * 32 + 10), type);                  \
        CHECK_EQ(get64(OUT + (i) * 32 + 16), nbytes);                          \
        CHECK_EQ(get16(OUT + (i) * 32 + 24), flags);                           \
    } while (0)

static uint32_t poll_oneoff(uint32_t count)
{
    return mewz_wasi_poll_oneoff(IN, OUT, count, NEVENTS);
}

/* ---- Tests ------------------------------------------------------------------ */

static void test_relative_sleep(void)
{
    reset();
    fake_tsc = 1000;
    clock_sub(0, 42, MEWZ_WASI_CLOCK_MONOTONIC, 250000000, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_calls, 1);
    CHECK_EQ(asked_nfds, 0);
    CHECK_EQ(asked_timeouts[0], 250000000);
    CHECK_EQ(get32(NEVENTS), 1);
    CHECK_EVENT(0, 42, 0, 0, 0, 0);
    CHECK_EQ(fake_tsc, 1000 + 250000000);
}

/* The earliest of several clocks; only the expired ones are events. */
static void test_earliest_deadline(void)
{
    reset();
    fake_tsc = 0;
    clock_sub(0, 1, MEWZ_WASI_CLOCK_MONOTONIC, 300, 0);
    clock_sub(1, 2, MEWZ_WASI_CLOCK_REALTIME, 100, 0);
    clock_sub(2, 3, MEWZ_WASI_CLOCK_MONOTONIC, 200, 0);
    CHECK_EQ(poll_oneoff(3), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(asked_timeouts[0], 100);
    CHECK_EQ(get32(NEVENTS), 1);
    CHECK_EVENT(0, 2, 0, 0, 0, 0);
}

/* Absolute deadlines on each clock's own timeline, and one long past. */
static void test_absolute_deadlines(void)
{
    reset();
    fake_tsc = 1000000; /* 1 ms after boot */
    clock_sub(0, 7, MEWZ_WASI_CLOCK_REALTIME, BOOT_REALTIME + 5000000,
              1 /* abstime */);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(asked_timeouts[0], 4000000);
    CHECK_EVENT(0, 7, 0, 0, 0, 0);

    reset();
    fake_tsc = 0;
    clock_sub(0, 8, MEWZ_WASI_CLOCK_MONOTONIC, BOOT_MONOTONIC + 3000, 1);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(asked_timeouts[0], 3000);

    reset();
    fake_tsc = 50;
    clock_sub(0, 9, MEWZ_WASI_CLOCK_MONOTONIC, 1, 1); /* before boot */
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_calls, 0); /* due already: no exit */
    CHECK_EQ(get32(NEVENTS), 1);
    CHECK_EVENT(0, 9, 0, 0, 0, 0);
}

/* The host woke 10 ns before the TSC says the deadline passed: wait again
 * for the rest, report once. A huge relative timeout saturates. */
static void test_early_wake_and_saturation(void)
{
    reset();
    fake_tsc = 0;
    wake_early = 10;
    clock_sub(0, 5, MEWZ_WASI_CLOCK_MONOTONIC, 1000, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_calls, 2);
    CHECK_EQ(asked_timeouts[1], 10);
    CHECK_EQ(get32(NEVENTS), 1);

    reset();
    fake_tsc = 5;
    answer_revents[0] = MEWZ_POLL_IN;
    clock_sub(0, 1, MEWZ_WASI_CLOCK_MONOTONIC, UINT64_MAX - 1, 0);
    fd_sub(1, 2, 1, 0);
    CHECK_EQ(poll_oneoff(2), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(asked_timeouts[0], MEWZ_HC_TIMEOUT_NONE); /* past UINT64_MAX: none */
    CHECK_EQ(get32(NEVENTS), 1);
    CHECK_EVENT(0, 2, 0, 1, 1, 0); /* ready, count unknown: 1 */
}

/* stdin readable with nbytes and hang-up; stdout writable; stderr's reader
 * gone; each handle asked once with what its subscriptions want. */
static void test_stdio_events(void)
{
    reset();
    answer_revents[0] = MEWZ_POLL_IN | MEWZ_POLL_HUP;
    answer_nbytes[0] = 17;
    answer_revents[1] = MEWZ_POLL_OUT;
    answer_revents[2] = MEWZ_POLL_OUT | MEWZ_POLL_ERR;
    fd_sub(0, 100, 1, 0);
    fd_sub(1, 101, 2, 1);
    fd_sub(2, 102, 2, 2);
    fd_sub(3, 103, 1, 0); /* stdin twice */
    clock_sub(4, 104, MEWZ_WASI_CLOCK_MONOTONIC, 1000000, 0);
    CHECK_EQ(poll_oneoff(5), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(asked_nfds, 3);
    CHECK_EQ(asked_fds[0].handle, 0);
    CHECK_EQ(asked_fds[0].events, MEWZ_POLL_IN);
    CHECK_EQ(asked_fds[1].handle, 1);
    CHECK_EQ(asked_fds[1].events, MEWZ_POLL_OUT);
    CHECK_EQ(asked_timeouts[0], 1000000);
    CHECK_EQ(get32(NEVENTS), 4);
    CHECK_EVENT(0, 100, 0, 1, 17, 1);
    CHECK_EVENT(1, 101, 0, 2, 1, 0); /* writable: 1, as wasmtime */
    CHECK_EVENT(2, 102, MEWZ_WASI_EPIPE, 2, 0, 0);
    CHECK_EVENT(3, 103, 0, 1, 17, 1);
}

/* Wrong-direction and unknown fds are EBADF events, answered without
 * waiting. */
static void test_answers_without_waiting(void)
{
    reset();
    fd_sub(0, 1, 1, 1);   /* read stdout */
    fd_sub(1, 2, 2, 0);   /* write stdin */
    fd_sub(2, 3, 1, 77);  /* not open */
    clock_sub(3, 6, MEWZ_WASI_CLOCK_MONOTONIC, 1000000000, 0);
    CHECK_EQ(poll_oneoff(4), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_calls, 0); /* answered already: no exit */
    CHECK_EQ(get32(NEVENTS), 3);
    CHECK_EVENT(0, 1, MEWZ_WASI_EBADF, 1, 0, 0);
    CHECK_EVENT(1, 2, MEWZ_WASI_EBADF, 2, 0, 0);
    CHECK_EVENT(2, 3, MEWZ_WASI_EBADF, 1, 0, 0);

    /* A closed stdin is EBADF too; NVAL from the host is EBADF, ERR on
     * stdin EIO. */
    reset();
    answer_revents[0] = MEWZ_POLL_NVAL;
    fd_sub(0, 1, 1, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EVENT(0, 1, MEWZ_WASI_EBADF, 1, 0, 0);
    reset();
    answer_revents[0] = MEWZ_POLL_ERR;
    fd_sub(0, 1, 1, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_ESUCCESS);
    CHECK_EVENT(0, 1, MEWZ_WASI_EIO, 1, 0, 0);
}

static void test_call_errors(void)
{
    reset();
    CHECK_EQ(poll_oneoff(0), MEWZ_WASI_EINVAL);
    fd_sub(0, 1, 3, 0); /* tag 3: no such variant */
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_EINVAL);
    /* As wasmtime: a clock poll_oneoff cannot wait on (the CPU-time
     * clocks, an unknown id) or unknown clock flags fail the call. */
    clock_sub(0, 4, MEWZ_WASI_CLOCK_PROCESS_CPUTIME, 10, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_EINVAL);
    clock_sub(0, 5, 99, 10, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_EINVAL);
    clock_sub(0, 5, MEWZ_WASI_CLOCK_MONOTONIC, 10, 2);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_EINVAL);
    CHECK_EQ(poll_calls, 0);
    CHECK_EQ(mewz_wasi_poll_oneoff(MEMORY_END - 47, OUT, 1, NEVENTS),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, MEMORY_END - 31, 1, NEVENTS),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, OUT, 1, MEMORY_END - 3),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, OUT, 0x10000000, NEVENTS),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(poll_calls, 0);

    /* The monitor's errno (EINTR as the container is stopped) is the
     * call's. */
    reset();
    answer_error = MEWZ_WASI_EINTR;
    clock_sub(0, 1, MEWZ_WASI_CLOCK_MONOTONIC, 10, 0);
    CHECK_EQ(poll_oneoff(1), MEWZ_WASI_EINTR);
}

int main(void)
{
    void *window = mmap((void *)(uintptr_t)MEWZ_LM_BASE, MEWZ_LM_WINDOW,
                        PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                            MAP_FIXED_NOREPLACE,
                        -1, 0);
    if (window != (void *)(uintptr_t)MEWZ_LM_BASE ||
        mprotect(window, MEMORY_END, PROT_READ | PROT_WRITE) != 0) {
        perror("host_poll: reserving the linear-memory window");
        return 1;
    }
    mewz_clock_init(0);
    mewz_rofs_mount(NULL, 0); /* no ROFS: stdio only, nothing preopened */
    mewz_fd_init();
    test_relative_sleep();
    test_earliest_deadline();
    test_absolute_deadlines();
    test_early_wake_and_saturation();
    test_stdio_events();
    test_answers_without_waiting();
    test_call_errors();
    return check_report("host_poll");
}
