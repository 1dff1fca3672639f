/*
 * kernel.h: the guest's internal interfaces, grouped by the file that
 * implements them (Solo5 bindings.h style). The contracts with the outside
 * are mewz/abi.h (monitor), mewz/wasm_rt.h (generated code) and
 * mewz/wasi.h (WASI imports); everything here is private to Guest/.
 */
#ifndef MEWZ_KERNEL_H
#define MEWZ_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mewz/abi.h"
#include "mewz/wasi.h"
#include "mewz/wasm_rt.h"

#define MEWZ_ALIGN_PAGE __attribute__((aligned(4096)))

/* boot/main.c */
/* The boot info the monitor handed over (RDI at entry). */
extern const struct mewz_boot_info *mewz_boot;
_Noreturn void mewz_main(const struct mewz_boot_info *boot);

/* cpu/gdt.c: own GDT with a 64-bit TSS whose IST stacks take exceptions. */
#define MEWZ_SEL_CODE 0x08
#define MEWZ_SEL_DATA 0x10
#define MEWZ_SEL_TSS 0x18
#define MEWZ_IST_FAULT 1 /* #PF and #DF: the stack may be exhausted */
#define MEWZ_IST_OTHER 2 /* every other exception */
void mewz_gdt_init(void);

/* cpu/segments.S: lgdt, far return to reload CS, reload data segments, ltr */
struct mewz_descriptor_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));
void mewz_cpu_load_gdt(const struct mewz_descriptor_ptr *gdt, uint16_t tss);

/* cpu/idt.c: gates for vectors 0-31, each on an IST stack. */
#define MEWZ_EXCEPTION_VECTORS 32
void mewz_idt_init(void);
/* Before the GDT and TSS: an IDT with only the #GP gate, on the current
 * stack, which is all mewz_cpu_wrmsr_probe needs. */
void mewz_idt_init_probe(void);

/* cpu/vectors.S: one stub per vector; they call mewz_exception. */
extern const uint64_t mewz_exception_stubs[MEWZ_EXCEPTION_VECTORS];

/* cpu/msr_probe.S: WRMSR that returns false instead of faulting on an MSR
 * the hypervisor does not implement (see the #GP stub in vectors.S). */
bool mewz_cpu_wrmsr_probe(uint32_t msr, uint64_t value);

/* cpu/pvm.c: under kvm-pvm, register the paravirtual interrupt-flag page so
 * the hypervisor runs the guest natively instead of emulating it. Needs an
 * IDT with the #GP gate (the probe faults on other hypervisors). */
#define MEWZ_PVM_MSR_VIF 0x4b564d10U
/* True when kvm-pvm accepted the page (the guest now runs natively). */
extern bool mewz_pvm_native;
void mewz_pvm_init(void);

/* cpu/registers.c */
uint64_t mewz_read_cr2(void);
uint64_t mewz_read_cr3(void);
void mewz_invlpg(uint64_t virt);
uint64_t mewz_rdtsc(void);
/* RDRAND / RDSEED once: true and *out set when the CPU had entropy. */
bool mewz_rdrand64(uint64_t *out);
bool mewz_rdseed64(uint64_t *out);
_Noreturn void mewz_halt(void);

/* hc/hypercall.c: one `outl` per call with a static argument struct. Each
 * returns the monitor's WASI errno. The iovec arrays must be in guest RAM
 * (static storage), the buffers they describe may be in linear memory. */
uint32_t mewz_hc_write(uint32_t fd, const struct mewz_hc_iovec *iov,
                       uint32_t iovcnt, uint64_t *written);
uint32_t mewz_hc_read(uint32_t fd, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint64_t *nread);
uint32_t mewz_hc_random(uint64_t addr, uint64_t len);
/* Backs at least `wanted` bytes of the linear-memory window; *backed gets
 * the backed size. Returns a WASI errno. */
uint32_t mewz_hc_memory(uint64_t wanted, uint64_t *backed);
/* Waits until a handle in fds[0..nfds) is ready or timeout_ns passes
 * (MEWZ_HC_TIMEOUT_NONE: no timeout); the monitor fills every revents and
 * nbytes and *ready. fds must be in guest RAM. Returns a WASI errno. */
uint32_t mewz_hc_poll(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                      uint64_t timeout_ns, uint32_t *ready);
_Noreturn void mewz_hc_exit(uint32_t status, uint32_t trap, uint64_t detail,
                            uint64_t rip, uint64_t addr);

/* trap/classify.c: which trap an exception is (pure, host tested). */
struct mewz_exception_frame {
    uint64_t vector; /* pushed by the stub */
    uint64_t error;  /* pushed by the CPU, or 0 by the stub */
    uint64_t rip;    /* the rest is the CPU's interrupt frame */
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};
#define MEWZ_VECTOR_DF 8
#define MEWZ_VECTOR_GP 13
#define MEWZ_VECTOR_PF 14
/* How far below the stack bottom a faulting RSP still counts as a stack
 * overflow (a frame bigger than the guard page skips over it). */
#define MEWZ_STACK_OVERFLOW_SLACK 0x100000ULL
uint32_t mewz_classify_exception(uint64_t vector, uint64_t cr2, uint64_t rsp,
                                 uint64_t stack_bottom);

/* trap/exception.c: called by the stubs on an IST stack; never returns. */
_Noreturn void mewz_exception(const struct mewz_exception_frame *frame);

/* trap/fatal.c: "mewz: <message>" on stderr, then exit as a guest fault. */
_Noreturn void mewz_fatal(const char *message);

/* mm/pages.c: page pool over boot_info [free_start, free_end); a bump
 * pointer plus a free list. Addresses are physical; mewz_phys_ptr turns
 * one into a pointer (identity in the guest, an offset in host tests). */
extern uintptr_t mewz_phys_offset;
static inline void *mewz_phys_ptr(uint64_t phys)
{
    return (void *)(uintptr_t)(phys + mewz_phys_offset);
}
static inline uint64_t mewz_virt_to_phys(const void *pointer)
{
    return (uint64_t)(uintptr_t)pointer - mewz_phys_offset;
}
void mewz_pages_init(uint64_t start, uint64_t end);
uint64_t mewz_pages_available(void);
/* A zeroed page, or 0 when the pool is empty. */
uint64_t mewz_page_alloc(void);
void mewz_page_free(uint64_t phys);

/* mm/paging.c: identity mappings in the 4-level tables at cr3. Every entry
 * it writes is present, writable and user (MEWZ_PTE_US); leaves are NX. */
#define MEWZ_PTE_P (1ULL << 0)
#define MEWZ_PTE_RW (1ULL << 1)
/* Set in every entry: kvm-pvm runs the guest at hardware CPL3 and cannot
 * run it natively on supervisor-only mappings (see cpu/pvm.c). CPL0 on
 * VMX ignores it (the guest never sets CR4.SMEP/SMAP). */
#define MEWZ_PTE_US (1ULL << 2)
#define MEWZ_PTE_PS (1ULL << 7)
#define MEWZ_PTE_NX (1ULL << 63)
#define MEWZ_PTE_ADDR 0x000ffffffffff000ULL
/* Maps [virt, virt + len) to the same physical addresses, RW NX: 2 MiB
 * pages for whole aligned 2 MiB chunks, 4 KiB pages elsewhere; a page
 * table that becomes full is folded into a 2 MiB page. virt and len must
 * be 4 KiB aligned. All or nothing: returns false, with the tables
 * unchanged, when the pool lacks the pages the tables need, the range is
 * not canonical, or it meets a 1 GiB mapping. */
bool mewz_map_identity(uint64_t cr3, uint64_t virt, uint64_t len);

/* mm/memory.c: linear memory (mewz_memory_init/grow of wasm_rt.h). */
/* The most pages the memory may have (module maximum, slot, 4 GiB). */
uint32_t mewz_memory_limit_pages(void);

/* wasi/guest memory access: every pointer a module passes is a u32 offset
 * into linear memory and is checked against the current size. */
static inline bool mewz_guest_range_ok(uint32_t ptr, uint64_t len)
{
    /* u64: a u32 pointer plus a length below 2^36 cannot wrap. */
    return (uint64_t)ptr + len <=
           (uint64_t)mewz_memory_pages * MEWZ_WASM_PAGE_SIZE;
}
static inline uint8_t *mewz_guest_ptr(uint32_t ptr)
{
    return MEWZ_MEM + ptr;
}
void *memcpy(void *restrict dest, const void *restrict src, size_t n);
static inline uint32_t mewz_guest_load_u32(uint32_t ptr)
{
    uint32_t value;
    memcpy(&value, mewz_guest_ptr(ptr), sizeof value);
    return value;
}
static inline void mewz_guest_store_u32(uint32_t ptr, uint32_t value)
{
    memcpy(mewz_guest_ptr(ptr), &value, sizeof value);
}
static inline void mewz_guest_store_u64(uint32_t ptr, uint64_t value)
{
    memcpy(mewz_guest_ptr(ptr), &value, sizeof value);
}

/* wasi/iovec.c: wasm iovecs ({u32 buf, u32 len}, 8 bytes each) to
 * hypercall iovecs. */
#define MEWZ_WASM_IOVEC_SIZE 8
/* ESUCCESS when the array and every buffer it names lie inside linear
 * memory, EFAULT otherwise. */
uint32_t mewz_iovec_check(uint32_t iovs, uint32_t iovs_len);
/* Translates checked wasm iovecs from *next on into out[0..max), skipping
 * empty ones and stopping before the total would pass UINT32_MAX (a WASI
 * size). Advances *next past what it consumed; returns the count written
 * to out and the bytes they describe in *bytes. */
uint32_t mewz_iovec_translate(uint32_t iovs, uint32_t iovs_len, uint32_t *next,
                              struct mewz_hc_iovec *out, uint32_t max,
                              uint64_t *bytes);

/* wasi/strings.c: args and environ share one layout in the boot info. */
uint32_t mewz_strings_sizes_get(uint32_t count, uint64_t size,
                                uint32_t count_out, uint32_t size_out);
uint32_t mewz_strings_get(const char *strings, uint64_t size, uint32_t count,
                          uint32_t ptrs, uint32_t buf);

/* wasi/fd_table.c: stdio descriptors 0-2 until closed. */
bool mewz_fd_is_open(uint32_t fd);

/* wasi/clock.c */
void mewz_clock_init(uint64_t tsc_at_entry);
/* Nanoseconds since entry, from the TSC and boot_info tsc_khz. */
uint64_t mewz_clock_since_boot_ns(void);
/* TSC ticks spent in MEWZ_HC_READ and MEWZ_HC_POLL, which may wait in the
 * host; hc/hypercall.c adds them up. */
extern uint64_t mewz_clock_wait_ticks;
/* The guest's CPU time: mewz_clock_since_boot_ns() less the waits in the
 * host. */
uint64_t mewz_clock_cpu_ns(void);
/* What the realtime or monotonic clock read at entry (the monitor's boot
 * timestamps): a clock reads that plus mewz_clock_since_boot_ns(). */
uint64_t mewz_clock_at_boot_ns(uint32_t clock_id);

/* WASI values the guest uses beyond wasi.h's errnos. */
#define MEWZ_WASI_ENOTDIR 54
#define MEWZ_WASI_FILETYPE_CHARACTER_DEVICE 2
#define MEWZ_WASI_RIGHT_FD_READ (1ULL << 1)
#define MEWZ_WASI_RIGHT_FD_WRITE (1ULL << 6)
#define MEWZ_WASI_FDSTAT_SIZE 24
#define MEWZ_WASI_CLOCK_REALTIME 0
#define MEWZ_WASI_CLOCK_MONOTONIC 1
#define MEWZ_WASI_CLOCK_PROCESS_CPUTIME 2
#define MEWZ_WASI_CLOCK_THREAD_CPUTIME 3
#define MEWZ_WASI_WHENCE_END 2
/* random_get asks the monitor for at most this much per hypercall. */
#define MEWZ_HC_RANDOM_MAX 65536

/* lib/string.c: clang emits calls to the mem* functions itself. */
void *memset(void *dest, int c, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* MEWZ_KERNEL_H */
