/*
 * The hypercall ring's guest side (abi.h, struct mewz_ring) for the C test
 * guests, as Guest/hc/ring.c runs it but with no back-off and no clock.
 * Shared by Tests/MonitorTests/Guests/probe.c and
 * Fuzzing/Guests/hypercall_fuzz.c; include it after <mewz/abi.h>.
 */
#ifndef MEWZ_TEST_GUEST_RING_H
#define MEWZ_TEST_GUEST_RING_H

/* The last call posted (the slot's `seq` at boot is 0). */
static uint32_t ring_last_seq;

/* Posts call `number` on the argument struct at `argument` when a server
 * listens and spins until it is answered, waiting in the host
 * (MEWZ_HC_RING_WAIT) after `spins` loads, at once when the server stopped
 * listening as the call was posted, or when it reports a failure. No PAUSE:
 * kvm-pvm makes it an exit. Returns 0, with nothing posted, when no server
 * listens. */
static int ring_call(unsigned number, uint64_t argument, uint64_t spins)
{
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    if (__atomic_load_n(&ring->listening, __ATOMIC_ACQUIRE) == 0)
        return 0;
    uint32_t seq = ++ring_last_seq;
    ring->number = number;
    ring->argument = argument;
    __atomic_store_n(&ring->seq, seq, __ATOMIC_SEQ_CST);
    int wait_now = __atomic_load_n(&ring->listening, __ATOMIC_SEQ_CST) == 0;
    for (uint64_t spun = 0;; spun++) {
        if (!wait_now && __atomic_load_n(&ring->answered, __ATOMIC_ACQUIRE) == seq) {
            if (__atomic_load_n(&ring->failed, __ATOMIC_RELAXED) == 0)
                return 1;
            wait_now = 1;
        }
        if (wait_now || spun > spins) {
            __asm__ volatile("outl %0, %w1"
                             :
                             : "a"((unsigned)MEWZ_RING_ADDR),
                               "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + MEWZ_HC_RING_WAIT))
                             : "memory");
            if (__atomic_load_n(&ring->answered, __ATOMIC_ACQUIRE) == seq)
                return 1;
            wait_now = 0;
            spun = 0;
        }
    }
}

#endif
