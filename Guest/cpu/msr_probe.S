/*
 * msr_probe.S: bool mewz_cpu_wrmsr_probe(uint32_t msr, uint64_t value)
 * A WRMSR that may raise #GP (an MSR the hypervisor does not have). The #GP
 * stub in vectors.S recognises the faulting RIP and resumes at the fault
 * label instead of ending the VM, so the caller gets false.
 */
    .text
    .globl mewz_cpu_wrmsr_probe
    .type mewz_cpu_wrmsr_probe, @function
mewz_cpu_wrmsr_probe:
    movl %edi, %ecx
    movl %esi, %eax
    movq %rsi, %rdx
    shrq $32, %rdx
    .globl mewz_cpu_wrmsr_probe_insn
mewz_cpu_wrmsr_probe_insn:
    wrmsr
    movl $1, %eax
    ret
    .globl mewz_cpu_wrmsr_probe_fault
mewz_cpu_wrmsr_probe_fault:
    xorl %eax, %eax
    ret
    .size mewz_cpu_wrmsr_probe, . - mewz_cpu_wrmsr_probe

    .section .note.GNU-stack, "", @progbits
