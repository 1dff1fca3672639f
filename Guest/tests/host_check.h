/* host_check.h: the few assertion macros the host tests share. */
#ifndef MEWZ_HOST_CHECK_H
#define MEWZ_HOST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            check_passed++;                                                    \
        } else {                                                               \
            check_failed++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_EQ(actual, expected)                                             \
    do {                                                                       \
        uint64_t a_ = (uint64_t)(actual), e_ = (uint64_t)(expected);           \
        if (a_ == e_) {                                                        \
            check_passed++;                                                    \
        } else {                                                               \
            check_failed++;                                                    \
            fprintf(stderr,                                                    \
                    "%s:%d: CHECK_EQ failed: %s == 0x%" PRIx64                 \
                    ", expected %s == 0x%" PRIx64 "\n",                        \
                    __FILE__, __LINE__, #actual, a_, #expected, e_);           \
        }                                                                      \
    } while (0)

/* Prints the tally; the exit status is what the check script looks at. */
static int check_report(const char *name)
{
    printf("%s: %u checks passed, %u failed\n", name, check_passed,
           check_failed);
    return check_failed == 0 && check_passed > 0 ? 0 : 1;
}

#endif
