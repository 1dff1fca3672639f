/* exception.c: the C half of every exception stub; ends the VM. */
#include "kernel.h"

_Noreturn void mewz_exception(const struct mewz_exception_frame *frame)
{
    uint64_t cr2 = mewz_read_cr2();
    uint64_t stack_bottom = mewz_boot ? mewz_boot->stack_bottom : 0;
    uint32_t trap = mewz_classify_exception(frame->vector, cr2, frame->rsp,
                                            stack_bottom);
    if (trap != MEWZ_TRAP_GUEST_FAULT)
        mewz_trap(trap);
    uint64_t detail = (frame->vector << 32) | (frame->error & 0xffffffffULL);
    mewz_hc_exit(MEWZ_TRAP_EXIT_STATUS, MEWZ_TRAP_GUEST_FAULT, detail,
                 frame->rip, cr2);
}
