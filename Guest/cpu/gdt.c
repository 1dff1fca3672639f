/*
 * gdt.c: the TSS whose interrupt stack table gives exceptions a stack of
 * their own, so a fault raised by an exhausted stack is still handled. The
 * monitor's TSS (abi.h: TR already holds it) when its boot GDT describes one,
 * else the guest's own GDT (null, code64, data, 64-bit TSS) and TSS, loaded.
 */
#include "kernel.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

#define IST_STACK_SIZE (4 * 4096)

static uint8_t ist_fault_stack[IST_STACK_SIZE] MEWZ_ALIGN_PAGE MEWZ_BULK(ist_fault_stack);
static uint8_t ist_other_stack[IST_STACK_SIZE] MEWZ_ALIGN_PAGE MEWZ_BULK(ist_other_stack);
static struct tss64 tss __attribute__((aligned(16)));

/* The accessed bits are preset so loading a selector never writes here. */
#define GDT_CODE64 0x00af9b000000ffffULL /* P, DPL 0, L, exec/read */
#define GDT_DATA 0x00cf93000000ffffULL   /* P, DPL 0, read/write */
#define GDT_ENTRIES 5                    /* the TSS takes two slots */
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));

/* A 16-byte system descriptor for an available 64-bit TSS (type 9). */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
    slot[0] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
              (0x89ULL << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
              (((base >> 24) & 0xffULL) << 56);
    slot[1] = base >> 32;
}

static void set_ist_stacks(struct tss64 *t)
{
    t->ist[MEWZ_IST_FAULT - 1] =
        (uint64_t)(uintptr_t)(ist_fault_stack + IST_STACK_SIZE);
    t->ist[MEWZ_IST_OTHER - 1] =
        (uint64_t)(uintptr_t)(ist_other_stack + IST_STACK_SIZE);
    /* No I/O permission bitmap: the base points past the segment. */
    t->iomap_base = sizeof *t;
}

void mewz_gdt_init(void)
{
    if (mewz_monitor_cpu_tables()) {
        /* Plain stores: no LGDT or LTR to emulate. */
        set_ist_stacks((struct tss64 *)(uintptr_t)MEWZ_TSS_ADDR);
        return;
    }
    set_ist_stacks(&tss);

    gdt[0] = 0;
    gdt[MEWZ_SEL_CODE / 8] = GDT_CODE64;
    gdt[MEWZ_SEL_DATA / 8] = GDT_DATA;
    set_tss_descriptor(&gdt[MEWZ_SEL_TSS / 8], (uint64_t)(uintptr_t)&tss,
                       sizeof tss - 1);

    struct mewz_descriptor_ptr ptr = {
        .limit = sizeof gdt - 1,
        .base = (uint64_t)(uintptr_t)gdt,
    };
    mewz_cpu_load_gdt(&ptr, MEWZ_SEL_TSS);
}
