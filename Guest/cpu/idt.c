/*
 * idt.c: interrupt gates for the 32 CPU exception vectors. #PF and #DF run
 * on their own IST stack (they are what a stack overflow raises), the rest
 * on another, so no exception ever runs on the faulting stack. The gates go
 * into the monitor's IDT, which IDTR already holds (abi.h), when it provides
 * one, else into the guest's own, loaded with LIDT.
 */
#include "kernel.h"

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

#define GATE_INTERRUPT_PRESENT 0x8e /* P, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[MEWZ_EXCEPTION_VECTORS] __attribute__((aligned(16)));

static uint8_t ist_for_vector(unsigned vector)
{
    if (vector == MEWZ_VECTOR_PF || vector == MEWZ_VECTOR_DF)
        return MEWZ_IST_FAULT;
    return MEWZ_IST_OTHER;
}

static struct idt_gate gate(unsigned vector, uint8_t ist)
{
    uint64_t handler = mewz_exception_stubs[vector];
    return (struct idt_gate){
        .offset_low = (uint16_t)handler,
        .selector = MEWZ_SEL_CODE,
        .ist = ist,
        .type_attr = GATE_INTERRUPT_PRESENT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_high = (uint32_t)(handler >> 32),
    };
}

static void load(const struct idt_gate *table, size_t bytes)
{
    struct mewz_descriptor_ptr ptr = {
        .limit = (uint16_t)(bytes - 1),
        .base = (uint64_t)(uintptr_t)table,
    };
    __asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

/* The probe IDT replaced whatever IDTR held at entry. */
static bool probe_loaded;

void mewz_idt_init_probe(void)
{
    probe_loaded = true;
    /* Selector 0x08 is code64 in the monitor's boot GDT too (abi.h). */
    static struct idt_gate probe_idt[MEWZ_VECTOR_GP + 1]
        __attribute__((aligned(16)));
    probe_idt[MEWZ_VECTOR_GP] = gate(MEWZ_VECTOR_GP, 0);
    load(probe_idt, sizeof probe_idt);
}

void mewz_idt_init(void)
{
    if (mewz_monitor_cpu_tables()) {
        struct idt_gate *table = (struct idt_gate *)(uintptr_t)MEWZ_IDT_ADDR;
        for (unsigned v = 0; v < MEWZ_EXCEPTION_VECTORS; v++)
            table[v] = gate(v, ist_for_vector(v));
        if (probe_loaded)
            load(table, sizeof idt);
        return;
    }
    for (unsigned v = 0; v < MEWZ_EXCEPTION_VECTORS; v++)
        idt[v] = gate(v, ist_for_vector(v));
    load(idt, sizeof idt);
}
