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
 * has the call (`taken`), a slow call (a large write) is waited for here
 * longer, as long as an exit and the wake-up after it would cost. */
#define RING_SPIN_NS 50000ULL
#define RING_RUNNING_SPIN_NS 2000000ULL
/* After a call the server did not take in time, the next calls still go to
 * the ring but wait only this long for it to take them: a server the host
 * preempted for a moment (a kernel thread on its CPU) answers again a few
 * calls later, and one that stays away costs each call this much on top of
 * its exit. Back to RING_SPIN_NS after a call the server took. (Skipping the
 * ring for the next calls instead made 16 or more exits of each such
 * moment, and left the server without calls, so it slept.) */
#define RING_CONTENDED_SPIN_NS 5000ULL

static bool contended;

static inline void ring_wait_exit(void)
{
    uint16_t port = (uint16_t)(MEWZ_HC_PORT_BASE + MEWZ_HC_RING_WAIT);
    uint32_t addr = (uint32_t)MEWZ_RING_ADDR;
    __asm__ volatile("outl %0, %1" : : "a"(addr), "Nd"(port) : "memory");
}

/* The last call posted; the slot's `seq` holds it too, but the guest reads
 * only its own copy (the line may be on its way to the server). */
static uint32_t last_seq;

bool mewz_ring_call(uint32_t nr, const void *args)
{
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    if (__atomic_load_n(&ring->listening, __ATOMIC_RELAXED) == 0)
        return false;
    uint32_t seq = last_seq + 1;
    last_seq = seq;
    ring->number = nr;
    ring->argument = MEWZ_HC_ADDR(args);
    /* Sequentially consistent: the argument struct and the slot before seq,
     * and seq before the second look at `listening` (a server that stops
     * listening looks at seq after it, so one of the two sees the other). */
    __atomic_store_n(&ring->seq, seq, __ATOMIC_SEQ_CST);
    uint64_t start = mewz_rdtsc();
    uint64_t ticks_per_us = mewz_boot->tsc_khz / 1000;
    uint64_t posted_ticks = ticks_per_us * ((contended ? RING_CONTENDED_SPIN_NS : RING_SPIN_NS) / 1000);
    uint64_t running_ticks = ticks_per_us * (RING_RUNNING_SPIN_NS / 1000);
    bool waited = false;
    bool wait_now = __atomic_load_n(&ring->listening, __ATOMIC_SEQ_CST) == 0;
    for (;;) {
        /* Acquire: the answer in the argument struct after `answered`. */
        if (!wait_now && __atomic_load_n(&ring->answered, __ATOMIC_ACQUIRE) == seq) {
            if (__atomic_load_n(&ring->failed, __ATOMIC_RELAXED) == 0)
                break;
            wait_now = true; /* the monitor ends the VM */
        }
        uint64_t spun = mewz_rdtsc() - start;
        if (!wait_now && spun > posted_ticks) {
            bool taken = __atomic_load_n(&ring->taken, __ATOMIC_RELAXED) == seq;
            wait_now = !taken || spun > running_ticks;
        }
        if (wait_now) {
            /* Returns once the call is answered (running it in the vCPU
             * thread if the server has not taken it; the loop's first test
             * then sees the answer); the monitor ends the VM instead when
             * the call was bad. Only a server that did not take the call
             * counts against the ring. */
            waited = waited || __atomic_load_n(&ring->taken, __ATOMIC_RELAXED) != seq;
            ring_wait_exit();
            wait_now = false;
            start = mewz_rdtsc();
            continue;
        }
        /* No PAUSE: kvm-pvm turns it into an exit of a few microseconds. */
    }
    /* The server sent the outbox before the call: its answers. */
    if (mewz_outbox_records > 0)
        mewz_outbox_settle();
    contended = waited;
    return true;
}
