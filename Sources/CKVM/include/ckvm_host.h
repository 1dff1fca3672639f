/* Host facilities Swift's Glibc module does not import: the time-stamp
 * counter (to calibrate the guest's TSC frequency when KVM_GET_TSC_KHZ is
 * unavailable), CPUID and XGETBV (the host's CPU features, for kvm-pvm,
 * whose supported CPUID under-reports) and getrandom (host entropy for
 * MEWZ_HC_RANDOM). */
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

/* CPUID leaf `leaf`, sub-leaf `subleaf`, as the monitor's own CPU answers
 * it; out[0..3] = EAX, EBX, ECX, EDX. */
static inline void ckvm_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
                     : "a"(leaf), "c"(subleaf));
}

/* XCR0 as the host kernel set it. Only valid when CPUID.1:ECX.OSXSAVE is set
 * (xgetbv raises #UD otherwise). */
static inline uint64_t ckvm_xgetbv0(void)
{
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

/* getrandom(2) with flags 0: blocks only until the host pool is seeded. */
static inline ssize_t ckvm_getrandom(void *buffer, size_t length)
{
    return getrandom(buffer, length, 0);
}

#endif /* CKVM_HOST_H */
