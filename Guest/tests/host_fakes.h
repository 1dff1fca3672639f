/*
 * host_fakes.h: what the WASI host tests (host_wasi.c, host_fs.c) put in
 * place of the guest's surroundings: a linear memory reserved at
 * MEWZ_LM_BASE exactly as in the guest (PROT_NONE window, the first pages
 * read/write), a boot info, fake hypercalls that record what they were
 * asked and act on the guest addresses they were given, and a fake CPU.
 */
#ifndef MEWZ_HOST_FAKES_H
#define MEWZ_HOST_FAKES_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>

#include "host_check.h"
#include "kernel.h"

/* Not every test program uses every fake. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#pragma clang diagnostic ignored "-Wunused-variable"

#define MEMORY_PAGES 4
#define MEMORY_END ((uint32_t)(MEMORY_PAGES * MEWZ_WASM_PAGE_SIZE))

uint32_t mewz_memory_pages = MEMORY_PAGES;
static struct mewz_boot_info fake_boot;
const struct mewz_boot_info *mewz_boot = &fake_boot;

/* ---- Fake hypercalls --------------------------------------------------- */

static bool guest_range(uint64_t addr, uint64_t len)
{
    uint64_t end = MEWZ_LM_BASE + (uint64_t)mewz_memory_pages * MEWZ_WASM_PAGE_SIZE;
    return addr >= MEWZ_LM_BASE && addr <= end && len <= end - addr;
}

struct write_call {
    uint32_t fd, iovcnt;
    struct mewz_hc_iovec first;
};
static struct write_call write_calls[8];
static unsigned write_call_count;
static uint8_t written_bytes[1 << 16];
static size_t written_len;
static uint64_t write_accept = UINT64_MAX; /* bytes per call */
static uint32_t write_error;
static unsigned write_error_from = 0; /* calls before write_error applies */
static bool bad_iov_seen;

uint32_t mewz_hc_write(uint32_t fd, const struct mewz_hc_iovec *iov,
                       uint32_t iovcnt, uint64_t *written)
{
    if (write_call_count < 8)
        write_calls[write_call_count] =
            (struct write_call){fd, iovcnt, iovcnt ? iov[0] : (struct mewz_hc_iovec){0}};
    write_call_count++;
    if (iovcnt > MEWZ_HC_IOV_MAX)
        bad_iov_seen = true;
    uint64_t n = 0;
    for (uint32_t i = 0; i < iovcnt && n < write_accept; i++) {
        if (!guest_range(iov[i].addr, iov[i].len) || iov[i].len == 0) {
            bad_iov_seen = true;
            continue;
        }
        uint64_t take = iov[i].len < write_accept - n ? iov[i].len : write_accept - n;
        if (written_len + take <= sizeof written_bytes)
            memcpy(written_bytes + written_len, (void *)(uintptr_t)iov[i].addr, take);
        written_len += take;
        n += take;
    }
    bool failing = write_error && write_call_count > write_error_from;
    *written = failing ? 0 : n;
    return failing ? write_error : MEWZ_WASI_ESUCCESS;
}

/* Host volumes: these tests boot with none (volume_count 0), so the
 * monitor would answer every handle EBADF. The calls are kept. */
static struct mewz_hc_fs fs_calls[8];
static unsigned fs_call_count;

uint32_t mewz_hc_fs(struct mewz_hc_fs *call)
{
    if (fs_call_count < 8)
        fs_calls[fs_call_count] = *call;
    fs_call_count++;
    call->error = MEWZ_WASI_EBADF;
    return call->error;
}

static const char *read_input;
static size_t read_pos;
static unsigned read_call_count;

uint32_t mewz_hc_read(uint32_t fd, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint64_t *nread)
{
    (void)fd;
    read_call_count++;
    uint64_t n = 0;
    size_t left = strlen(read_input) - read_pos;
    for (uint32_t i = 0; i < iovcnt && left > 0; i++) {
        if (!guest_range(iov[i].addr, iov[i].len)) {
            bad_iov_seen = true;
            continue;
        }
        uint64_t take = iov[i].len < left ? iov[i].len : left;
        memcpy((void *)(uintptr_t)iov[i].addr, read_input + read_pos, take);
        read_pos += take;
        left -= take;
        n += take;
    }
    *nread = n;
    return MEWZ_WASI_ESUCCESS;
}

static uint64_t random_chunks[8];
static unsigned random_call_count;

uint32_t mewz_hc_random(uint64_t addr, uint64_t len)
{
    if (random_call_count < 8)
        random_chunks[random_call_count] = len;
    random_call_count++;
    if (!guest_range(addr, len) || len > MEWZ_HC_RANDOM_MAX)
        return MEWZ_WASI_EFAULT;
    memset((void *)(uintptr_t)addr, 0x5a, len);
    return MEWZ_WASI_ESUCCESS;
}

static jmp_buf exit_jump;
static struct {
    uint32_t status, trap;
} last_exit;

_Noreturn void mewz_hc_exit(uint32_t status, uint32_t trap, uint64_t detail,
                            uint64_t rip, uint64_t addr)
{
    (void)detail;
    (void)rip;
    (void)addr;
    last_exit.status = status;
    last_exit.trap = trap;
    longjmp(exit_jump, 1);
}

/* mewz_fatal longjmps to fatal_jump when a test armed it, else aborts. */
static jmp_buf fatal_jump;
static bool fatal_armed;
static const char *fatal_message;

_Noreturn void mewz_fatal(const char *message)
{
    if (fatal_armed) {
        fatal_armed = false;
        fatal_message = message;
        longjmp(fatal_jump, 1);
    }
    fprintf(stderr, "unexpected mewz_fatal: %s\n", message);
    abort();
}

/* MEWZ_HC_POLL: records the call; marks the handles in poll_ready ready
 * for what they asked, and "sleeps" by advancing the fake TSC by the
 * timeout (at 1 GHz), so clock deadlines pass. */
static struct {
    uint32_t nfds;
    uint64_t timeout_ns;
    struct mewz_hc_poll_fd fds[4];
} poll_calls[8];
static unsigned poll_call_count;
static uint16_t poll_ready[3]; /* revents to report per handle */
static uint16_t sock_poll_ready; /* revents of every socket; 0: NVAL */
static uint32_t poll_error;
static uint64_t fake_tsc;

/* ---- Fake outbox --------------------------------------------------------- */

/* The monitor's side of the outbox (abi.h), run before every fake socket or
 * poll call and by MEWZ_HC_FLUSH: each record's bytes are appended to
 * sock_output, or, with outbox_hold, all kept (held = len), or with
 * outbox_error answered that error; then the guest settles. */
static struct mewz_outbox fake_outbox;
static unsigned outbox_sends, flush_calls;
static bool outbox_hold;
static uint32_t outbox_error;
static uint8_t sock_output[1 << 17];
static size_t sock_output_len;

static void fake_send_outbox(void)
{
    if (fake_outbox.count == 0)
        return;
    for (uint32_t i = 0; i < fake_outbox.count && i < MEWZ_OUTBOX_RECORDS; i++) {
        struct mewz_outbox_record *record = &fake_outbox.records[i];
        record->error = outbox_error;
        record->held = outbox_hold && !outbox_error ? record->len : 0;
        if (outbox_error || outbox_hold)
            continue;
        if (sock_output_len + record->len <= sizeof sock_output) {
            memcpy(sock_output + sock_output_len, (void *)(uintptr_t)record->addr, record->len);
            sock_output_len += record->len;
        }
        outbox_sends++;
    }
    fake_outbox.count = 0;
    mewz_outbox_settle();
}

void mewz_hc_flush(void)
{
    flush_calls++;
    fake_send_outbox();
}

uint32_t mewz_hc_poll(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                      uint64_t timeout_ns, uint32_t *ready)
{
    fake_send_outbox();
    if (poll_call_count < 8) {
        poll_calls[poll_call_count].nfds = nfds;
        poll_calls[poll_call_count].timeout_ns = timeout_ns;
        memcpy(poll_calls[poll_call_count].fds, fds,
               (nfds < 4 ? nfds : 4) * sizeof *fds);
    }
    poll_call_count++;
    if (poll_error)
        return poll_error;
    *ready = 0;
    for (uint32_t i = 0; i < nfds; i++) {
        uint16_t happened = fds[i].handle < 3 ? poll_ready[fds[i].handle]
                            : sock_poll_ready ? sock_poll_ready
                                              : MEWZ_POLL_NVAL;
        fds[i].revents = (uint16_t)(happened & (fds[i].events | MEWZ_POLL_ERR |
                                                MEWZ_POLL_HUP | MEWZ_POLL_NVAL));
        *ready += fds[i].revents != 0;
    }
    if (*ready == 0 && timeout_ns != MEWZ_HC_TIMEOUT_NONE)
        fake_tsc += timeout_ns; /* tsc_khz 1000000: a tick is 1 ns */
    return MEWZ_WASI_ESUCCESS;
}

/* ---- Fake sockets ------------------------------------------------------- */

/* MEWZ_HC_SOCKET: records every call; OPEN hands out handles from
 * MEWZ_SOCK_HANDLE_BASE (sock_handles_left of them), GETOPT answers
 * sock_option_value, the address ops sock_address. sock_error, when set,
 * is the answer to every call. */
static struct mewz_hc_socket sock_calls[16];
static unsigned sock_call_count;
static uint32_t sock_error;
static uint32_t sock_next_handle = MEWZ_SOCK_HANDLE_BASE;
static unsigned sock_handles_left = 1000;
static uint64_t sock_option_value;
static struct mewz_hc_sockaddr sock_address;

uint32_t mewz_hc_socket(struct mewz_hc_socket *call)
{
    fake_send_outbox();
    if (sock_call_count < 16)
        sock_calls[sock_call_count] = *call;
    sock_call_count++;
    if (sock_error)
        return call->error = sock_error;
    if (call->op == MEWZ_SOCK_OPEN) {
        if (sock_handles_left == 0)
            return call->error = MEWZ_WASI_EMFILE;
        sock_handles_left--;
        call->handle = sock_next_handle++;
    } else if (call->op == MEWZ_SOCK_GETOPT) {
        call->value = sock_option_value;
    } else if (call->op == MEWZ_SOCK_LOCAL_ADDR || call->op == MEWZ_SOCK_PEER_ADDR) {
        call->addr = sock_address;
    }
    return call->error = MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_hc_accept(uint32_t handle, uint32_t flags, uint32_t *accepted,
                        struct mewz_hc_sockaddr *peer)
{
    struct mewz_hc_socket call = {.op = 100 + flags, .handle = handle};
    if (mewz_hc_socket(&call) != MEWZ_WASI_ESUCCESS)
        return call.error;
    *accepted = sock_next_handle++;
    if (peer != NULL)
        *peer = sock_address;
    return MEWZ_WASI_ESUCCESS;
}

/* MEWZ_HC_RECV: copies sock_input into the vectors; MEWZ_HC_SEND appends
 * to sock_output. Both record the last flags and the vector count. */
static const char *sock_input = "";
static uint32_t sock_last_flags, sock_last_iovcnt;
static unsigned sock_send_calls;
static struct mewz_hc_sockaddr sock_last_to;

uint32_t mewz_hc_recv(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags, uint64_t *nread,
                      uint32_t *roflags, struct mewz_hc_sockaddr *from)
{
    (void)handle;
    fake_send_outbox();
    sock_last_flags = flags;
    sock_last_iovcnt = iovcnt;
    *nread = 0;
    *roflags = 0;
    if (sock_error)
        return sock_error;
    size_t left = strlen(sock_input);
    for (uint32_t i = 0; i < iovcnt && left > 0; i++) {
        if (!guest_range(iov[i].addr, iov[i].len))
            bad_iov_seen = true;
        size_t take = iov[i].len < left ? iov[i].len : left;
        memcpy((void *)(uintptr_t)iov[i].addr, sock_input + *nread, take);
        *nread += take;
        left -= take;
    }
    if (from != NULL)
        *from = sock_address;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_hc_send(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags,
                      const struct mewz_hc_sockaddr *to, uint64_t *written)
{
    (void)handle;
    fake_send_outbox();
    sock_send_calls++;
    sock_last_flags = flags;
    sock_last_iovcnt = iovcnt;
    sock_last_to = to != NULL ? *to : (struct mewz_hc_sockaddr){0};
    *written = 0;
    if (sock_error)
        return sock_error;
    for (uint32_t i = 0; i < iovcnt; i++) {
        if (!guest_range(iov[i].addr, iov[i].len) ||
            sock_output_len + iov[i].len > sizeof sock_output) {
            bad_iov_seen = true;
            continue;
        }
        memcpy(sock_output + sock_output_len, (void *)(uintptr_t)iov[i].addr, iov[i].len);
        sock_output_len += iov[i].len;
        *written += iov[i].len;
    }
    return MEWZ_WASI_ESUCCESS;
}

/* MEWZ_HC_POLL_RECV: the poll, then stage_input (when set) into every
 * offered stage. */
static const char *stage_input;
static unsigned stage_offers;

uint32_t mewz_hc_poll_recv(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                           struct mewz_hc_stage *stages, uint64_t timeout_ns,
                           uint32_t *ready)
{
    uint32_t err = mewz_hc_poll(fds, nfds, timeout_ns, ready);
    for (uint32_t i = 0; i < nfds; i++) {
        if (stages[i].cap == 0)
            continue;
        stage_offers++;
        if (stage_input != NULL) {
            size_t len = strlen(stage_input) < stages[i].cap ? strlen(stage_input) : stages[i].cap;
            memcpy((void *)(uintptr_t)stages[i].buf, stage_input, len);
            stages[i].len = (uint32_t)len;
        }
    }
    return err;
}

/* ---- Fake CPU ------------------------------------------------------------ */

uint64_t mewz_rdtsc(void)
{
    return fake_tsc;
}

/* RDRAND/RDSEED succeed this many times, then fail forever. */
static unsigned rdrand_budget, rdseed_budget, rdrand_calls, rdseed_calls;
bool mewz_rdrand64(uint64_t *out)
{
    rdrand_calls++;
    if (rdrand_budget == 0)
        return false;
    rdrand_budget--;
    *out = 0x1111111111111111ULL;
    return true;
}
bool mewz_rdseed64(uint64_t *out)
{
    rdseed_calls++;
    if (rdseed_budget == 0)
        return false;
    rdseed_budget--;
    *out = 0x2222222222222222ULL;
    return true;
}

/* ---- Helpers ------------------------------------------------------------- */

static uint8_t *mem(uint32_t offset)
{
    return MEWZ_MEM + offset;
}

static void put_iovec(uint32_t at, uint32_t buf, uint32_t len)
{
    mewz_guest_store_u32(at, buf);
    mewz_guest_store_u32(at + 4, len);
}

/* count one-byte iovecs at 0x10000 cycling through "a".."z" at 0x30000. */
static void put_alphabet_iovecs(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        put_iovec(0x10000 + i * 8, 0x30000 + i % 26, 1);
    for (uint32_t i = 0; i < 26; i++)
        mem(0x30000)[i] = (uint8_t)('a' + i);
}

static void reset_fakes(void)
{
    memset(mem(0), 0, MEMORY_END);
    memset(write_calls, 0, sizeof write_calls);
    write_call_count = 0;
    written_len = 0;
    write_accept = UINT64_MAX;
    write_error = 0;
    write_error_from = 0;
    bad_iov_seen = false;
    random_call_count = 0;
    read_call_count = 0;
    memset(fs_calls, 0, sizeof fs_calls);
    fs_call_count = 0;
    rdrand_calls = rdseed_calls = 0;
    poll_call_count = 0;
    poll_error = 0;
    memset(poll_ready, 0, sizeof poll_ready);
    memset(sock_calls, 0, sizeof sock_calls);
    sock_call_count = 0;
    sock_error = 0;
    sock_handles_left = 1000;
    sock_next_handle = MEWZ_SOCK_HANDLE_BASE;
    sock_option_value = 0;
    sock_address = (struct mewz_hc_sockaddr){0};
    sock_input = "";
    sock_output_len = 0;
    sock_send_calls = 0;
    sock_last_flags = sock_last_iovcnt = 0;
    sock_poll_ready = 0;
    /* What a test left in the outbox: dropped, unanswered. */
    memset(&fake_outbox, 0, sizeof fake_outbox);
    mewz_outbox_page = &fake_outbox;
    mewz_outbox_settle();
    outbox_sends = flush_calls = 0;
    outbox_hold = false;
    outbox_error = 0;
    stage_input = NULL;
    stage_offers = 0;
}

/* Reserves the linear-memory window at MEWZ_LM_BASE as the guest has it. */
static int map_linear_memory(const char *name)
{
    void *window = mmap((void *)(uintptr_t)MEWZ_LM_BASE, MEWZ_LM_WINDOW,
                        PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                            MAP_FIXED_NOREPLACE,
                        -1, 0);
    if (window != (void *)(uintptr_t)MEWZ_LM_BASE ||
        mprotect(window, MEMORY_END, PROT_READ | PROT_WRITE) != 0) {
        fprintf(stderr, "%s: reserving the linear-memory window: ", name);
        perror(NULL);
        return 1;
    }
    return 0;
}

#pragma clang diagnostic pop

#endif
