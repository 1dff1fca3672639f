/*
 * pvm.c: native execution under kvm-pvm (the Pagetable-based Virtual
 * Machine hypervisor, used where the host has no VMX/SVM).
 *
 * kvm-pvm runs a guest at hardware CPL3 and emulates its privileged
 * instructions and its IDT event delivery, so this kernel runs there
 * unchanged. But a CPL0 guest that has not told kvm-pvm where its
 * paravirtual interrupt flag lives is run instruction by instruction in
 * the hypervisor's emulator (about 1 us each, and no SSE at all). Writing
 * that page's address to MEWZ_PVM_MSR_VIF lets every later VM entry run the
 * guest natively. Elsewhere (VMX/SVM KVM) the MSR does not exist: the WRMSR
 * raises #GP, which the probe turns into false, and nothing changes.
 *
 * The monitor can register a page of its own before the first instruction
 * (KVM_SET_MSRS; Guest/PVM.md section 3). The guest then starts natively,
 * which it sees as RPL 3 in its hardware CS, and skips the probe: the 51
 * emulated instructions before it, its IDT load and its WRMSR exit.
 */
#include "kernel.h"

/*
 * kvm-pvm's view of the page: the virtual interrupt flag, a flag it sets
 * when an interrupt waits for that flag, and a CR2 cell it fills only when
 * asked to by a flag bit we do not set. Zero (interrupts disabled) is what
 * this kernel wants forever: it never takes an interrupt.
 */
struct pvm_vif {
    uint8_t interrupts_enabled;
    uint8_t interrupt_pending;
    uint8_t reserved[6];
    uint64_t cr2;
};

/* The MSR value is the page's physical address; its low 12 bits are flags,
 * all 0 here. Identity mapping: the address is physical. */
static union {
    struct pvm_vif vif;
    uint8_t page[MEWZ_PAGE_SIZE];
} vif_page MEWZ_ALIGN_PAGE MEWZ_BULK(vif_page);

bool mewz_pvm_native;
bool mewz_pvm_registered_by_host;

/* Emulated (or on VMX/SVM) the guest reads the selector it was given (RPL 0);
 * natively under kvm-pvm it reads the hardware's user selector. */
static bool runs_at_hardware_cpl3(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return (cs & 3) == 3;
}

void mewz_pvm_init(void)
{
    if (runs_at_hardware_cpl3()) {
        mewz_pvm_native = true;
        mewz_pvm_registered_by_host = true;
        return;
    }
    mewz_idt_init_probe();
    mewz_pvm_native = mewz_cpu_wrmsr_probe(
        MEWZ_PVM_MSR_VIF, (uint64_t)(uintptr_t)&vif_page);
}
