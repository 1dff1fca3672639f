/*
 * hypercall.c: the guest side of abi.h. A call is one `outl` of the 32-bit
 * address of a static, naturally aligned argument struct to port
 * MEWZ_HC_PORT_BASE + number; the structs live in .bss (guest RAM below
 * 4 GiB, identity mapped). Single vCPU, no interrupts: no locking needed.
 */
#include "kernel.h"

static struct mewz_hc_write hc_write_args;
static struct mewz_hc_read hc_read_args;
static struct mewz_hc_random hc_random_args;
static struct mewz_hc_exit hc_exit_args;
static struct mewz_hc_memory hc_memory_args;
static struct mewz_hc_poll hc_poll_args;
static struct mewz_hc_socket hc_socket_args;
static struct mewz_hc_accept hc_accept_args;
static struct mewz_hc_recv hc_recv_args;
static struct mewz_hc_send hc_send_args;
static struct mewz_hc_poll_recv hc_poll_recv_args;
static struct mewz_hc_fs hc_fs_args;

/* The "memory" clobber orders the struct stores before the exit and the
 * monitor's answers after it. */
static inline void hypercall(uint32_t nr, const void *args)
{
    uint16_t port = (uint16_t)(MEWZ_HC_PORT_BASE + nr);
    uint32_t addr = (uint32_t)(uintptr_t)args;
    __asm__ volatile("outl %0, %1" : : "a"(addr), "Nd"(port) : "memory");
    /* The monitor sent the outbox before the call: its answers. */
    if (mewz_outbox_records > 0)
        mewz_outbox_settle();
}

/* A call that cannot wait in the host: through the ring when a server
 * listens, else an exit. */
static inline void quick_hypercall(uint32_t nr, const void *args)
{
    if (!mewz_ring_call(nr, args))
        hypercall(nr, args);
}

/* Static: a call needs an argument address; FLUSH reads none. */
static uint64_t hc_flush_args;

void mewz_hc_flush(void)
{
    quick_hypercall(MEWZ_HC_FLUSH, &hc_flush_args);
}

/* A call that may wait in the host for input or time: the TSC ticks it
 * takes are not the guest's CPU time. */
static inline void waiting_hypercall(uint32_t nr, const void *args)
{
    /* A file the guest closed is not left open on the host while it waits. */
    mewz_volume_close_deferred();
    uint64_t before = mewz_rdtsc();
    hypercall(nr, args);
    mewz_clock_wait_ticks += mewz_rdtsc() - before;
}

uint32_t mewz_hc_write(uint32_t fd, const struct mewz_hc_iovec *iov,
                       uint32_t iovcnt, uint64_t *written)
{
    hc_write_args = (struct mewz_hc_write){
        .fd = fd,
        .iovcnt = iovcnt,
        .iov_addr = MEWZ_HC_ADDR(iov),
    };
    /* A full pipe can make it wait: the ring server blocks, this vCPU
     * spins a while and then waits in the host (MEWZ_HC_RING_WAIT). */
    quick_hypercall(MEWZ_HC_WRITE, &hc_write_args);
    *written = hc_write_args.written;
    return hc_write_args.error;
}

uint32_t mewz_hc_read(uint32_t fd, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint64_t *nread)
{
    hc_read_args = (struct mewz_hc_read){
        .fd = fd,
        .iovcnt = iovcnt,
        .iov_addr = MEWZ_HC_ADDR(iov),
    };
    waiting_hypercall(MEWZ_HC_READ, &hc_read_args);
    *nread = hc_read_args.nread;
    return hc_read_args.error;
}

uint32_t mewz_hc_random(uint64_t addr, uint64_t len)
{
    hc_random_args = (struct mewz_hc_random){.addr = addr, .len = len};
    quick_hypercall(MEWZ_HC_RANDOM, &hc_random_args);
    return hc_random_args.error;
}

uint32_t mewz_hc_memory(uint64_t wanted, uint64_t *backed)
{
    hc_memory_args = (struct mewz_hc_memory){.wanted = wanted};
    hypercall(MEWZ_HC_MEMORY, &hc_memory_args);
    *backed = hc_memory_args.backed;
    return hc_memory_args.error;
}

/* A poll that may wait asks through the ring what is ready now, again and
 * again for up to POLL_SPIN_NS (a busy server's next request is usually
 * microseconds away, an exit to wait for it tens), and only then takes an
 * exit to wait for the rest of the timeout. True when the ring answered
 * (something ready, an error, or the whole timeout spent); else `poll`
 * holds the remaining timeout for the exit. A poll that carries sends (the
 * outbox) takes the exit at once: the vCPU would only spin while the ring
 * server sends them, and on a small machine the two CPUs that takes are the
 * ones the server's clients need; one exit for a round of responses costs
 * less. */
#define POLL_SPIN_NS 200000ULL

static bool ring_poll(enum mewz_hypercall nr, const void *args,
                      struct mewz_hc_poll *poll, uint64_t *timeout_ns)
{
    /* A sleep (nothing to poll) waits in the host at once, costing no CPU. */
    if ((poll->nfds == 0 && *timeout_ns != 0) || mewz_outbox_records > 0) {
        poll->timeout_ns = *timeout_ns;
        return false;
    }
    uint64_t start = mewz_rdtsc();
    uint64_t ticks_per_us = mewz_boot->tsc_khz / 1000;
    for (;;) {
        poll->timeout_ns = 0;
        if (!mewz_ring_call(nr, args))
            break;
        if (poll->error != 0 || poll->ready != 0 || *timeout_ns == 0)
            return true;
        uint64_t spent = ticks_per_us ? (mewz_rdtsc() - start) / ticks_per_us * 1000 : 0;
        if (*timeout_ns != MEWZ_HC_TIMEOUT_NONE && spent >= *timeout_ns)
            return true;
        if (spent >= POLL_SPIN_NS) {
            if (*timeout_ns != MEWZ_HC_TIMEOUT_NONE)
                *timeout_ns -= spent;
            break;
        }
    }
    poll->timeout_ns = *timeout_ns;
    return false;
}

uint32_t mewz_hc_poll(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                      uint64_t timeout_ns, uint32_t *ready)
{
    hc_poll_args = (struct mewz_hc_poll){
        .fds_addr = MEWZ_HC_ADDR(fds),
        .nfds = nfds,
    };
    if (!ring_poll(MEWZ_HC_POLL, &hc_poll_args, &hc_poll_args, &timeout_ns))
        waiting_hypercall(MEWZ_HC_POLL, &hc_poll_args);
    *ready = hc_poll_args.ready;
    return hc_poll_args.error;
}

uint32_t mewz_hc_socket(struct mewz_hc_socket *call)
{
    hc_socket_args = *call;
    /* A blocking connect waits in the host; a close with SO_LINGER may
     * too, but briefly enough for the ring. */
    if (call->op == MEWZ_SOCK_CONNECT && !(call->arg0 & MEWZ_SOCK_NONBLOCK))
        waiting_hypercall(MEWZ_HC_SOCKET, &hc_socket_args);
    else
        quick_hypercall(MEWZ_HC_SOCKET, &hc_socket_args);
    *call = hc_socket_args;
    return call->error;
}

uint32_t mewz_hc_accept(uint32_t handle, uint32_t flags, uint32_t *accepted,
                        struct mewz_hc_sockaddr *peer)
{
    hc_accept_args = (struct mewz_hc_accept){.handle = handle, .flags = flags};
    if (flags & MEWZ_SOCK_NONBLOCK)
        quick_hypercall(MEWZ_HC_ACCEPT, &hc_accept_args);
    else
        waiting_hypercall(MEWZ_HC_ACCEPT, &hc_accept_args);
    *accepted = hc_accept_args.accepted;
    if (peer != NULL)
        *peer = hc_accept_args.peer;
    return hc_accept_args.error;
}

uint32_t mewz_hc_recv(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags, uint64_t *nread,
                      uint32_t *roflags, struct mewz_hc_sockaddr *from)
{
    hc_recv_args = (struct mewz_hc_recv){
        .handle = handle,
        .iovcnt = iovcnt,
        .iov_addr = MEWZ_HC_ADDR(iov),
        .flags = flags,
    };
    if (flags & MEWZ_SOCK_NONBLOCK)
        quick_hypercall(MEWZ_HC_RECV, &hc_recv_args);
    else
        waiting_hypercall(MEWZ_HC_RECV, &hc_recv_args);
    *nread = hc_recv_args.nread;
    *roflags = hc_recv_args.roflags;
    if (from != NULL)
        *from = hc_recv_args.from;
    return hc_recv_args.error;
}

uint32_t mewz_hc_send(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags,
                      const struct mewz_hc_sockaddr *to, uint64_t *written)
{
    hc_send_args = (struct mewz_hc_send){
        .handle = handle,
        .iovcnt = iovcnt,
        .iov_addr = MEWZ_HC_ADDR(iov),
        .flags = flags,
    };
    if (to != NULL)
        hc_send_args.to = *to;
    if (flags & MEWZ_SOCK_NONBLOCK)
        quick_hypercall(MEWZ_HC_SEND, &hc_send_args);
    else
        waiting_hypercall(MEWZ_HC_SEND, &hc_send_args);
    *written = hc_send_args.written;
    return hc_send_args.error;
}

uint32_t mewz_hc_poll_recv(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                           struct mewz_hc_stage *stages, uint64_t timeout_ns,
                           uint32_t *ready)
{
    hc_poll_args = (struct mewz_hc_poll){
        .fds_addr = MEWZ_HC_ADDR(fds),
        .nfds = nfds,
    };
    hc_poll_recv_args = (struct mewz_hc_poll_recv){
        .poll_addr = MEWZ_HC_ADDR(&hc_poll_args),
        .stages_addr = MEWZ_HC_ADDR(stages),
    };
    if (!ring_poll(MEWZ_HC_POLL_RECV, &hc_poll_recv_args, &hc_poll_args, &timeout_ns))
        waiting_hypercall(MEWZ_HC_POLL_RECV, &hc_poll_recv_args);
    *ready = hc_poll_args.ready;
    return hc_poll_args.error;
}

_Noreturn void mewz_hc_exit(uint32_t status, uint32_t trap, uint64_t detail,
                            uint64_t rip, uint64_t addr)
{
    hc_exit_args = (struct mewz_hc_exit){
        .status = status,
        .trap = trap,
        .detail = detail,
        .rip = rip,
        .addr = addr,
    };
    hypercall(MEWZ_HC_EXIT, &hc_exit_args);
    mewz_halt();
}

/* MEWZ_HC_FS. Files never wait (fifos and devices are refused at open). */
uint32_t mewz_hc_fs(struct mewz_hc_fs *call)
{
    hc_fs_args = *call;
    quick_hypercall(MEWZ_HC_FS, &hc_fs_args);
    *call = hc_fs_args;
    return call->error;
}
