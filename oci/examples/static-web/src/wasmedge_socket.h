/*
 * wasmedge_socket.h: the few WasmEdge socket imports (module
 * wasi_snapshot_preview1, v2 address layout) this example needs and that
 * wasi-libc does not declare, and listen_tcp() over them. Natively (the
 * same server as a Linux process, for hack/bench http) listen_tcp() is
 * plain socket/bind/listen.
 */
#ifndef WASMEDGE_SOCKET_H
#define WASMEDGE_SOCKET_H

#include <stdint.h>
#include <string.h>

#ifdef __wasi__

#define WE_IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

/* The address argument: a buffer and its length (128: the v2 layout, a
 * u16 family, 1 IPv4 or 2 IPv6, then the address bytes). */
struct we_address {
    uint8_t *buf;
    uint32_t buf_len;
};

#define WE_AF_INET 1
#define WE_SOCK_STREAM 2
#define WE_SOL_SOCKET 0
#define WE_SO_REUSEADDR 0

WE_IMPORT("sock_open") uint32_t we_sock_open(uint32_t family, uint32_t type, int32_t *fd);
WE_IMPORT("sock_bind") uint32_t we_sock_bind(int32_t fd, struct we_address *address, uint32_t port);
WE_IMPORT("sock_listen") uint32_t we_sock_listen(int32_t fd, int32_t backlog);
WE_IMPORT("sock_setsockopt")
uint32_t we_sock_setsockopt(int32_t fd, uint32_t level, uint32_t name, const int32_t *value, uint32_t size);

/* A listening TCP socket on 0.0.0.0:port, or -1 (errno as WASI's). */
static inline int listen_tcp(int port, int backlog)
{
    int32_t fd;
    uint8_t bytes[128] = {WE_AF_INET, 0}; /* 0.0.0.0 */
    struct we_address address = {bytes, sizeof bytes};
    int32_t one = 1;
    if (we_sock_open(WE_AF_INET, WE_SOCK_STREAM, &fd) != 0)
        return -1;
    we_sock_setsockopt(fd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, sizeof one);
    if (we_sock_bind(fd, &address, (uint32_t)port) != 0 || we_sock_listen(fd, backlog) != 0)
        return -1;
    return fd;
}

#else /* a Linux process */

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static inline int listen_tcp(int port, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

#endif

#endif /* WASMEDGE_SOCKET_H */
