/*
 * segments.S: mewz_cpu_load_gdt(const struct mewz_descriptor_ptr *gdt,
 *                               uint16_t tss_selector)
 * Loads the GDT and the task register. CS and the data segments are not
 * reloaded: the monitor entered the guest with the same selectors and the
 * same descriptors (Guest/PVM.md §3, boot GDT), a descriptor-table load
 * leaves the loaded segments as they are, and in long mode their bases and
 * limits are not used. Each reload would be a trap to the hypervisor under
 * kvm-pvm (~30 us), six of them at every boot.
 */
    .text
    .globl mewz_cpu_load_gdt
    .type mewz_cpu_load_gdt, @function
mewz_cpu_load_gdt:
    lgdt (%rdi)
    ltr %si
    ret
    .size mewz_cpu_load_gdt, . - mewz_cpu_load_gdt

    .section .note.GNU-stack, "", @progbits
