/* registers.c: the few privileged or special instructions C needs. */
#include "kernel.h"

uint64_t mewz_read_cr2(void)
{
    uint64_t value;
    __asm__ volatile("movq %%cr2, %0" : "=r"(value));
    return value;
}

void mewz_invlpg(uint64_t virt)
{
    __asm__ volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

uint64_t mewz_rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

bool mewz_rdrand64(uint64_t *out)
{
    uint8_t ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
    return ok != 0;
}

bool mewz_rdseed64(uint64_t *out)
{
    uint8_t ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
    return ok != 0;
}

_Noreturn void mewz_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
