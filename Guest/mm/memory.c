/*
 * memory.c: Wasm linear memory at MEWZ_LM_BASE. The monitor backs it
 * lazily: lm_backed_size bytes at boot, more on MEWZ_HC_MEMORY, up to
 * lm_limit_size. Backing is zero-filled by the host and never shrinks, so a
 * grow is at most one hypercall (only past the backed size) and then
 * mapping: pages are mapped exactly up to the current size, and everything
 * past it in the window faults (the out-of-bounds trap).
 */
#include "kernel.h"

uint32_t mewz_memory_pages;
static uint32_t limit_pages;
static uint64_t backed_bytes;
/* CR3 read once: every read is a trap to the hypervisor under kvm-pvm. */
static uint64_t page_tables;

uint32_t mewz_memory_limit_pages(void)
{
    return limit_pages;
}

static uint32_t compute_limit(uint32_t max_pages)
{
    uint64_t limit = max_pages;
    if (limit > MEWZ_WASM_MAX_PAGES)
        limit = MEWZ_WASM_MAX_PAGES;
    uint64_t slot_pages = mewz_boot->lm_limit_size / MEWZ_WASM_PAGE_SIZE;
    if (limit > slot_pages)
        limit = slot_pages;
    return (uint32_t)limit;
}

/* Asks the monitor to back the first `bytes` of the window unless they are
 * backed already; false when it refuses. */
static bool ensure_backed(uint64_t bytes)
{
    if (bytes <= backed_bytes)
        return true;
    uint64_t backed = 0;
    uint32_t error = mewz_hc_memory(bytes, &backed);
    if (backed > backed_bytes)
        backed_bytes = backed;
    return error == 0 && backed_bytes >= bytes;
}

static bool map_pages(uint32_t first, uint32_t count)
{
    return mewz_map_identity(page_tables,
                             MEWZ_LM_BASE +
                                 (uint64_t)first * MEWZ_WASM_PAGE_SIZE,
                             (uint64_t)count * MEWZ_WASM_PAGE_SIZE);
}

void mewz_memory_init(uint32_t min_pages, uint32_t max_pages)
{
    /* The PML4 is the first of the monitor's tables (abi.h), which CR3 holds;
     * reading CR3 would cost an emulated instruction under kvm-pvm. */
    page_tables = MEWZ_PAGE_TABLE_ADDR;
    limit_pages = compute_limit(max_pages);
    backed_bytes = mewz_boot->lm_backed_size;
    if (min_pages > limit_pages)
        mewz_fatal("linear memory minimum exceeds the VM's memory limit");
    if (!ensure_backed((uint64_t)min_pages * MEWZ_WASM_PAGE_SIZE))
        mewz_fatal("the monitor did not back the initial linear memory");
    if (!map_pages(0, min_pages))
        mewz_fatal("out of page-table pages mapping linear memory");
    mewz_memory_pages = min_pages;
}

uint32_t mewz_memory_grow(uint32_t delta_pages)
{
    uint32_t old = mewz_memory_pages;
    if (delta_pages > limit_pages - old)
        return 0xFFFFFFFFU;
    if (!ensure_backed((uint64_t)(old + delta_pages) * MEWZ_WASM_PAGE_SIZE))
        return 0xFFFFFFFFU;
    if (!map_pages(old, delta_pages))
        return 0xFFFFFFFFU;
    mewz_memory_pages = old + delta_pages;
    return old;
}
