/*
 * clock.c: clock_time_get and clock_res_get without a VM exit. The monitor
 * writes the host's realtime and monotonic clocks just before the first
 * instruction, and the TSC frequency (KVM_GET_TSC_KHZ); the guest adds the
 * TSC ticks since entry. The process and thread CPU-time clocks (one vCPU
 * that runs only this module, one thread) count the ticks since entry less
 * those spent waiting in the host for input or a timeout. Every clock ticks
 * with the TSC, so its resolution is one tick, rounded up to a nanosecond;
 * clock_time_get's precision is a hint the spec lets us ignore.
 */
#include "kernel.h"

#define NS_PER_MS 1000000ULL

static uint64_t tsc_at_boot;
uint64_t mewz_clock_wait_ticks;

void mewz_clock_init(uint64_t tsc_at_entry)
{
    tsc_at_boot = tsc_at_entry;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    uint64_t khz = mewz_boot->tsc_khz;
    if (khz == 0) /* unknown frequency: time stands still */
        return 0;
    /* ticks * 1e6 / khz, split so nothing overflows for centuries and no
     * 128-bit division (a libgcc call) is needed. */
    return ticks / khz * NS_PER_MS + ticks % khz * NS_PER_MS / khz;
}

uint64_t mewz_clock_since_boot_ns(void)
{
    return ticks_to_ns(mewz_rdtsc() - tsc_at_boot);
}

uint64_t mewz_clock_cpu_ns(void)
{
    uint64_t ticks = mewz_rdtsc() - tsc_at_boot;
    uint64_t waited = mewz_clock_wait_ticks;
    return ticks_to_ns(ticks > waited ? ticks - waited : 0);
}

uint64_t mewz_clock_at_boot_ns(uint32_t clock_id)
{
    if (clock_id == MEWZ_WASI_CLOCK_REALTIME)
        return mewz_boot->boot_realtime_ns;
    if (clock_id == MEWZ_WASI_CLOCK_MONOTONIC)
        return mewz_boot->boot_monotonic_ns;
    return 0;
}

/* A witx u32 enum: anything past thread_cputime is no variant. */
static bool clock_known(uint32_t clock_id)
{
    return clock_id <= MEWZ_WASI_CLOCK_THREAD_CPUTIME;
}

uint32_t mewz_wasi_clock_time_get(uint32_t clock_id, uint64_t precision,
                                  uint32_t time_out)
{
    (void)precision;
    if (!clock_known(clock_id))
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(time_out, sizeof(uint64_t)))
        return MEWZ_WASI_EFAULT;
    uint64_t now;
    if (clock_id == MEWZ_WASI_CLOCK_REALTIME ||
        clock_id == MEWZ_WASI_CLOCK_MONOTONIC)
        now = mewz_clock_at_boot_ns(clock_id) + mewz_clock_since_boot_ns();
    else
        now = mewz_clock_cpu_ns();
    mewz_guest_store_u64(time_out, now);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_clock_res_get(uint32_t clock_id, uint32_t res_out)
{
    if (!clock_known(clock_id))
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(res_out, sizeof(uint64_t)))
        return MEWZ_WASI_EFAULT;
    /* One TSC tick, rounded up to whole nanoseconds. */
    uint64_t khz = mewz_boot->tsc_khz;
    uint64_t res = khz == 0 ? 1 : (NS_PER_MS + khz - 1) / khz;
    mewz_guest_store_u64(res_out, res);
    return MEWZ_WASI_ESUCCESS;
}
