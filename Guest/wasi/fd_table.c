/*
 * fd_table.c: the descriptor table. ABI v1 has stdin, stdout and stderr
 * only; each stays open until the module closes it.
 */
#include "kernel.h"

#define STDIO_COUNT 3

static bool stdio_closed[STDIO_COUNT];

bool mewz_fd_is_open(uint32_t fd)
{
    return fd < STDIO_COUNT && !stdio_closed[fd];
}

uint32_t mewz_wasi_fd_close(uint32_t fd)
{
    if (!mewz_fd_is_open(fd))
        return MEWZ_WASI_EBADF;
    stdio_closed[fd] = true;
    return MEWZ_WASI_ESUCCESS;
}
