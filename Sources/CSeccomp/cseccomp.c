/* Loading the monitor's allowlist (cseccomp.h): the one effectful part. */
#include "cseccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    const int length = cseccomp_compile(&rules, first, first_count, program, CSECCOMP_MAX_PROGRAM);
    if (length < 0)
        return length;
    struct sock_fprog filter = {.len = (unsigned short)length, .filter = program};
    /* TSYNC: the hypercall ring's server thread may already run. A positive
     * answer is the id of a thread that could not be synchronised. */
    long loaded = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &filter);
    if (loaded < 0)
        return -errno;
    return loaded == 0 ? 0 : -ESRCH;
}
