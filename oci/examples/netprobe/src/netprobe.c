/*
 * netprobe: exercises the WasmEdge socket imports for the end-to-end
 * tests, printing one line per check (errnos as WASI numbers).
 *
 *   netprobe refused PORT   connect to 127.0.0.1:PORT (nothing listens)
 *   netprobe limit          open sockets until the runtime says no
 *   netprobe loopback       TCP over 127.0.0.1 and UDP over ::1 inside the
 *                           guest: listen, non-blocking connect, poll_oneoff
 *                           on sockets mixed with a clock, accept, data both
 *                           ways, addresses (v1 and v2 layouts), options
 *   netprobe preopened      accept one connection on the first preopened
 *                           listening socket (MEWZ_TCPLISTEN) and greet it
 *   netprobe get PORT PATH  an HTTP/1.1 GET of PATH from 127.0.0.1:PORT
 *                           (retried for 20 s while the port refuses, as a
 *                           pod's server may start after its client);
 *                           prints the response
 *   netprobe stream PORT MIB
 *                           accept one connection on 127.0.0.1:PORT and
 *                           send MIB MiB of a counting pattern in 1000-byte
 *                           non-blocking writes (waiting in poll on
 *                           EAGAIN), then close and exit: the runtime
 *                           holds some of it when the client reads slowly
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

struct address {
    uint8_t *buf;
    uint32_t len;
};

IMPORT("sock_open") uint32_t sock_open(uint32_t family, uint32_t type, int32_t *fd);
IMPORT("sock_bind") uint32_t sock_bind(int32_t fd, struct address *a, uint32_t port);
IMPORT("sock_listen") uint32_t sock_listen(int32_t fd, int32_t backlog);
IMPORT("sock_connect") uint32_t sock_connect(int32_t fd, struct address *a, uint32_t port);
/* v1: the address type out as well. */
IMPORT("sock_getlocaladdr") uint32_t sock_getlocaladdr_v1(int32_t fd, struct address *a, uint32_t *type, uint32_t *port);
IMPORT("sock_getpeeraddr_v2") uint32_t sock_getpeeraddr_v2(int32_t fd, struct address *a, uint32_t *port);
IMPORT("sock_send_to") uint32_t sock_send_to(int32_t fd, const __wasi_ciovec_t *iov, uint32_t n, struct address *a,
                                            uint32_t port, uint32_t flags, uint32_t *sent);
IMPORT("sock_recv_from") uint32_t sock_recv_from(int32_t fd, __wasi_iovec_t *iov, uint32_t n, struct address *a,
                                                uint32_t flags, uint16_t *port, uint32_t *got, uint16_t *oflags);
IMPORT("sock_setsockopt") uint32_t sock_setsockopt(int32_t fd, uint32_t level, uint32_t name, const void *v, uint32_t size);
IMPORT("sock_getsockopt") uint32_t sock_getsockopt(int32_t fd, uint32_t level, uint32_t name, void *v, uint32_t *size);

#define INET4 1
#define INET6 2
#define DGRAM 1
#define STREAM 2

static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

static struct address v2(uint8_t *bytes, uint32_t family, const uint8_t *addr)
{
    memset(bytes, 0, 128);
    bytes[0] = (uint8_t)family;
    memcpy(bytes + 2, addr, family == INET4 ? 4 : 16);
    return (struct address){bytes, 128};
}

static const uint8_t loopback4[4] = {127, 0, 0, 1};
static const uint8_t loopback6[16] = {[15] = 1};

static int refused(int port)
{
    int32_t fd;
    uint8_t bytes[128];
    struct address a = v2(bytes, INET4, loopback4);
    if (sock_open(INET4, STREAM, &fd) != 0)
        return 1;
    printf("connect: %u\n", sock_connect(fd, &a, (uint32_t)port));
    return 0;
}

static int limit(void)
{
    int32_t fd;
    unsigned opened = 0;
    uint32_t err;
    while ((err = sock_open(INET4, STREAM, &fd)) == 0)
        opened++;
    printf("opened %u, then %u\n", opened, err);
    /* Closing one makes room for one. */
    close(fd);
    printf("after close: %u\n", sock_open(INET4, STREAM, &fd));
    return 0;
}

/* Waits for fd to be ready with poll() (poll_oneoff) and a 5 s clock. */
static int ready(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 5000) == 1 && (p.revents & events);
}

static int loopback(void)
{
    int32_t server, client, conn;
    uint8_t bytes[128];
    struct address a = v2(bytes, INET4, loopback4);
    int one = 1;
    check(sock_open(INET4, STREAM, &server) == 0, "open");
    check(sock_setsockopt(server, 0, 0, &one, sizeof one) == 0, "SO_REUSEADDR");
    check(sock_bind(server, &a, 0) == 0 && sock_listen(server, 8) == 0, "bind and listen");
    uint8_t raw[16];
    struct address v1 = {raw, 16};
    uint32_t type = 0, port = 0;
    check(sock_getlocaladdr_v1(server, &v1, &type, &port) == 0 && type == 4 && v1.len == 4 &&
              memcmp(raw, loopback4, 4) == 0 && port != 0,
          "getlocaladdr v1");

    /* A non-blocking connect, then poll for it mixed with a clock. */
    check(sock_open(INET4, STREAM, &client) == 0, "open client");
    fcntl(client, F_SETFL, O_NONBLOCK);
    a = v2(bytes, INET4, loopback4);
    uint32_t started = sock_connect(client, &a, port);
    check(started == 0 || started == __WASI_ERRNO_INPROGRESS, "non-blocking connect");
    check(ready(server, POLLIN), "poll: the listener is readable");
    conn = accept(server, NULL, NULL);
    check(conn >= 0, "accept");
    check(ready(client, POLLOUT), "poll: the client is writable");
    uint32_t peer_port = 0;
    check(sock_getpeeraddr_v2(conn, &a, &peer_port) == 0 && bytes[0] == INET4 && peer_port != 0, "getpeeraddr v2");

    /* Nothing to read yet: a timeout, then EAGAIN on the non-blocking socket. */
    struct pollfd quiet = {.fd = client, .events = POLLIN};
    check(poll(&quiet, 1, 20) == 0, "poll: a clock ends the wait");
    char buffer[64];
    check(recv(client, buffer, sizeof buffer, 0) < 0 && errno == EAGAIN, "recv: EAGAIN");

    check(send(client, "ping", 4, 0) == 4, "send");
    check(ready(conn, POLLIN) && read(conn, buffer, sizeof buffer) == 4 && memcmp(buffer, "ping", 4) == 0,
          "fd_read on a socket");
    check(write(conn, "pong!", 5) == 5, "fd_write on a socket");
    check(ready(client, POLLIN) && recv(client, buffer, sizeof buffer, MSG_PEEK) == 5 &&
              recv(client, buffer, sizeof buffer, 0) == 5 && memcmp(buffer, "pong!", 5) == 0,
          "recv with MSG_PEEK, then recv");
    check(shutdown(conn, SHUT_WR) == 0 && ready(client, POLLIN) && recv(client, buffer, sizeof buffer, 0) == 0,
          "shutdown: end of stream");
    int type_value = 0;
    uint32_t size = sizeof type_value;
    check(sock_getsockopt(conn, 0, 1, &type_value, &size) == 0 && type_value == STREAM, "SO_TYPE");
    close(conn);
    close(client);
    close(server);

    /* UDP over IPv6, to itself. */
    int32_t udp;
    check(sock_open(INET6, DGRAM, &udp) == 0, "open udp6");
    a = v2(bytes, INET6, loopback6);
    check(sock_bind(udp, &a, 0) == 0, "bind ::1");
    v1.len = 16; /* the last call set it to the 4 bytes it wrote */
    check(sock_getlocaladdr_v1(udp, &v1, &type, &port) == 0 && type == 16 && raw[15] == 1, "getlocaladdr v1 (IPv6)");
    __wasi_ciovec_t out = {(const uint8_t *)"datagram", 8};
    uint32_t sent = 0, got = 0;
    a = v2(bytes, INET6, loopback6);
    check(sock_send_to(udp, &out, 1, &a, port, 0, &sent) == 0 && sent == 8, "send_to");
    __wasi_iovec_t in = {(uint8_t *)buffer, sizeof buffer};
    uint16_t from_port = 0, oflags = 0;
    memset(bytes, 0, sizeof bytes);
    check(sock_recv_from(udp, &in, 1, &a, 0, &from_port, &got, &oflags) == 0 && got == 8 &&
              memcmp(buffer, "datagram", 8) == 0 && from_port == port && bytes[0] == INET6,
          "recv_from");
    close(udp);
    printf("%s\n", failures ? "loopback: failures" : "loopback: all ok");
    return failures != 0;
}

static int preopened(void)
{
    for (int fd = 3; fd < 16; fd++) {
        __wasi_fdstat_t stat;
        if (__wasi_fd_fdstat_get(fd, &stat) != 0 || stat.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM)
            continue;
        printf("listening socket at fd %d\n", fd);
        int conn = accept(fd, NULL, NULL);
        if (conn < 0)
            return 1;
        const char greeting[] = "hello from a preopened socket\n";
        send(conn, greeting, sizeof greeting - 1, 0);
        close(conn);
        return 0;
    }
    printf("no preopened socket\n");
    return 1;
}

static int get(int port, const char *path)
{
    uint8_t bytes[128];
    struct address a = v2(bytes, INET4, loopback4);
    int32_t fd = -1;
    uint32_t err = 0;
    for (int attempt = 0; attempt < 200; attempt++) {
        if (sock_open(INET4, STREAM, &fd) != 0)
            return 1;
        err = sock_connect(fd, &a, (uint32_t)port);
        if (err == 0)
            break;
        close(fd);
        fd = -1;
        if (err != __WASI_ERRNO_CONNREFUSED)
            break;
        struct timespec pause = {.tv_nsec = 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (fd < 0) {
        printf("connect: %u\n", err);
        return 1;
    }
    char request[512];
    int length = snprintf(request, sizeof request,
                          "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
    if (length < 0 || (size_t)length >= sizeof request || send(fd, request, (size_t)length, 0) != length)
        return 1;
    char buffer[4096];
    ssize_t got;
    while ((got = recv(fd, buffer, sizeof buffer, 0)) > 0)
        fwrite(buffer, 1, (size_t)got, stdout);
    close(fd);
    return got < 0;
}

/* Byte i of the stream: a pattern whose period (251, prime) does not
 * divide the write size, so a lost or repeated write shows. */
static uint8_t stream_byte(uint64_t i)
{
    return (uint8_t)(i % 251);
}

static int stream(int port, int mib)
{
    uint8_t bytes[128];
    struct address a = v2(bytes, INET4, loopback4);
    int32_t listener;
    if (sock_open(INET4, STREAM, &listener) != 0 || sock_bind(listener, &a, (uint32_t)port) != 0 ||
        sock_listen(listener, 1) != 0)
        return 1;
    int conn = accept(listener, NULL, NULL);
    if (conn < 0)
        return 1;
    fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_NONBLOCK);
    uint64_t total = (uint64_t)mib << 20, sent = 0, waits = 0;
    uint8_t chunk[1000];
    while (sent < total) {
        size_t n = total - sent < sizeof chunk ? (size_t)(total - sent) : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = stream_byte(sent + i);
        ssize_t put = write(conn, chunk, n);
        if (put < 0 && errno == EAGAIN) {
            waits++;
            struct pollfd p = {.fd = conn, .events = POLLOUT};
            if (poll(&p, 1, 20000) != 1)
                return 1;
            continue;
        }
        if (put <= 0) {
            printf("write after %llu bytes: errno %d\n", (unsigned long long)sent, put < 0 ? errno : 0);
            return 1;
        }
        sent += (uint64_t)put;
    }
    close(conn);
    printf("sent %llu bytes, %s\n", (unsigned long long)sent, waits > 0 ? "waited for the reader" : "never waited");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "refused") == 0)
        return refused(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "limit") == 0)
        return limit();
    if (argc == 2 && strcmp(argv[1], "loopback") == 0)
        return loopback();
    if (argc == 2 && strcmp(argv[1], "preopened") == 0)
        return preopened();
    if (argc == 4 && strcmp(argv[1], "get") == 0)
        return get(atoi(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "stream") == 0)
        return stream(atoi(argv[2]), atoi(argv[3]));
    fprintf(stderr, "usage: netprobe refused PORT | limit | loopback | preopened | get PORT PATH | stream PORT MIB\n");
    return 2;
}
