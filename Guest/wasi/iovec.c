/*
 * iovec.c: wasm iovecs ({u32 buf, u32 len} in linear memory) checked and
 * translated to the monitor's {u64 addr, u64 len} with guest addresses, or
 * filled from guest memory (file reads from the ROFS).
 *
 * Every entry is checked again where it is used: a buffer may overlap the
 * iovec array itself, so bytes received into one entry can rewrite the
 * next after mewz_iovec_check looked at it. An entry that no longer fits
 * in memory ends the list there (a short transfer).
 */
#include "kernel.h"

uint32_t mewz_iovec_check(uint32_t iovs, uint32_t iovs_len)
{
    if (!mewz_guest_range_ok(iovs, (uint64_t)iovs_len * MEWZ_WASM_IOVEC_SIZE))
        return MEWZ_WASI_EFAULT;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t entry = iovs + i * MEWZ_WASM_IOVEC_SIZE;
        if (!mewz_guest_range_ok(mewz_guest_load_u32(entry),
                                 mewz_guest_load_u32(entry + 4)))
            return MEWZ_WASI_EFAULT;
    }
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_iovec_translate(uint32_t iovs, uint32_t iovs_len, uint32_t *next,
                              struct mewz_hc_iovec *out, uint32_t max,
                              uint64_t *bytes)
{
    uint32_t count = 0;
    uint64_t total = 0;
    uint32_t i = *next;
    for (; i < iovs_len && count < max; i++) {
        uint32_t entry = iovs + i * MEWZ_WASM_IOVEC_SIZE;
        uint32_t buf = mewz_guest_load_u32(entry);
        uint32_t len = mewz_guest_load_u32(entry + 4);
        if (!mewz_guest_range_ok(buf, len))
            break;
        if (len == 0)
            continue;
        /* The result is a u32 size: a batch stops where it would not fit
         * (the first buffer always fits). */
        if (total + len > UINT32_MAX)
            break;
        out[count++] = (struct mewz_hc_iovec){
            .addr = MEWZ_LM_BASE + buf,
            .len = len,
        };
        total += len;
    }
    *next = i;
    *bytes = total;
    return count;
}

uint32_t mewz_iovec_fill(uint32_t iovs, uint32_t iovs_len, const uint8_t *src,
                         uint64_t len)
{
    uint64_t done = 0;
    for (uint32_t i = 0; i < iovs_len && done < len; i++) {
        uint32_t entry = iovs + i * MEWZ_WASM_IOVEC_SIZE;
        uint32_t buf = mewz_guest_load_u32(entry);
        uint64_t n = mewz_guest_load_u32(entry + 4);
        if (!mewz_guest_range_ok(buf, n))
            break;
        if (n > len - done)
            n = len - done;
        if (n > UINT32_MAX - done) /* the result is a u32 size */
            n = UINT32_MAX - done;
        memcpy(mewz_guest_ptr(buf), src + done, n);
        done += n;
    }
    return (uint32_t)done;
}

uint32_t mewz_iovec_gather(uint32_t iovs, uint32_t iovs_len, uint8_t *dst,
                           uint32_t len)
{
    uint32_t done = 0;
    for (uint32_t i = 0; i < iovs_len && done < len; i++) {
        uint32_t entry = iovs + i * MEWZ_WASM_IOVEC_SIZE;
        uint32_t buf = mewz_guest_load_u32(entry);
        uint32_t n = mewz_guest_load_u32(entry + 4);
        if (!mewz_guest_range_ok(buf, n))
            break;
        if (n > len - done)
            n = len - done;
        memcpy(dst + done, mewz_guest_ptr(buf), n);
        done += n;
    }
    return done;
}
