/*
 * clock.c: clock_time_get and clock_res_get without a VM exit. The monitor
 * writes the host's realtime and monotonic clocks just before the first
 * instruction and the TSC frequency; the guest adds the TSC ticks since
 * entry. The CPU-time clocks are the time since boot (one vCPU that runs
 * only this module).
 */
#include "kernel.h"

#define NS_PER_MS 1000000ULL

static uint64_t tsc_at_boot;

void mewz_clock_init(uint64_t tsc_at_entry)
{
    tsc_at_boot = tsc_at_entry;
}

uint64_t mewz_clock_since_boot_ns(void)
{
    uint64_t khz = mewz_boot->tsc_khz;
    if (khz == 0) /* unknown frequency: time stands still */
        return 0;
    uint64_t ticks = mewz_rdtsc() - tsc_at_boot;
    /* ticks * 1e6 / khz, split so nothing overflows for centuries and no
     * 128-bit division (a libgcc call) is needed. */
    return ticks / khz * NS_PER_MS + ticks % khz * NS_PER_MS / khz;
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
    uint64_t now = mewz_clock_since_boot_ns();
    if (clock_id == MEWZ_WASI_CLOCK_REALTIME)
        now += mewz_boot->boot_realtime_ns;
    else if (clock_id == MEWZ_WASI_CLOCK_MONOTONIC)
        now += mewz_boot->boot_monotonic_ns;
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
