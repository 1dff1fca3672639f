/*
 * The monitor's test guest. argv[1] picks what it does (default "hello");
 * each mode ends in one hypercall or one CPU event the test expects.
 */
#include <mewz/abi.h>
#include <mewz/rofs.h>

typedef struct mewz_boot_info boot_info;

static const boot_info *boot;

/* memset, memcpy, length, equal. */
#include "freestanding.h"
#include "ring.h"

/* ---- hypercalls ------------------------------------------------------- */

static void hypercall(unsigned number, const volatile void *argument)
{
    unsigned value = (unsigned)MEWZ_HC_ADDR(argument);
    __asm__ volatile("outl %0, %w1"
                     :
                     : "a"(value), "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + number))
                     : "memory");
}

static struct mewz_hc_exit exit_args;
static struct mewz_hc_write write_args;
static struct mewz_hc_iovec iovecs[2];

__attribute__((noreturn)) static void guest_exit(unsigned status, unsigned trap)
{
    exit_args.status = status;
    exit_args.trap = trap;
    hypercall(MEWZ_HC_EXIT, &exit_args);
    for (;;)
        __asm__ volatile("hlt");
}

/* Writes one buffer; returns the errno and leaves the count in write_args. */
static unsigned write_buffer(unsigned fd, uint64_t address, uint64_t size)
{
    iovecs[0].addr = address;
    iovecs[0].len = size;
    write_args.fd = fd;
    write_args.iovcnt = 1;
    write_args.iov_addr = MEWZ_HC_ADDR(iovecs);
    hypercall(MEWZ_HC_WRITE, &write_args);
    return write_args.error;
}

static void print(const char *text)
{
    write_buffer(1, MEWZ_HC_ADDR(text), length(text));
}

/* ---- a #PF handler that reports through MEWZ_HC_EXIT ------------------- */

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

static struct idt_entry idt[32];

__attribute__((noreturn, used)) void report_page_fault(uint64_t error,
                                                       uint64_t rip,
                                                       uint64_t cr2)
{
    exit_args.detail = (14ULL << 32) | error;
    exit_args.rip = rip;
    exit_args.addr = cr2;
    guest_exit(0, MEWZ_TRAP_GUEST_FAULT);
}

/* The CPU pushed the error code, then rip: pass both and CR2. */
void page_fault_entry(void);
__asm__(".text\n"
        "page_fault_entry:\n"
        "    mov (%rsp), %rdi\n"
        "    mov 8(%rsp), %rsi\n"
        "    mov %cr2, %rdx\n"
        "    and $-16, %rsp\n"
        "    call report_page_fault\n");

static void install_page_fault_handler(void)
{
    uint64_t handler = (uint64_t)(uintptr_t)page_fault_entry;
    idt[14].offset_low = (uint16_t)handler;
    idt[14].selector = 0x08;
    idt[14].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
    idt[14].offset_middle = (uint16_t)(handler >> 16);
    idt[14].offset_high = (uint32_t)(handler >> 32);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void touch(uint64_t address)
{
    install_page_fault_handler();
    (void)*(volatile uint8_t *)(uintptr_t)address;
}

/* ---- modes ------------------------------------------------------------ */

static const char *argument(unsigned index)
{
    const char *string = (const char *)(uintptr_t)boot->argv_addr;
    for (unsigned i = 0; i < index; i++)
        string += length(string) + 1;
    return string;
}

/* Prints argv and env one per line; exits with the number of the first
 * boot-info check that fails, 0 when all hold. */
static void check_boot_info(void)
{
    const char *string = (const char *)(uintptr_t)boot->argv_addr;
    for (unsigned i = 0; i < boot->argc; i++, string += length(string) + 1) {
        print(string);
        print("\n");
    }
    string = (const char *)(uintptr_t)boot->env_addr;
    for (unsigned i = 0; i < boot->envc; i++, string += length(string) + 1) {
        print(string);
        print("\n");
    }
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    if (boot->magic != MEWZ_BOOT_MAGIC || boot->abi_version != MEWZ_ABI_VERSION)
        guest_exit(1, 0);
    if (boot->tsc_khz == 0)
        guest_exit(2, 0);
    if (boot->boot_realtime_ns < 1600000000ULL * 1000000000ULL ||
        boot->boot_monotonic_ns == 0)
        guest_exit(3, 0);
    if (rsp >= boot->stack_top || rsp < boot->stack_bottom)
        guest_exit(4, 0);
    if (boot->free_end != boot->ram_size || boot->free_start >= boot->free_end ||
        boot->free_start % MEWZ_PAGE_SIZE != 0)
        guest_exit(5, 0);
    /* The free range is mapped writable: write its first and last word. */
    *(volatile uint64_t *)(uintptr_t)boot->free_start = 1;
    *(volatile uint64_t *)(uintptr_t)(boot->free_end - 8) = 1;
    if (boot->lm_backed_size % MEWZ_LARGE_PAGE_SIZE != 0 ||
        boot->lm_limit_size % MEWZ_LARGE_PAGE_SIZE != 0 ||
        boot->lm_backed_size > boot->lm_limit_size)
        guest_exit(6, 0);
    guest_exit(0, 0);
}

static void spin_after_greeting(void)
{
    print("spinning\n");
    for (;;)
        __asm__ volatile("pause");
}

/* Computes for a while with no exit, then exits 0: the guest profiler's
 * subject. The volatile sum keeps the loop's work. */
static void busy_then_exit(void)
{
    volatile unsigned long sum = 0;
    for (unsigned long i = 0; i < 50000000UL; i++)
        sum += i;
    guest_exit(0, 0);
}

static char flood_buffer[100000];

/* Writes until the host answers with an error; the test stops reading, so
 * the monitor ends up blocked in writev. Each write is larger than a pipe's
 * capacity, so a signal cuts it short instead of failing it. */
static void flood_stdout(void)
{
    print("flooding\n");
    unsigned error;
    while ((error = write_buffer(1, MEWZ_HC_ADDR(flood_buffer),
                                 sizeof flood_buffer)) == 0)
        ;
    guest_exit(100 + error, 0);
}

static unsigned char random_bytes[64];
static struct mewz_hc_random random_args;

static void fill_random(void)
{
    random_args.addr = MEWZ_HC_ADDR(random_bytes);
    random_args.len = sizeof random_bytes;
    hypercall(MEWZ_HC_RANDOM, &random_args);
    unsigned nonzero = 0;
    for (unsigned i = 0; i < sizeof random_bytes; i++)
        nonzero += random_bytes[i] != 0;
    guest_exit(random_args.error != 0 ? 100 + random_args.error
                                      : (nonzero < 32 ? 99 : 0),
               0);
}

static char echo_buffer[256];
static struct mewz_hc_read read_args;

static void echo_stdin(void)
{
    iovecs[0].addr = MEWZ_HC_ADDR(echo_buffer);
    iovecs[0].len = sizeof echo_buffer;
    read_args.fd = 0;
    read_args.iovcnt = 1;
    read_args.iov_addr = MEWZ_HC_ADDR(iovecs);
    hypercall(MEWZ_HC_READ, &read_args);
    if (read_args.error != 0)
        guest_exit(100 + read_args.error, 0);
    write_buffer(1, MEWZ_HC_ADDR(echo_buffer), read_args.nread);
    guest_exit((unsigned)read_args.nread, 0);
}

static struct mewz_hc_memory memory_args;

/* MEWZ_HC_MEMORY; exits with `check` unless it answers `error` and
 * `backed` MiB. */
static void back_memory(uint64_t wanted, unsigned error, uint64_t backed_mib,
                        unsigned check)
{
    memory_args.wanted = wanted;
    memory_args.backed = 0;
    memory_args.error = 99;
    hypercall(MEWZ_HC_MEMORY, &memory_args);
    if (memory_args.error != error || memory_args.backed != backed_mib << 20)
        guest_exit(check, 0);
}

/* Linear memory of a 256 MiB maximum, 8 MiB backed at boot, grown by
 * hypercall through several slots; the probe has no page tables for it, so
 * stdin is read into it and written back by the monitor. Prints the 4 bytes
 * at the top of the limit (zero) and the 8 bytes read across the first slot
 * boundary; exits with the first failed check. */
static void grow_linear_memory(void)
{
    const uint64_t mib = 1ULL << 20, edge = MEWZ_LM_BASE + 8 * mib - 4;
    if (boot->lm_backed_size != 8 * mib || boot->lm_limit_size != 256 * mib)
        guest_exit(1, 0);
    if (write_buffer(1, edge, 8) != 21) /* past the backed size: EFAULT */
        guest_exit(2, 0);
    back_memory(8 * mib + 1, 0, 16, 3); /* at least doubles */
    back_memory(16 * mib, 0, 16, 4);    /* backed already: no slot */
    back_memory(0, 0, 16, 5);
    iovecs[0].addr = edge;
    iovecs[0].len = 8;
    read_args.fd = 0;
    read_args.iovcnt = 1;
    read_args.iov_addr = MEWZ_HC_ADDR(iovecs);
    hypercall(MEWZ_HC_READ, &read_args);
    if (read_args.error != 0 || read_args.nread != 8)
        guest_exit(6, 0);
    back_memory(17 * mib, 0, 32, 7);
    back_memory(40 * mib, 0, 64, 8);
    back_memory(256 * mib + 1, 28, 64, 9); /* past the limit: EINVAL */
    back_memory(~0ULL, 28, 64, 10);
    back_memory(200 * mib, 0, 200, 11);  /* more than double: what is wanted */
    back_memory(201 * mib, 0, 256, 12);  /* doubling capped at the limit */
    if (write_buffer(1, MEWZ_LM_BASE + 256 * mib - 4, 4) != 0 ||
        write_buffer(1, MEWZ_LM_BASE + 256 * mib, 1) != 21)
        guest_exit(13, 0);
    write_buffer(1, edge, 8);
    guest_exit(0, 0);
}

/* ---- the read-only filesystem and the image mapping -------------------- */

static char rofs_copy[64];

/* Checks the superblock at MEWZ_ROFS_BASE against the boot info, copies the
 * first bytes of the data area (at most 64) to RAM and prints them, and
 * reads the section's last byte; exits with the first failed check. */
static void read_rofs(void)
{
    const struct mewz_rofs_super *super =
        (const struct mewz_rofs_super *)(uintptr_t)MEWZ_ROFS_BASE;
    if (boot->rofs_size == 0 || boot->rofs_size % MEWZ_PAGE_SIZE != 0)
        guest_exit(1, 0);
    if (super->magic != MEWZ_ROFS_MAGIC || super->version != MEWZ_ROFS_VERSION)
        guest_exit(2, 0);
    if (super->size != boot->rofs_size || super->inode_count == 0)
        guest_exit(3, 0);
    uint64_t count = super->data_size < sizeof rofs_copy ? super->data_size
                                                         : sizeof rofs_copy;
    memcpy(rofs_copy,
           (const char *)(uintptr_t)(MEWZ_ROFS_BASE + super->data_offset),
           count);
    write_buffer(1, MEWZ_HC_ADDR(rofs_copy), count);
    (void)*(volatile uint8_t *)(uintptr_t)(MEWZ_ROFS_BASE + boot->rofs_size - 1);
    guest_exit(0, 0);
}

/* Prints process.cwd from the boot info; exits 1 unless it is
 * NUL-terminated where cwd_size says. */
static void print_cwd(void)
{
    const char *cwd = (const char *)(uintptr_t)boot->cwd_addr;
    if (boot->cwd_size == 0 || cwd[boot->cwd_size - 1] != 0 ||
        length(cwd) != boot->cwd_size - 1)
        guest_exit(1, 0);
    print(cwd);
    guest_exit(0, 0);
}

/* An initialised global: in .data, so a mapped image's data page. */
static char data_word[8] = "initial";

/* Prints data_word, changes it, prints it again. */
static void write_data_page(void)
{
    print(data_word);
    print("\n");
    memcpy(data_word, "changed", 8);
    print(data_word);
    print("\n");
    guest_exit(0, 0);
}

static struct mewz_hc_poll poll_args;
static struct mewz_hc_poll_fd poll_fds[3];

/* MEWZ_HC_POLL over poll_fds[0..nfds); exits 100 + errno on an error. */
static unsigned poll_handles(unsigned nfds, uint64_t timeout_ns)
{
    poll_args.fds_addr = MEWZ_HC_ADDR(poll_fds);
    poll_args.nfds = nfds;
    poll_args.timeout_ns = timeout_ns;
    poll_args.ready = 99;
    poll_args.error = 99;
    hypercall(MEWZ_HC_POLL, &poll_args);
    if (poll_args.error != 0)
        guest_exit(100 + poll_args.error, 0);
    return poll_args.ready;
}

static uint64_t decimal(const char *text)
{
    uint64_t value = 0;
    while (*text >= '0' && *text <= '9')
        value = value * 10 + (uint64_t)(*text++ - '0');
    return value;
}

/* Sleeps argv[2] ms (no handles); exits 0 when the wait timed out. */
static void sleep_ms(const char *ms)
{
    unsigned ready = poll_handles(0, decimal(ms) * 1000000ULL);
    guest_exit(ready == 0 ? 0 : 1, 0);
}

/* Waits without a timeout for stdin, then echoes what FIONREAD said and
 * the bytes: "revents R nbytes N\n<data>". */
static void poll_stdin_then_echo(void)
{
    print("waiting\n");
    poll_fds[0] = (struct mewz_hc_poll_fd){.handle = 0, .events = MEWZ_POLL_IN};
    unsigned ready = poll_handles(1, MEWZ_HC_TIMEOUT_NONE);
    char line[] = "revents 00 nbytes 0000\n";
    line[8] = (char)('0' + poll_fds[0].revents / 10 % 10);
    line[9] = (char)('0' + poll_fds[0].revents % 10);
    for (unsigned i = 0, n = (unsigned)poll_fds[0].nbytes; i < 4; i++, n /= 10)
        line[21 - i] = (char)('0' + n % 10);
    print(line);
    echo_stdin();
    (void)ready;
}

/* ---- hostile arguments ------------------------------------------------ */

static unsigned checks;

/* Counts a check; exits with its number when it fails. */
static void expect(int holds)
{
    checks++;
    if (!holds)
        guest_exit(checks, 0);
}

static unsigned write_vectors(uint64_t iov_addr, unsigned count)
{
    write_args.fd = 1;
    write_args.iovcnt = count;
    write_args.iov_addr = iov_addr;
    write_args.written = 99;
    hypercall(MEWZ_HC_WRITE, &write_args);
    return write_args.error;
}

/* Every hypercall with bad pointers, lengths and counts inside a valid
 * argument struct: each must be answered with the errno abi.h names and the
 * VM must go on. Exits 0 when all held, else the failed check's number. */
static void hostile_arguments(void)
{
    const uint64_t ram = boot->ram_size, lm = MEWZ_LM_BASE;
    const uint64_t backed = lm + boot->lm_backed_size;
    static struct mewz_hc_iovec bad[2];

    /* Buffers: straddling RAM's end, past it, in the linear-memory window
     * past what is backed, huge, wrapping, between RAM and the window. */
    const uint64_t buffers[][2] = {
        {ram - 4, 8},      {ram, 1},          {backed - 4, 8},
        {backed, 1},       {0x1000, 1ULL << 63}, {~0ULL - 2, 8},
        {ram + 0x1000, 1}, {lm + 0x200000000ULL, 1},
    };
    for (unsigned i = 0; i < sizeof buffers / sizeof buffers[0]; i++) {
        bad[0].addr = buffers[i][0];
        bad[0].len = buffers[i][1];
        expect(write_vectors(MEWZ_HC_ADDR(bad), 1) == 21); /* EFAULT */
        expect(write_args.written == 0);
    }
    /* The iovec array itself: straddling RAM's end, far away, unaligned. */
    expect(write_vectors(ram - 8, 1) == 21);
    expect(write_vectors(lm + 0x100000000ULL, 1) == 21);
    expect(write_vectors(MEWZ_HC_ADDR(bad) + 1, 0) == 0); /* nothing to read */
    /* Counts: past MEWZ_HC_IOV_MAX, 2^32 - 1; lengths that add past 2^64. */
    expect(write_vectors(MEWZ_HC_ADDR(bad), MEWZ_HC_IOV_MAX + 1) == 28);
    expect(write_vectors(MEWZ_HC_ADDR(bad), 0xffffffffU) == 28);
    bad[0].addr = 0x1000;
    bad[0].len = ~0ULL;
    bad[1].addr = 0x1000;
    bad[1].len = 2;
    expect(write_vectors(MEWZ_HC_ADDR(bad), 2) == 21);
    /* An iovec array that is the argument struct itself: {fd | iovcnt << 32,
     * iov_addr} names linear memory past what is backed. */
    expect(write_vectors(MEWZ_HC_ADDR(&write_args), 2) == 21);
    /* An iovec that points at itself: 16 valid bytes of guest RAM. */
    bad[0].addr = MEWZ_HC_ADDR(bad);
    bad[0].len = sizeof bad[0];
    expect(write_vectors(MEWZ_HC_ADDR(bad), 1) == 0 && write_args.written == 16);

    /* A read into its own argument struct: the monitor's answer wins. */
    iovecs[0].addr = MEWZ_HC_ADDR(&read_args);
    iovecs[0].len = sizeof read_args;
    read_args.fd = 0;
    read_args.iovcnt = 1;
    read_args.iov_addr = MEWZ_HC_ADDR(iovecs);
    hypercall(MEWZ_HC_READ, &read_args);
    expect(read_args.error == 0 && read_args.nread == 8 && read_args.fd == 0);
    /* Reads from a descriptor the guest does not own. */
    read_args.fd = 3;
    hypercall(MEWZ_HC_READ, &read_args);
    expect(read_args.error == 8); /* EBADF */

    /* random: past RAM, too long, huge. */
    random_args.addr = ram - 4;
    random_args.len = 8;
    hypercall(MEWZ_HC_RANDOM, &random_args);
    expect(random_args.error == 21);
    random_args.addr = 0x1000;
    random_args.len = 65537;
    hypercall(MEWZ_HC_RANDOM, &random_args);
    expect(random_args.error == 28);
    random_args.len = ~0ULL;
    hypercall(MEWZ_HC_RANDOM, &random_args);
    expect(random_args.error == 28);

    /* memory: beyond the limit, huge. */
    memory_args.wanted = boot->lm_limit_size + 1;
    hypercall(MEWZ_HC_MEMORY, &memory_args);
    expect(memory_args.error == 28);
    memory_args.wanted = ~0ULL;
    hypercall(MEWZ_HC_MEMORY, &memory_args);
    expect(memory_args.error == 28);

    /* poll: an array straddling RAM's end, too many entries, the array
     * over its own argument struct, handles the guest does not own. */
    poll_args.fds_addr = ram - 8;
    poll_args.nfds = 1;
    poll_args.timeout_ns = MEWZ_HC_TIMEOUT_NONE;
    hypercall(MEWZ_HC_POLL, &poll_args);
    expect(poll_args.error == 21);
    poll_args.fds_addr = MEWZ_HC_ADDR(poll_fds);
    poll_args.nfds = MEWZ_HC_POLL_MAX + 1;
    hypercall(MEWZ_HC_POLL, &poll_args);
    expect(poll_args.error == 28);
    poll_args.fds_addr = MEWZ_HC_ADDR(&poll_args);
    poll_args.nfds = 2;
    poll_args.timeout_ns = 0;
    hypercall(MEWZ_HC_POLL, &poll_args);
    expect(poll_args.error == 0 && poll_args.fds_addr == MEWZ_HC_ADDR(&poll_args));
    poll_fds[0] = (struct mewz_hc_poll_fd){.handle = 0xffffffffU, .events = 0xffff};
    poll_args.fds_addr = MEWZ_HC_ADDR(poll_fds);
    poll_args.nfds = 1;
    poll_args.timeout_ns = MEWZ_HC_TIMEOUT_NONE; /* answered at once: NVAL */
    hypercall(MEWZ_HC_POLL, &poll_args);
    expect(poll_args.error == 0 && poll_args.ready == 1 &&
           poll_fds[0].revents == MEWZ_POLL_NVAL);
    guest_exit(0, 0);
}

/* argv[2] cheap hypercalls (empty writes) in a row: the monitor answers
 * each and holds no state between them. */
static inline uint64_t rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

/* The hypercall ring (abi.h, struct mewz_ring), as Guest/hc/ring.c uses it
 * but without falling back to exits (ring.h): posts `count` writes of
 * `text` and waits for each answer;
 * exits 3 when no server opened the slot within `patience_ms`. */
static void ring_writes(uint64_t count, uint64_t patience_ms, const char *text)
{
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    /* A server that slept since boot wakes after an exit. */
    uint64_t start = rdtsc(), patience = boot->tsc_khz * patience_ms;
    while (__atomic_load_n(&ring->listening, __ATOMIC_ACQUIRE) == 0) {
        write_buffer(1, MEWZ_HC_ADDR(text), 0);
        if (rdtsc() - start > patience)
            guest_exit(3, 0);
    }
    for (uint64_t i = 0; i < count; i++) {
        for (;;) {
            /* Filled again after each wake-up: write_buffer uses the same struct. */
            iovecs[0].addr = MEWZ_HC_ADDR(text);
            iovecs[0].len = length(text);
            write_args.fd = 1;
            write_args.iovcnt = 1;
            write_args.iov_addr = MEWZ_HC_ADDR(iovecs);
            write_args.written = 0;
            if (ring_call(MEWZ_HC_WRITE, MEWZ_HC_ADDR(&write_args), 1000000))
                break;
            /* The server sleeps after a quiet spell (a busy host may keep this vCPU
             * from the CPU that long); an exit wakes it. */
            write_buffer(1, MEWZ_HC_ADDR(text), 0);
        }
        if (write_args.error != 0 || write_args.written != length(text))
            guest_exit(4, 0);
    }
    guest_exit(0, 0);
}

/* Posts hypercall `number` on `argument` to the ring and waits for it:
 * the monitor must end the VM when the ring does not serve it. */
static void ring_post(unsigned number, uint64_t argument)
{
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    ring->number = number;
    ring->argument = argument;
    ring->seq = ++ring_last_seq; /* whether or not a server listens */
    hypercall(MEWZ_HC_RING_WAIT, (const void *)ring);
    guest_exit(5, 0);
}

static void flood_hypercalls(uint64_t count)
{
    for (uint64_t i = 0; i < count; i++)
        if (write_vectors(MEWZ_HC_ADDR(iovecs), 0) != 0 || write_args.written)
            guest_exit(1, 0);
    print("flood done\n");
    guest_exit(0, 0);
}

static void ret_instruction_on_stack(void)
{
    install_page_fault_handler();
    volatile unsigned char code[16] = {0xc3}; /* ret */
    ((void (*)(void))(uintptr_t)code)();
}

__attribute__((used)) void guest_main(const boot_info *info)
{
    boot = info;
    const char *mode = boot->argc > 1 ? argument(1) : "hello";

    if (equal(mode, "hello")) {
        print("hello from the guest\n");
        guest_exit(7, 0);
    } else if (equal(mode, "bootinfo")) {
        check_boot_info();
    } else if (equal(mode, "null")) {
        touch(0);
    } else if (equal(mode, "guard")) {
        touch(boot->stack_bottom - 8);
    } else if (equal(mode, "lm")) {
        touch(MEWZ_LM_BASE);
    } else if (equal(mode, "nx")) {
        ret_instruction_on_stack();
    } else if (equal(mode, "wp")) {
        install_page_fault_handler();
        *(volatile uint8_t *)(uintptr_t)guest_main = 0x90;
    } else if (equal(mode, "triple")) {
        (void)*(volatile uint8_t *)0; /* no IDT: #PF -> #DF -> shutdown */
    } else if (equal(mode, "unknown-call")) {
        hypercall(99, &write_args);
    } else if (equal(mode, "bad-argument")) {
        hypercall(MEWZ_HC_WRITE, (void *)(uintptr_t)(boot->ram_size + 0x1000));
    } else if (equal(mode, "misaligned")) {
        hypercall(MEWZ_HC_WRITE, (char *)&write_args + 1);
    } else if (equal(mode, "in")) {
        unsigned value;
        __asm__ volatile("inl %w1, %0"
                         : "=a"(value)
                         : "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + 1)));
    } else if (equal(mode, "port")) {
        __asm__ volatile("outb %%al, $0x80" : : "a"(0));
    } else if (equal(mode, "efault")) {
        guest_exit(write_buffer(1, boot->ram_size + 0x1000, 16), 0);
    } else if (equal(mode, "iov-max")) {
        write_args.fd = 1;
        write_args.iovcnt = MEWZ_HC_IOV_MAX + 1;
        write_args.iov_addr = MEWZ_HC_ADDR(iovecs);
        hypercall(MEWZ_HC_WRITE, &write_args);
        guest_exit(write_args.error, 0);
    } else if (equal(mode, "bad-fd")) {
        guest_exit(write_buffer(5, MEWZ_HC_ADDR("x"), 1), 0);
    } else if (equal(mode, "lm-write")) {
        /* Four bytes straight from the linear-memory slot (guest-physical). */
        unsigned error = write_buffer(1, MEWZ_LM_BASE, 4);
        guest_exit(error ? 100 + error : (unsigned)write_args.written, 0);
    } else if (equal(mode, "random")) {
        fill_random();
    } else if (equal(mode, "lm-grow")) {
        grow_linear_memory();
    } else if (equal(mode, "echo")) {
        echo_stdin();
    } else if (equal(mode, "halt")) {
        __asm__ volatile("cli; hlt");
    } else if (equal(mode, "trap")) {
        guest_exit(0, MEWZ_TRAP_UNREACHABLE);
    } else if (equal(mode, "cpl")) {
        /* The hardware CS's RPL: 3 when kvm-pvm runs the guest natively. */
        unsigned short cs;
        __asm__ volatile("mov %%cs, %0" : "=r"(cs));
        guest_exit(cs & 3, 0);
    } else if (equal(mode, "spin")) {
        spin_after_greeting();
    } else if (equal(mode, "busy")) {
        busy_then_exit();
    } else if (equal(mode, "flood")) {
        flood_stdout();
    } else if (equal(mode, "rofs")) {
        read_rofs();
    } else if (equal(mode, "rofs-write")) {
        install_page_fault_handler();
        *(volatile uint8_t *)(uintptr_t)(MEWZ_ROFS_BASE + 8) = 1;
    } else if (equal(mode, "rofs-exec")) {
        install_page_fault_handler();
        ((void (*)(void))(uintptr_t)MEWZ_ROFS_BASE)();
    } else if (equal(mode, "rofs-end")) {
        touch(MEWZ_ROFS_BASE + boot->rofs_size);
    } else if (equal(mode, "cwd")) {
        print_cwd();
    } else if (equal(mode, "data")) {
        write_data_page();
    } else if (equal(mode, "sleep")) {
        sleep_ms(boot->argc > 2 ? argument(2) : "1000");
    } else if (equal(mode, "sleep-forever")) {
        print("sleeping\n");
        poll_handles(0, MEWZ_HC_TIMEOUT_NONE);
        guest_exit(1, 0);
    } else if (equal(mode, "poll-stdin")) {
        poll_stdin_then_echo();
    } else if (equal(mode, "hostile")) {
        hostile_arguments();
    } else if (equal(mode, "sock-open")) {
        /* Opens an IPv4 stream socket; the exit status is the WASI errno. */
        static struct mewz_hc_socket call = {.op = MEWZ_SOCK_OPEN, .arg0 = MEWZ_SOCK_AF_INET, .arg1 = MEWZ_SOCK_STREAM};
        hypercall(MEWZ_HC_SOCKET, &call);
        guest_exit(call.error, 0);
    } else if (equal(mode, "hypercall-flood")) {
        flood_hypercalls(decimal(boot->argc > 2 ? argument(2) : "100000"));
    } else if (equal(mode, "ring")) {
        ring_writes(decimal(argument(2)), decimal(argument(3)), "ring\n");
    } else if (equal(mode, "ring-post")) {
        ring_post((unsigned)decimal(argument(2)), MEWZ_HC_ADDR(&write_args));
    } else if (equal(mode, "ring-misaligned")) {
        ring_post(MEWZ_HC_WRITE, MEWZ_HC_ADDR(&write_args) + 1);
    } else if (equal(mode, "ring-scribble")) {
        /* The monitor's words, written as no honest guest writes them, then
         * calls as usual. */
        volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
        ring->answered = 77;
        ring->failed = 1;
        ring->listening = 0;
        ring->taken = 77;
        hypercall(MEWZ_HC_RING_WAIT, &write_args);
        print("scribbled\n");
        guest_exit(0, 0);
    } else if (equal(mode, "call")) {
        hypercall((unsigned)decimal(argument(2)), &write_args);
    } else if (equal(mode, "outw")) {
        __asm__ volatile("outw %%ax, %w1"
                         :
                         : "a"(0), "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + 1)));
    } else if (equal(mode, "rep-out")) {
        static const uint32_t words[2];
        const void *from = words;
        unsigned long count = 2;
        __asm__ volatile("rep outsl"
                         : "+S"(from), "+c"(count)
                         : "d"((unsigned short)(MEWZ_HC_PORT_BASE + 1))
                         : "memory");
    } else if (equal(mode, "cpu-features")) {
        guest_exit((unsigned)boot->cpu_features, 0);
    }
    print("unknown mode\n");
    guest_exit(200, 0);
}

/* RSP = stack_top (16-byte aligned) and RDI = boot info: call keeps both
 * the argument and the ABI's stack alignment. */
__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    call guest_main\n"
        "1:  hlt\n"
        "    jmp 1b\n");
