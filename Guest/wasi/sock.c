/*
 * sock.c: sock_accept, sock_recv, sock_send, sock_shutdown. preview1 has no
 * call that creates a socket and the runtime hands the module none yet
 * (sockets come with networking), so no descriptor is one: EBADF for a
 * number that is not open, ENOTSOCK for any that is (as Linux answers for
 * a file, and wasmtime for every descriptor).
 */
#include "kernel.h"

static uint32_t not_a_socket(uint32_t fd)
{
    return mewz_fd_is_open(fd) ? MEWZ_WASI_ENOTSOCK : MEWZ_WASI_EBADF;
}

uint32_t mewz_wasi_sock_accept(uint32_t fd, uint32_t flags, uint32_t fd_out)
{
    (void)flags;
    (void)fd_out;
    return not_a_socket(fd);
}

uint32_t mewz_wasi_sock_recv(uint32_t fd, uint32_t ri_data,
                             uint32_t ri_data_len, uint32_t ri_flags,
                             uint32_t nread_out, uint32_t roflags_out)
{
    (void)ri_data;
    (void)ri_data_len;
    (void)ri_flags;
    (void)nread_out;
    (void)roflags_out;
    return not_a_socket(fd);
}

uint32_t mewz_wasi_sock_send(uint32_t fd, uint32_t si_data,
                             uint32_t si_data_len, uint32_t si_flags,
                             uint32_t nwritten_out)
{
    (void)si_data;
    (void)si_data_len;
    (void)si_flags;
    (void)nwritten_out;
    return not_a_socket(fd);
}

uint32_t mewz_wasi_sock_shutdown(uint32_t fd, uint32_t how)
{
    (void)how;
    return not_a_socket(fd);
}
