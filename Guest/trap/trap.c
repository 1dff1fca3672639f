/*
 * trap.c: mewz_trap, called by generated code, possibly with the stack
 * nearly exhausted: no locals beyond the hypercall's static struct.
 */
#include "kernel.h"

_Noreturn void mewz_trap(uint32_t reason)
{
    /* A reason outside the enum is a bug in the caller, not a clean exit. */
    if (reason == MEWZ_TRAP_NONE || reason >= MEWZ_TRAP_COUNT)
        reason = MEWZ_TRAP_GUEST_FAULT;
    mewz_hc_exit(MEWZ_TRAP_EXIT_STATUS, reason, 0, 0, 0);
}
