/*
 * host_wasi.c: the WASI functions for stdio, args, environ, clocks, random
 * and exit, run on the host against the fakes of host_fakes.h. The
 * filesystem side is host_fs.c.
 */
#include "host_fakes.h"

/* ---- Tests --------------------------------------------------------------- */

static void test_fd_write(void)
{
    reset_fakes();
    memcpy(mem(0x1000), "hello ", 6);
    memcpy(mem(0x2000), "world", 5);
    put_iovec(0x100, 0x1000, 6);
    put_iovec(0x108, 0x3000, 0); /* empty: skipped */
    put_iovec(0x110, 0x2000, 5);
    CHECK_EQ(mewz_wasi_fd_write(1, 0x100, 3, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 11);
    CHECK(written_len == 11 && memcmp(written_bytes, "hello world", 11) == 0);
    CHECK_EQ(write_call_count, 1);
    CHECK_EQ(write_calls[0].fd, 1);
    CHECK_EQ(write_calls[0].iovcnt, 2);
    CHECK_EQ(write_calls[0].first.addr, MEWZ_LM_BASE + 0x1000);
    CHECK(!bad_iov_seen);

    /* More iovecs than one hypercall takes: batches of MEWZ_HC_IOV_MAX. */
    reset_fakes();
    uint32_t count = MEWZ_HC_IOV_MAX + 476;
    put_alphabet_iovecs(count);
    CHECK_EQ(mewz_wasi_fd_write(2, 0x10000, count, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), count);
    CHECK_EQ(write_call_count, 2);
    CHECK_EQ(write_calls[0].iovcnt, MEWZ_HC_IOV_MAX);
    CHECK_EQ(write_calls[1].iovcnt, 476);
    CHECK_EQ(written_bytes[1024], 'a' + 1024 % 26);
    CHECK(!bad_iov_seen);

    /* A short write ends the call with what was written. */
    reset_fakes();
    put_alphabet_iovecs(count);
    write_accept = 100;
    CHECK_EQ(mewz_wasi_fd_write(1, 0x10000, count, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 100);
    CHECK_EQ(write_call_count, 1);

    /* An error with nothing written is the errno; nwritten is untouched. */
    reset_fakes();
    put_alphabet_iovecs(3);
    mewz_guest_store_u32(0x200, 0xdead);
    write_error = MEWZ_WASI_EPIPE;
    CHECK_EQ(mewz_wasi_fd_write(1, 0x10000, 3, 0x200), MEWZ_WASI_EPIPE);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0xdead);

    /* An error after a full first batch is a short write, not an error. */
    reset_fakes();
    put_alphabet_iovecs(count);
    write_error = MEWZ_WASI_EIO;
    write_error_from = 1;
    CHECK_EQ(mewz_wasi_fd_write(1, 0x10000, count, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), MEWZ_HC_IOV_MAX);
    CHECK_EQ(write_call_count, 2);

    /* Nothing to write: no hypercall, nwritten 0. */
    reset_fakes();
    mewz_guest_store_u32(0x200, 0xdead);
    CHECK_EQ(mewz_wasi_fd_write(1, 0x100, 0, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    CHECK_EQ(write_call_count, 0);

    /* Descriptors: only open stdout and stderr. */
    reset_fakes();
    put_iovec(0x100, 0x1000, 6);
    CHECK_EQ(mewz_wasi_fd_write(0, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_write(3, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_write(0xFFFFFFFF, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    /* The descriptor is checked before the pointers. */
    CHECK_EQ(mewz_wasi_fd_write(7, 0xFFFFFFFF, 1, 0xFFFFFFFF), MEWZ_WASI_EBADF);
    CHECK_EQ(write_call_count, 0);
}

/* A buffer that overlaps the iovec array rewrites the next entry while it
 * is filled: the rewritten entry is checked again where it is used, and one
 * that no longer fits in memory ends the transfer there (it used to be
 * copied into, or handed to the monitor, unchecked). */
static void test_iovec_entries_rewritten_by_the_transfer(void)
{
    reset_fakes();
    put_iovec(0x100, 0x108, 8);     /* entry 0: the bytes of entry 1 */
    put_iovec(0x108, 0x1000, 16);   /* entry 1, until entry 0 is filled */
    CHECK_EQ(mewz_iovec_check(0x100, 2), MEWZ_WASI_ESUCCESS);
    uint8_t forged[8];
    uint32_t far = MEMORY_END + 0x10000, len = 0x1000;
    memcpy(forged, &far, 4);
    memcpy(forged + 4, &len, 4);
    uint8_t source[24];
    memcpy(source, forged, 8);
    memset(source + 8, 'x', 16);
    CHECK_EQ(mewz_iovec_fill(0x100, 2, source, sizeof source), 8);
    CHECK_EQ(mewz_guest_load_u32(0x108), far);

    struct mewz_hc_iovec out[2];
    uint32_t next = 0;
    uint64_t bytes = 0;
    CHECK_EQ(mewz_iovec_translate(0x100, 2, &next, out, 2, &bytes), 1);
    CHECK_EQ(bytes, 8);
    CHECK_EQ(out[0].addr, MEWZ_LM_BASE + 0x108);

    uint8_t gathered[24];
    CHECK_EQ(mewz_iovec_gather(0x100, 2, gathered, sizeof gathered), 8);
}

static void test_fd_write_bounds(void)
{
    reset_fakes();
    put_iovec(0x100, 0x1000, 6);
    const struct {
        uint32_t iovs, iovs_len, out;
        uint32_t iov_buf, iov_len; /* written at iovs when in bounds */
        uint32_t expected;
    } cases[] = {
        {0x100, 1, 0x200, 0x1000, 6, MEWZ_WASI_ESUCCESS},
        /* the iovec array */
        {MEMORY_END - 8, 1, 0x200, 0x1000, 6, MEWZ_WASI_ESUCCESS},
        {MEMORY_END - 4, 1, 0x200, 0, 0, MEWZ_WASI_EFAULT},
        {MEMORY_END, 1, 0x200, 0, 0, MEWZ_WASI_EFAULT},
        {0xFFFFFFF8, 2, 0x200, 0, 0, MEWZ_WASI_EFAULT},
        {0x100, 0x20000001, 0x200, 0, 0, MEWZ_WASI_EFAULT}, /* len * 8 wraps u32 */
        {0x100, 0xFFFFFFFF, 0x200, 0, 0, MEWZ_WASI_EFAULT},
        /* a buffer */
        {0x100, 1, 0x200, MEMORY_END - 6, 6, MEWZ_WASI_ESUCCESS},
        {0x100, 1, 0x200, MEMORY_END - 5, 6, MEWZ_WASI_EFAULT},
        {0x100, 1, 0x200, 0xFFFFFFFF, 2, MEWZ_WASI_EFAULT}, /* wraps u32 */
        {0x100, 1, 0x200, 0x10, 0xFFFFFFFF, MEWZ_WASI_EFAULT},
        {0x100, 1, 0x200, MEMORY_END, 0, MEWZ_WASI_ESUCCESS}, /* empty at end */
        {0x100, 1, 0x200, MEMORY_END + 1, 0, MEWZ_WASI_EFAULT},
        /* nwritten */
        {0x100, 1, MEMORY_END - 4, 0x1000, 6, MEWZ_WASI_ESUCCESS},
        {0x100, 1, MEMORY_END - 3, 0x1000, 6, MEWZ_WASI_EFAULT},
        {0x100, 1, 0xFFFFFFFE, 0x1000, 6, MEWZ_WASI_EFAULT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_fakes();
        if (mewz_guest_range_ok(cases[i].iovs, 8))
            put_iovec(cases[i].iovs, cases[i].iov_buf, cases[i].iov_len);
        uint32_t err = mewz_wasi_fd_write(1, cases[i].iovs, cases[i].iovs_len,
                                          cases[i].out);
        if (err != cases[i].expected)
            fprintf(stderr, "fd_write bounds case %zu\n", i);
        CHECK_EQ(err, cases[i].expected);
        CHECK(!bad_iov_seen);
        if (err != MEWZ_WASI_ESUCCESS)
            CHECK_EQ(write_call_count, 0);
    }
}

static void test_fd_read(void)
{
    reset_fakes();
    read_input = "abcdef";
    read_pos = 0;
    put_iovec(0x100, 0x1000, 3);
    put_iovec(0x108, 0x2000, 10);
    CHECK_EQ(mewz_wasi_fd_read(0, 0x100, 2, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 6);
    CHECK(memcmp(mem(0x1000), "abc", 3) == 0 && memcmp(mem(0x2000), "def", 3) == 0);
    CHECK_EQ(mem(0x1003)[0], 0);
    /* End of input. */
    CHECK_EQ(mewz_wasi_fd_read(0, 0x100, 2, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    CHECK_EQ(read_call_count, 2);

    CHECK_EQ(mewz_wasi_fd_read(1, 0x100, 2, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_read(3, 0x100, 2, 0x200), MEWZ_WASI_EBADF);
    put_iovec(0x108, MEMORY_END - 2, 10);
    CHECK_EQ(mewz_wasi_fd_read(0, 0x100, 2, 0x200), MEWZ_WASI_EFAULT);
    put_iovec(0x108, 0x2000, 10);
    CHECK_EQ(mewz_wasi_fd_read(0, 0x100, 2, MEMORY_END), MEWZ_WASI_EFAULT);
    CHECK_EQ(read_call_count, 2);
    CHECK(!bad_iov_seen);
}

static void test_fdstat(void)
{
    const struct {
        uint32_t fd;
        uint64_t rights;
    } cases[] = {
        {0, MEWZ_WASI_RIGHT_FD_READ},
        {1, MEWZ_WASI_RIGHT_FD_WRITE},
        {2, MEWZ_WASI_RIGHT_FD_WRITE},
    };
    for (size_t i = 0; i < 3; i++) {
        reset_fakes();
        memset(mem(0x400), 0xaa, 32);
        CHECK_EQ(mewz_wasi_fd_fdstat_get(cases[i].fd, 0x400), MEWZ_WASI_ESUCCESS);
        uint8_t expected[32];
        memset(expected, 0, 24);
        memset(expected + 24, 0xaa, 8);
        expected[0] = 2; /* character_device */
        memcpy(expected + 8, &cases[i].rights, 8);
        memcpy(expected + 16, &cases[i].rights, 8);
        CHECK(memcmp(mem(0x400), expected, 32) == 0);
    }
    CHECK_EQ(mewz_wasi_fd_fdstat_get(3, 0x400), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(1, MEMORY_END - 24), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(1, MEMORY_END - 23), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(1, 0xFFFFFFF0), MEWZ_WASI_EFAULT);
}

static void test_prestat_and_seek(void)
{
    for (uint32_t fd = 0; fd < 6; fd++)
        CHECK_EQ(mewz_wasi_fd_prestat_get(fd, 0x400), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(0, 0x400, 10), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(2, 0x400, 10), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(3, 0x400, 10), MEWZ_WASI_EBADF);

    const struct {
        uint32_t fd, whence, expected;
    } seeks[] = {
        {0, 0, MEWZ_WASI_ESPIPE},     {1, 1, MEWZ_WASI_ESPIPE},
        {2, 2, MEWZ_WASI_ESPIPE},     {3, 0, MEWZ_WASI_EBADF},
        {0, 3, MEWZ_WASI_EINVAL},     {9, 3, MEWZ_WASI_EINVAL},
        {9, 255, MEWZ_WASI_EINVAL},   {0, 256, MEWZ_WASI_EOVERFLOW},
        {9, 0xFFFFFFFF, MEWZ_WASI_EOVERFLOW},
    };
    for (size_t i = 0; i < sizeof seeks / sizeof seeks[0]; i++)
        CHECK_EQ(mewz_wasi_fd_seek(seeks[i].fd, 5, seeks[i].whence, 0xFFFFFFFF),
                 seeks[i].expected);
}

static void test_clocks(void)
{
    reset_fakes();
    fake_boot.tsc_khz = 2000000; /* 2 GHz */
    fake_boot.boot_realtime_ns = 1700000000000000000ULL;
    fake_boot.boot_monotonic_ns = 5000000000ULL;
    fake_tsc = 1000;
    mewz_clock_init(fake_tsc);
    fake_tsc += 3000000000ULL; /* 1.5 s */
    const struct {
        uint32_t id;
        uint64_t expected;
    } cases[] = {
        {0, 1700000000000000000ULL + 1500000000ULL},
        {1, 5000000000ULL + 1500000000ULL},
        {2, 1500000000ULL},
        {3, 1500000000ULL},
    };
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ(mewz_wasi_clock_time_get(cases[i].id, 0, 0x300), MEWZ_WASI_ESUCCESS);
        uint64_t t;
        memcpy(&t, mem(0x300), 8);
        CHECK_EQ(t, cases[i].expected);
        CHECK_EQ(mewz_wasi_clock_res_get(cases[i].id, 0x308), MEWZ_WASI_ESUCCESS);
        memcpy(&t, mem(0x308), 8);
        CHECK_EQ(t, 1);
    }
    CHECK_EQ(mewz_wasi_clock_time_get(4, 0, 0x300), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_clock_time_get(0xFFFFFFFF, 0, 0x300), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_clock_res_get(4, 0x300), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_clock_time_get(1, 0, MEMORY_END - 7), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_clock_res_get(1, 0xFFFFFFFC), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_clock_time_get(1, 0, MEMORY_END - 8), MEWZ_WASI_ESUCCESS);

    /* Exact for huge tick counts (no overflow), against 128-bit math. */
    const uint64_t khzs[] = {1, 300, 999999, 2903999, 5000000};
    const uint64_t ticks[] = {0, 1, 12345678901ULL, 1ULL << 50, 1ULL << 62};
    for (size_t k = 0; k < 5; k++) {
        for (size_t t = 0; t < 5; t++) {
            fake_boot.tsc_khz = khzs[k];
            fake_tsc = 7 + ticks[t];
            mewz_clock_init(7);
            unsigned __int128 ns = (unsigned __int128)ticks[t] * 1000000 / khzs[k];
            if (ns <= UINT64_MAX)
                CHECK_EQ(mewz_clock_since_boot_ns(), (uint64_t)ns);
        }
    }
    fake_boot.tsc_khz = 300; /* 0.3 MHz: a tick is 3333.3 ns */
    CHECK_EQ(mewz_wasi_clock_res_get(1, 0x308), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x308), 3334);
    fake_boot.tsc_khz = 0; /* unknown: the clocks stand at boot time */
    CHECK_EQ(mewz_clock_since_boot_ns(), 0);
}

static bool all_bytes(uint32_t at, uint32_t len, uint8_t value)
{
    for (uint32_t i = 0; i < len; i++)
        if (mem(at)[i] != value)
            return false;
    return true;
}

static void test_random(void)
{
    /* RDRAND covers everything, including a tail shorter than a word. */
    reset_fakes();
    fake_boot.cpu_features = MEWZ_CPU_RDRAND | MEWZ_CPU_RDSEED;
    rdrand_budget = 1000;
    CHECK_EQ(mewz_wasi_random_get(0x1000, 13), MEWZ_WASI_ESUCCESS);
    CHECK(all_bytes(0x1000, 13, 0x11) && mem(0x1000)[13] == 0);
    CHECK_EQ(rdseed_calls, 0);
    CHECK_EQ(random_call_count, 0);

    /* RDRAND runs dry after two words: RDSEED takes over, then the
     * monitor when RDSEED runs dry too. */
    reset_fakes();
    rdrand_budget = 2;
    rdseed_budget = 1;
    CHECK_EQ(mewz_wasi_random_get(0x1000, 40), MEWZ_WASI_ESUCCESS);
    CHECK(all_bytes(0x1000, 16, 0x11));
    CHECK(all_bytes(0x1010, 8, 0x22));
    CHECK(all_bytes(0x1018, 16, 0x5a));
    CHECK_EQ(rdrand_calls, 2 + 10); /* the retries before giving up */
    CHECK_EQ(random_call_count, 1);
    CHECK_EQ(random_chunks[0], 16);

    /* No CPU source: the monitor, in chunks of at most 64 KiB. */
    reset_fakes();
    fake_boot.cpu_features = 0;
    CHECK_EQ(mewz_wasi_random_get(0x100, 150000), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(random_call_count, 3);
    CHECK_EQ(random_chunks[0], 65536);
    CHECK_EQ(random_chunks[1], 65536);
    CHECK_EQ(random_chunks[2], 150000 - 131072);
    CHECK(all_bytes(0x100, 150000, 0x5a));
    CHECK_EQ(rdrand_calls, 0);

    reset_fakes();
    CHECK_EQ(mewz_wasi_random_get(0x100, 0), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_random_get(MEMORY_END, 0), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_random_get(MEMORY_END - 3, 4), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_random_get(0xFFFFFFFF, 2), MEWZ_WASI_EFAULT);
    CHECK_EQ(random_call_count, 0);
}

static void test_args_and_environ(void)
{
    static const char argv_block[] = "prog\0-x\0\0hello world";
    static const char env_block[] = "A=1\0PATH=/bin";
    reset_fakes();
    fake_boot.argc = 4;
    fake_boot.argv_addr = (uint64_t)(uintptr_t)argv_block;
    fake_boot.argv_size = sizeof argv_block; /* 21 bytes, 4 strings */
    fake_boot.envc = 2;
    fake_boot.env_addr = (uint64_t)(uintptr_t)env_block;
    fake_boot.env_size = sizeof env_block;

    CHECK_EQ(mewz_wasi_args_sizes_get(0x100, 0x104), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x100), 4);
    CHECK_EQ(mewz_guest_load_u32(0x104), 21);
    CHECK_EQ(mewz_wasi_args_get(0x200, 0x1000), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0x1000);
    CHECK_EQ(mewz_guest_load_u32(0x204), 0x1005);
    CHECK_EQ(mewz_guest_load_u32(0x208), 0x1008);
    CHECK_EQ(mewz_guest_load_u32(0x20c), 0x1009);
    CHECK(memcmp(mem(0x1000), argv_block, 21) == 0);
    CHECK(strcmp((char *)mem(0x1009), "hello world") == 0);

    CHECK_EQ(mewz_wasi_environ_sizes_get(0x100, 0x104), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x100), 2);
    CHECK_EQ(mewz_guest_load_u32(0x104), 14);
    CHECK_EQ(mewz_wasi_environ_get(0x300, 0x2000), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x300), 0x2000);
    CHECK_EQ(mewz_guest_load_u32(0x304), 0x2004);
    CHECK(strcmp((char *)mem(0x2004), "PATH=/bin") == 0);

    /* Bounds: both results, the pointer array and the buffer. */
    CHECK_EQ(mewz_wasi_args_sizes_get(MEMORY_END - 4, 0x104), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_args_sizes_get(MEMORY_END - 3, 0x104), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_args_sizes_get(0x100, 0xFFFFFFFF), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_args_get(MEMORY_END - 16, 0x1000), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_args_get(MEMORY_END - 15, 0x1000), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_args_get(0xFFFFFFFC, 0x1000), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_args_get(0x200, MEMORY_END - 21), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_args_get(0x200, MEMORY_END - 20), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_environ_get(0x300, 0xFFFFFFF0), MEWZ_WASI_EFAULT);

    /* A block with fewer strings than announced never points past it. */
    fake_boot.argc = 3;
    fake_boot.argv_addr = (uint64_t)(uintptr_t)"x";
    fake_boot.argv_size = 2;
    CHECK_EQ(mewz_wasi_args_get(0x200, 0x1000), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0x1000);
    CHECK_EQ(mewz_guest_load_u32(0x204), 0x1002);
    CHECK_EQ(mewz_guest_load_u32(0x208), 0x1002);

    /* No arguments at all. */
    fake_boot.argc = 0;
    fake_boot.argv_size = 0;
    CHECK_EQ(mewz_wasi_args_sizes_get(0x100, 0x104), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x100), 0);
    CHECK_EQ(mewz_wasi_args_get(MEMORY_END, MEMORY_END), MEWZ_WASI_ESUCCESS);

    /* A size that no u32 holds. */
    fake_boot.argv_size = 1ULL << 32;
    CHECK_EQ(mewz_wasi_args_sizes_get(0x100, 0x104), MEWZ_WASI_EOVERFLOW);
}

static void test_close(void)
{
    reset_fakes();
    put_iovec(0x100, 0x1000, 1);
    CHECK_EQ(mewz_wasi_fd_close(3), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_close(1), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_fd_close(1), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_write(1, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(1, 0x400), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_seek(1, 0, 0, 0x400), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(1, 0x400, 1), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_write(2, 0x100, 1, 0x200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_fd_close(0), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_fd_read(0, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
}

static void test_exit_and_traps(void)
{
    CHECK_EQ(mewz_wasi_sched_yield(), MEWZ_WASI_ESUCCESS);
    const struct {
        int kind; /* 0: proc_exit, 1: trap */
        uint32_t arg, status, trap;
    } cases[] = {
        {0, 0, 0, MEWZ_TRAP_NONE},
        {0, 300, 300, MEWZ_TRAP_NONE},
        {1, MEWZ_TRAP_UNREACHABLE, 134, MEWZ_TRAP_UNREACHABLE},
        {1, MEWZ_TRAP_MEMORY_OOB, 134, MEWZ_TRAP_MEMORY_OOB},
        {1, MEWZ_TRAP_GUEST_FAULT, 134, MEWZ_TRAP_GUEST_FAULT},
        {1, MEWZ_TRAP_NONE, 134, MEWZ_TRAP_GUEST_FAULT},
        {1, MEWZ_TRAP_COUNT, 134, MEWZ_TRAP_GUEST_FAULT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        last_exit.status = last_exit.trap = 0xdead;
        if (setjmp(exit_jump) == 0) {
            if (cases[i].kind == 0)
                mewz_wasi_proc_exit(cases[i].arg);
            else
                mewz_trap(cases[i].arg);
        }
        CHECK_EQ(last_exit.status, cases[i].status);
        CHECK_EQ(last_exit.trap, cases[i].trap);
    }
}

int main(void)
{
    if (map_linear_memory("host_wasi") != 0)
        return 1;
    mewz_rofs_mount(NULL, 0); /* no ROFS: stdio only, nothing preopened */
    mewz_fd_init();
    test_fd_write();
    test_iovec_entries_rewritten_by_the_transfer();
    test_fd_write_bounds();
    test_fd_read();
    test_fdstat();
    test_prestat_and_seek();
    test_clocks();
    test_random();
    test_args_and_environ();
    test_close(); /* last: closes stdio for good */
    test_exit_and_traps();
    return check_report("host_wasi");
}
