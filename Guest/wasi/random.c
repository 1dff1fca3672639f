/*
 * random.c: random_get from RDRAND, else RDSEED, else the monitor's
 * getrandom. A CPU source that stays empty past its retries hands the rest
 * of the buffer to the next source.
 */
#include "kernel.h"

#define RDRAND_RETRIES 10  /* Intel's guidance for a healthy DRNG */
#define RDSEED_RETRIES 100 /* RDSEED underflows more often */

typedef bool (*cpu_entropy_fn)(uint64_t *out);

static bool draw(cpu_entropy_fn source, unsigned retries, uint64_t *out)
{
    for (unsigned i = 0; i < retries; i++) {
        if (source(out))
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

/* Fills p[done..len) from a CPU source; returns the new done. */
static uint64_t fill_from_cpu(cpu_entropy_fn source, unsigned retries,
                              uint8_t *p, uint64_t done, uint64_t len)
{
    while (done < len) {
        uint64_t word;
        if (!draw(source, retries, &word))
            break;
        uint64_t n = len - done < sizeof word ? len - done : sizeof word;
        memcpy(p + done, &word, n);
        done += n;
    }
    return done;
}

uint32_t mewz_wasi_random_get(uint32_t buf, uint32_t buf_len)
{
    if (!mewz_guest_range_ok(buf, buf_len))
        return MEWZ_WASI_EFAULT;
    uint8_t *p = mewz_guest_ptr(buf);
    uint64_t done = 0;
    uint64_t features = mewz_boot->cpu_features;
    if (features & MEWZ_CPU_RDRAND)
        done = fill_from_cpu(mewz_rdrand64, RDRAND_RETRIES, p, done, buf_len);
    if (features & MEWZ_CPU_RDSEED)
        done = fill_from_cpu(mewz_rdseed64, RDSEED_RETRIES, p, done, buf_len);
    while (done < buf_len) {
        uint64_t n = buf_len - done;
        if (n > MEWZ_HC_RANDOM_MAX)
            n = MEWZ_HC_RANDOM_MAX;
        uint32_t err = mewz_hc_random(MEWZ_LM_BASE + buf + done, n);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        done += n;
    }
    return MEWZ_WASI_ESUCCESS;
}
