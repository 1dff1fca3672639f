/*
 * strings.c: args and environ. The monitor puts count NUL-terminated
 * strings back to back in guest RAM; the module gets a copy of that block
 * in its buffer and a u32 pointer to each string.
 */
#include "kernel.h"

uint32_t mewz_strings_sizes_get(uint32_t count, uint64_t size,
                                uint32_t count_out, uint32_t size_out)
{
    if (size > UINT32_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (!mewz_guest_range_ok(count_out, sizeof(uint32_t)) ||
        !mewz_guest_range_ok(size_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    mewz_guest_store_u32(count_out, count);
    mewz_guest_store_u32(size_out, (uint32_t)size);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_strings_get(const char *strings, uint64_t size, uint32_t count,
                          uint32_t ptrs, uint32_t buf)
{
    if (size > UINT32_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (!mewz_guest_range_ok(ptrs, (uint64_t)count * sizeof(uint32_t)) ||
        !mewz_guest_range_ok(buf, size))
        return MEWZ_WASI_EFAULT;
    memcpy(mewz_guest_ptr(buf), strings, size);
    /* Offsets come from the NULs in the block, never past its end, so a
     * malformed block still yields pointers into the buffer. */
    uint64_t offset = 0;
    for (uint32_t i = 0; i < count; i++) {
        mewz_guest_store_u32(ptrs + i * sizeof(uint32_t),
                             buf + (uint32_t)offset);
        while (offset < size && strings[offset] != '\0')
            offset++;
        if (offset < size)
            offset++;
    }
    return MEWZ_WASI_ESUCCESS;
}
