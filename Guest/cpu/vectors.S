/*
 * vectors.S: one entry stub per CPU exception vector (0-31). Each makes the
 * stack look the same (error code, pushed as 0 where the CPU pushes none,
 * then the vector number) and calls mewz_exception(frame). Every exception
 * ends the VM, so no register is saved and nothing returns -- except a #GP
 * raised by mewz_cpu_wrmsr_probe's WRMSR, which resumes at its fault label.
 */
    .text

    .macro STUB vector, cpu_pushes_error
    .p2align 4
mewz_exception_stub_\vector:
    .if \cpu_pushes_error == 0
    pushq $0
    .endif
    pushq $\vector
    jmp mewz_exception_common
    .endm

    STUB 0, 0
    STUB 1, 0
    STUB 2, 0
    STUB 3, 0
    STUB 4, 0
    STUB 5, 0
    STUB 6, 0
    STUB 7, 0
    STUB 8, 1
    STUB 9, 0
    STUB 10, 1
    STUB 11, 1
    STUB 12, 1

    /* #GP: the CPU pushed the error code; RIP is above it. */
    .p2align 4
mewz_exception_stub_13:
    pushq %rax
    leaq mewz_cpu_wrmsr_probe_insn(%rip), %rax
    cmpq %rax, 16(%rsp)
    jne 1f
    leaq mewz_cpu_wrmsr_probe_fault(%rip), %rax
    movq %rax, 16(%rsp)
    popq %rax
    addq $8, %rsp               /* the error code */
    iretq
1:  popq %rax
    pushq $13
    jmp mewz_exception_common

    STUB 14, 1
    STUB 15, 0
    STUB 16, 0
    STUB 17, 1
    STUB 18, 0
    STUB 19, 0
    STUB 20, 0
    STUB 21, 1
    STUB 22, 0
    STUB 23, 0
    STUB 24, 0
    STUB 25, 0
    STUB 26, 0
    STUB 27, 0
    STUB 28, 0
    STUB 29, 1
    STUB 30, 1
    STUB 31, 0

    .p2align 4
    .type mewz_exception_common, @function
mewz_exception_common:
    cld
    movq %rsp, %rdi             /* struct mewz_exception_frame * */
    andq $-16, %rsp             /* ABI alignment for the call */
    call mewz_exception
1:  cli
    hlt
    jmp 1b
    .size mewz_exception_common, . - mewz_exception_common

    .section .rodata
    .p2align 3
    .globl mewz_exception_stubs
    .type mewz_exception_stubs, @object
mewz_exception_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad mewz_exception_stub_\v
    .endr
    .size mewz_exception_stubs, . - mewz_exception_stubs

    .section .note.GNU-stack, "", @progbits
