/*
 * pages.c: the physical page pool for page tables, over the boot info's
 * [free_start, free_end). A bump pointer hands out fresh pages; pages given
 * back (page tables folded into 2 MiB mappings) go on a free list threaded
 * through their first word.
 */
#include "kernel.h"

uintptr_t mewz_phys_offset;

static uint64_t bump_next;
static uint64_t bump_end;
static uint64_t free_list; /* 0: empty (page 0 is never in the pool) */
static uint64_t free_count;

void mewz_pages_init(uint64_t start, uint64_t end)
{
    start = (start + MEWZ_PAGE_SIZE - 1) & ~(MEWZ_PAGE_SIZE - 1);
    end &= ~(MEWZ_PAGE_SIZE - 1);
    if (start < MEWZ_PAGE_SIZE)
        start = MEWZ_PAGE_SIZE;
    bump_next = start;
    bump_end = end > start ? end : start;
    free_list = 0;
    free_count = 0;
}

uint64_t mewz_pages_available(void)
{
    return (bump_end - bump_next) / MEWZ_PAGE_SIZE + free_count;
}

uint64_t mewz_page_alloc(void)
{
    uint64_t page;
    if (free_list != 0) {
        page = free_list;
        free_list = *(uint64_t *)mewz_phys_ptr(page);
        free_count--;
    } else if (bump_next < bump_end) {
        page = bump_next;
        bump_next += MEWZ_PAGE_SIZE;
    } else {
        return 0;
    }
    /* The host zero-fills RAM, but a recycled page held a page table. */
    memset(mewz_phys_ptr(page), 0, MEWZ_PAGE_SIZE);
    return page;
}

void mewz_page_free(uint64_t phys)
{
    *(uint64_t *)mewz_phys_ptr(phys) = free_list;
    free_list = phys;
    free_count++;
}
