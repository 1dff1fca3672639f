/*
 * The hypercall ring's guest side (abi.h, struct mewz_ring) for the C test
 * guests, as Guest/hc/ring.c runs it but with no back-off and no clock.
 * Shared by Tests/MonitorTests/Guests/probe.c and
 * Fuzzing/Guests/hypercall_fuzz.c; include it after <mewz/abi.h>.
 */
#ifndef MEWZ_TEST_GUEST_RING_H
#define MEWZ_TEST_GUEST_RING_H

/* Posts call `number` on the argument struct at `argument` when the slot is
 * open (IDLE) and spins until it is answered, waiting in the host
 * (MEWZ_HC_RING_WAIT) after `spins` loads or at once when the server
 * reports a failure. No PAUSE: kvm-pvm makes it an exit. Returns 0, with
 * nothing posted, when the slot is not open. */
static int ring_call(unsigned number, uint64_t argument, uint64_t spins)
{
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    if (__atomic_load_n(&ring->state, __ATOMIC_ACQUIRE) != MEWZ_RING_IDLE)
        return 0;
    ring->number = number;
    ring->argument = argument;
    uint32_t idle = MEWZ_RING_IDLE;
    if (!__atomic_compare_exchange_n(&ring->state, &idle, MEWZ_RING_POSTED, 0, __ATOMIC_RELEASE,
                                     __ATOMIC_RELAXED))
        return 0;
    for (uint64_t spun = 0; __atomic_load_n(&ring->state, __ATOMIC_ACQUIRE) != MEWZ_RING_DONE; spun++)
        if (spun > spins || __atomic_load_n(&ring->state, __ATOMIC_ACQUIRE) == MEWZ_RING_FAILED)
            __asm__ volatile("outl %0, %w1"
                             :
                             : "a"((unsigned)MEWZ_RING_ADDR),
                               "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + MEWZ_HC_RING_WAIT))
                             : "memory");
    __atomic_store_n(&ring->state, MEWZ_RING_IDLE, __ATOMIC_RELEASE);
    return 1;
}

#endif
