/* Host facilities Swift's Glibc module does not import: the time-stamp
 * counter (to calibrate the guest's TSC frequency when KVM_GET_TSC_KHZ is
 * unavailable) and getrandom (host entropy for MEWZ_HC_RANDOM). */
#ifndef CKVM_HOST_H
#define CKVM_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

static inline uint64_t ckvm_rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

/* getrandom(2) with flags 0: blocks only until the host pool is seeded. */
static inline ssize_t ckvm_getrandom(void *buffer, size_t length)
{
    return getrandom(buffer, length, 0);
}

#endif /* CKVM_HOST_H */
