/*
 * fs.c: MEWZ_HC_FS, the filesystem hypercall of host volumes (abi.h). The
 * argument struct is copied into static storage (guest RAM below 4 GiB,
 * naturally aligned) for the `outl`, and the monitor's answer copied back.
 */
#include "kernel.h"

static struct mewz_hc_fs hc_fs_args;

uint32_t mewz_hc_fs(struct mewz_hc_fs *call)
{
    hc_fs_args = *call;
    /* Files never wait (fifos and devices are refused at open). */
    if (mewz_ring_call(MEWZ_HC_FS, &hc_fs_args)) {
        *call = hc_fs_args;
        return call->error;
    }
    uint16_t port = (uint16_t)(MEWZ_HC_PORT_BASE + MEWZ_HC_FS);
    uint32_t addr = (uint32_t)(uintptr_t)&hc_fs_args;
    __asm__ volatile("outl %0, %1" : : "a"(addr), "Nd"(port) : "memory");
    *call = hc_fs_args;
    return call->error;
}
