/*
 * The monitor side of the hypercall ring (abi.h, struct mewz_ring): atomics
 * on the slot in guest RAM, futex waits, and the server thread. Swift has no
 * portable atomics on raw memory it does not own, and a thread that must
 * start with every signal blocked is simplest to create from C.
 */
#ifndef CKVM_RING_H
#define CKVM_RING_H

#include <stdint.h>

static inline uint32_t ckvm_atomic_load(const uint32_t *word)
{
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void ckvm_atomic_store(uint32_t *word, uint32_t value)
{
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

/* A store no later load of this thread passes (the guest's post and the
 * server's going quiet each look at the other's word after it). */
static inline void ckvm_atomic_store_fenced(uint32_t *word, uint32_t value)
{
    __atomic_store_n(word, value, __ATOMIC_SEQ_CST);
}

/* A load ordered after every earlier store of this thread (the other half
 * of ckvm_atomic_store_fenced). */
static inline uint32_t ckvm_atomic_load_fenced(const uint32_t *word)
{
    return __atomic_load_n(word, __ATOMIC_SEQ_CST);
}

/* Sets *word to `desired` if it holds `expected`; whether it did. */
static inline int ckvm_atomic_swap_if(uint32_t *word, uint32_t expected, uint32_t desired)
{
    return __atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

/* Stores `value`; what *word held. */
static inline uint32_t ckvm_atomic_exchange(uint32_t *word, uint32_t value)
{
    return __atomic_exchange_n(word, value, __ATOMIC_ACQ_REL);
}

/* The spin-wait hint (PAUSE). */
static inline void ckvm_cpu_relax(void)
{
    __builtin_ia32_pause();
}

/* Sleeps while *word == expected, at most timeout_ns (0: no limit), or
 * until a signal handler runs. Returns 0 or -errno (EAGAIN: the word had
 * changed; ETIMEDOUT; EINTR). */
int ckvm_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns);

/* Wakes every thread sleeping on `word`. */
void ckvm_futex_wake(uint32_t *word);

/* The CPUs this thread may run on (its affinity mask). */
int ckvm_usable_cpus(void);

/* Starts a detached thread running body(context) with every signal
 * blocked, so termination signals keep landing on the vCPU thread. Does not
 * wait for the thread to run: its start-up may come after the caller's
 * seccomp filter, which allows what it needs. Returns 0 or an errno. */
int ckvm_start_thread(void (*body)(void *), void *context);

#endif /* CKVM_RING_H */
