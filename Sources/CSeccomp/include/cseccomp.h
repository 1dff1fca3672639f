/*
 * The monitor's confinement (architecture.md §6): no_new_privs and a seccomp
 * allowlist holding only what the vCPU loop and the exit path need.
 *
 * The allowlist is data (cseccomp_monitor_rules: one rule per allowed form of
 * a call, with argument checks) compiled to a classic BPF program by
 * cseccomp_compile. libseccomp used to do both; generating its program took
 * about 0.3 ms of every start, most of the `seccomp` phase. The tests check
 * the compiled program against libseccomp's for the same rules
 * (Tests/CSeccompReference).
 */
#ifndef CSECCOMP_H
#define CSECCOMP_H

#include <linux/filter.h>
#include <stdint.h>

/* The descriptors the running monitor may touch. */
struct cseccomp_monitor_policy {
    int vcpu_fd;   /* ioctl KVM_RUN / KVM_GET_REGS only */
    int vm_fd;     /* ioctl KVM_SET_USER_MEMORY_REGION only */
    int stdin_fd;  /* read, readv */
    int stdout_fd; /* write, writev */
    int stderr_fd; /* write, writev */
    int volumes;   /* 1: the file calls of host volumes (MEWZ_HC_FS); 2: and
                    * openat with O_NOFOLLOW (kernels without openat2) */
    int sockets;   /* the socket calls (the guest can have host sockets) */
    int epoll_fd;  /* epoll_ctl, epoll_wait (polls of sockets); -1: none */
};

/* One check of a system call's argument, on all 64 bits as seccomp sees
 * them: arg == value, (arg & mask) == value, or arg <= value (unsigned). */
enum cseccomp_compare { CSECCOMP_EQ, CSECCOMP_MASKED_EQ, CSECCOMP_LE };

struct cseccomp_check {
    unsigned arg;     /* 0-5 */
    unsigned compare; /* enum cseccomp_compare */
    uint64_t mask;    /* CSECCOMP_MASKED_EQ only */
    uint64_t value;
};

#define CSECCOMP_MAX_CHECKS 3
#define CSECCOMP_MAX_RULES 128

/* A call is allowed when any of its rules holds, a rule when all of its
 * checks do (none: always). Every other call kills the process. */
struct cseccomp_rule {
    int nr;
    unsigned count;
    struct cseccomp_check checks[CSECCOMP_MAX_CHECKS];
};

struct cseccomp_rules {
    unsigned count;
    struct cseccomp_rule rules[CSECCOMP_MAX_RULES];
};

/* The monitor's allowlist for `policy`, in a process whose id is `pid`.
 * Returns 0, or -E2BIG when it does not fit. Pure. */
int cseccomp_monitor_rules(const struct cseccomp_monitor_policy *policy, int pid,
                           struct cseccomp_rules *rules);

/* The calls the monitor's filter tests first: the ones a busy guest's vCPU
 * loop and ring server make. */
const int *cseccomp_monitor_first_calls(unsigned *count);

/* A program longer than this is refused (the kernel's own limit is 4096). */
#define CSECCOMP_MAX_PROGRAM 1024

/* Compiles `rules` for x86-64: another architecture's call or an x32 call
 * kills the process; a call no rule allows gets the action `deny`
 * (SECCOMP_RET_KILL_PROCESS, or SECCOMP_RET_TRAP for a SIGSYS the process
 * reports before it dies). The calls in `first` (count `first_count`) are
 * tested first: the ones a busy vCPU loop makes. Returns the program's
 * length, or -EINVAL (a bad check) or -E2BIG (over `capacity`). Pure. */
int cseccomp_compile(const struct cseccomp_rules *rules, const int *first, unsigned first_count,
                     uint32_t deny, struct sock_filter *program, unsigned capacity);

/* Sets no_new_privs, then loads the monitor's allowlist for `policy` into
 * every thread of the process; any other system call kills the whole
 * process with SIGSYS, after one line on policy->stderr_fd naming the call.
 * Irreversible. Returns 0, or a negative errno value. */
int cseccomp_confine_monitor(const struct cseccomp_monitor_policy *policy);

#endif /* CSECCOMP_H */
