/*
 * host_sock.c: the guest's socket layer (wasi/sock*.c and the socket paths
 * of fd_read, fd_write, fd_close, fd_fdstat and poll_oneoff) on the host,
 * against host_fakes.h's scripted socket hypercalls: WasmEdge's v1 and v2
 * addresses, numeric getaddrinfo, descriptors, data both ways, options, and
 * every bad pointer.
 */
#include "host_fakes.h"

/* A WasmEdge address {buf, len} at `at` over bytes at `buf`. */
static void put_address(uint32_t at, uint32_t buf, uint32_t len)
{
    put_iovec(at, buf, len);
}

static uint32_t open_socket(uint32_t family, uint32_t type)
{
    CHECK_EQ(mewz_wasi_sock_open(family, type, 0x10), MEWZ_WASI_ESUCCESS);
    return mewz_guest_load_u32(0x10);
}

static void test_addresses(void)
{
    reset_fakes();
    struct mewz_hc_sockaddr address;
    /* v1: 4 raw bytes, 16 raw bytes. */
    memcpy(mem(0x1000), "\x7f\x00\x00\x01", 4);
    put_address(0x100, 0x1000, 4);
    CHECK_EQ(mewz_sockaddr_read(0x100, 8080, &address), MEWZ_WASI_ESUCCESS);
    CHECK(address.family == MEWZ_SOCK_AF_INET && address.port == 8080 &&
          memcmp(address.addr, "\x7f\x00\x00\x01", 4) == 0);
    put_address(0x100, 0x1000, 16);
    CHECK_EQ(mewz_sockaddr_read(0x100, 1, &address), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(address.family, MEWZ_SOCK_AF_INET6);
    /* v2: 128 bytes, family first. */
    memset(mem(0x1000), 0, 128);
    mewz_guest_store_u16(0x1000, 2);
    mem(0x1000)[17] = 1; /* ::1 */
    put_address(0x100, 0x1000, 128);
    CHECK_EQ(mewz_sockaddr_read(0x100, 443, &address), MEWZ_WASI_ESUCCESS);
    CHECK(address.family == MEWZ_SOCK_AF_INET6 && address.addr[15] == 1 && address.port == 443);
    mewz_guest_store_u16(0x1000, 3); /* AF_UNIX */
    CHECK_EQ(mewz_sockaddr_read(0x100, 0, &address), MEWZ_WASI_EAFNOSUPPORT);
    put_address(0x100, 0x1000, 7);
    CHECK_EQ(mewz_sockaddr_read(0x100, 0, &address), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_sockaddr_read(0x100, 65536, &address), MEWZ_WASI_EINVAL);
    put_address(0x100, MEMORY_END - 2, 4);
    CHECK_EQ(mewz_sockaddr_read(0x100, 0, &address), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_sockaddr_read(MEMORY_END - 4, 0, &address), MEWZ_WASI_EFAULT);

    /* Writing back: v2 family and bytes; v1 raw bytes and its length. */
    struct mewz_hc_sockaddr v4 = {.family = MEWZ_SOCK_AF_INET, .addr = {10, 0, 0, 7}};
    put_address(0x100, 0x1000, 128);
    CHECK_EQ(mewz_sockaddr_write(0x100, &v4), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_guest_load_u32(0x1000) == (1 | 10u << 16) && mem(0x1000)[5] == 7);
    put_address(0x100, 0x1000, 16);
    CHECK_EQ(mewz_sockaddr_write(0x100, &v4), MEWZ_WASI_ESUCCESS);
    CHECK(memcmp(mem(0x1000), "\x0a\x00\x00\x07", 4) == 0 && mewz_guest_load_u32(0x104) == 4);
    struct mewz_hc_sockaddr v6 = {.family = MEWZ_SOCK_AF_INET6};
    put_address(0x100, 0x1000, 4);
    CHECK_EQ(mewz_sockaddr_write(0x100, &v6), MEWZ_WASI_EINVAL);
}

static void test_parse(void)
{
    struct mewz_hc_sockaddr a;
    static const struct {
        const char *text;
        uint16_t family;
        uint8_t first, last;
    } good[] = {
        {"0.0.0.0", MEWZ_SOCK_AF_INET, 0, 0},
        {"127.0.0.1", MEWZ_SOCK_AF_INET, 127, 1},
        {"255.255.255.255", MEWZ_SOCK_AF_INET, 255, 255},
        {"::", MEWZ_SOCK_AF_INET6, 0, 0},
        {"::1", MEWZ_SOCK_AF_INET6, 0, 1},
        {"fe80::1:2", MEWZ_SOCK_AF_INET6, 0xfe, 2},
        {"2001:db8:0:0:0:0:2:1", MEWZ_SOCK_AF_INET6, 0x20, 1},
        {"::ffff:10.0.0.9", MEWZ_SOCK_AF_INET6, 0, 9},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        bool ok = mewz_sockaddr_parse(good[i].text, (uint32_t)strlen(good[i].text), &a);
        CHECK(ok);
        CHECK_EQ(a.family, good[i].family);
        CHECK_EQ(a.addr[0], good[i].first);
        CHECK_EQ(a.addr[good[i].family == MEWZ_SOCK_AF_INET ? 3 : 15], good[i].last);
    }
    static const char *bad[] = {
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d",
        ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7:", "g::",
        "localhost",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool ok = mewz_sockaddr_parse(bad[i], (uint32_t)strlen(bad[i]), &a);
        if (ok)
            fprintf(stderr, "host_sock: parsed %s\n", bad[i]);
        CHECK(!ok);
    }
}

/* A guest chain of `count` addrinfo structs at 0x4000, each with its
 * sockaddr and a 26-byte sa_data. */
static void build_chain(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t info = 0x4000 + i * 0x100;
        memset(mem(info), 0, 0x100);
        mewz_guest_store_u32(info + 12, info + 0x40);         /* ai_addr */
        mewz_guest_store_u32(info + 24, i + 1 < count ? info + 0x100 : 0);
        mewz_guest_store_u32(info + 0x40 + 4, 26);            /* sa_data_len */
        mewz_guest_store_u32(info + 0x40 + 8, info + 0x80);   /* sa_data */
    }
    mewz_guest_store_u32(0x300, 0x4000);
}

static void test_getaddrinfo(void)
{
    reset_fakes();
    memcpy(mem(0x1000), "127.0.0.1", 9);
    memcpy(mem(0x1100), "8080", 4);
    mem(0x200)[3] = MEWZ_SOCK_STREAM; /* hints: socktype */
    build_chain(4);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 9, 0x1100, 4, 0x200, 0x300, 4, 0x310),
             MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x310), 1);
    CHECK_EQ(mem(0x4000)[2], 1);                 /* ai_family inet4 */
    CHECK_EQ(mem(0x4000)[3], MEWZ_SOCK_STREAM);
    CHECK_EQ(mem(0x4040)[0], 1);                    /* sa_family */
    CHECK(memcmp(mem(0x4080), "\x1f\x90\x7f\x00\x00\x01", 6) == 0); /* port BE, address */

    /* "localhost" with no hints: both families, both types, bounded by max. */
    memcpy(mem(0x1000), "localhost", 9);
    memset(mem(0x200), 0, 28);
    build_chain(4);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 9, 0x1100, 0, 0x200, 0x300, 3, 0x310),
             MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x310), 3);
    CHECK_EQ(mem(0x4200)[2], 2);                 /* the third: inet6 */
    CHECK_EQ(mem(0x4280)[21], 1);               /* ::1's last byte */

    /* No node, AI_PASSIVE, IPv6 only: the wildcard "::". */
    mewz_guest_store_u16(0x200, 1);
    mem(0x200)[2] = 2;
    mem(0x200)[3] = MEWZ_SOCK_STREAM;
    build_chain(2);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 0, 0x1100, 4, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x310), 1);
    CHECK_EQ(mem(0x4000)[2], 2);
    CHECK_EQ(mem(0x4080)[21], 0);

    memset(mem(0x200), 0, 28);
    memcpy(mem(0x1000), "example.com", 11);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 11, 0x1100, 4, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_EAI_NONAME);
    memcpy(mem(0x1100), "gopher", 6);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 0, 0x1100, 6, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_EAI_SERVICE);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 0, 0x1100, 0, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_EAI_NONAME);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(MEMORY_END - 2, 9, 0x1100, 4, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_EFAULT);
    /* A chain that points outside memory. */
    memcpy(mem(0x1000), "::1", 3);
    mewz_guest_store_u32(0x300, MEMORY_END - 8);
    CHECK_EQ(mewz_wasi_sock_getaddrinfo(0x1000, 3, 0x1100, 0, 0x200, 0x300, 2, 0x310),
             MEWZ_WASI_EFAULT);
}

static void test_descriptors_and_data(void)
{
    reset_fakes();
    uint32_t fd = open_socket(1, MEWZ_SOCK_STREAM);
    CHECK_EQ(sock_calls[0].op, MEWZ_SOCK_OPEN);
    CHECK(sock_calls[0].arg0 == 1 && sock_calls[0].arg1 == MEWZ_SOCK_STREAM);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(fd, 0x20), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mem(0x20)[0], MEWZ_WASI_FILETYPE_SOCKET_STREAM);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(fd, MEWZ_WASI_FDFLAG_NONBLOCK), MEWZ_WASI_ESUCCESS);

    /* bind with a v2 address, listen, accept (the listener's NONBLOCK). */
    memset(mem(0x1000), 0, 128);
    mewz_guest_store_u16(0x1000, 1);
    put_address(0x100, 0x1000, 128);
    CHECK_EQ(mewz_wasi_sock_bind(fd, 0x100, 8080), MEWZ_WASI_ESUCCESS);
    CHECK(sock_calls[1].op == MEWZ_SOCK_BIND && sock_calls[1].addr.port == 8080);
    CHECK_EQ(mewz_wasi_sock_listen(fd, 128), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_accept(fd, 0, 0x30), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_calls[3].op, 100 + MEWZ_SOCK_NONBLOCK);
    uint32_t conn = mewz_guest_load_u32(0x30);
    CHECK(conn != fd && mewz_fd_is_open(conn));

    /* fd_read and sock_recv on the connection; fd_write and sock_send. */
    sock_input = "GET / HTTP/1.1\r\n";
    put_iovec(0x200, 0x2000, 5);
    put_iovec(0x208, 0x2100, 100);
    CHECK_EQ(mewz_wasi_fd_read(conn, 0x200, 2, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x40), 16);
    CHECK(memcmp(mem(0x2000), "GET /", 5) == 0 && memcmp(mem(0x2100), " HTTP/1.1\r\n", 11) == 0);
    CHECK_EQ(sock_last_iovcnt, 2);
    CHECK_EQ(sock_last_flags, 0);
    CHECK_EQ(mewz_wasi_sock_recv(conn, 0x200, 1, 1, 0x40, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_last_flags, MEWZ_RECV_PEEK);
    CHECK_EQ(mewz_wasi_sock_recv(conn, 0x200, 1, 4, 0x40, 0x44), MEWZ_WASI_EINVAL);
    memcpy(mem(0x2000), "HTTP/1.1 200 OK\r\n", 17);
    put_iovec(0x200, 0x2000, 17);
    CHECK_EQ(mewz_wasi_fd_write(conn, 0x200, 1, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_output_len == 34 && memcmp(sock_output, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK_EQ(mewz_wasi_fd_pwrite(conn, 0x200, 1, 0, 0x40), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_pread(conn, 0x200, 1, 0, 0x40), MEWZ_WASI_ESPIPE);

    /* Bad pointers never reach the monitor. */
    unsigned calls = sock_call_count;
    CHECK_EQ(mewz_wasi_sock_recv(conn, 0x200, 1, 0, MEMORY_END, 0x44), MEWZ_WASI_EFAULT);
    put_iovec(0x200, MEMORY_END - 4, 8);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_sock_accept(fd, 0, MEMORY_END), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_sock_open(1, 2, MEMORY_END - 2), MEWZ_WASI_EFAULT);
    CHECK_EQ(sock_call_count, calls);
    CHECK(!bad_iov_seen);

    /* Errors: not a socket, not open, bad shutdown flags. */
    CHECK_EQ(mewz_wasi_sock_recv(1, 0x200, 1, 0, 0x40, 0x44), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_listen(900, 1), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_sock_shutdown(conn, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_sock_shutdown(conn, 4), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_sock_shutdown(conn, 2), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_accept(conn, 0x8, 0x30), MEWZ_WASI_EINVAL);

    /* The monitor's errors reach the module as they are. */
    sock_error = 14; /* ECONNREFUSED */
    put_address(0x100, 0x1000, 4);
    CHECK_EQ(mewz_wasi_sock_connect(conn, 0x100, 1), 14);
    sock_error = 0;

    /* fd_close closes the host socket. */
    calls = sock_call_count;
    CHECK_EQ(mewz_wasi_fd_close(conn), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_calls[calls].op, MEWZ_SOCK_CLOSE);
    CHECK(!mewz_fd_is_open(conn));
    CHECK_EQ(mewz_wasi_fd_close(fd), MEWZ_WASI_ESUCCESS);

    /* A full descriptor table closes the new host socket again. */
    reset_fakes();
    sock_handles_left = 2000;
    uint32_t opened = 0;
    while (mewz_wasi_sock_open(1, 2, 0x10) == MEWZ_WASI_ESUCCESS)
        opened++;
    CHECK(opened > 0 && opened < MEWZ_FD_MAX);
    CHECK_EQ(sock_calls[15].op, MEWZ_SOCK_OPEN);
    for (uint32_t i = 3; i < MEWZ_FD_MAX; i++)
        if (mewz_fd_is_open(i))
            mewz_wasi_fd_close(i);
}

static void test_datagrams_and_addresses(void)
{
    reset_fakes();
    uint32_t fd = open_socket(2, MEWZ_SOCK_DGRAM);
    sock_address = (struct mewz_hc_sockaddr){.family = MEWZ_SOCK_AF_INET6, .port = 5353};
    sock_address.addr[15] = 1;
    sock_input = "datagram";
    put_iovec(0x200, 0x2000, 64);
    put_address(0x100, 0x1000, 128);
    CHECK_EQ(mewz_wasi_sock_recv_from(fd, 0x200, 1, 0x100, 0, 0x50, 0x40, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x40), 8);
    CHECK_EQ(mewz_guest_load_u32(0x50) & 0xffff, 5353);
    CHECK(mewz_guest_load_u32(0x1000) == 2 && mem(0x1000)[17] == 1);
    CHECK_EQ(mewz_wasi_sock_recv_from_v1(fd, 0x200, 1, 0x100, 0, 0x40, 0x44), MEWZ_WASI_ESUCCESS);

    put_address(0x100, 0x1000, 16);
    CHECK_EQ(mewz_wasi_sock_send_to(fd, 0x200, 1, 0x100, 53, 0, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK(sock_last_to.family == MEWZ_SOCK_AF_INET6 && sock_last_to.port == 53);

    /* getlocaladdr v2 and v1. */
    put_address(0x100, 0x1000, 128);
    CHECK_EQ(mewz_wasi_sock_getlocaladdr(fd, 0x100, 0x60), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x60), 5353);
    put_address(0x100, 0x1000, 16);
    CHECK_EQ(mewz_wasi_sock_getpeeraddr_v1(fd, 0x100, 0x64, 0x60), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x64), 16);
    CHECK_EQ(mewz_wasi_sock_getpeeraddr_v1(fd, 0x100, MEMORY_END, 0x60), MEWZ_WASI_EFAULT);
    mewz_wasi_fd_close(fd);
}

static void test_options(void)
{
    reset_fakes();
    uint32_t fd = open_socket(1, MEWZ_SOCK_STREAM);
    mewz_guest_store_u32(0x70, 1);
    CHECK_EQ(mewz_wasi_sock_setsockopt(fd, 0, 0, 0x70, 4), MEWZ_WASI_ESUCCESS);
    CHECK(sock_calls[1].op == MEWZ_SOCK_SETOPT && sock_calls[1].arg0 == MEWZ_SOCKOPT_REUSEADDR &&
          sock_calls[1].value == 1);
    CHECK_EQ(mewz_wasi_sock_setsockopt(fd, 6, 1, 0x70, 4), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_calls[2].arg0, MEWZ_SOCKOPT_TCP_NODELAY);
    /* SO_RCVTIMEO as a struct timeval: 1.5 s. */
    mewz_guest_store_u64(0x80, 1);
    mewz_guest_store_u64(0x88, 500000);
    CHECK_EQ(mewz_wasi_sock_setsockopt(fd, 0, 11, 0x80, 16), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_calls[3].value, 1500000000);
    CHECK_EQ(mewz_wasi_sock_setsockopt(fd, 0, 11, 0x80, 4), MEWZ_WASI_EINVAL);
    sock_option_value = 2500000000;
    mewz_guest_store_u32(0x90, 16);
    CHECK_EQ(mewz_wasi_sock_getsockopt(fd, 0, 12, 0x80, 0x90), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_guest_load_u64(0x80) == 2 && mewz_guest_load_u64(0x88) == 500000);
    sock_option_value = 2; /* SO_TYPE: stream */
    mewz_guest_store_u32(0x90, 4);
    CHECK_EQ(mewz_wasi_sock_getsockopt(fd, 0, 1, 0x80, 0x90), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x80), 2);
    CHECK_EQ(mewz_wasi_sock_getsockopt(fd, 0, 99, 0x80, 0x90), MEWZ_WASI_ENOPROTOOPT);
    CHECK_EQ(mewz_wasi_sock_getsockopt(fd, 7, 1, 0x80, 0x90), MEWZ_WASI_ENOPROTOOPT);
    CHECK_EQ(mewz_wasi_sock_getsockopt(fd, 0, 1, 0x80, MEMORY_END), MEWZ_WASI_EFAULT);
    mewz_wasi_fd_close(fd);
}

static void test_poll(void)
{
    reset_fakes();
    uint32_t fd = open_socket(1, MEWZ_SOCK_STREAM);
    /* One FD_READ subscription on the socket: the monitor is asked for its
     * handle (the fake answers NVAL for handles past stdio's). */
    memset(mem(0x3000), 0, 48);
    mem(0x3000)[8] = MEWZ_WASI_EVENTTYPE_FD_READ;
    mewz_guest_store_u32(0x3000 + 16, fd);
    CHECK_EQ(mewz_wasi_poll_oneoff(0x3000, 0x3100, 1, 0x3200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_calls[0].nfds, 1);
    CHECK_EQ(poll_calls[0].fds[0].handle, MEWZ_SOCK_HANDLE_BASE);
    CHECK_EQ(poll_calls[0].fds[0].events, MEWZ_POLL_IN);
    CHECK_EQ(mewz_guest_load_u32(0x3200), 1);
    mewz_wasi_fd_close(fd);
}

/* poll_oneoff offers a stream socket's stage; what the monitor put there
 * answers the next reads with no hypercall, then the host is asked again. */
static void test_stages(void)
{
    reset_fakes();
    uint32_t fd = open_socket(1, MEWZ_SOCK_STREAM);
    memset(mem(0x3000), 0, 48);
    mem(0x3000)[8] = MEWZ_WASI_EVENTTYPE_FD_READ;
    mewz_guest_store_u32(0x3000 + 16, fd);
    stage_input = "GET /staged HTTP/1.1\r\n\r\n";
    CHECK_EQ(mewz_wasi_poll_oneoff(0x3000, 0x3100, 1, 0x3200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(stage_offers, 1);
    /* The staged bytes are an event on their own now: no hypercall. */
    unsigned polls = poll_call_count;
    CHECK_EQ(mewz_wasi_poll_oneoff(0x3000, 0x3100, 1, 0x3200), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(poll_call_count, polls);
    CHECK_EQ(mewz_guest_load_u64(0x3100 + 16), 24); /* nbytes */
    sock_input = "from the host";
    put_iovec(0x200, 0x2000, 4);
    CHECK_EQ(mewz_wasi_sock_recv(fd, 0x200, 1, 1 /* PEEK */, 0x40, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_guest_load_u32(0x40) == 4 && memcmp(mem(0x2000), "GET ", 4) == 0);
    put_iovec(0x200, 0x2000, 64);
    CHECK_EQ(mewz_wasi_fd_read(fd, 0x200, 1, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_guest_load_u32(0x40) == 24 && memcmp(mem(0x2000), "GET /staged", 11) == 0);
    CHECK_EQ(sock_last_iovcnt, 0); /* the fake recv was never called */
    /* Empty again: the host answers. */
    CHECK_EQ(mewz_wasi_fd_read(fd, 0x200, 1, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_guest_load_u32(0x40) == 13 && memcmp(mem(0x2000), "from the host", 13) == 0);
    mewz_wasi_fd_close(fd);
}

/* Sends on non-blocking stream sockets wait in the outbox for the next
 * call to the host; held bytes and errors come back with its answers. */
static void test_outbox(void)
{
    reset_fakes();
    uint32_t listener = open_socket(1, MEWZ_SOCK_STREAM);
    CHECK_EQ(mewz_wasi_sock_listen(listener, 8), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_accept(listener, 0, 0x30), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_accept(listener, 0, 0x34), MEWZ_WASI_ESUCCESS);
    uint32_t conn = mewz_guest_load_u32(0x30), blocking = mewz_guest_load_u32(0x34);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(conn, MEWZ_WASI_FDFLAG_NONBLOCK), MEWZ_WASI_ESUCCESS);

    /* Answered at once, nothing sent; a second send extends the record. */
    memcpy(mem(0x2000), "HTTP/1.1 200 OK\r\nbody", 21);
    put_iovec(0x200, 0x2000, 17);
    CHECK_EQ(mewz_wasi_fd_write(conn, 0x200, 1, 0x40), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x40), 17);
    put_iovec(0x200, 0x2011, 4);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x44), 4);
    CHECK(sock_send_calls == 0 && sock_output_len == 0);
    CHECK(fake_outbox.count == 1 && fake_outbox.records[0].len == 21);
    /* The next call to the host carries them, before its own data: here a
     * blocking socket's send, which is never held. */
    memcpy(mem(0x2100), "next", 4);
    put_iovec(0x200, 0x2100, 4);
    CHECK_EQ(mewz_wasi_sock_send(blocking, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == 1 && sock_output_len == 25 &&
          memcmp(sock_output, "HTTP/1.1 200 OK\r\nbodynext", 25) == 0);
    CHECK_EQ(mewz_outbox_records, 0);

    /* Larger than 16 KiB: straight to the host. */
    put_iovec(0x200, 0x4000, 20000);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == 2 && mewz_outbox_records == 0);
    /* 16 KiB sends: the fifth finds the 64 KiB outbox full, flushes it and
     * then waits in it. */
    sock_output_len = 0;
    put_iovec(0x200, 0x4000, 16384);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(flush_calls == 1 && sock_output_len == 4 * 16384 && mewz_outbox_records == 1);
    mewz_outbox_flush();
    CHECK(flush_calls == 2 && sock_output_len == 5 * 16384 && mewz_outbox_records == 0);
    mewz_outbox_flush(); /* nothing to send: no call */
    CHECK_EQ(flush_calls, 2);

    /* The monitor holds bytes: later sends go to it (EAGAIN is its to
     * answer) until a poll reports the socket writable. */
    outbox_hold = true;
    put_iovec(0x200, 0x2000, 8);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    mewz_outbox_flush();
    outbox_hold = false;
    unsigned sends = sock_send_calls;
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == sends + 1 && mewz_outbox_records == 0);
    CHECK_EQ(sock_last_flags, MEWZ_SOCK_NONBLOCK);
    /* (The direct send succeeded: nothing is held any more.) */
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == sends + 1 && mewz_outbox_records == 1);
    mewz_outbox_flush();
    outbox_hold = true;
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    mewz_outbox_flush();
    outbox_hold = false;
    sock_poll_ready = MEWZ_POLL_OUT;
    mewz_guest_store_u64(0x600, 7);
    mem(0x608)[0] = MEWZ_WASI_EVENTTYPE_FD_WRITE;
    mewz_guest_store_u32(0x610, conn);
    CHECK_EQ(mewz_wasi_poll_oneoff(0x600, 0x700, 1, 0x7f0), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_guest_load_u32(0x7f0), 1);
    sends = sock_send_calls;
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == sends && mewz_outbox_records == 1);
    mewz_outbox_flush();

    /* A socket that is neither accepted nor connecting is not deferred:
     * the host refuses its send at once. Once connecting, it is. */
    uint32_t fresh = open_socket(1, MEWZ_SOCK_STREAM);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(fresh, MEWZ_WASI_FDFLAG_NONBLOCK), MEWZ_WASI_ESUCCESS);
    sends = sock_send_calls;
    CHECK_EQ(mewz_wasi_sock_send(fresh, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_send_calls, sends + 1);
    put_address(0x100, 0x1000, 4);
    CHECK_EQ(mewz_wasi_sock_connect(fresh, 0x100, 80), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(mewz_wasi_sock_send(fresh, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(sock_send_calls, sends + 1);
    mewz_outbox_flush();

    /* A held send that failed is the next send's error, once. */
    outbox_error = MEWZ_WASI_EPIPE;
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    mewz_outbox_flush();
    outbox_error = 0;
    sends = sock_send_calls;
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_EPIPE);
    CHECK_EQ(mewz_wasi_sock_send(conn, 0x200, 1, 0, 0x44), MEWZ_WASI_ESUCCESS);
    CHECK(sock_send_calls == sends && mewz_outbox_records == 1);

    /* Closing sends what waits first (the close is a call to the host). */
    sock_output_len = 0;
    CHECK_EQ(mewz_wasi_fd_close(conn), MEWZ_WASI_ESUCCESS);
    CHECK(sock_output_len == 8 && mewz_outbox_records == 0);
    /* A listener's readiness is a connection: it never gets a stage. */
    stage_offers = 0;
    sock_poll_ready = MEWZ_POLL_IN;
    mem(0x608)[0] = MEWZ_WASI_EVENTTYPE_FD_READ;
    mewz_guest_store_u32(0x610, listener);
    CHECK_EQ(mewz_wasi_poll_oneoff(0x600, 0x700, 1, 0x7f0), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(stage_offers, 0);
    CHECK(!bad_iov_seen);
}

int main(void)
{
    if (map_linear_memory("host_sock") != 0)
        return 1;
    mewz_rofs_mount(NULL, 0);
    mewz_fd_init();
    test_addresses();
    test_parse();
    test_getaddrinfo();
    test_descriptors_and_data();
    test_datagrams_and_addresses();
    test_options();
    test_poll();
    test_stages();
    test_outbox();
    return check_report("host_sock");
}
