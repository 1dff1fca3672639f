/*
 * fake_module.c: a hand-written stand-in for WasmToC output. Like
 * generated code it includes only mewz/wasm_rt.h, keeps its data in linear
 * memory and passes u32 offsets to the WASI functions. argv[1] picks a
 * scenario, so one linked ELF covers every boot test (kvm_run.c).
 */
#include "mewz/wasm_rt.h"

/* Linear-memory layout (offsets). */
#define IOV 0x100
#define RESULT 0x200
#define ARGV 0x1000
#define ARGV_BUF 0x2000
#define TEXT 0x8000
#define INPUT 0xc000

#define MIN_PAGES 2
#define MAX_PAGES 160 /* 10 MiB: five 2 MiB slots under kvm_run */

static uint32_t load32(uint32_t at)
{
    return *(volatile uint32_t *)(MEWZ_MEM + at);
}

static uint64_t load64(uint32_t at)
{
    return *(volatile uint64_t *)(MEWZ_MEM + at);
}

static void store32(uint32_t at, uint32_t value)
{
    *(volatile uint32_t *)(MEWZ_MEM + at) = value;
}

static uint32_t length(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void write_at(uint32_t fd, uint32_t buf, uint32_t len)
{
    store32(IOV, buf);
    store32(IOV + 4, len);
    mewz_wasi_fd_write(fd, IOV, 1, RESULT);
}

static void print(const char *s)
{
    uint32_t n = length(s);
    for (uint32_t i = 0; i < n; i++)
        MEWZ_MEM[TEXT + i] = (uint8_t)s[i];
    write_at(1, TEXT, n);
}

static void print_u64(uint64_t v)
{
    char digits[21];
    int i = 20;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    print(digits + i);
}

static int equal(uint32_t at, const char *s)
{
    uint32_t i = 0;
    for (; s[i]; i++)
        if (MEWZ_MEM[at + i] != (uint8_t)s[i])
            return 0;
    return MEWZ_MEM[at + i] == 0;
}

static void expect(int ok, const char *what)
{
    if (!ok) {
        print("FAILED: ");
        print(what);
        print("\n");
        mewz_wasi_proc_exit(1);
    }
}

/* Recursion that only a stack of 2^64 frames would end, and that the
 * optimizer cannot turn into a loop. */
static uint32_t recurse(volatile uint8_t *previous, uint64_t depth)
{
    volatile uint8_t frame[256];
    if (depth == UINT64_MAX)
        return 0;
    frame[0] = previous ? previous[0] + 1 : 0;
    return recurse(frame, depth + 1) + frame[1];
}

/* The same with 64 KiB frames, 16 times the guard page: built with
 * stack-clash probing, as images are, each frame touches its pages in
 * order, so the overflow meets the guard page instead of jumping it into
 * the memory below the stack. */
static uint32_t recurse_big(volatile uint8_t *previous, uint64_t depth)
{
    volatile uint8_t frame[65536];
    if (depth == UINT64_MAX)
        return 0;
    frame[0] = previous ? previous[0] + 1 : 0;
    return recurse_big(frame, depth + 1) + frame[1];
}

static void scenario_args(void)
{
    mewz_wasi_args_sizes_get(RESULT, RESULT + 4);
    uint32_t argc = load32(RESULT);
    mewz_wasi_args_get(ARGV, ARGV_BUF);
    for (uint32_t i = 0; i < argc; i++) {
        uint32_t p = load32(ARGV + 4 * i);
        write_at(1, p, length((const char *)(MEWZ_MEM + p)));
        print("\n");
    }
    mewz_wasi_environ_sizes_get(RESULT, RESULT + 4);
    uint32_t envc = load32(RESULT);
    mewz_wasi_environ_get(ARGV, ARGV_BUF);
    for (uint32_t i = 0; i < envc; i++) {
        uint32_t p = load32(ARGV + 4 * i);
        write_at(1, p, length((const char *)(MEWZ_MEM + p)));
        print("\n");
    }
}

/* Grows a page at a time across 2 MiB boundaries (the guest folds each
 * full table into a large page, and kvm_run backs each 2 MiB with a new
 * slot), checks every new page reads zero and keeps what is written, then
 * touches one byte past the end. */
static void scenario_grow(void)
{
    expect(mewz_memory_grow(0) == MIN_PAGES, "grow(0) returns the size");
    for (uint32_t p = MIN_PAGES; p < MAX_PAGES; p++) {
        expect(mewz_memory_grow(1) == p, "grow(1) returns the old size");
        uint8_t *page = MEWZ_MEM + (uint64_t)p * MEWZ_WASM_PAGE_SIZE;
        expect(page[0] == 0 && page[MEWZ_WASM_PAGE_SIZE - 1] == 0,
               "new pages are zero");
        page[0] = (uint8_t)p;
        page[MEWZ_WASM_PAGE_SIZE - 1] = (uint8_t)~p;
    }
    expect(mewz_memory_grow(1) == 0xFFFFFFFFU, "grow past the maximum fails");
    expect(mewz_memory_pages == MAX_PAGES, "memory_pages is the size");
    for (uint32_t p = MIN_PAGES; p < MAX_PAGES; p++) {
        uint8_t *page = MEWZ_MEM + (uint64_t)p * MEWZ_WASM_PAGE_SIZE;
        expect(page[0] == (uint8_t)p &&
                   page[MEWZ_WASM_PAGE_SIZE - 1] == (uint8_t)~p,
               "data survives the folds and the new slots");
    }
    print("grow ok\n");
    (void)*(volatile uint8_t *)(MEWZ_MEM +
                                (uint64_t)MAX_PAGES * MEWZ_WASM_PAGE_SIZE);
    print("FAILED: no trap past the end\n");
}

static void scenario_clock(void)
{
    expect(mewz_wasi_clock_time_get(1, 0, RESULT) == 0, "monotonic");
    uint64_t t1 = load64(RESULT);
    for (volatile int i = 0; i < 10000; i++)
        ;
    expect(mewz_wasi_clock_time_get(1, 0, RESULT) == 0, "monotonic again");
    uint64_t t2 = load64(RESULT);
    expect(t2 > t1, "monotonic advances");
    expect(mewz_wasi_clock_time_get(0, 0, RESULT) == 0, "realtime");
    expect(load64(RESULT) > 1600000000ULL * 1000000000ULL, "realtime is now");
    expect(mewz_wasi_clock_res_get(1, RESULT) == 0 && load64(RESULT) >= 1,
           "resolution");
    expect(mewz_wasi_clock_time_get(9, 0, RESULT) == MEWZ_WASI_EINVAL,
           "unknown clock");
    print("clock ok, resolution ");
    print_u64(load64(RESULT));
    print(" ns\n");
}

static void scenario_random(void)
{
    const uint32_t len = 100000; /* more than one hypercall's worth */
    expect(mewz_wasi_random_get(INPUT, len) == MEWZ_WASI_EFAULT,
           "random_get past the end of memory");
    expect(mewz_memory_grow(2) == MIN_PAGES, "grow for the buffer");
    expect(mewz_wasi_random_get(INPUT, len) == 0, "random_get");
    uint32_t zeros = 0;
    for (uint32_t i = 0; i < len; i++)
        zeros += MEWZ_MEM[INPUT + i] == 0;
    expect(zeros < len / 64, "random bytes are not zero");
    expect(mewz_wasi_random_get(MEWZ_WASM_PAGE_SIZE * (MIN_PAGES + 2) - 1,
                                2) == MEWZ_WASI_EFAULT,
           "random_get out of bounds");
    print("random ok\n");
}

static void scenario_echo(void)
{
    for (;;) {
        store32(IOV, INPUT);
        store32(IOV + 4, 7); /* small reads: several round trips */
        expect(mewz_wasi_fd_read(0, IOV, 1, RESULT) == 0, "fd_read");
        uint32_t n = load32(RESULT);
        if (n == 0)
            return;
        write_at(1, INPUT, n);
    }
}

static void scenario_errno(void)
{
    store32(IOV, TEXT);
    store32(IOV + 4, 1);
    expect(mewz_wasi_fd_write(3, IOV, 1, RESULT) == MEWZ_WASI_EBADF, "EBADF");
    expect(mewz_wasi_fd_write(1, 0xFFFFFFF8, 2, RESULT) == MEWZ_WASI_EFAULT,
           "EFAULT");
    expect(mewz_wasi_fd_seek(1, 0, 0, RESULT) == MEWZ_WASI_ESPIPE, "ESPIPE");
    expect(mewz_wasi_fd_prestat_get(3, RESULT) == MEWZ_WASI_EBADF, "prestat");
    expect(mewz_wasi_fd_fdstat_get(1, RESULT) == 0 &&
               MEWZ_MEM[RESULT] == 2,
           "fdstat");
    expect(mewz_wasi_sched_yield() == 0, "sched_yield");
    expect(mewz_wasi_fd_close(2) == 0, "close");
    expect(mewz_wasi_fd_write(2, IOV, 1, RESULT) == MEWZ_WASI_EBADF,
           "closed");
    print("errno ok\n");
}

/* The privilege level the code runs at: 3 when kvm-pvm runs the guest
 * natively (hardware CPL3), 0 on VMX/SVM or while kvm-pvm emulates. */
static unsigned current_cpl(void)
{
    uint16_t cs;
    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    return cs & 3;
}

static uint64_t monotonic_ns(void)
{
    expect(mewz_wasi_clock_time_get(1, 0, RESULT) == 0, "clock");
    return load64(RESULT);
}

/* 100M iterations of scalar SSE2 double arithmetic: every partial sum is a
 * multiple of 0.5 below 2^53, so the result is exact in any order. The
 * time is printed for the log, not checked. */
#define LOOP_ITERATIONS 100000000U
static void scenario_loop(void)
{
    uint64_t start = monotonic_ns();
    double sum = 0;
    for (uint32_t i = 0; i < LOOP_ITERATIONS; i++)
        sum += (double)i * 0.5;
    uint64_t elapsed = monotonic_ns() - start;
    double n = LOOP_ITERATIONS;
    expect(sum == n * (n - 1) / 4, "loop sum");
    print("loop ok: 100000000 iterations in ");
    print_u64(elapsed / 1000000);
    print(" ms at cpl ");
    print_u64(current_cpl());
    print("\n");
}

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* AVX needs the CPU's support and the OS's (XCR0 YMM state). Under kvm-pvm
 * the guest runs on the host's XCR0 while its CPUID reports OSXSAVE clear,
 * so XGETBV is also trusted when the code already runs at CPL3. */
static int avx2_usable(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    int avx = (r[2] >> 28) & 1, osxsave = (r[2] >> 27) & 1;
    if (!avx || (!osxsave && current_cpl() != 3))
        return 0;
    uint32_t xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6) != 6)
        return 0;
    cpuid(7, 0, r);
    return (r[1] >> 5) & 1;
}

/* Keeps eight lanes in YMM registers across CPUID, which exits to the
 * hypervisor on every iteration (VMX always, kvm-pvm when it emulates it):
 * the upper halves must survive each exit. True when every lane is right. */
__attribute__((target("avx2"))) static int avx2_across_exits(uint32_t rounds)
{
    v8f acc = {0, 1, 2, 3, 4, 5, 6, 7};
    v8f step = {1, 1, 1, 1, 1, 1, 1, 1};
    for (uint32_t i = 0; i < rounds; i++) {
        __asm__ volatile("vaddps %1, %0, %0\n\t"
                         "cpuid"
                         : "+x"(acc)
                         : "x"(step), "a"(0), "c"(0)
                         : "ebx", "edx");
    }
    int ok = 1;
    for (int lane = 0; lane < 8; lane++)
        ok &= acc[lane] == (float)(lane + rounds);
    return ok;
}

static void scenario_simd(void)
{
    /* The SSE instructions kvm-pvm's emulator cannot run: PXOR, XORPS,
     * ADDPS, MULPS on full registers. */
    volatile int32_t bits = 0x5a5a5a5a;
    v4i x = {bits, ~bits, bits, 0};
    v4i y = {bits, bits, 0, 0};
    v4i z = x ^ y;
    expect(z[0] == 0 && z[1] == -1 && z[2] == bits && z[3] == 0, "pxor");
    volatile float base = 1.5f;
    v4f a = {base, base * 2, base * 3, base * 4};
    v4f b = (a + a) * a;
    expect(b[0] == 4.5f && b[1] == 18.0f && b[2] == 40.5f && b[3] == 72.0f,
           "addps/mulps");
    print("sse ok\n");

    if (!avx2_usable()) {
        print("avx unavailable\n");
        return;
    }
    expect(avx2_across_exits(20000), "ymm lanes across exits");
    print("avx ok\n");
}

/* Guest-library internals (Guest/kernel.h), declared here because no
 * generated code may use them: this scenario tests them. */
extern _Bool mewz_cpu_wrmsr_probe(uint32_t msr, uint64_t value);
extern _Bool mewz_pvm_native;
extern _Bool mewz_pvm_registered_by_host;

/* An MSR no hypervisor has: the probe must come back false (its #GP turned
 * into a return by the exception stub) and the guest must go on. */
static void scenario_msr_probe(void)
{
    expect(!mewz_cpu_wrmsr_probe(0x12345678U, 1), "probe of a missing MSR");
    expect(!mewz_cpu_wrmsr_probe(0x12345678U, 1), "a second probe");
    print("probe ok, pvm native ");
    print_u64(mewz_pvm_native);
    print(", by host ");
    print_u64(mewz_pvm_registered_by_host);
    print("\n");
}

void mewz_module_init(void)
{
    mewz_memory_init(MIN_PAGES, MAX_PAGES);
}

void mewz_module_main(void)
{
    mewz_wasi_args_sizes_get(RESULT, RESULT + 4);
    uint32_t argc = load32(RESULT);
    mewz_wasi_args_get(ARGV, ARGV_BUF);
    uint32_t what = argc > 1 ? load32(ARGV + 4) : 0;

    if (argc < 2 || equal(what, "hello")) {
        print("hello from mewz\n");
    } else if (equal(what, "args")) {
        scenario_args();
    } else if (equal(what, "exit")) {
        print("exiting 7\n");
        mewz_wasi_proc_exit(7);
    } else if (equal(what, "oob")) {
        (void)*(volatile uint8_t *)(MEWZ_MEM + 0xFFFFFFFFULL + 0x10ULL);
    } else if (equal(what, "grow")) {
        scenario_grow();
    } else if (equal(what, "stack")) {
        recurse(0, 0);
    } else if (equal(what, "bigstack")) {
        recurse_big(0, 0);
    } else if (equal(what, "ud2")) {
        __builtin_trap();
    } else if (equal(what, "unreachable")) {
        mewz_trap(MEWZ_TRAP_UNREACHABLE);
    } else if (equal(what, "clock")) {
        scenario_clock();
    } else if (equal(what, "random")) {
        scenario_random();
    } else if (equal(what, "echo")) {
        scenario_echo();
    } else if (equal(what, "errno")) {
        scenario_errno();
    } else if (equal(what, "loop")) {
        scenario_loop();
    } else if (equal(what, "simd")) {
        scenario_simd();
    } else if (equal(what, "msr-probe")) {
        scenario_msr_probe();
    } else if (equal(what, "toobig")) {
        /* More pages than any test VM's linear-memory slot holds. */
        mewz_memory_init(MEWZ_WASM_MAX_PAGES, MEWZ_WASM_MAX_PAGES);
        print("FAILED: memory_init beyond the slot returned\n");
    } else {
        print("unknown scenario\n");
        mewz_wasi_proc_exit(2);
    }
}
