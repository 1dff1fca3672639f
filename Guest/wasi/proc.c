/* proc.c: proc_exit and sched_yield (one vCPU, nothing to yield to). */
#include "kernel.h"

_Noreturn void mewz_wasi_proc_exit(uint32_t code)
{
    mewz_hc_exit(code, MEWZ_TRAP_NONE, 0, 0, 0);
}

uint32_t mewz_wasi_sched_yield(void)
{
    return MEWZ_WASI_ESUCCESS;
}
