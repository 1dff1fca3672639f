/*
 * kvm_run.c: a minimal KVM runner for the guest library's boot tests. It is
 * not the monitor: it implements just the boot contract the guest relies on
 * (long mode, identity paging without page 0 and with a stack guard page,
 * boot info, linear memory backed lazily in 2 MiB slots) and the five
 * hypercalls, so the entry stub, GDT/TSS/IDT, exception stubs, paging and
 * traps run on a real CPU. Unlike the monitor, it backs exactly what the
 * guest asks for (rounded to 2 MiB), so a test sees one slot per step.
 *
 * usage: kvm_run [--no-cpu-rng] [--bad-magic] [--report-slots]
 *                [-e KEY=VALUE]... ELF [ARG]...
 * --report-slots prints "kvm_run: N linear-memory slots" on stderr at exit.
 * Exits like the monitor: the guest's status, or 134 after
 * "wasm trap: <reason>"; 70 on a harness or VM failure.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "mewz/abi.h"
#include "mewz/trap_text.h"

#define RAM_SIZE (64ULL << 20)
#define LM_LIMIT_SIZE (64ULL << 20)
#define LM_INITIAL_SIZE (2ULL << 20)
#define ARGS_ADDR 0x3000ULL
#define ARGS_END 0x5000ULL
#define PML4 0x10000ULL
#define PDPT 0x11000ULL
#define PD 0x12000ULL
#define PT_LOW 0x13000ULL   /* [0, 2 MiB): page 0 absent */
#define PT_STACK 0x14000ULL /* [6, 8 MiB): the guard page absent */
#define STACK_BOTTOM (8ULL << 20)
#define STACK_TOP (9ULL << 20)
#define FREE_START (16ULL << 20)
#define FREE_END (32ULL << 20)
#define HARNESS_FAILURE 70

static uint8_t *ram, *lm;
static uint64_t lm_backed;
static unsigned lm_slots;
static bool report_slots;
static int vm_fd;

static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kvm_run: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(HARNESS_FAILURE);
}

static uint64_t *u64_at(uint64_t gpa)
{
    return (uint64_t *)(ram + gpa);
}

/* A host pointer for [gpa, gpa + len) in RAM or the linear-memory slot. */
static void *guest(uint64_t gpa, uint64_t len)
{
    if (gpa < RAM_SIZE && len <= RAM_SIZE - gpa)
        return ram + gpa;
    if (gpa >= MEWZ_LM_BASE && gpa - MEWZ_LM_BASE < lm_backed &&
        len <= lm_backed - (gpa - MEWZ_LM_BASE))
        return lm + (gpa - MEWZ_LM_BASE);
    return NULL;
}

static uint64_t load_elf(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s: %s", path, strerror(errno));
    uint8_t *file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (file == MAP_FAILED || (size_t)st.st_size < sizeof(Elf64_Ehdr))
        die("%s: cannot map", path);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_machine != EM_X86_64)
        die("%s: not an x86-64 ELF", path);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(file + eh->e_phoff + i * sizeof *ph);
        if (ph->p_type != PT_LOAD)
            continue;
        if (ph->p_paddr < MEWZ_IMAGE_ADDR || ph->p_memsz > STACK_BOTTOM - 0x1000 ||
            ph->p_paddr + ph->p_memsz > STACK_BOTTOM - 0x1000 ||
            ph->p_filesz > ph->p_memsz ||
            ph->p_offset + ph->p_filesz > (uint64_t)st.st_size)
            die("%s: segment %u does not fit the test layout", path, i);
        memcpy(ram + ph->p_paddr, file + ph->p_offset, ph->p_filesz);
    }
    uint64_t entry = eh->e_entry;
    munmap(file, (size_t)st.st_size);
    close(fd);
    return entry;
}

/* Every entry is present, writable and user: kvm-pvm cannot run a guest
 * natively on supervisor-only mappings (Guest/PVM.md). */
static void build_page_tables(void)
{
    const uint64_t rw = 7, large = 1ULL << 7;
    *u64_at(PML4) = PDPT | rw;
    *u64_at(PDPT) = PD | rw;
    for (uint64_t i = 0; i < RAM_SIZE / MEWZ_LARGE_PAGE_SIZE; i++)
        *u64_at(PD + 8 * i) = (i * MEWZ_LARGE_PAGE_SIZE) | rw | large;
    *u64_at(PD) = PT_LOW | rw;
    *u64_at(PD + 8 * 3) = PT_STACK | rw;
    for (uint64_t i = 1; i < 512; i++)
        *u64_at(PT_LOW + 8 * i) = (i * 0x1000) | rw;
    for (uint64_t i = 0; i < 511; i++)
        *u64_at(PT_STACK + 8 * i) = ((6ULL << 20) + i * 0x1000) | rw;
}

/* As the monitor does (abi.h): TR and IDTR hold the zeroed TSS and IDT in
 * the GDT's page, which the guest fills in place. --guest-tables: only the
 * three segment entries, as older monitors, and the guest loads its own. */
static bool monitor_tables = true;

static void build_gdt(void)
{
    *u64_at(MEWZ_GDT_ADDR) = 0;
    *u64_at(MEWZ_GDT_ADDR + 8) = 0x00af9b000000ffffULL;
    *u64_at(MEWZ_GDT_ADDR + 16) = 0x00cf93000000ffffULL;
    if (monitor_tables) /* present busy 64-bit TSS, limit 0x67 */
        *u64_at(MEWZ_GDT_ADDR + 24) =
            0x67 | (MEWZ_TSS_ADDR & 0xffffff) << 16 | 0x8bULL << 40;
}

/* Strings back to back from *at; returns how many bytes were used. */
static uint64_t put_strings(uint64_t *at, char **strings, int count)
{
    uint64_t start = *at;
    for (int i = 0; i < count; i++) {
        size_t n = strlen(strings[i]) + 1;
        if (*at + n > ARGS_END)
            die("arguments too long");
        memcpy(ram + *at, strings[i], n);
        *at += n;
    }
    return *at - start;
}

static uint64_t cpu_rng_features(void)
{
    unsigned a, b, c, d;
    uint64_t features = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_RDRND))
        features |= MEWZ_CPU_RDRAND;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_RDSEED))
        features |= MEWZ_CPU_RDSEED;
    return features;
}

/* What the vCPU's CPUID offers for AVX: XSAVE and AVX in leaf 1 ECX. */
struct xsave_support {
    bool xsave, avx;
};

static void set_long_mode(int vcpu, uint64_t entry, struct xsave_support xs)
{
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS: %s", strerror(errno));
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11,
        .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = code;
    data.selector = 0x10;
    data.type = 3;
    data.l = 0;
    data.db = 1;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    /* VMX refuses a 16-bit TSS in long mode (KVM would then emulate
     * every instruction, and its emulator knows no SSE). */
    sregs.tr = (struct kvm_segment){
        .base = 0, .limit = 0x67, .selector = 0, .type = 11, .present = 1,
    };
    sregs.gdt.base = MEWZ_GDT_ADDR;
    sregs.gdt.limit = 23;
    if (monitor_tables) {
        sregs.tr.base = MEWZ_TSS_ADDR;
        sregs.tr.selector = 0x18;
        sregs.gdt.limit = 39;
        sregs.idt.base = MEWZ_IDT_ADDR;
        sregs.idt.limit = MEWZ_IDT_GATES * 16 - 1;
    }
    sregs.cr3 = PML4;
    sregs.cr4 = (1 << 5) | (1 << 9) | (1 << 10); /* PAE OSFXSR OSXMMEXCPT */
    /* As the monitor does: AVX state on where KVM offers it. kvm-pvm does
     * not (the guest runs on the host's XCR0 there). */
    if (xs.xsave && xs.avx)
        sregs.cr4 |= 1 << 18; /* OSXSAVE */
    sregs.cr0 = 0x80050033; /* PG WP NE ET MP PE */
    sregs.efer = (1 << 8) | (1 << 10) | (1 << 11); /* LME LMA NXE */
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS: %s", strerror(errno));
    if (xs.xsave && xs.avx) {
        struct kvm_xcrs xcrs = {.nr_xcrs = 1};
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = 7; /* x87 SSE AVX */
        if (ioctl(vcpu, KVM_SET_XCRS, &xcrs) < 0)
            die("KVM_SET_XCRS: %s", strerror(errno));
    }
    struct kvm_regs regs = {
        .rip = entry, .rsp = STACK_TOP, .rdi = MEWZ_BOOT_INFO_ADDR, .rflags = 2,
    };
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS: %s", strerror(errno));
}

static struct xsave_support set_cpuid(int kvm, int vcpu)
{
    int n = 128;
    struct kvm_cpuid2 *cpuid =
        calloc(1, sizeof *cpuid + n * sizeof(struct kvm_cpuid_entry2));
    if (cpuid == NULL)
        die("out of memory");
    cpuid->nent = n;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 ||
        ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
        die("CPUID: %s", strerror(errno));
    struct xsave_support xs = {false, false};
    for (uint32_t e = 0; e < cpuid->nent; e++)
        if (cpuid->entries[e].function == 1) {
            xs.xsave = (cpuid->entries[e].ecx >> 26) & 1;
            xs.avx = (cpuid->entries[e].ecx >> 28) & 1;
        }
    free(cpuid);
    return xs;
}

/* Host iovecs for a guest iovec array; false when anything is outside. */
static bool host_iovecs(uint64_t iov_addr, uint32_t iovcnt, struct iovec *out)
{
    if (iovcnt > MEWZ_HC_IOV_MAX)
        return false;
    struct mewz_hc_iovec *iov = guest(iov_addr, (uint64_t)iovcnt * sizeof *iov);
    if (iov == NULL)
        return false;
    for (uint32_t i = 0; i < iovcnt; i++) {
        out[i].iov_base = guest(iov[i].addr, iov[i].len);
        out[i].iov_len = iov[i].len;
        if (out[i].iov_base == NULL)
            return false;
    }
    return true;
}

/* Registers the next linear-memory slot, so that [0, size) of the window
 * is backed; false when KVM refuses it. */
static bool back_linear_memory(uint64_t size)
{
    struct kvm_userspace_memory_region slot = {
        .slot = 1 + lm_slots,
        .guest_phys_addr = MEWZ_LM_BASE + lm_backed,
        .memory_size = size - lm_backed,
        .userspace_addr = (uint64_t)(uintptr_t)(lm + lm_backed),
    };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        return false;
    lm_backed = size;
    lm_slots++;
    return true;
}

static void hypercall(unsigned nr, uint32_t gpa)
{
    static struct iovec iov[MEWZ_HC_IOV_MAX];
    switch (nr) {
    case MEWZ_HC_WRITE: {
        struct mewz_hc_write *w = guest(gpa, sizeof *w);
        if (w == NULL)
            die("write: bad argument address 0x%x", gpa);
        w->written = 0;
        if ((w->fd != 1 && w->fd != 2) || !host_iovecs(w->iov_addr, w->iovcnt, iov)) {
            w->error = w->fd != 1 && w->fd != 2 ? 8 : 21;
            return;
        }
        ssize_t n = writev((int)w->fd, iov, (int)w->iovcnt);
        w->error = n < 0 ? 29 : 0;
        w->written = n < 0 ? 0 : (uint64_t)n;
        return;
    }
    case MEWZ_HC_READ: {
        struct mewz_hc_read *r = guest(gpa, sizeof *r);
        if (r == NULL)
            die("read: bad argument address 0x%x", gpa);
        r->nread = 0;
        if (r->fd != 0 || !host_iovecs(r->iov_addr, r->iovcnt, iov)) {
            r->error = r->fd != 0 ? 8 : 21;
            return;
        }
        ssize_t n = readv(0, iov, (int)r->iovcnt);
        r->error = n < 0 ? 29 : 0;
        r->nread = n < 0 ? 0 : (uint64_t)n;
        return;
    }
    case MEWZ_HC_RANDOM: {
        struct mewz_hc_random *r = guest(gpa, sizeof *r);
        if (r == NULL)
            die("random: bad argument address 0x%x", gpa);
        void *buf = r->len <= 65536 ? guest(r->addr, r->len) : NULL;
        r->error = buf == NULL || getrandom(buf, r->len, 0) != (ssize_t)r->len ? 21 : 0;
        return;
    }
    case MEWZ_HC_MEMORY: {
        struct mewz_hc_memory *m = guest(gpa, sizeof *m);
        if (m == NULL)
            die("memory: bad argument address 0x%x", gpa);
        m->error = 0;
        if (m->wanted > LM_LIMIT_SIZE)
            m->error = 28;
        else if (m->wanted > lm_backed &&
                 !back_linear_memory((m->wanted + MEWZ_LARGE_PAGE_SIZE - 1) &
                                     ~(MEWZ_LARGE_PAGE_SIZE - 1)))
            m->error = 48;
        m->backed = lm_backed;
        return;
    }
    case MEWZ_HC_EXIT: {
        struct mewz_hc_exit *e = guest(gpa, sizeof *e);
        if (e == NULL)
            die("exit: bad argument address 0x%x", gpa);
        if (report_slots)
            fprintf(stderr, "kvm_run: %u linear-memory slots\n", lm_slots);
        if (e->trap == MEWZ_TRAP_NONE)
            exit((int)(e->status & 0xff));
        const char *name = mewz_trap_text(e->trap);
        fprintf(stderr, "wasm trap: %s\n", name ? name : "unknown");
        if (e->trap == MEWZ_TRAP_GUEST_FAULT)
            fprintf(stderr, "vector %llu error 0x%llx rip 0x%llx cr2 0x%llx\n",
                    (unsigned long long)(e->detail >> 32),
                    (unsigned long long)(e->detail & 0xffffffff),
                    (unsigned long long)e->rip, (unsigned long long)e->addr);
        exit(MEWZ_TRAP_EXIT_STATUS);
    }
    default:
        die("unknown hypercall %u", nr);
    }
}

static void print_segment(const char *name, const struct kvm_segment *s)
{
    fprintf(stderr,
            "  %s sel 0x%x base 0x%llx limit 0x%x type %u p %u dpl %u db %u"
            " s %u l %u g %u unusable %u\n",
            name, s->selector, (unsigned long long)s->base, s->limit, s->type,
            s->present, s->dpl, s->db, s->s, s->l, s->g, s->unusable);
}

static _Noreturn void vm_failure(int vcpu, const char *what)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    ioctl(vcpu, KVM_GET_REGS, &regs);
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) == 0) {
        print_segment("cs", &sregs.cs);
        print_segment("ss", &sregs.ss);
        print_segment("ds", &sregs.ds);
        print_segment("tr", &sregs.tr);
        print_segment("ldt", &sregs.ldt);
        fprintf(stderr, "  cr0 0x%llx cr4 0x%llx efer 0x%llx\n",
                (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr4,
                (unsigned long long)sregs.efer);
    }
    die("%s: rip 0x%llx rsp 0x%llx", what, (unsigned long long)regs.rip,
        (unsigned long long)regs.rsp);
}

/* As the monitor does under kvm-pvm (Sources/Monitor/PVMInterruptFlag.swift):
 * register a zero interrupt-flag page as the host, so the guest starts
 * natively and skips its own registration. A host write needs flag bit 10. */
#define HOST_VIF_PAGE 0x5000ULL /* ARGS_END: nothing else is there */
static void register_host_vif(int vcpu)
{
    uint64_t storage[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) / 8] = {0};
    struct kvm_msrs *msrs = (struct kvm_msrs *)storage;
    msrs->nmsrs = 1;
    msrs->entries[0].index = 0x4b564d10U;
    msrs->entries[0].data = HOST_VIF_PAGE | 0x400;
    if (ioctl(vcpu, KVM_SET_MSRS, msrs) != 1)
        die("KVM_SET_MSRS of the interrupt-flag page: refused");
}

int main(int argc, char **argv)
{
    bool cpu_rng = true, bad_magic = false, host_vif = false;
    char *env[16];
    int envc = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--no-cpu-rng") == 0)
            cpu_rng = false;
        else if (strcmp(argv[i], "--bad-magic") == 0)
            bad_magic = true;
        else if (strcmp(argv[i], "--report-slots") == 0)
            report_slots = true;
        else if (strcmp(argv[i], "--host-vif") == 0)
            host_vif = true;
        else if (strcmp(argv[i], "--guest-tables") == 0)
            monitor_tables = false;
        else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc && envc < 16)
            env[envc++] = argv[++i];
        else
            die("usage: kvm_run [--no-cpu-rng] [--bad-magic] [--report-slots] [--host-vif] [--guest-tables] [-e K=V]... ELF [ARG]...");
    }
    if (i >= argc)
        die("usage: kvm_run [--no-cpu-rng] [--bad-magic] [--report-slots] [--host-vif] [--guest-tables] [-e K=V]... ELF [ARG]...");
    alarm(20); /* a hung guest ends the test instead of the run */

    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    lm = mmap(NULL, LM_LIMIT_SIZE, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED || lm == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    uint64_t entry = load_elf(argv[i]);
    build_page_tables();
    build_gdt();

    char *guest_argv[32];
    int guest_argc = 0;
    guest_argv[guest_argc++] = "fake";
    for (int j = i + 1; j < argc && guest_argc < 32; j++)
        guest_argv[guest_argc++] = argv[j];
    uint64_t at = ARGS_ADDR;
    struct mewz_boot_info *boot = (struct mewz_boot_info *)(ram + MEWZ_BOOT_INFO_ADDR);
    *boot = (struct mewz_boot_info){
        .magic = bad_magic ? 0 : MEWZ_BOOT_MAGIC,
        .abi_version = MEWZ_ABI_VERSION,
        .ram_size = RAM_SIZE,
        .free_start = FREE_START,
        .free_end = FREE_END,
        .stack_bottom = STACK_BOTTOM,
        .stack_top = STACK_TOP,
        .lm_backed_size = LM_INITIAL_SIZE,
        .lm_limit_size = LM_LIMIT_SIZE,
        .argc = (uint32_t)guest_argc,
        .envc = (uint32_t)envc,
        .cpu_features = cpu_rng ? cpu_rng_features() : 0,
    };
    boot->argv_addr = at;
    boot->argv_size = put_strings(&at, guest_argv, guest_argc);
    boot->env_addr = at;
    boot->env_size = put_strings(&at, env, envc);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die("/dev/kvm: %s", strerror(errno));
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0)
        die("KVM_CREATE_VM: %s", strerror(errno));
    struct kvm_userspace_memory_region ram_slot = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)ram};
    vm_fd = vm;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &ram_slot) < 0 ||
        !back_linear_memory(LM_INITIAL_SIZE))
        die("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu < 0 || run_size < 0)
        die("KVM_CREATE_VCPU: %s", strerror(errno));
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
                               MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED)
        die("mmap kvm_run: %s", strerror(errno));
    set_long_mode(vcpu, entry, set_cpuid(kvm, vcpu));
    if (host_vif)
        register_host_vif(vcpu);

    int khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
    boot->tsc_khz = khz > 0 ? (uint64_t)khz : 0;
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    boot->boot_realtime_ns =
        (uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec;
    boot->boot_monotonic_ns =
        (uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec;

    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR)
                continue;
            die("KVM_RUN: %s", strerror(errno));
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
                run->io.count != 1 || run->io.port < MEWZ_HC_PORT_BASE ||
                run->io.port >= MEWZ_HC_PORT_BASE + MEWZ_HC_COUNT)
                die("unexpected port I/O 0x%x", run->io.port);
            uint32_t gpa;
            memcpy(&gpa, (uint8_t *)run + run->io.data_offset, 4);
            hypercall(run->io.port - MEWZ_HC_PORT_BASE, gpa);
            break;
        case KVM_EXIT_HLT:
            vm_failure(vcpu, "guest halted");
        case KVM_EXIT_SHUTDOWN:
            vm_failure(vcpu, "triple fault");
        case KVM_EXIT_INTERNAL_ERROR:
            fprintf(stderr, "kvm_run: internal error, suberror %u data",
                    run->internal.suberror);
            for (unsigned d = 0; d < run->internal.ndata && d < 16; d++)
                fprintf(stderr, " 0x%llx", (unsigned long long)run->internal.data[d]);
            fprintf(stderr, "\n");
            vm_failure(vcpu, "internal error");
        default:
            die("unexpected exit reason %u", run->exit_reason);
        }
    }
}
