/*
 * paging.c: identity mappings (virtual == physical) in the 4-level tables,
 * used to grow linear memory. The walk runs twice: a counting pass that
 * finds conflicts and the number of table pages needed without touching
 * anything, then, if the pool can supply them, the pass that writes. So a
 * failed grow leaves no stray mapping behind that would hide an
 * out-of-bounds access.
 *
 * New entries only ever go from not present to present, which needs no TLB
 * invalidation; the one replaced entry (a full page table folded into a
 * 2 MiB page) is followed by invlpg.
 */
#include "kernel.h"

#define TABLE_ENTRIES 512
#define TABLE_FLAGS (MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_US | MEWZ_PTE_A)
#define LEAF_FLAGS (MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_US | MEWZ_PTE_NX | MEWZ_PTE_A | MEWZ_PTE_D)
/* Accessed and dirty may be set or not (the CPU sets them too); compare
 * without them. */
#define PTE_CPU_BITS (MEWZ_PTE_A | MEWZ_PTE_D)
#define GIB (1ULL << 30)
#define PML4_SPAN (1ULL << 39)
#define CANONICAL_END (1ULL << 47)

struct walk {
    bool apply;      /* false: count and check only */
    bool conflict;   /* met a mapping that is not ours to extend */
    uint64_t needed; /* table pages a mapping pass would allocate */
};

static unsigned index_at(uint64_t virt, unsigned shift)
{
    return (unsigned)((virt >> shift) & (TABLE_ENTRIES - 1));
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static bool is_identity_leaf(uint64_t entry, uint64_t virt, uint64_t extra)
{
    return (entry & ~PTE_CPU_BITS) == ((virt | LEAF_FLAGS | extra) & ~PTE_CPU_BITS);
}

/*
 * The table below table[index], allocating it in the mapping pass. In the
 * counting pass a missing table is counted and returned as NULL, and a NULL
 * parent (itself still to be allocated) has only missing children.
 *
 * A new table is NOT linked here: the caller fills it first and links it
 * with link_table() afterwards. Under kvm-pvm's shadow paging every write
 * to a page that is already a live page table traps to the hypervisor
 * (tens of microseconds on a nested host); a page that is not linked yet
 * is ordinary memory, so filling it first costs one trap per new table
 * instead of one per entry.
 */
static uint64_t *descend(struct walk *w, uint64_t *table, unsigned index,
                         bool *fresh)
{
    uint64_t entry = table ? table[index] : 0;
    *fresh = false;
    if (entry & MEWZ_PTE_P) {
        if (entry & MEWZ_PTE_PS) {
            w->conflict = true;
            return NULL;
        }
        return mewz_phys_ptr(entry & MEWZ_PTE_ADDR);
    }
    if (!w->apply) {
        w->needed++;
        return NULL;
    }
    uint64_t page = mewz_page_alloc();
    if (page == 0) { /* cannot happen after a successful count */
        w->conflict = true;
        return NULL;
    }
    *fresh = true;
    return mewz_phys_ptr(page);
}

/* Links a table filled after descend() made it. */
static void link_table(struct walk *w, uint64_t *table, unsigned index,
                       const uint64_t *child, bool fresh)
{
    if (w->apply && fresh)
        table[index] = mewz_virt_to_phys(child) | TABLE_FLAGS;
}

static void map_pt(struct walk *w, uint64_t *pt, uint64_t start,
                   uint64_t end)
{
    for (uint64_t virt = start; virt < end; virt += MEWZ_PAGE_SIZE) {
        unsigned i = index_at(virt, 12);
        uint64_t entry = pt ? pt[i] : 0;
        if (entry & MEWZ_PTE_P) {
            if (!is_identity_leaf(entry, virt, 0))
                w->conflict = true;
            continue;
        }
        if (w->apply)
            pt[i] = virt | LEAF_FLAGS;
    }
}

static bool pt_is_full_identity(const uint64_t *pt, uint64_t region)
{
    for (unsigned i = 0; i < TABLE_ENTRIES; i++)
        if (!is_identity_leaf(pt[i], region + i * MEWZ_PAGE_SIZE, 0))
            return false;
    return true;
}

static void map_pd(struct walk *w, uint64_t *pd, uint64_t start,
                   uint64_t end)
{
    uint64_t next;
    for (uint64_t virt = start; virt < end && !w->conflict; virt = next) {
        uint64_t region = virt & ~(MEWZ_LARGE_PAGE_SIZE - 1);
        next = min_u64(end, region + MEWZ_LARGE_PAGE_SIZE);
        unsigned i = index_at(virt, 21);
        uint64_t entry = pd ? pd[i] : 0;

        if ((entry & MEWZ_PTE_P) && (entry & MEWZ_PTE_PS)) {
            if (!is_identity_leaf(entry, region, MEWZ_PTE_PS))
                w->conflict = true;
            continue;
        }
        bool whole = virt == region && next == region + MEWZ_LARGE_PAGE_SIZE;
        if (whole && !(entry & MEWZ_PTE_P)) {
            if (w->apply)
                pd[i] = region | LEAF_FLAGS | MEWZ_PTE_PS;
            continue;
        }
        bool fresh;
        uint64_t *pt = descend(w, pd, i, &fresh);
        if (w->conflict)
            return;
        map_pt(w, pt, virt, next);
        if (!w->apply || w->conflict)
            continue;
        /* Memory grows a Wasm page at a time; once a table is full, one
         * 2 MiB entry serves the whole region from a single TLB entry. */
        if (next == region + MEWZ_LARGE_PAGE_SIZE &&
            pt_is_full_identity(pt, region)) {
            pd[i] = region | LEAF_FLAGS | MEWZ_PTE_PS;
            if (!fresh)
                mewz_invlpg(region);
            mewz_page_free(mewz_virt_to_phys(pt));
            continue;
        }
        link_table(w, pd, i, pt, fresh);
    }
}

static void map_pdpt(struct walk *w, uint64_t *pdpt, uint64_t start,
                     uint64_t end)
{
    uint64_t next;
    for (uint64_t virt = start; virt < end && !w->conflict; virt = next) {
        next = min_u64(end, (virt & ~(GIB - 1)) + GIB);
        bool fresh;
        unsigned i = index_at(virt, 30);
        uint64_t *pd = descend(w, pdpt, i, &fresh);
        if (w->conflict)
            return;
        map_pd(w, pd, virt, next);
        if (!w->conflict)
            link_table(w, pdpt, i, pd, fresh);
    }
}

static void walk_range(struct walk *w, uint64_t cr3, uint64_t start,
                       uint64_t end)
{
    uint64_t *pml4 = mewz_phys_ptr(cr3 & MEWZ_PTE_ADDR);
    uint64_t next;
    for (uint64_t virt = start; virt < end && !w->conflict; virt = next) {
        next = min_u64(end, (virt & ~(PML4_SPAN - 1)) + PML4_SPAN);
        bool fresh;
        unsigned i = index_at(virt, 39);
        uint64_t *pdpt = descend(w, pml4, i, &fresh);
        if (w->conflict)
            return;
        map_pdpt(w, pdpt, virt, next);
        if (!w->conflict)
            link_table(w, pml4, i, pdpt, fresh);
    }
}

bool mewz_map_identity(uint64_t cr3, uint64_t virt, uint64_t len)
{
    if ((virt | len) & (MEWZ_PAGE_SIZE - 1))
        return false;
    if (virt >= CANONICAL_END || len > CANONICAL_END - virt)
        return false;
    if (len == 0)
        return true;

    struct walk count = {.apply = false};
    walk_range(&count, cr3, virt, virt + len);
    if (count.conflict || count.needed > mewz_pages_available())
        return false;

    struct walk map = {.apply = true};
    walk_range(&map, cr3, virt, virt + len);
    return !map.conflict;
}
