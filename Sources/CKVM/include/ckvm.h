/*
 * Fixed-arity wrappers over the variadic ioctl for KVM, the ioctl request
 * numbers as constants (Swift cannot import the _IO* macros), and accessors
 * for the parts of struct kvm_run that sit in anonymous unions.
 */
#ifndef CKVM_H
#define CKVM_H

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

/* ---- ioctl request numbers ------------------------------------------- */

/* On /dev/kvm. */
static const unsigned long CKVM_GET_API_VERSION = KVM_GET_API_VERSION;
static const unsigned long CKVM_CREATE_VM = KVM_CREATE_VM;
static const unsigned long CKVM_CHECK_EXTENSION = KVM_CHECK_EXTENSION;
static const unsigned long CKVM_GET_VCPU_MMAP_SIZE = KVM_GET_VCPU_MMAP_SIZE;
static const unsigned long CKVM_GET_SUPPORTED_CPUID = KVM_GET_SUPPORTED_CPUID;

/* On a VM fd. */
static const unsigned long CKVM_SET_USER_MEMORY_REGION =
    KVM_SET_USER_MEMORY_REGION;
static const unsigned long CKVM_CREATE_VCPU = KVM_CREATE_VCPU;

/* On a vCPU fd. */
static const unsigned long CKVM_RUN = KVM_RUN;
static const unsigned long CKVM_GET_REGS = KVM_GET_REGS;
static const unsigned long CKVM_SET_REGS = KVM_SET_REGS;
static const unsigned long CKVM_GET_SREGS = KVM_GET_SREGS;
static const unsigned long CKVM_SET_SREGS = KVM_SET_SREGS;
static const unsigned long CKVM_SET_FPU = KVM_SET_FPU;
static const unsigned long CKVM_SET_CPUID2 = KVM_SET_CPUID2;
static const unsigned long CKVM_GET_TSC_KHZ = KVM_GET_TSC_KHZ;
static const unsigned long CKVM_SET_XCRS = KVM_SET_XCRS;
static const unsigned long CKVM_SET_MSRS = KVM_SET_MSRS;

/* ---- ioctl with a fixed arity ---------------------------------------- */

/* Returns the ioctl's result; -1 with errno set on failure. */
static inline int ckvm_ioctl_int(int fd, unsigned long request,
                                 unsigned long arg)
{
    return ioctl(fd, request, arg);
}

static inline int ckvm_ioctl_ptr(int fd, unsigned long request, void *arg)
{
    return ioctl(fd, request, arg);
}

/* KVM_SET_MSRS of one MSR (struct kvm_msrs ends in a flexible array). Returns how many
 * MSRs KVM set (1, or 0 when it refused the value); -1 with errno on failure. */
static inline int ckvm_set_msr(int vcpu_fd, uint32_t index, uint64_t value)
{
    uint64_t storage[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) / 8] = {0};
    struct kvm_msrs *msrs = (struct kvm_msrs *)storage;
    msrs->nmsrs = 1;
    msrs->entries[0].index = index;
    msrs->entries[0].data = value;
    return ioctl(vcpu_fd, KVM_SET_MSRS, msrs);
}

/* ---- struct kvm_run ---------------------------------------------------- */

/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): the vCPU's local APIC emulated in the kernel, no
 * PIC or IOAPIC. Returns the ioctl's result; -1 with errno on failure. */
static inline int ckvm_enable_split_irqchip(int vm_fd)
{
    struct kvm_enable_cap cap = {0};
    cap.cap = KVM_CAP_SPLIT_IRQCHIP;
    cap.args[0] = 0; /* no IOAPIC routes reserved */
    return ioctl(vm_fd, KVM_ENABLE_CAP, &cap);
}

static inline uint32_t ckvm_run_exit_reason(const struct kvm_run *run)
{
    return run->exit_reason;
}

static inline void ckvm_run_set_immediate_exit(struct kvm_run *run,
                                               uint8_t value)
{
    run->immediate_exit = value;
}

/* KVM_EXIT_IO: the data lives at run + data_offset, size * count bytes. */
static inline uint8_t ckvm_run_io_direction(const struct kvm_run *run)
{
    return run->io.direction;
}
static inline uint8_t ckvm_run_io_size(const struct kvm_run *run)
{
    return run->io.size;
}
static inline uint16_t ckvm_run_io_port(const struct kvm_run *run)
{
    return run->io.port;
}
static inline uint32_t ckvm_run_io_count(const struct kvm_run *run)
{
    return run->io.count;
}
static inline uint64_t ckvm_run_io_data_offset(const struct kvm_run *run)
{
    return run->io.data_offset;
}

/* KVM_EXIT_MMIO */
static inline uint64_t ckvm_run_mmio_phys_addr(const struct kvm_run *run)
{
    return run->mmio.phys_addr;
}
static inline uint32_t ckvm_run_mmio_len(const struct kvm_run *run)
{
    return run->mmio.len;
}
static inline uint8_t ckvm_run_mmio_is_write(const struct kvm_run *run)
{
    return run->mmio.is_write;
}

/* KVM_EXIT_FAIL_ENTRY */
static inline uint64_t ckvm_run_fail_entry_reason(const struct kvm_run *run)
{
    return run->fail_entry.hardware_entry_failure_reason;
}

/* KVM_EXIT_INTERNAL_ERROR */
static inline uint32_t ckvm_run_internal_suberror(const struct kvm_run *run)
{
    return run->internal.suberror;
}

/* ---- struct kvm_cpuid2 (flexible array member) ------------------------ */

/* Allocates a zeroed kvm_cpuid2 with room for `capacity` entries and nent
 * set to it; NULL when out of memory. Free with free(). */
static inline struct kvm_cpuid2 *ckvm_cpuid2_allocate(uint32_t capacity)
{
    struct kvm_cpuid2 *cpuid =
        calloc(1, sizeof(struct kvm_cpuid2) +
                      (size_t)capacity * sizeof(struct kvm_cpuid_entry2));
    if (cpuid != NULL)
        cpuid->nent = capacity;
    return cpuid;
}

static inline uint32_t ckvm_cpuid2_count(const struct kvm_cpuid2 *cpuid)
{
    return cpuid->nent;
}

/* The caller keeps index < count. */
static inline struct kvm_cpuid_entry2 *
ckvm_cpuid2_entry(struct kvm_cpuid2 *cpuid, uint32_t index)
{
    return &cpuid->entries[index];
}

static inline void ckvm_cpuid2_free(struct kvm_cpuid2 *cpuid)
{
    free(cpuid);
}

#endif /* CKVM_H */
