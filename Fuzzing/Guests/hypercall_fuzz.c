/*
 * A hostile guest for the monitor (hack/fuzz hypercall): argv[1] is a seed,
 * argv[2] a number of hypercalls. Each one is write, read, random, memory,
 * poll, a flush of outbox records (on a stream socket that never
 * connects, a datagram socket and random handles) or a file call on the
 * VM's host volume (below, fuzz_fs) with arguments drawn
 * from the seed: valid, at the boundaries of
 * guest RAM and of the backed linear memory, straddling them, overflowing
 * 64 bits, far away, and overlapping the argument struct itself. Written
 * in C, not Wasm, so nothing but the ABI stands between it and the monitor.
 *
 * Every answer is checked against what abi.h promises: a call whose
 * pointers all lie in guest memory (RAM, or the backed linear memory) and
 * whose counts are in range succeeds; any other is refused with an errno.
 * A broken promise prints "MISMATCH ..." and exits 3. Its own lines go to
 * fd 2; the random writes to fd 1 or to bad descriptors. After the last call
 * it prints "hypercall-fuzz: N calls" and ends the way argv[3] says:
 * "exit" (status 0), "unknown" (an unknown hypercall number), "outside"
 * (an argument struct outside guest memory), "misaligned", or "trap"
 * (a trap number drawn from the seed): each must end the VM cleanly.
 *
 * Reads and random fills only ever target the scratch buffer, the free
 * pages and linear memory (or addresses that must be refused), so the
 * guest never overwrites its own code, stack or page tables by design.
 */
#include <mewz/abi.h>

static const struct mewz_boot_info *boot;
static uint64_t state;
static uint64_t backed;

/* The arena the arguments live in; 8-aligned. */
static uint8_t scratch[64 * 1024] __attribute__((aligned(64)));

/* memset, memcpy, length, equal. */
#include "../../Tests/MonitorTests/Guests/freestanding.h"
#include "../../Tests/MonitorTests/Guests/ring.h"

static uint64_t decimal(const char *text)
{
    uint64_t value = 0;
    while (*text >= '0' && *text <= '9')
        value = value * 10 + (uint64_t)(*text++ - '0');
    return value;
}

static const char *argument(unsigned index)
{
    const char *string = (const char *)(uintptr_t)boot->argv_addr;
    for (unsigned i = 0; i < index && i < boot->argc; i++)
        string += length(string) + 1;
    return index < boot->argc ? string : "";
}

/* xorshift64*: the whole run follows from the seed. */
static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t bound) { return bound ? next() % bound : 0; }

/* ---- hypercalls ------------------------------------------------------- */

static void out(unsigned number, uint64_t argument_address)
{
    __asm__ volatile("outl %0, %w1"
                     :
                     : "a"((unsigned)argument_address), "Nd"((unsigned short)(MEWZ_HC_PORT_BASE + number))
                     : "memory");
}

/* The monitor's words in the slot, written as no honest guest writes them:
 * the monitor must neither care nor stop answering exits. (A new `seq`
 * would post the last call again, which is the guest's right.) */
static void scribble_ring_state(void)
{
    static const uint32_t values[] = {0, 1, 2, 77, 0xffffffffu};
    volatile struct mewz_ring *ring = (volatile struct mewz_ring *)(uintptr_t)MEWZ_RING_ADDR;
    uint32_t value = values[below(sizeof values / sizeof values[0])];
    switch (below(4)) {
    case 0: ring->answered = 0x80000000u | value; break; /* never a seq this run posts */
    case 1: ring->failed = value; break;
    case 2: ring->listening = value; break;
    default: ring->taken = value; break;
    }
}

/* Writes, entropy and file calls go through the ring half the time (when it is open),
 * with the same arguments and the same checks of the answer. */
static void hypercall(unsigned number, uint64_t argument_address)
{
    if ((number == MEWZ_HC_WRITE || number == MEWZ_HC_RANDOM || number == MEWZ_HC_FS) && below(2) &&
        ring_call(number, argument_address, 20000))
        return;
    out(number, argument_address);
}

static struct mewz_hc_write print_args;
static struct mewz_hc_iovec print_vector;

static void print(const char *text)
{
    print_vector.addr = MEWZ_HC_ADDR(text);
    print_vector.len = length(text);
    print_args = (struct mewz_hc_write){.fd = 2, .iovcnt = 1, .iov_addr = MEWZ_HC_ADDR(&print_vector)};
    hypercall(MEWZ_HC_WRITE, MEWZ_HC_ADDR(&print_args));
}

static void print_number(uint64_t value)
{
    char digits[24];
    int at = 23;
    digits[at] = 0;
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    print(digits + at);
}

static struct mewz_hc_exit exit_args;

static __attribute__((noreturn)) void guest_exit(uint32_t status, uint32_t trap)
{
    exit_args = (struct mewz_hc_exit){.status = status, .trap = trap};
    out(MEWZ_HC_EXIT, MEWZ_HC_ADDR(&exit_args));
    for (;;)
        __asm__ volatile("hlt");
}

static uint64_t iteration;

static void mismatch(const char *what, uint64_t got)
{
    print("MISMATCH call ");
    print_number(iteration);
    print(": ");
    print(what);
    print(" (got ");
    print_number(got);
    print(")\n");
    guest_exit(3, 0);
}

/* ---- the guest memory model (abi.h) --------------------------------- */

/* [address, address + size) inside RAM or the backed linear memory. */
static int inside(uint64_t address, uint64_t size)
{
    if (address <= boot->ram_size && size <= boot->ram_size - address)
        return 1;
    if (address >= MEWZ_LM_BASE) {
        uint64_t offset = address - MEWZ_LM_BASE;
        return offset <= backed && size <= backed - offset;
    }
    return 0;
}

/* A destination the guest may let the monitor write: the scratch arena, the
 * free pages, linear memory; or somewhere that must be refused. */
static uint64_t destination(uint64_t size)
{
    uint64_t ram = boot->ram_size;
    switch (below(12)) {
    case 0: case 1: case 2:
        /* Wholly inside the arena: past it lie the arguments and the stack. */
        if (size <= sizeof scratch)
            return MEWZ_HC_ADDR(scratch) + below(sizeof scratch - size + 1);
        return boot->free_start + below(boot->free_end - boot->free_start);
    case 3:
        return boot->free_start + below(boot->free_end - boot->free_start);
    case 4:
        return ram - below(size + 2); /* at or straddling RAM's end */
    case 5:
        return ram + below(0x10000);
    case 6:
        return backed ? MEWZ_LM_BASE + below(backed) : MEWZ_LM_BASE;
    case 7:
        return MEWZ_LM_BASE + backed - below(size + 2); /* straddling the backed end */
    case 8:
        return MEWZ_LM_BASE - below(16) - 1; /* the gap below linear memory */
    case 9:
        return UINT64_MAX - below(size + 16); /* wraps around */
    case 10:
        return MEWZ_ROFS_BASE + below(0x10000);
    default:
        return next();
    }
}

/* A source the monitor only reads: anything a destination may be, and the
 * guest's own pages (boot info, page tables, code). */
static uint64_t source(uint64_t size)
{
    switch (below(6)) {
    case 0:
        return MEWZ_BOOT_INFO_ADDR + below(MEWZ_PAGE_SIZE);
    case 1:
        return MEWZ_PAGE_TABLE_ADDR + below(MEWZ_PAGE_TABLE_END - MEWZ_PAGE_TABLE_ADDR);
    case 2:
        return below(MEWZ_PAGE_SIZE); /* page 0, never mapped in the guest */
    default:
        return destination(size);
    }
}

static uint64_t size(void)
{
    switch (below(8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return below(64);
    case 3: return below(4096) + 1;
    case 4: return MEWZ_PAGE_SIZE;
    case 5: return below(70000);
    case 6: return UINT64_MAX - below(4);
    default: return (uint64_t)1 << below(64);
    }
}

static uint32_t count(uint32_t maximum)
{
    switch (below(6)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return (uint32_t)below(8);
    case 3: return maximum;
    case 4: return maximum + 1;
    default: return (uint32_t)next();
    }
}

/* An argument struct of `bytes`: in the arena, mostly; sometimes inside the
 * buffers the same call hands over, so the monitor's answer overwrites what
 * it read (it must have copied the struct first). */
static uint64_t argument_slot(uint64_t bytes)
{
    uint64_t slots = (sizeof scratch - bytes) / 8;
    return MEWZ_HC_ADDR(scratch) + below(slots) * 8;
}

/* Fills vectors[count] at `array` (when the array is in the arena) with
 * buffers from `pick`; whether every non-empty one lies in guest memory. */
static int fill_vectors(uint64_t array, uint32_t count, int for_reading)
{
    int valid = 1;
    uint8_t *arena = scratch;
    if (array < MEWZ_HC_ADDR(arena) || array - MEWZ_HC_ADDR(arena) > sizeof scratch ||
        (uint64_t)count * sizeof(struct mewz_hc_iovec) > sizeof scratch - (array - MEWZ_HC_ADDR(arena)))
        return -1; /* not ours to fill: the monitor reads what is there */
    struct mewz_hc_iovec *vectors = (struct mewz_hc_iovec *)(uintptr_t)array;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t len = below(4) == 0 ? size() : below(512);
        uint64_t addr = for_reading ? destination(len) : source(len);
        vectors[i].addr = addr;
        vectors[i].len = len;
        if (len && !inside(addr, len))
            valid = 0;
    }
    return valid;
}

/* Whether the vectors at `array` (count of them) all lie in guest memory,
 * read back as the monitor would see them. */
static int vectors_valid(uint64_t array, uint32_t count)
{
    if (!inside(array, (uint64_t)count * sizeof(struct mewz_hc_iovec)))
        return 0;
    const struct mewz_hc_iovec *vectors = (const struct mewz_hc_iovec *)(uintptr_t)array;
    for (uint32_t i = 0; i < count; i++)
        if (vectors[i].len && !inside(vectors[i].addr, vectors[i].len))
            return 0;
    return 1;
}

/* Arrays the guest can read back itself: the arena and linear memory (its
 * page tables map only the pages it touches there, so it stays away). */
static int readable_here(uint64_t array, uint64_t bytes)
{
    uint64_t arena = MEWZ_HC_ADDR(scratch);
    return array >= arena && array - arena <= sizeof scratch && bytes <= sizeof scratch - (array - arena);
}

/* Where an iovec array goes. A read's array is ours (filled in the arena)
 * or lies at least partly outside guest memory: an array read from the
 * guest's own pages would aim the monitor's writes at whatever those bytes
 * say, and the guest would only be shooting itself. */
static uint64_t vector_array(uint32_t count, int for_reading)
{
    uint64_t bytes = (uint64_t)count * sizeof(struct mewz_hc_iovec);
    if (below(4) && bytes <= sizeof scratch)
        return MEWZ_HC_ADDR(scratch) + below((sizeof scratch - bytes) / 16 + 1) * 16;
    if (!for_reading)
        return source(bytes);
    uint64_t short_of = bytes ? 1 + below(bytes) : 1; /* 1..bytes: never wholly inside */
    switch (below(4)) {
    case 0: return boot->ram_size - bytes + short_of;
    case 1: return MEWZ_LM_BASE + backed - bytes + short_of;
    case 2: return MEWZ_LM_BASE - short_of; /* from the gap below linear memory */
    default: return UINT64_MAX - below(64);
    }
}

static void check_errno(int valid, uint32_t error, const char *call)
{
    if (valid && error != 0)
        mismatch(call, error);
    if (!valid && error == 0)
        mismatch(call, 0);
}

static void fuzz_write_or_read(int reading)
{
    uint64_t at = argument_slot(sizeof(struct mewz_hc_write));
    uint32_t n = count(MEWZ_HC_IOV_MAX);
    if (below(2))
        n = (uint32_t)below(5);
    uint64_t array = vector_array(n, reading);
    /* Writes go to fd 1 (the host's /dev/null) or a bad fd, never to fd 2,
     * which carries this guest's own lines. */
    uint32_t fd = reading ? (below(4) ? 0 : (uint32_t)below(6)) : (below(4) ? 1 : (uint32_t)next());
    if (!reading && fd == 2)
        fd = 3;
    fill_vectors(array, n, reading);
    /* The struct may land on the vectors: judge what the monitor will read. */
    struct mewz_hc_write *args = (struct mewz_hc_write *)(uintptr_t)at;
    /* The padding keeps a vector made of `error` and `_pad` (when the array
     * starts inside the struct) outside guest memory: with 0 there, its
     * address would be 77, and a read would aim the guest's own stdin at its
     * page tables and code (seed 8101542 did). */
    *args = (struct mewz_hc_write){
        .fd = fd, .iovcnt = n, .iov_addr = array, .written = 77, .error = 77, ._pad = 0xffff0000u};
    int known = n <= MEWZ_HC_IOV_MAX && readable_here(array, (uint64_t)n * sizeof(struct mewz_hc_iovec));
    int valid = known && vectors_valid(array, n) && (reading ? fd == 0 : fd == 1 || fd == 2);
    if (n > MEWZ_HC_IOV_MAX || !inside(array, (uint64_t)n * sizeof(struct mewz_hc_iovec)) ||
        (reading ? fd != 0 : fd != 1 && fd != 2))
        known = 1, valid = 0;
    hypercall(reading ? MEWZ_HC_READ : MEWZ_HC_WRITE, at);
    /* A read may have landed on the struct itself; its answer is stored last. */
    if (known)
        check_errno(valid, args->error, reading ? "read" : "write");
    if (args->error && args->written)
        mismatch(reading ? "read failed but counted bytes" : "write failed but counted bytes", args->written);
}

static void fuzz_random(void)
{
    uint64_t at = argument_slot(sizeof(struct mewz_hc_random));
    uint64_t len = below(3) ? below(65536 + 2) : size();
    uint64_t addr = destination(len);
    int valid = len <= 65536 && inside(addr, len);
    struct mewz_hc_random *args = (struct mewz_hc_random *)(uintptr_t)at;
    *args = (struct mewz_hc_random){.addr = addr, .len = len, .error = 77};
    hypercall(MEWZ_HC_RANDOM, at);
    /* Only the error of a fill that cannot overlap the struct is checked. */
    if (!(addr <= at + sizeof *args && at <= addr + len))
        check_errno(valid, args->error, "random");
}

static void fuzz_memory(void)
{
    uint64_t at = argument_slot(sizeof(struct mewz_hc_memory));
    uint64_t limit = boot->lm_limit_size;
    uint64_t wanted;
    switch (below(6)) {
    case 0: wanted = 0; break;
    case 1: wanted = backed + below(4 * MEWZ_LARGE_PAGE_SIZE); break;
    case 2: wanted = limit; break;
    case 3: wanted = limit + 1 + below(1 << 20); break;
    case 4: wanted = UINT64_MAX - below(8); break;
    default: wanted = below(limit + 1); break;
    }
    struct mewz_hc_memory *args = (struct mewz_hc_memory *)(uintptr_t)at;
    *args = (struct mewz_hc_memory){.wanted = wanted, .backed = 77, .error = 77};
    hypercall(MEWZ_HC_MEMORY, at);
    if (wanted > limit && args->error == 0)
        mismatch("memory beyond lm_limit_size backed", wanted);
    if (args->error == 0 && args->backed < wanted)
        mismatch("memory: less backed than wanted", args->backed);
    if (args->backed < backed || args->backed > limit)
        mismatch("memory: backed size went down or past the limit", args->backed);
    backed = args->backed;
}

static void fuzz_poll(void)
{
    uint64_t at = argument_slot(sizeof(struct mewz_hc_poll));
    uint32_t n = below(2) ? (uint32_t)below(6) : count(MEWZ_HC_POLL_MAX);
    uint64_t bytes = (uint64_t)n * sizeof(struct mewz_hc_poll_fd);
    uint64_t array = below(4) && bytes <= sizeof scratch
        ? MEWZ_HC_ADDR(scratch) + below((sizeof scratch - bytes) / 16 + 1) * 16 : destination(bytes);
    if (readable_here(array, bytes)) {
        struct mewz_hc_poll_fd *fds = (struct mewz_hc_poll_fd *)(uintptr_t)array;
        for (uint32_t i = 0; i < n; i++) {
            fds[i].handle = below(3) ? (uint32_t)below(3) : (uint32_t)next();
            fds[i].events = (uint16_t)next();
        }
    }
    static const uint64_t timeouts[] = {0, 1, 1000, 100000};
    struct mewz_hc_poll *args = (struct mewz_hc_poll *)(uintptr_t)at;
    *args = (struct mewz_hc_poll){.fds_addr = array, .nfds = n, .ready = 77, .timeout_ns = timeouts[below(4)], .error = 77};
    int overlaps = array <= at + sizeof *args && at <= array + bytes;
    int valid = n <= MEWZ_HC_POLL_MAX && inside(array, bytes);
    hypercall(MEWZ_HC_POLL, at);
    if (!overlaps) {
        check_errno(valid, args->error, "poll");
        if (args->error == 0 && args->ready > n)
            mismatch("poll: more ready than asked", args->ready);
    }
}

/* ---- file calls on the volume (abi.h, struct mewz_hc_fs) ------------- */

/* FuzzHypercalls gives the VM one host directory (read-only for some
 * seeds) holding a file `f`, a directory `d` with `d/f2`, a fifo, and
 * symlinks that lead out of it: `up` (..), `abs` (an absolute directory
 * beside the volume), `loop` (itself) and `self` (/proc/self/root, a
 * magic link). The host side checks after the run that nothing outside
 * the volume changed, and that a read-only one did not change at all;
 * here every answer must be a WASI errno, and calls that abi.h says must
 * fail do. A fifo opened must not block the monitor (a hang is a
 * finding). */
static const char *const names[] = {
    "f", "d", "d/f2", "new", "d/new", "new/x", ".", "", "/", "..", "../sentinel",
    "up", "up/sentinel", "up/outside/x", "abs", "abs/x", "abs/..", "d/../..",
    "/etc/passwd", "fifo", "loop", "loop/x", "self", "self/etc/passwd",
    "d/./f2/", "f/", "a\0b",
};

/* Handles the monitor answered an open with, until they are closed. */
static uint32_t fs_open[16];
static uint32_t fs_open_count;
static struct mewz_hc_fs fs_args;
/* File calls made, answered 0, and opens among those (printed at the end). */
static uint64_t fs_calls, fs_successes, fs_opens;
/* Bursts whose 65 writes all succeeded: past the write-behind mark. */
static uint64_t fs_bursts;

static void fs_forget(uint32_t handle)
{
    for (uint32_t i = 0; i < fs_open_count; i++)
        if (fs_open[i] == handle) {
            fs_open[i] = fs_open[--fs_open_count];
            return;
        }
}

/* The mount's root (handle 0), an open handle, or one the guest never got. */
static uint32_t fs_handle(void)
{
    switch (below(8)) {
    case 0: case 1: return 0;
    case 2: case 3: case 4:
        return fs_open_count ? fs_open[below(fs_open_count)] : 0;
    case 5: return (uint32_t)below(MEWZ_FS_HANDLE_MAX + 2);
    case 6: return 0x80000000U | (uint32_t)below(4); /* the guest's own tmpfs handles */
    default: return (uint32_t)next();
    }
}

/* A path from the list above (always for an honest call, mostly else);
 * else bytes anywhere, of any length. Returns whether it lies in guest
 * memory. */
static int fs_path(int honest, uint64_t *addr, uint64_t *len)
{
    if (honest || below(5)) {
        /* The first six half the time: names that stay inside. */
        uint64_t pick = below(2) ? below(6) : below(sizeof names / sizeof names[0]);
        *addr = MEWZ_HC_ADDR(names[pick]);
        uint64_t last = sizeof names / sizeof names[0] - 1;
        *len = pick == last ? 3 : length(names[pick]); /* "a\0b": a NUL inside */
    } else {
        *len = below(3) ? below(300) : size();
        *addr = source(*len);
    }
    return *len == 0 || inside(*addr, *len);
}

/* Vectors for a file read or write: few, and short when valid (the volume
 * is on the host's disk). Whether all of them lie in guest memory, and
 * their total length. */
static int fs_vectors(uint32_t n, int reading, uint64_t *array, uint64_t *total)
{
    *array = MEWZ_HC_ADDR(scratch) + below((sizeof scratch - n * sizeof(struct mewz_hc_iovec)) / 16 + 1) * 16;
    struct mewz_hc_iovec *vectors = (struct mewz_hc_iovec *)(uintptr_t)*array;
    int valid = 1;
    *total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t len = below(8) ? below(8192) : size();
        uint64_t addr = reading ? destination(len) : source(len);
        if (len && !inside(addr, len)) {
            valid = 0;
        } else if (len > 65536) {
            len = 65536; /* in memory but long: keep the disk's share small */
        }
        vectors[i] = (struct mewz_hc_iovec){.addr = addr, .len = len};
        *total += len;
    }
    return valid;
}

/* One file call with fs_args; a mismatch unless the answer is a WASI errno. */
static void fs_call(void)
{
    fs_args.error = 77;
    hypercall(MEWZ_HC_FS, MEWZ_HC_ADDR(&fs_args));
    fs_calls++;
    fs_successes += fs_args.error == 0;
    if (fs_args.error > 76)
        mismatch("fs: not a WASI errno", fs_args.error);
}

/* Now and then, past the monitor's write-behind mark (HostVolumes.writeBehindBytes,
 * 4 MiB): "new" opened for writing, created and truncated, then 65 writes of 64 KiB
 * through that one handle, so that the write passing the mark starts the file's writeback;
 * then truncated back to nothing (the disk's share stays small) and closed. The fuzzer's
 * other writes are short and never get there. On a read-only volume, or where "new" is a
 * directory, the open fails and that is all. */
static void fs_burst(void)
{
    fs_args = (struct mewz_hc_fs){.op = MEWZ_FS_OPEN, .flags = 1 | 8 /* CREAT|TRUNC */,
                                  .path_addr = MEWZ_HC_ADDR(names[3]), .path_len = 3, .arg2 = 2};
    fs_call();
    if (fs_args.error != 0)
        return;
    fs_opens++;
    const uint32_t handle = (uint32_t)fs_args.result;
    static struct mewz_hc_iovec vector;
    vector = (struct mewz_hc_iovec){.addr = MEWZ_HC_ADDR(scratch), .len = sizeof scratch};
    int written = 0;
    while (written < 65) {
        fs_args = (struct mewz_hc_fs){.op = MEWZ_FS_WRITE, .handle = handle,
                                      .buf_addr = MEWZ_HC_ADDR(&vector), .buf_len = 1};
        fs_call();
        if (fs_args.error != 0)
            break;
        if (fs_args.result > sizeof scratch)
            mismatch("fs: more bytes moved than the vectors hold", fs_args.result);
        written++;
    }
    fs_bursts += written == 65;
    fs_args = (struct mewz_hc_fs){.op = MEWZ_FS_SET_SIZE, .handle = handle};
    fs_call();
    fs_args = (struct mewz_hc_fs){.op = MEWZ_FS_CLOSE, .handle = handle};
    fs_call();
    if (fs_args.error != 0)
        mismatch("fs: closing an open handle failed", fs_args.error);
}

/* WASI oflags an honest open has: none, CREAT, CREAT|TRUNC, DIRECTORY,
 * CREAT|EXCL. */
static const uint32_t honest_oflags[] = {0, 1, 1 | 8, 2, 1 | 4};

static void fuzz_fs(void)
{
    if (below(128) == 0) {
        fs_burst();
        return;
    }
    /* Opens a quarter of the time, so that the other calls find open handles. */
    uint32_t op = below(4) == 0 ? MEWZ_FS_OPEN
                : below(16)     ? 1 + (uint32_t)below(MEWZ_FS_ADVISE)
                                : (uint32_t)next();
    /* Half the calls are ones an honest guest could make (the mount's root or an open
     * handle, a name from the list, flags in range), so that opens succeed and the calls
     * after them reach the host; the other half draw every field from anywhere. */
    int honest = below(2);
    uint32_t handle = !honest ? fs_handle() : fs_open_count && below(2) ? fs_open[below(fs_open_count)] : 0;
    if (op == MEWZ_FS_CLOSE && handle == 0 && below(16))
        handle = fs_open_count ? fs_open[below(fs_open_count)] : 1; /* keep the root open */
    if (op == MEWZ_FS_MOUNT_INFO)
        handle = (uint32_t)below(3);
    int lookup_in_arg0 = op == MEWZ_FS_OPEN || op == MEWZ_FS_PATH_FILESTAT || op == MEWZ_FS_LINK;
    fs_args = (struct mewz_hc_fs){
        .op = op,
        .handle = handle,
        .handle2 = honest ? 0 : fs_handle(),
        .flags = honest && op == MEWZ_FS_OPEN ? honest_oflags[below(5)]
                 : honest || below(2)          ? (uint32_t)below(16)
                                               : (uint32_t)next(),
        .arg0 = honest ? below(lookup_in_arg0 ? 2 : 4096) : below(2) ? below(1 << 20) : next(),
        .arg1 = honest ? (below(2) ? 0 : below(4)) : below(2) ? below(4) : next(),
        .arg2 = honest ? 1 + below(3) : below(4),
        .result = 77,
    };
    /* The close that rides on a call: an open handle now and then. */
    uint32_t closing = 0;
    if (fs_open_count && below(4) == 0)
        closing = fs_open[below(fs_open_count)] + 1;
    else if (below(32) == 0)
        closing = (uint32_t)next() | 2; /* never the root's 1 */
    fs_args.closing = closing;
    int path_valid = fs_path(honest, &fs_args.path_addr, &fs_args.path_len);
    int path2_valid = fs_path(honest, &fs_args.path2_addr, &fs_args.path2_len);
    int reads_path = op == MEWZ_FS_OPEN || op == MEWZ_FS_PATH_FILESTAT || op == MEWZ_FS_PATH_SET_TIMES ||
                     op == MEWZ_FS_MKDIR || op == MEWZ_FS_RMDIR || op == MEWZ_FS_UNLINK ||
                     op == MEWZ_FS_RENAME || op == MEWZ_FS_LINK || op == MEWZ_FS_SYMLINK ||
                     op == MEWZ_FS_READLINK;
    int reads_path2 = op == MEWZ_FS_RENAME || op == MEWZ_FS_LINK || op == MEWZ_FS_SYMLINK;
    int transfer = op >= MEWZ_FS_READ && op <= MEWZ_FS_PWRITE;
    uint64_t total = 0;
    int vectors_inside = 1;
    if (transfer) {
        uint32_t n = below(8) ? (uint32_t)below(5) : (uint32_t)below(MEWZ_HC_IOV_MAX + 2);
        if (n > 8 && n <= MEWZ_HC_IOV_MAX)
            n = 8;
        int reading = op == MEWZ_FS_READ || op == MEWZ_FS_PREAD;
        vectors_inside = fs_vectors(n <= MEWZ_HC_IOV_MAX ? n : 0, reading, &fs_args.buf_addr, &total) &&
                        n <= MEWZ_HC_IOV_MAX; /* too many vectors: refused */
        fs_args.buf_len = n;
    } else if (op == MEWZ_FS_ALLOCATE) {
        /* Valid ranges stay small (the disk); the rest are past any file size. */
        fs_args.arg0 = below(1 << 16);
        fs_args.arg1 = below(4) ? below(1 << 16) : (1ULL << 62) + next() % (1ULL << 62);
    } else if (op == MEWZ_FS_FILESTAT || op == MEWZ_FS_PATH_FILESTAT) {
        fs_args.buf_addr = destination(64); /* a filestat, whatever buf_len says */
        fs_args.buf_len = below(2) ? 64 : next();
    } else {
        uint64_t len = below(4) ? below(512) : size();
        fs_args.buf_addr = destination(len);
        fs_args.buf_len = len;
    }
    fs_call();

    uint32_t error = fs_args.error;
    fs_opens += error == 0 && op == MEWZ_FS_OPEN;
    if (closing)
        fs_forget(closing - 1); /* freed before the operation, whatever it answered */
    if (error == 0) {
        if (op == 0 || op > MEWZ_FS_SET_FLAGS)
            mismatch("fs: an unknown operation succeeded", op);
        if (op != MEWZ_FS_MOUNT_INFO && handle >= MEWZ_FS_HANDLE_MAX)
            mismatch("fs: a handle past the limit answered", handle);
        if (op == MEWZ_FS_MOUNT_INFO && handle >= boot->volume_count)
            mismatch("fs: a mount past volume_count answered", handle);
        if ((reads_path && !path_valid) || (reads_path2 && !path2_valid))
            mismatch("fs: a path outside guest memory accepted", op);
        if (transfer && !vectors_inside)
            mismatch("fs: vectors outside guest memory accepted", op);
        if (transfer && fs_args.result > total)
            mismatch("fs: more bytes moved than the vectors hold", fs_args.result);
    }
    if (op == MEWZ_FS_CLOSE && error == 0)
        fs_forget(handle);
    if (op == MEWZ_FS_OPEN && error == 0) {
        if (fs_args.result >= MEWZ_FS_HANDLE_MAX)
            mismatch("fs: an open answered a handle past the limit", fs_args.result);
        if (fs_open_count == sizeof fs_open / sizeof fs_open[0]) {
            /* Full: close the oldest as a call of its own. */
            fs_args = (struct mewz_hc_fs){.op = MEWZ_FS_CLOSE, .handle = fs_open[0]};
            fs_call();
            if (fs_args.error != 0)
                mismatch("fs: closing an open handle failed", fs_args.error);
            fs_forget(fs_open[0]);
        }
        fs_open[fs_open_count++] = (uint32_t)fs_args.result;
    }
}

/* ---- the end of a run --------------------------------------------------- */

static __attribute__((noreturn)) void finish(const char *how)
{
    print("hypercall-fuzz: file calls ");
    print_number(fs_calls);
    print(", answered 0: ");
    print_number(fs_successes);
    print(", opens: ");
    print_number(fs_opens);
    print(", bursts past write-behind: ");
    print_number(fs_bursts);
    print("\nhypercall-fuzz: ");
    print_number(iteration);
    print(" calls\n");
    if (equal(how, "unknown")) {
        /* Past the numbered calls, skipping the filesystem family. */
        unsigned number = MEWZ_HC_COUNT + (unsigned)below(200);
        if (number >= MEWZ_HC_FS)
            number += MEWZ_HC_FS_LAST - MEWZ_HC_FS + 1;
        hypercall(number, MEWZ_HC_ADDR(&exit_args));
    } else if (equal(how, "outside"))
        hypercall(1 + (unsigned)below(MEWZ_HC_RING_WAIT - 1), boot->ram_size - below(8));
    else if (equal(how, "misaligned"))
        hypercall(1 + (unsigned)below(MEWZ_HC_RING_WAIT - 1), MEWZ_HC_ADDR(scratch) + 1 + below(7));
    else if (equal(how, "trap"))
        guest_exit(0, 1 + (uint32_t)below(MEWZ_TRAP_GUEST_FAULT));
    guest_exit(0, 0);
}

/* ---- the outbox (abi.h, struct mewz_outbox) -------------------------- */

/* A stream socket that never connects (every send it is asked for fails:
 * EPIPE, so the monitor never holds bytes) and a datagram socket (no
 * outbox: EBADF); 0 when the host refused one. While any is open, every
 * hypercall first sends the outbox. */
static struct mewz_hc_socket socket_args;
static uint32_t stream_socket, datagram_socket;

static uint32_t open_socket(uint32_t type)
{
    socket_args = (struct mewz_hc_socket){.op = MEWZ_SOCK_OPEN, .arg0 = MEWZ_SOCK_AF_INET, .arg1 = type, .error = 77};
    out(MEWZ_HC_SOCKET, MEWZ_HC_ADDR(&socket_args));
    return socket_args.error == 0 ? socket_args.handle : 0;
}

/* Records with handles of every kind, bytes anywhere and any count (past
 * MEWZ_OUTBOX_RECORDS too), then MEWZ_HC_FLUSH: the count must come back 0
 * and every record answered as abi.h says. */
static void fuzz_outbox(void)
{
    volatile struct mewz_outbox *box = (volatile struct mewz_outbox *)(uintptr_t)MEWZ_OUTBOX_ADDR;
    uint32_t n = below(4) ? (uint32_t)below(8) : count(MEWZ_OUTBOX_RECORDS);
    uint32_t records = n < MEWZ_OUTBOX_RECORDS ? n : MEWZ_OUTBOX_RECORDS;
    for (uint32_t i = 0; i < records; i++) {
        uint32_t len = (uint32_t)(below(3) ? below(4096) : size());
        uint64_t addr = destination(len);
        uint32_t handle;
        switch (below(4)) {
        case 0: case 1: handle = stream_socket; break;
        case 2: handle = datagram_socket; break;
        default: handle = (uint32_t)next(); break;
        }
        box->records[i] = (struct mewz_outbox_record){.addr = addr, .handle = handle, .len = len, .error = 77, .held = 77};
    }
    box->count = n;
    out(MEWZ_HC_FLUSH, MEWZ_HC_ADDR(scratch));
    if (stream_socket == 0 && datagram_socket == 0)
        return; /* no socket: the monitor need not look */
    if (box->count != 0)
        mismatch("outbox: count not cleared", box->count);
    for (uint32_t i = 0; i < records; i++) {
        struct mewz_outbox_record record = box->records[i];
        if (record.held != 0)
            mismatch("outbox: bytes held for a socket that never connected", record.held);
        if (record.handle != stream_socket || stream_socket == 0) {
            if (record.error != 8) /* EBADF */
                mismatch("outbox: a record on no stream socket not EBADF", record.error);
        } else if (record.len > 0 && !inside(record.addr, record.len)) {
            if (record.error != 21) /* EFAULT */
                mismatch("outbox: bytes outside guest memory not EFAULT", record.error);
        } else if ((record.len > 0) != (record.error != 0) || record.error == 77) {
            mismatch("outbox: a send on an unconnected socket answered", record.error);
        }
    }
}

__attribute__((used)) void guest_main(const struct mewz_boot_info *info)
{
    boot = info;
    state = decimal(argument(1)) * 0x9E3779B97F4A7C15ULL + 1;
    uint64_t calls = decimal(argument(2));
    backed = boot->lm_backed_size;
    stream_socket = open_socket(MEWZ_SOCK_STREAM);
    datagram_socket = open_socket(MEWZ_SOCK_DGRAM);
    for (iteration = 0; iteration < calls; iteration++) {
        if (below(64) == 0)
            scribble_ring_state();
        switch (below(7)) {
        case 0: fuzz_write_or_read(0); break;
        case 1: fuzz_write_or_read(1); break;
        case 2: fuzz_random(); break;
        case 3: fuzz_memory(); break;
        case 4: fuzz_outbox(); break;
        case 5: fuzz_fs(); break;
        default: fuzz_poll(); break;
        }
    }
    finish(argument(3));
}

/* RSP = stack_top and RDI = boot info, as the probe guest starts. */
__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    call guest_main\n"
        "1:  hlt\n"
        "    jmp 1b\n");
