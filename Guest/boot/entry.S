/*
 * entry.S: the ELF entry. The monitor has already set up long mode, paging,
 * a boot GDT, RSP = stack_top (16-byte aligned) and RDI = boot info, so all
 * that is left is to call C with RDI untouched.
 */
    .section .text.mewz_entry, "ax", @progbits
    .globl mewz_entry
    .type mewz_entry, @function
mewz_entry:
    cld
    xorl %ebp, %ebp         /* end of the frame-pointer chain */
    andq $-16, %rsp         /* the call below leaves RSP = 8 mod 16 */
    call mewz_main          /* (struct mewz_boot_info *) in RDI */
1:  cli
    hlt
    jmp 1b
    .size mewz_entry, . - mewz_entry

    .section .note.GNU-stack, "", @progbits
