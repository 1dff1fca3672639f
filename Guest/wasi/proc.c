/*
 * proc.c: proc_exit, proc_raise, sched_yield (one vCPU, nothing to yield
 * to).
 *
 * proc_raise does what raise() does to a process whose signals all have
 * their default action: a signal whose default is to ignore it (CHLD,
 * CONT, URG, WINCH) and signal 0 change nothing; one whose default is to
 * terminate ends the VM with status 128 + its Linux number, the status a
 * shell reports for a process killed by it (the monitor exits with it; it
 * does not re-raise the signal on itself). Stopping (STOP, TSTP, TTIN,
 * TTOU) would need the monitor to pause the VM: ENOTSUP.
 */
#include "kernel.h"

_Noreturn void mewz_wasi_proc_exit(uint32_t code)
{
    mewz_hc_exit(code, MEWZ_TRAP_NONE, 0, 0, 0);
}

uint32_t mewz_wasi_sched_yield(void)
{
    return MEWZ_WASI_ESUCCESS;
}

enum action { TERMINATE, IGNORE, STOP };

/* witx signal n (a u8 enum, 0 = none) -> Linux number and default action. */
static const struct {
    uint8_t linux_number;
    uint8_t action;
} signals[MEWZ_WASI_SIGNAL_SYS + 1] = {
    [0] = {0, IGNORE},       /* none */
    [1] = {1, TERMINATE},    /* hup */
    [2] = {2, TERMINATE},    /* int */
    [3] = {3, TERMINATE},    /* quit */
    [4] = {4, TERMINATE},    /* ill */
    [5] = {5, TERMINATE},    /* trap */
    [6] = {6, TERMINATE},    /* abrt */
    [7] = {7, TERMINATE},    /* bus */
    [8] = {8, TERMINATE},    /* fpe */
    [9] = {9, TERMINATE},    /* kill */
    [10] = {10, TERMINATE},  /* usr1 */
    [11] = {11, TERMINATE},  /* segv */
    [12] = {12, TERMINATE},  /* usr2 */
    [13] = {13, TERMINATE},  /* pipe */
    [14] = {14, TERMINATE},  /* alrm */
    [15] = {15, TERMINATE},  /* term */
    [16] = {17, IGNORE},     /* chld */
    [17] = {18, IGNORE},     /* cont */
    [18] = {19, STOP},       /* stop */
    [19] = {20, STOP},       /* tstp */
    [20] = {21, STOP},       /* ttin */
    [21] = {22, STOP},       /* ttou */
    [22] = {23, IGNORE},     /* urg */
    [23] = {24, TERMINATE},  /* xcpu */
    [24] = {25, TERMINATE},  /* xfsz */
    [25] = {26, TERMINATE},  /* vtalrm */
    [26] = {27, TERMINATE},  /* prof */
    [27] = {28, IGNORE},     /* winch */
    [28] = {29, TERMINATE},  /* poll (SIGIO) */
    [29] = {30, TERMINATE},  /* pwr */
    [30] = {31, TERMINATE},  /* sys */
};

uint32_t mewz_wasi_proc_raise(uint32_t signal)
{
    if (signal > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (signal > MEWZ_WASI_SIGNAL_SYS)
        return MEWZ_WASI_EINVAL;
    switch (signals[signal].action) {
    case IGNORE:
        return MEWZ_WASI_ESUCCESS;
    case STOP:
        return MEWZ_WASI_ENOTSUP;
    default:
        mewz_hc_exit(128 + signals[signal].linux_number, MEWZ_TRAP_NONE, 0, 0,
                     0);
    }
}
