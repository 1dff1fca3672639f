/*
 * fatal.c: a guest-internal failure (bad boot info, linear memory that
 * cannot be provided): one line on stderr, then exit as a guest fault.
 */
#include "kernel.h"

static const char prefix[] = "mewz: ";
static const char newline[] = "\n";
static struct mewz_hc_iovec fatal_iov[3];

_Noreturn void mewz_fatal(const char *message)
{
    fatal_iov[0] = (struct mewz_hc_iovec){MEWZ_HC_ADDR(prefix),
                                          sizeof prefix - 1};
    fatal_iov[1] = (struct mewz_hc_iovec){MEWZ_HC_ADDR(message),
                                          strlen(message)};
    fatal_iov[2] = (struct mewz_hc_iovec){MEWZ_HC_ADDR(newline),
                                          sizeof newline - 1};
    uint64_t written;
    (void)mewz_hc_write(2, fatal_iov, 3, &written);
    mewz_hc_exit(MEWZ_TRAP_EXIT_STATUS, MEWZ_TRAP_GUEST_FAULT, 0, 0, 0);
}
