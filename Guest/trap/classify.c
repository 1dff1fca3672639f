/*
 * classify.c: which Wasm trap a CPU exception stands for. Linear memory is
 * mapped only up to its current size inside a window no other mapping
 * shares, so a #PF there is an out-of-bounds access; the page below the
 * stack is a guard, so a #PF there (or a #DF) is stack exhaustion.
 */
#include "kernel.h"

uint32_t mewz_classify_exception(uint64_t vector, uint64_t cr2, uint64_t rsp,
                                 uint64_t stack_bottom)
{
    if (vector == MEWZ_VECTOR_DF)
        return MEWZ_TRAP_CALL_STACK_EXHAUSTED;
    if (vector != MEWZ_VECTOR_PF)
        return MEWZ_TRAP_GUEST_FAULT;

    if (cr2 >= MEWZ_LM_BASE && cr2 - MEWZ_LM_BASE < MEWZ_LM_WINDOW)
        return MEWZ_TRAP_MEMORY_OOB;
    if (stack_bottom >= MEWZ_PAGE_SIZE && cr2 < stack_bottom &&
        cr2 >= stack_bottom - MEWZ_PAGE_SIZE)
        return MEWZ_TRAP_CALL_STACK_EXHAUSTED;
    /* A frame larger than the guard page jumps past it: the stack pointer
     * itself below the stack is still an overflow. */
    if (rsp < stack_bottom && stack_bottom - rsp <= MEWZ_STACK_OVERFLOW_SLACK)
        return MEWZ_TRAP_CALL_STACK_EXHAUSTED;
    return MEWZ_TRAP_GUEST_FAULT;
}
