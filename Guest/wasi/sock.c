/*
 * sock.c: preview1's sock_accept, sock_recv, sock_send, sock_shutdown, and
 * WasmEdge's socket extension (sock_open, bind, connect, listen, recv_from,
 * send_to, options, addresses; v1 and v2 forms). Sockets are host sockets
 * the monitor opens in the container's network namespace (abi.h
 * "Sockets"); a descriptor that is not one is ENOTSOCK, a number that is
 * not open EBADF. Every pointer is checked before the monitor is asked.
 */
#include "kernel.h"

#define RIFLAG_PEEK 1
#define RIFLAG_WAITALL 2
#define ROFLAG_TRUNCATED 1

static uint32_t need(const struct mewz_fd *entry, uint64_t rights)
{
    return (entry->rights_base & rights) == rights ? MEWZ_WASI_ESUCCESS
                                                   : MEWZ_WASI_ENOTCAPABLE;
}

/* The socket at fd with `rights`. */
static uint32_t socket_with(uint32_t fd, uint64_t rights, struct mewz_fd **out)
{
    uint32_t err = mewz_sock_get(fd, out);
    return err == MEWZ_WASI_ESUCCESS ? need(*out, rights) : err;
}

/* ---- preview1 ---------------------------------------------------------- */

uint32_t mewz_wasi_sock_accept(uint32_t fd, uint32_t flags, uint32_t fd_out)
{
    struct mewz_fd *entry;
    uint32_t err = socket_with(fd, MEWZ_WASI_RIGHT_SOCK_ACCEPT, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (flags & ~MEWZ_WASI_FDFLAG_NONBLOCK)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(fd_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    uint32_t handle, new_fd;
    uint32_t wait = (entry->flags & MEWZ_WASI_FDFLAG_NONBLOCK) ? MEWZ_SOCK_NONBLOCK : 0;
    err = mewz_hc_accept(entry->handle, wait, &handle, NULL);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_sock_install(handle, MEWZ_SOCK_STREAM, (uint16_t)flags, &new_fd);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_sock_mark_connected(handle);
    mewz_guest_store_u32(fd_out, new_fd);
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t receive(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint32_t ri_flags, uint32_t addr, uint32_t port_out,
                        uint32_t nread_out, uint32_t roflags_out)
{
    struct mewz_fd *entry;
    uint32_t err = socket_with(fd, MEWZ_WASI_RIGHT_FD_READ, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (ri_flags & ~(uint32_t)(RIFLAG_PEEK | RIFLAG_WAITALL))
        return MEWZ_WASI_EINVAL;
    err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(nread_out, sizeof(uint32_t)) ||
        !mewz_guest_range_ok(roflags_out, sizeof(uint16_t)) ||
        (port_out != UINT32_MAX && !mewz_guest_range_ok(port_out, sizeof(uint16_t))))
        return MEWZ_WASI_EFAULT;
    uint32_t flags = ((ri_flags & RIFLAG_PEEK) ? MEWZ_RECV_PEEK : 0) |
                     ((ri_flags & RIFLAG_WAITALL) ? MEWZ_RECV_WAITALL : 0);
    uint32_t nread, roflags;
    struct mewz_hc_sockaddr from = {0}; /* a staged receive has no sender */
    err = mewz_sock_recv(entry, iovs, iovs_len, flags, &nread, &roflags, &from);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (addr != UINT32_MAX && from.family != 0) {
        err = mewz_sockaddr_write(addr, &from);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
    }
    if (port_out != UINT32_MAX)
        mewz_guest_store_u16(port_out, from.port);
    mewz_guest_store_u32(nread_out, nread);
    mewz_guest_store_u16(roflags_out,
                         (roflags & MEWZ_RECV_TRUNCATED) ? ROFLAG_TRUNCATED : 0);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_sock_recv(uint32_t fd, uint32_t ri_data,
                             uint32_t ri_data_len, uint32_t ri_flags,
                             uint32_t nread_out, uint32_t roflags_out)
{
    return receive(fd, ri_data, ri_data_len, ri_flags, UINT32_MAX, UINT32_MAX,
                   nread_out, roflags_out);
}

static uint32_t transmit(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                         const struct mewz_hc_sockaddr *to,
                         uint32_t nwritten_out)
{
    struct mewz_fd *entry;
    uint32_t err = socket_with(fd, MEWZ_WASI_RIGHT_FD_WRITE, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(nwritten_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    uint32_t nwritten;
    err = mewz_sock_send(entry, iovs, iovs_len, to, &nwritten);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(nwritten_out, nwritten);
    return MEWZ_WASI_ESUCCESS;
}

/* si_flags has no flags defined: ignored, as wasmtime and WasmEdge do. */
uint32_t mewz_wasi_sock_send(uint32_t fd, uint32_t si_data,
                             uint32_t si_data_len, uint32_t si_flags,
                             uint32_t nwritten_out)
{
    (void)si_flags;
    return transmit(fd, si_data, si_data_len, NULL, nwritten_out);
}

uint32_t mewz_wasi_sock_shutdown(uint32_t fd, uint32_t how)
{
    struct mewz_fd *entry;
    uint32_t err = socket_with(fd, MEWZ_WASI_RIGHT_SOCK_SHUTDOWN, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (how == 0 || (how & ~MEWZ_WASI_SDFLAGS_ALL))
        return MEWZ_WASI_EINVAL;
    struct mewz_hc_socket call = {0};
    return mewz_sock_op(entry, MEWZ_SOCK_SHUTDOWN, how, &call);
}

/* ---- WasmEdge ---------------------------------------------------------- */

uint32_t mewz_wasi_sock_open(uint32_t family, uint32_t type, uint32_t fd_out)
{
    if (!mewz_guest_range_ok(fd_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_socket call = {.op = MEWZ_SOCK_OPEN, .arg0 = family, .arg1 = type};
    uint32_t fd;
    uint32_t err = mewz_hc_socket(&call);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_sock_install(call.handle, type, 0, &fd);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(fd_out, fd);
    return MEWZ_WASI_ESUCCESS;
}

/* bind and connect: a socket, then an address. */
static uint32_t with_address(uint32_t fd, uint32_t addr, uint32_t port,
                             uint32_t op)
{
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_socket call = {0};
    err = mewz_sockaddr_read(addr, port, &call.addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t nonblock = (entry->flags & MEWZ_WASI_FDFLAG_NONBLOCK) ? MEWZ_SOCK_NONBLOCK : 0;
    return mewz_sock_op(entry, op, op == MEWZ_SOCK_CONNECT ? nonblock : 0, &call);
}

uint32_t mewz_wasi_sock_bind(uint32_t fd, uint32_t addr, uint32_t port)
{
    return with_address(fd, addr, port, MEWZ_SOCK_BIND);
}

uint32_t mewz_wasi_sock_connect(uint32_t fd, uint32_t addr, uint32_t port)
{
    uint32_t err = with_address(fd, addr, port, MEWZ_SOCK_CONNECT);
    struct mewz_fd *entry;
    if ((err == MEWZ_WASI_ESUCCESS || err == MEWZ_WASI_EINPROGRESS) &&
        mewz_sock_get(fd, &entry) == MEWZ_WASI_ESUCCESS)
        mewz_sock_mark_connected(entry->handle);
    return err;
}

uint32_t mewz_wasi_sock_listen(uint32_t fd, uint32_t backlog)
{
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_socket call = {0};
    /* A negative backlog is the smallest, as Linux takes it. */
    err = mewz_sock_op(entry, MEWZ_SOCK_LISTEN, (int32_t)backlog < 0 ? 0 : backlog, &call);
    if (err == MEWZ_WASI_ESUCCESS)
        entry->listening = true;
    return err;
}

uint32_t mewz_wasi_sock_accept_v1(uint32_t fd, uint32_t fd_out)
{
    return mewz_wasi_sock_accept(fd, 0, fd_out);
}

uint32_t mewz_wasi_sock_recv_from(uint32_t fd, uint32_t ri_data,
                                  uint32_t ri_data_len, uint32_t addr,
                                  uint32_t ri_flags, uint32_t port_out,
                                  uint32_t nread_out, uint32_t roflags_out)
{
    return receive(fd, ri_data, ri_data_len, ri_flags, addr, port_out,
                   nread_out, roflags_out);
}

uint32_t mewz_wasi_sock_recv_from_v1(uint32_t fd, uint32_t ri_data,
                                     uint32_t ri_data_len, uint32_t addr,
                                     uint32_t ri_flags, uint32_t nread_out,
                                     uint32_t roflags_out)
{
    return receive(fd, ri_data, ri_data_len, ri_flags, addr, UINT32_MAX,
                   nread_out, roflags_out);
}

uint32_t mewz_wasi_sock_send_to(uint32_t fd, uint32_t si_data,
                                uint32_t si_data_len, uint32_t addr,
                                uint32_t port, uint32_t si_flags,
                                uint32_t nwritten_out)
{
    (void)si_flags;
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_sockaddr to;
    err = mewz_sockaddr_read(addr, port, &to);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return transmit(fd, si_data, si_data_len, &to, nwritten_out);
}

/* ---- options ----------------------------------------------------------- */

enum option_size { INT_SIZE = 4, LINGER_SIZE = 8, TIMEVAL_SIZE = 16 };

/* abi.h's option for WasmEdge's (level, name), and its value's size. */
static uint32_t option_for(uint32_t level, uint32_t name, uint32_t *option,
                           uint32_t *size)
{
    *size = INT_SIZE;
    if (level == MEWZ_WASMEDGE_SOL_SOCKET && name <= 13) {
        /* WasmEdge numbers them from 0 in abi.h's order. */
        *option = name + 1;
        if (*option == MEWZ_SOCKOPT_LINGER)
            *size = LINGER_SIZE;
        else if (*option == MEWZ_SOCKOPT_RCVTIMEO || *option == MEWZ_SOCKOPT_SNDTIMEO)
            *size = TIMEVAL_SIZE;
        return MEWZ_WASI_ESUCCESS;
    }
    if (level == MEWZ_WASMEDGE_IPPROTO_TCP && name == 1) {
        *option = MEWZ_SOCKOPT_TCP_NODELAY;
        return MEWZ_WASI_ESUCCESS;
    }
    if (level == MEWZ_WASMEDGE_IPPROTO_IPV6 && name == 26) {
        *option = MEWZ_SOCKOPT_IPV6_V6ONLY;
        return MEWZ_WASI_ESUCCESS;
    }
    return MEWZ_WASI_ENOPROTOOPT;
}

uint32_t mewz_wasi_sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name,
                                   uint32_t value, uint32_t value_len_ptr)
{
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t option, size;
    err = option_for(level, name, &option, &size);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(value_len_ptr, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    if (mewz_guest_load_u32(value_len_ptr) < size)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(value, size))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_socket call = {0};
    err = mewz_sock_op(entry, MEWZ_SOCK_GETOPT, option, &call);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (size == LINGER_SIZE) {
        mewz_guest_store_u32(value, (uint32_t)(call.value >> 32));
        mewz_guest_store_u32(value + 4, (uint32_t)call.value);
    } else if (size == TIMEVAL_SIZE) {
        mewz_guest_store_u64(value, call.value / 1000000000);
        mewz_guest_store_u64(value + 8, call.value % 1000000000 / 1000);
    } else {
        mewz_guest_store_u32(value, (uint32_t)call.value);
    }
    mewz_guest_store_u32(value_len_ptr, size);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_sock_setsockopt(uint32_t fd, uint32_t level, uint32_t name,
                                   uint32_t value, uint32_t value_len)
{
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t option, size;
    err = option_for(level, name, &option, &size);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (value_len < size)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(value, size))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_socket call = {0};
    if (size == LINGER_SIZE) {
        call.value = (uint64_t)(mewz_guest_load_u32(value) != 0) << 32 |
                     mewz_guest_load_u32(value + 4);
    } else if (size == TIMEVAL_SIZE) {
        /* struct timeval: i64 seconds, then microseconds (a 32-bit long in
         * wasm32, padded to 8 bytes). */
        int64_t seconds = (int64_t)mewz_guest_load_u64(value);
        int32_t micros = (int32_t)mewz_guest_load_u32(value + 8);
        if (seconds < 0 || micros < 0 || micros >= 1000000 ||
            (uint64_t)seconds > UINT64_MAX / 1000000000 - 1)
            return MEWZ_WASI_EINVAL;
        call.value = (uint64_t)seconds * 1000000000 + (uint64_t)micros * 1000;
    } else {
        call.value = (uint64_t)(int64_t)(int32_t)mewz_guest_load_u32(value);
    }
    return mewz_sock_op(entry, MEWZ_SOCK_SETOPT, option, &call);
}

/* ---- addresses --------------------------------------------------------- */

static uint32_t address_of(uint32_t fd, uint32_t op, uint32_t addr,
                           uint32_t addr_type_out, uint32_t port_out)
{
    struct mewz_fd *entry;
    uint32_t err = mewz_sock_get(fd, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(port_out, sizeof(uint32_t)) ||
        (addr_type_out != UINT32_MAX &&
         !mewz_guest_range_ok(addr_type_out, sizeof(uint32_t))))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_socket call = {0};
    err = mewz_sock_op(entry, op, 0, &call);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (call.addr.family == 0)
        return MEWZ_WASI_EAFNOSUPPORT;
    err = mewz_sockaddr_write(addr, &call.addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    /* v1's address type: the length of the address, as WasmEdge writes. */
    if (addr_type_out != UINT32_MAX)
        mewz_guest_store_u32(addr_type_out,
                             call.addr.family == MEWZ_SOCK_AF_INET ? 4 : 16);
    mewz_guest_store_u32(port_out, call.addr.port);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_sock_getlocaladdr(uint32_t fd, uint32_t addr,
                                     uint32_t port_out)
{
    return address_of(fd, MEWZ_SOCK_LOCAL_ADDR, addr, UINT32_MAX, port_out);
}

uint32_t mewz_wasi_sock_getpeeraddr(uint32_t fd, uint32_t addr,
                                    uint32_t port_out)
{
    return address_of(fd, MEWZ_SOCK_PEER_ADDR, addr, UINT32_MAX, port_out);
}

uint32_t mewz_wasi_sock_getlocaladdr_v1(uint32_t fd, uint32_t addr,
                                        uint32_t addr_type_out,
                                        uint32_t port_out)
{
    return address_of(fd, MEWZ_SOCK_LOCAL_ADDR, addr, addr_type_out, port_out);
}

uint32_t mewz_wasi_sock_getpeeraddr_v1(uint32_t fd, uint32_t addr,
                                       uint32_t addr_type_out,
                                       uint32_t port_out)
{
    return address_of(fd, MEWZ_SOCK_PEER_ADDR, addr, addr_type_out, port_out);
}
