/*
 * segments.S: mewz_cpu_load_gdt(const struct mewz_descriptor_ptr *gdt,
 *                               uint16_t tss_selector)
 * Loads the GDT, reloads CS with a far return (the only way to change it in
 * long mode), reloads the data segments and loads the task register.
 */
    .text
    .globl mewz_cpu_load_gdt
    .type mewz_cpu_load_gdt, @function
mewz_cpu_load_gdt:
    lgdt (%rdi)
    pushq $0x08                 /* MEWZ_SEL_CODE */
    leaq 1f(%rip), %rax
    pushq %rax
    lretq
1:  movl $0x10, %eax            /* MEWZ_SEL_DATA */
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    ltr %si
    ret
    .size mewz_cpu_load_gdt, . - mewz_cpu_load_gdt

    .section .note.GNU-stack, "", @progbits
