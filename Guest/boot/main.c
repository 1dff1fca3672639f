/* main.c: boot sequence, from the entry stub to the module's _start. */
#include "kernel.h"

const struct mewz_boot_info *mewz_boot;

_Noreturn void mewz_main(const struct mewz_boot_info *boot)
{
    /* First, so the clocks count from as close to the monitor's boot
     * timestamps as possible. */
    uint64_t tsc_at_entry = mewz_rdtsc();

    /* Next, because until it runs kvm-pvm emulates every instruction
     * (about 1 us each), unless the monitor registered the page for us. */
    mewz_pvm_init();

    mewz_boot = boot;
    if (boot->magic != MEWZ_BOOT_MAGIC ||
        boot->abi_version != MEWZ_ABI_VERSION)
        mewz_fatal("boot info has the wrong magic or ABI version");

    mewz_gdt_init();
    mewz_idt_init();
    mewz_clock_init(tsc_at_entry);
    mewz_pages_init(boot->free_start, boot->free_end);
    mewz_rofs_mount((const void *)(uintptr_t)MEWZ_ROFS_BASE, boot->rofs_size);
    mewz_fd_init();

    mewz_module_init();
    mewz_module_main();
    /* A WASI command that returns from _start exits with status 0. */
    mewz_wasi_proc_exit(0);
}
