/*
 * ring.c: the guest side of the hypercall ring (abi.h, struct mewz_ring).
 * A posted call costs no VM exit: the monitor's ring server answers it
 * while the vCPU spins here. Single vCPU, no interrupts: the slot has one
 * producer, this code.
 */
#include "kernel.h"

/* How long to wait for the server to take a posted call before waiting in
 * the host instead: it takes it within a microsecond or two when it has a
 * CPU of its own; much longer means the host has descheduled it. Once it
 * has the call (RUNNING), a slow call (a large write) is waited for here
 * longer, as long as an exit and the wake-up after it would cost. */
#define RING_SPIN_NS 50000ULL
#define RING_RUNNING_SPIN_NS 2000000ULL
/* After such a wait, the next calls take exits (which cost the same
 * whether or not the server runs): 16 of them, doubling while the ring
 * keeps failing, up to 4096, back to 16 after a call the server answered. */
#define RING_BACKOFF_MIN 16
#define RING_BACKOFF_MAX 4096

static uint32_t backoff = RING_BACKOFF_MIN;
static uint32_t calls_to_skip;

static inline void ring_wait_exit(void)
{
    uint16_t port = (uint16_t)(MEWZ_HC_PORT_BASE + MEWZ_HC_RING_WAIT);
    uint32_t addr = (uint32_t)MEWZ_RING_ADDR;
    __asm__ volatile("outl %0, %1" : : "a"(addr), "Nd"(port) : "memory");
}

bool mewz_ring_call(uint32_t nr, const void *args)
{
    struct mewz_ring *ring = (struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    if (calls_to_skip > 0) {
        calls_to_skip--;
        return false;
    }
    if (__atomic_load_n(&ring->state, __ATOMIC_RELAXED) != MEWZ_RING_IDLE)
        return false;
    ring->number = nr;
    ring->argument = MEWZ_HC_ADDR(args);
    uint32_t idle = MEWZ_RING_IDLE;
    /* Release: the argument struct and the slot before the state. */
    if (!__atomic_compare_exchange_n(&ring->state, &idle, MEWZ_RING_POSTED,
                                     false, __ATOMIC_RELEASE,
                                     __ATOMIC_RELAXED))
        return false; /* the server went to sleep meanwhile */
    uint64_t start = mewz_rdtsc();
    uint64_t ticks_per_us = mewz_boot->tsc_khz / 1000;
    uint64_t posted_ticks = ticks_per_us * (RING_SPIN_NS / 1000);
    uint64_t running_ticks = ticks_per_us * (RING_RUNNING_SPIN_NS / 1000);
    bool waited = false;
    for (;;) {
        /* Acquire: the answer in the argument struct after the state. */
        uint32_t state = __atomic_load_n(&ring->state, __ATOMIC_ACQUIRE);
        if (state == MEWZ_RING_DONE)
            break;
        uint64_t spun = mewz_rdtsc() - start;
        if (state == MEWZ_RING_FAILED ||
            spun > (state == MEWZ_RING_RUNNING ? running_ticks : posted_ticks)) {
            /* Returns once the call is answered (the state is DONE);
             * the monitor ends the VM instead when the call was bad. Only
             * a server that did not take the call counts against the ring. */
            waited = waited || state == MEWZ_RING_POSTED;
            ring_wait_exit();
            start = mewz_rdtsc();
            continue;
        }
        /* No PAUSE: kvm-pvm turns it into an exit of a few microseconds. */
    }
    __atomic_store_n(&ring->state, MEWZ_RING_IDLE, __ATOMIC_RELEASE);
    /* The server sent the outbox before the call: its answers. */
    if (mewz_outbox_records > 0)
        mewz_outbox_settle();
    if (waited) {
        calls_to_skip = backoff;
        if (backoff < RING_BACKOFF_MAX)
            backoff *= 2;
    } else {
        backoff = RING_BACKOFF_MIN;
    }
    return true;
}
