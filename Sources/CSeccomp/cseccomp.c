/* Loading the monitor's allowlist (cseccomp.h): the one effectful part. */
#include "cseccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report_fd = -1;

/* Appends the decimal digits of `value` at `at`; returns the new end. */
static char *append_number(char *at, long value)
{
    char digits[24];
    int count = 0;
    unsigned long magnitude = value < 0 ? -(unsigned long)value : (unsigned long)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0)
        *at++ = '-';
    while (count > 0)
        *at++ = digits[--count];
    return at;
}

/* A call the filter forbids (SECCOMP_RET_TRAP): one line naming it, then the
 * death the filter would have dealt (SA_RESETHAND made SIGSYS default again,
 * SA_NODEFER left it unblocked). Only calls the filter allows: write to the
 * report descriptor, getpid, gettid, tgkill of this process. Such a call is a
 * bug in the monitor, or a guest that took it over: either way it stops. */
static void report_forbidden_call(int signal, siginfo_t *info, void *context)
{
    (void)context;
    static const char head[] = "mewz-runtime: the monitor made system call ";
    static const char tail[] = ", which its seccomp filter does not allow; stopping it\n";
    char line[sizeof head + sizeof tail + 24];
    char *end = line;
    memcpy(end, head, sizeof head - 1);
    end = append_number(end + sizeof head - 1, info->si_syscall);
    memcpy(end, tail, sizeof tail - 1);
    end += sizeof tail - 1;
    if (report_fd >= 0)
        (void)!write(report_fd, line, (size_t)(end - line));
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), signal);
    /* Not reached: the signal's default action ends the process. */
    _exit(128 + SIGSYS);
}

int cseccomp_confine_monitor(const struct cseccomp_monitor_policy *policy)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -errno;
    struct cseccomp_rules rules;
    int status = cseccomp_monitor_rules(policy, getpid(), &rules);
    if (status != 0)
        return status;
    unsigned first_count;
    const int *first = cseccomp_monitor_first_calls(&first_count);
    struct sock_filter program[CSECCOMP_MAX_PROGRAM];
    const int length = cseccomp_compile(&rules, first, first_count, SECCOMP_RET_TRAP, program,
                                        CSECCOMP_MAX_PROGRAM);
    if (length < 0)
        return length;
    /* The handler's one line goes to the container's stderr, which the
     * filter lets the monitor write. */
    report_fd = policy->stderr_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = report_forbidden_call;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    /* A stderr nobody reads any more makes the line's write EPIPE, not a
     * death by SIGPIPE in place of SIGSYS. */
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGPIPE);
    if (sigaction(SIGSYS, &action, NULL) != 0)
        return -errno;
    struct sock_fprog filter = {.len = (unsigned short)length, .filter = program};
    /* TSYNC: the hypercall ring's server thread may already run. A positive
     * answer is the id of a thread that could not be synchronised. */
    long loaded = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &filter);
    if (loaded < 0)
        return -errno;
    return loaded == 0 ? 0 : -ESRCH;
}
