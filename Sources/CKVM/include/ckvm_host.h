/* Host facilities Swift's Glibc module does not import: the time-stamp
 * counter (to calibrate the guest's TSC frequency when KVM_GET_TSC_KHZ is
 * unavailable), CPUID and XGETBV (the host's CPU features, for kvm-pvm,
 * whose supported CPUID under-reports), an RDRAND/RDSEED health check and
 * getrandom (host entropy for MEWZ_HC_RANDOM). */
#ifndef CKVM_HOST_H
#define CKVM_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
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

/* The leaves the host's feature check reads (CPUFeatureCheck.Leaves):
 * out[0..3] = CPUID.1:ECX, CPUID.1:EDX, CPUID.(7,0):EBX, CPUID.80000001h:ECX,
 * 0 for a leaf past the CPU's maximum, as glibc read them at the process's
 * start (<sys/platform/x86.h>, glibc 2.33 and later: the registers as CPUID
 * returned them). Returns 0 without that header: the caller asks CPUID.
 * CPUID traps to the hypervisor when the host is itself a VM, about 6 us
 * each on this project's machines. */
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
static inline int ckvm_host_feature_leaves(uint32_t out[4])
{
    out[0] = __x86_get_cpuid_feature_leaf(CPUID_INDEX_1)->cpuid_array[2];
    out[1] = __x86_get_cpuid_feature_leaf(CPUID_INDEX_1)->cpuid_array[3];
    out[2] = __x86_get_cpuid_feature_leaf(CPUID_INDEX_7)->cpuid_array[1];
    out[3] = __x86_get_cpuid_feature_leaf(CPUID_INDEX_80000001)->cpuid_array[2];
    return 1;
}
#else
static inline int ckvm_host_feature_leaves(uint32_t out[4])
{
    (void)out;
    return 0;
}
#endif

/* XCR0 as the host kernel set it. Only valid when CPUID.1:ECX.OSXSAVE is set
 * (xgetbv raises #UD otherwise). */
static inline uint64_t ckvm_xgetbv0(void)
{
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

/* Whether RDRAND (seed = 0) or RDSEED (seed = 1), which the caller knows the
 * CPU has, gives entropy: eight draws (each retried, as Intel advises), not
 * all failing, not all alike, none all zeros or all ones (the failure of
 * some AMD parts, whose RDRAND returned ~0 with CF set after a suspend).
 * The guest runs the same instruction on the same CPU, so the monitor vouches
 * for it before it tells the guest to use it. */
static inline int ckvm_cpu_entropy_healthy(int seed)
{
    uint64_t first = 0;
    int changed = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t value = 0;
        uint8_t ok = 0;
        for (int retry = 0; retry < 100 && !ok; retry++) {
            if (seed)
                __asm__ volatile("rdseed %0; setc %1" : "=r"(value), "=qm"(ok) : : "cc");
            else
                __asm__ volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok) : : "cc");
        }
        if (!ok || value == 0 || value == ~(uint64_t)0)
            return 0;
        if (i == 0)
            first = value;
        else if (value != first)
            changed = 1;
    }
    return changed;
}

/* getrandom(2) with flags 0: blocks only until the host pool is seeded. */
static inline ssize_t ckvm_getrandom(void *buffer, size_t length)
{
    return getrandom(buffer, length, 0);
}

/* Drops the process's mappings of the executable's read-only pages, from
 * its ELF headers to the end of its code (rodata and text). The monitor is
 * forked from the runtime, and it and fault-around (64 KiB per fault) leave
 * most of the binary present in its page tables; they are clean page-cache
 * pages every monitor shares, so nothing is lost, and the vCPU loop faults
 * back only the few it runs. The monitor's resident set then shows what it
 * costs rather than what create touched. */
static inline void ckvm_trim_executable_mapping(void)
{
    extern char __executable_start[], etext[];
    uintptr_t start = (uintptr_t)__executable_start & ~(uintptr_t)4095;
    uintptr_t end = ((uintptr_t)etext + 4095) & ~(uintptr_t)4095;
    /* Holes between segments make madvise report ENOMEM after it has
     * dropped the mapped parts: nothing to do about either outcome. */
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_DONTNEED);
}

#endif /* CKVM_HOST_H */
