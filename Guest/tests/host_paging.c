/*
 * host_paging.c: the page pool, the identity-mapping page-table code, the
 * linear-memory limits and the exception classifier, run on the host. Page
 * tables live in a buffer standing in for guest RAM (mewz_phys_offset), and
 * every check reads them back through an independent 4-level walk.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "host_check.h"
#include "kernel.h"

/* ---- Fakes for what the code under test calls ------------------------ */

#define FAKE_RAM_SIZE (16ULL << 20)
#define PML4_PHYS MEWZ_PAGE_TABLE_ADDR /* where mm/memory.c looks */
#define PDPT_PHYS 0x11000ULL
#define LOW_PD_PHYS 0x12000ULL
#define POOL_START 0x100000ULL

static uint8_t *fake_ram;
static struct mewz_boot_info fake_boot;
const struct mewz_boot_info *mewz_boot = &fake_boot;
static unsigned invlpg_count;
static jmp_buf fatal_jump;
static const char *fatal_message;

void mewz_invlpg(uint64_t virt)
{
    (void)virt;
    invlpg_count++;
}

_Noreturn void mewz_fatal(const char *message)
{
    fatal_message = message;
    longjmp(fatal_jump, 1);
}

/* The monitor's side of MEWZ_HC_MEMORY: doubles the backed size (2 MiB
 * granules) up to lm_limit_size, or refuses when told to. */
static uint64_t fake_backed;
static unsigned memory_calls;
static bool memory_refused;

uint32_t mewz_hc_memory(uint64_t wanted, uint64_t *backed)
{
    memory_calls++;
    if (memory_refused || wanted > fake_boot.lm_limit_size) {
        *backed = fake_backed;
        return memory_refused ? 48 /* ENOMEM */ : 28 /* EINVAL */;
    }
    if (wanted > fake_backed) {
        uint64_t size = (wanted + MEWZ_LARGE_PAGE_SIZE - 1) &
                        ~(MEWZ_LARGE_PAGE_SIZE - 1);
        if (size < fake_backed * 2)
            size = fake_backed * 2;
        if (size > fake_boot.lm_limit_size)
            size = fake_boot.lm_limit_size;
        fake_backed = size;
    }
    *backed = fake_backed;
    return 0;
}

static uint64_t *table(uint64_t phys)
{
    return (uint64_t *)(fake_ram + phys);
}

/* Guest RAM as the monitor leaves it: PML4[0] -> PDPT, PDPT[0] -> a PD of
 * 2 MiB pages for the first GiB, nothing in the linear-memory window. */
static void reset(uint64_t pool_pages, uint64_t slot_size)
{
    memset(fake_ram, 0, FAKE_RAM_SIZE);
    /* As the monitor builds them: user in every entry (Guest/PVM.md). */
    table(PML4_PHYS)[0] = PDPT_PHYS | MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_US;
    table(PDPT_PHYS)[0] = LOW_PD_PHYS | MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_US;
    for (unsigned i = 0; i < 512; i++)
        table(LOW_PD_PHYS)[i] = (i * MEWZ_LARGE_PAGE_SIZE) | MEWZ_PTE_P |
                                MEWZ_PTE_RW | MEWZ_PTE_US | MEWZ_PTE_PS;
    mewz_pages_init(POOL_START, POOL_START + pool_pages * MEWZ_PAGE_SIZE);
    /* Backed wholly unless a test says otherwise (set_backed). */
    fake_boot = (struct mewz_boot_info){.lm_backed_size = slot_size,
                                        .lm_limit_size = slot_size};
    fake_backed = slot_size;
    memory_calls = 0;
    memory_refused = false;
    mewz_memory_pages = 0;
    invlpg_count = 0;
    fatal_message = NULL;
}

static void set_backed(uint64_t backed)
{
    fake_boot.lm_backed_size = backed;
    fake_backed = backed;
}

/* ---- An independent walk --------------------------------------------- */

struct translation {
    bool present;
    uint64_t phys;
    uint64_t page_size;
    uint64_t leaf;
    bool user; /* MEWZ_PTE_US in the entry at every level */
};

static struct translation translate(uint64_t virt)
{
    struct translation t = {0};
    uint64_t table_phys = PML4_PHYS, user = MEWZ_PTE_US;
    for (unsigned shift = 39;; shift -= 9) {
        uint64_t entry = table(table_phys)[(virt >> shift) & 511];
        if (!(entry & MEWZ_PTE_P))
            return t;
        user &= entry;
        if (shift == 12 || (shift <= 30 && (entry & MEWZ_PTE_PS))) {
            uint64_t size = 1ULL << shift;
            return (struct translation){
                true, (entry & MEWZ_PTE_ADDR & ~(size - 1)) + (virt & (size - 1)),
                size, entry, user != 0};
        }
        table_phys = entry & MEWZ_PTE_ADDR;
    }
}

/* Every 4 KiB page of [LM_BASE, LM_BASE + pages * 64 KiB) is identity
 * mapped RW NX user (kvm-pvm runs the guest natively only on user
 * mappings) by a leaf marked accessed and dirty (kvm-pvm's shadow paging
 * would take a second fault on the first write otherwise), and the page
 * right after it is not present. */
static bool memory_mapped_exactly(uint64_t pages)
{
    uint64_t end = MEWZ_LM_BASE + pages * MEWZ_WASM_PAGE_SIZE;
    for (uint64_t v = MEWZ_LM_BASE; v < end; v += MEWZ_PAGE_SIZE) {
        struct translation t = translate(v + 8);
        if (!t.present || t.phys != v + 8 || !(t.leaf & MEWZ_PTE_RW) ||
            !(t.leaf & MEWZ_PTE_NX) || !t.user ||
            (t.leaf & (MEWZ_PTE_A | MEWZ_PTE_D)) != (MEWZ_PTE_A | MEWZ_PTE_D)) {
            fprintf(stderr, "page 0x%" PRIx64 " not mapped as expected\n", v);
            return false;
        }
    }
    return !translate(end).present && !translate(end + MEWZ_PAGE_SIZE - 1).present;
}

static uint64_t page_size_at(uint64_t virt)
{
    return translate(virt).page_size;
}

/* ---- Tests ------------------------------------------------------------ */

static void test_page_pool(void)
{
    reset(3, 0);
    CHECK_EQ(mewz_pages_available(), 3);
    uint64_t a = mewz_page_alloc(), b = mewz_page_alloc(), c = mewz_page_alloc();
    CHECK_EQ(a, POOL_START);
    CHECK_EQ(b, POOL_START + 0x1000);
    CHECK_EQ(c, POOL_START + 0x2000);
    CHECK_EQ(mewz_page_alloc(), 0);
    CHECK_EQ(mewz_pages_available(), 0);

    memset(fake_ram + b, 0xab, MEWZ_PAGE_SIZE);
    mewz_page_free(b);
    CHECK_EQ(mewz_pages_available(), 1);
    uint64_t again = mewz_page_alloc();
    CHECK_EQ(again, b);
    bool zero = true;
    for (uint64_t i = 0; i < MEWZ_PAGE_SIZE; i++)
        zero &= fake_ram[again + i] == 0;
    CHECK(zero);

    /* Unaligned bounds shrink to whole pages; page 0 is never handed out. */
    mewz_pages_init(0x100001, 0x103fff);
    CHECK_EQ(mewz_pages_available(), 2);
    CHECK_EQ(mewz_page_alloc(), 0x101000);
    mewz_pages_init(0, 0x2000);
    CHECK_EQ(mewz_page_alloc(), 0x1000);
    mewz_pages_init(0x5000, 0x3000);
    CHECK_EQ(mewz_pages_available(), 0);
}

static void test_init_and_grow_small(void)
{
    reset(16, 64ULL << 20);
    mewz_memory_init(1, 10);
    CHECK_EQ(mewz_memory_pages, 1);
    CHECK_EQ(mewz_memory_limit_pages(), 10);
    CHECK(memory_mapped_exactly(1));
    CHECK_EQ(page_size_at(MEWZ_LM_BASE), MEWZ_PAGE_SIZE);
    CHECK_EQ(mewz_pages_available(), 14); /* one PD, one PT */

    CHECK_EQ(mewz_memory_grow(0), 1);
    CHECK_EQ(mewz_memory_grow(9), 1);
    CHECK_EQ(mewz_memory_pages, 10);
    CHECK(memory_mapped_exactly(10));
    CHECK_EQ(mewz_memory_grow(1), 0xFFFFFFFF);
    CHECK_EQ(mewz_memory_grow(0xFFFFFFFF), 0xFFFFFFFF);
    CHECK_EQ(mewz_memory_pages, 10);
    CHECK(memory_mapped_exactly(10));
    /* Nothing outside the window was touched. */
    CHECK_EQ(table(PDPT_PHYS)[0],
             LOW_PD_PHYS | MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_US);
    CHECK_EQ(table(PDPT_PHYS)[3], 0);
    CHECK_EQ(table(PDPT_PHYS)[5], 0);
}

static void test_large_pages_and_folding(void)
{
    reset(16, 8ULL << 20);
    mewz_memory_init(0, MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_memory_limit_pages(), 128); /* the 8 MiB slot */
    CHECK_EQ(mewz_memory_pages, 0);
    CHECK(memory_mapped_exactly(0));

    CHECK_EQ(mewz_memory_grow(32), 0); /* one whole aligned 2 MiB region */
    CHECK_EQ(page_size_at(MEWZ_LM_BASE), MEWZ_LARGE_PAGE_SIZE);
    CHECK_EQ(mewz_pages_available(), 15); /* the PD only */

    CHECK_EQ(mewz_memory_grow(1), 32); /* a partial region: 4 KiB pages */
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + MEWZ_LARGE_PAGE_SIZE), MEWZ_PAGE_SIZE);
    CHECK_EQ(mewz_pages_available(), 14);
    CHECK(memory_mapped_exactly(33));

    /* Filling the region folds its table into one 2 MiB page. */
    for (unsigned i = 0; i < 31; i++)
        CHECK_EQ(mewz_memory_grow(1), 33 + i);
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + MEWZ_LARGE_PAGE_SIZE),
             MEWZ_LARGE_PAGE_SIZE);
    CHECK_EQ(invlpg_count, 1);
    CHECK_EQ(mewz_pages_available(), 15); /* the table went back */
    CHECK(memory_mapped_exactly(64));

    /* A grow that ends a region exactly and starts the next one. */
    CHECK_EQ(mewz_memory_grow(40), 64);
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + 2 * MEWZ_LARGE_PAGE_SIZE),
             MEWZ_LARGE_PAGE_SIZE);
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + 3 * MEWZ_LARGE_PAGE_SIZE),
             MEWZ_PAGE_SIZE);
    CHECK(memory_mapped_exactly(104));
    CHECK_EQ(mewz_memory_grow(25), 0xFFFFFFFF); /* past the slot */
    CHECK_EQ(mewz_memory_grow(24), 104);
    CHECK(memory_mapped_exactly(128));
    CHECK_EQ(mewz_memory_grow(1), 0xFFFFFFFF);
}

static void test_lazy_backing(void)
{
    /* 2 MiB backed of an 8 MiB limit: no hypercall inside the backed size,
     * one per doubling past it. */
    reset(16, 8ULL << 20);
    set_backed(2ULL << 20);
    mewz_memory_init(1, MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_memory_limit_pages(), 128);
    CHECK_EQ(mewz_memory_grow(31), 1);
    CHECK_EQ(memory_calls, 0);
    CHECK_EQ(mewz_memory_grow(1), 32);
    CHECK_EQ(memory_calls, 1); /* 2 -> 4 MiB */
    for (unsigned i = 0; i < 32; i++)
        CHECK_EQ(mewz_memory_grow(1), 33 + i);
    CHECK_EQ(memory_calls, 2); /* 4 -> 8 MiB at page 64 */
    CHECK(memory_mapped_exactly(65));
    CHECK_EQ(mewz_memory_grow(63), 65);
    CHECK_EQ(memory_calls, 2);
    CHECK_EQ(mewz_memory_grow(1), 0xFFFFFFFF); /* the limit: no call */
    CHECK_EQ(memory_calls, 2);

    /* A refused hypercall fails the grow and maps nothing. */
    reset(16, 8ULL << 20);
    set_backed(2ULL << 20);
    mewz_memory_init(0, MEWZ_WASM_MAX_PAGES);
    memory_refused = true;
    uint8_t *before = malloc(FAKE_RAM_SIZE);
    memcpy(before, fake_ram, FAKE_RAM_SIZE);
    CHECK_EQ(mewz_memory_grow(33), 0xFFFFFFFF);
    CHECK_EQ(memory_calls, 1);
    CHECK(memcmp(before, fake_ram, FAKE_RAM_SIZE) == 0);
    CHECK_EQ(mewz_memory_pages, 0);
    free(before);
    memory_refused = false;
    CHECK_EQ(mewz_memory_grow(33), 0);
    CHECK(memory_mapped_exactly(33));

    /* An initial memory past the backed size is backed at init. */
    reset(16, 8ULL << 20);
    set_backed(2ULL << 20);
    mewz_memory_init(40, 128);
    CHECK_EQ(memory_calls, 1);
    CHECK(memory_mapped_exactly(40));
}

static void test_all_or_nothing(void)
{
    /* 1 GiB + 64 KiB from nothing needs two PDs and one PT. */
    uint32_t pages = 16385;
    reset(2, 4ULL << 30);
    mewz_memory_init(0, MEWZ_WASM_MAX_PAGES);
    uint8_t *before = malloc(FAKE_RAM_SIZE);
    memcpy(before, fake_ram, FAKE_RAM_SIZE);
    CHECK_EQ(mewz_memory_grow(pages), 0xFFFFFFFF);
    CHECK(memcmp(before, fake_ram, FAKE_RAM_SIZE) == 0);
    CHECK_EQ(mewz_memory_pages, 0);
    CHECK_EQ(mewz_pages_available(), 2);
    free(before);

    reset(3, 4ULL << 30);
    mewz_memory_init(0, MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_memory_grow(pages), 0);
    CHECK_EQ(mewz_pages_available(), 0);
    CHECK(memory_mapped_exactly(pages));
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + (1ULL << 30) - MEWZ_PAGE_SIZE),
             MEWZ_LARGE_PAGE_SIZE);
    CHECK_EQ(page_size_at(MEWZ_LM_BASE + (1ULL << 30)), MEWZ_PAGE_SIZE);
    /* The pool is empty: the next region needs a table and cannot grow. */
    CHECK_EQ(mewz_memory_grow(15), pages); /* same table: fine */
    CHECK_EQ(mewz_memory_grow(17), 0xFFFFFFFF);
    CHECK(memory_mapped_exactly(pages + 15));
}

static void test_full_four_gib(void)
{
    reset(8, 8ULL << 30);
    mewz_memory_init(0, MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_memory_limit_pages(), MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_memory_grow(MEWZ_WASM_MAX_PAGES), 0);
    CHECK_EQ(mewz_memory_pages, MEWZ_WASM_MAX_PAGES);
    CHECK_EQ(mewz_pages_available(), 4); /* four PDs, no PT */
    CHECK(memory_mapped_exactly(MEWZ_WASM_MAX_PAGES));
    CHECK_EQ(mewz_memory_grow(1), 0xFFFFFFFF);
    CHECK_EQ(mewz_memory_grow(0), MEWZ_WASM_MAX_PAGES);

    /* A module maximum below the slot wins; one above 4 GiB is clamped. */
    reset(8, 8ULL << 30);
    mewz_memory_init(3, 5);
    CHECK_EQ(mewz_memory_limit_pages(), 5);
    reset(8, 1ULL << 40);
    mewz_memory_init(0, 0xFFFFFFFF);
    CHECK_EQ(mewz_memory_limit_pages(), MEWZ_WASM_MAX_PAGES);
}

static void test_init_failures(void)
{
    reset(8, 1ULL << 20); /* 16 Wasm pages */
    if (setjmp(fatal_jump) == 0) {
        mewz_memory_init(17, 100);
        CHECK(!"memory_init accepted a minimum over the slot");
    }
    CHECK(fatal_message != NULL &&
          strstr(fatal_message, "minimum exceeds") != NULL);
    CHECK_EQ(mewz_memory_pages, 0);

    reset(1, 1ULL << 20); /* one pool page, two needed */
    if (setjmp(fatal_jump) == 0) {
        mewz_memory_init(1, 16);
        CHECK(!"memory_init mapped without page-table pages");
    }
    CHECK(fatal_message != NULL && strstr(fatal_message, "page-table") != NULL);
    CHECK(!translate(MEWZ_LM_BASE).present);
}

static void test_map_identity_rejects(void)
{
    reset(8, 0);
    CHECK(!mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE + 1, MEWZ_PAGE_SIZE));
    CHECK(!mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE, 100));
    CHECK(!mewz_map_identity(PML4_PHYS, 1ULL << 47, MEWZ_PAGE_SIZE));
    CHECK(!mewz_map_identity(PML4_PHYS, (1ULL << 47) - MEWZ_PAGE_SIZE,
                             2 * MEWZ_PAGE_SIZE));
    CHECK(!mewz_map_identity(PML4_PHYS, MEWZ_PAGE_SIZE, UINT64_MAX & ~0xfffULL));
    CHECK(mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE, 0));
    CHECK_EQ(mewz_pages_available(), 8);

    /* A 1 GiB page in the way is a conflict: nothing changes. */
    table(PDPT_PHYS)[5] = (5ULL << 30) | MEWZ_PTE_P | MEWZ_PTE_RW | MEWZ_PTE_PS;
    CHECK(!mewz_map_identity(PML4_PHYS, (5ULL << 30) - MEWZ_LARGE_PAGE_SIZE,
                             2 * MEWZ_LARGE_PAGE_SIZE));
    CHECK_EQ(table(PDPT_PHYS)[4], 0);
    CHECK_EQ(mewz_pages_available(), 8);

    /* A 4 KiB entry that is not an identity mapping is a conflict too. */
    reset(8, 0);
    CHECK(mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE, MEWZ_PAGE_SIZE));
    uint64_t pd = table(PDPT_PHYS)[4] & MEWZ_PTE_ADDR;
    uint64_t pt = table(pd)[0] & MEWZ_PTE_ADDR;
    table(pt)[1] = 0x5000 | MEWZ_PTE_P;
    CHECK(!mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE, 4 * MEWZ_PAGE_SIZE));
    CHECK(!translate(MEWZ_LM_BASE + 2 * MEWZ_PAGE_SIZE).present);

    /* Accessed and dirty bits set by the CPU do not block folding. */
    reset(8, 0);
    CHECK(mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE, MEWZ_PAGE_SIZE));
    pd = table(PDPT_PHYS)[4] & MEWZ_PTE_ADDR;
    pt = table(pd)[0] & MEWZ_PTE_ADDR;
    table(pt)[0] |= (1 << 5) | (1 << 6);
    CHECK(mewz_map_identity(PML4_PHYS, MEWZ_LM_BASE + MEWZ_PAGE_SIZE,
                            MEWZ_LARGE_PAGE_SIZE - MEWZ_PAGE_SIZE));
    CHECK_EQ(page_size_at(MEWZ_LM_BASE), MEWZ_LARGE_PAGE_SIZE);
}

static void test_classify(void)
{
    const uint64_t bottom = 0x800000, top_rsp = 0x900000;
    const struct {
        uint64_t vector, cr2, rsp, stack_bottom;
        uint32_t trap;
    } cases[] = {
        {14, MEWZ_LM_BASE, top_rsp, bottom, MEWZ_TRAP_MEMORY_OOB},
        {14, MEWZ_LM_BASE + MEWZ_LM_WINDOW - 1, top_rsp, bottom,
         MEWZ_TRAP_MEMORY_OOB},
        {14, MEWZ_LM_BASE + MEWZ_LM_WINDOW, top_rsp, bottom,
         MEWZ_TRAP_GUEST_FAULT},
        {14, MEWZ_LM_BASE - 1, top_rsp, bottom, MEWZ_TRAP_GUEST_FAULT},
        {14, bottom - 1, top_rsp, bottom, MEWZ_TRAP_CALL_STACK_EXHAUSTED},
        {14, bottom - MEWZ_PAGE_SIZE, top_rsp, bottom,
         MEWZ_TRAP_CALL_STACK_EXHAUSTED},
        {14, bottom - MEWZ_PAGE_SIZE - 1, top_rsp, bottom,
         MEWZ_TRAP_GUEST_FAULT},
        {14, bottom, top_rsp, bottom, MEWZ_TRAP_GUEST_FAULT},
        {14, 0, top_rsp, bottom, MEWZ_TRAP_GUEST_FAULT},
        /* A big frame skipped the guard page: RSP is below the stack. */
        {14, bottom - 0x20000, bottom - 0x10000, bottom,
         MEWZ_TRAP_CALL_STACK_EXHAUSTED},
        {14, 0x1000, bottom - MEWZ_STACK_OVERFLOW_SLACK - 8, bottom,
         MEWZ_TRAP_GUEST_FAULT},
        {8, 0, top_rsp, bottom, MEWZ_TRAP_CALL_STACK_EXHAUSTED},
        {13, MEWZ_LM_BASE, top_rsp, bottom, MEWZ_TRAP_GUEST_FAULT},
        {6, 0, top_rsp, bottom, MEWZ_TRAP_GUEST_FAULT},
        {0, 0, bottom - 8, bottom, MEWZ_TRAP_GUEST_FAULT},
        /* Before boot info: no stack bounds to go by. */
        {14, 0x10, 0x100, 0, MEWZ_TRAP_GUEST_FAULT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ(mewz_classify_exception(cases[i].vector, cases[i].cr2,
                                         cases[i].rsp, cases[i].stack_bottom),
                 cases[i].trap);
}

int main(void)
{
    fake_ram = aligned_alloc(MEWZ_PAGE_SIZE, FAKE_RAM_SIZE);
    if (fake_ram == NULL)
        return 1;
    mewz_phys_offset = (uintptr_t)fake_ram;

    test_page_pool();
    test_init_and_grow_small();
    test_large_pages_and_folding();
    test_lazy_backing();
    test_all_or_nothing();
    test_full_four_gib();
    test_init_failures();
    test_map_identity_rejects();
    test_classify();
    return check_report("host_paging");
}
