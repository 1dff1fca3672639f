#include "cseccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Adds one rule; remembers the first failure in *status. */
#define ALLOW(ctx, status, name, ...)                                          \
    do {                                                                       \
        if (*(status) == 0)                                                    \
            *(status) = seccomp_rule_add((ctx), SCMP_ACT_ALLOW,                \
                                         SCMP_SYS(name), __VA_ARGS__);         \
    } while (0)

/* Each descriptor once: libseccomp refuses a rule identical to an earlier one. */
static void allow_on_fds(scmp_filter_ctx ctx, int *status, int syscall_nr,
                         const int *fds, int count)
{
    for (int i = 0; i < count && *status == 0; i++) {
        int duplicate = 0;
        for (int j = 0; j < i; j++)
            duplicate |= fds[j] == fds[i];
        if (!duplicate && fds[i] >= 0)
            *status = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall_nr, 1,
                                       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds[i]));
    }
}

/*
 * Host volumes (MEWZ_HC_FS): the descriptors are opened while the guest runs,
 * so I/O cannot be tied to fd numbers; what is checked is the kind of call
 * and its flags. Every path the guest gives is resolved by openat2 with
 * RESOLVE_BENEATH from a descriptor the monitor holds (seccomp cannot read
 * the struct open_how; the monitor always sets it), and the *at calls get a
 * single name under such a descriptor, so none of them needs more.
 */
static void add_volume_rules(scmp_filter_ctx ctx, int *status, int walks)
{
    /* Without openat2: the component walk, every open O_NOFOLLOW. */
    if (walks)
        ALLOW(ctx, status, openat, 1,
              SCMP_A2(SCMP_CMP_MASKED_EQ, O_NOFOLLOW, O_NOFOLLOW));
    /* Opening beneath a volume; reads and writes of what was opened. */
    ALLOW(ctx, status, openat2, 0);
    ALLOW(ctx, status, read, 0);
    ALLOW(ctx, status, readv, 0);
    ALLOW(ctx, status, pread64, 0);
    ALLOW(ctx, status, preadv, 0);
    ALLOW(ctx, status, write, 0);
    ALLOW(ctx, status, writev, 0);
    ALLOW(ctx, status, pwrite64, 0);
    ALLOW(ctx, status, pwritev, 0);
    ALLOW(ctx, status, lseek, 0);
    /* fd_readdir. */
    ALLOW(ctx, status, getdents64, 0);
    /* filestat: glibc's fstat and fstatat are newfstatat. */
    ALLOW(ctx, status, fstat, 0);
    ALLOW(ctx, status, newfstatat, 0);
    /* Sizes, space, durability, times. */
    ALLOW(ctx, status, ftruncate, 0);
    ALLOW(ctx, status, fallocate, 1, SCMP_A1(SCMP_CMP_EQ, 0));
    ALLOW(ctx, status, fsync, 0);
    ALLOW(ctx, status, fdatasync, 0);
    ALLOW(ctx, status, utimensat, 0);
    /* fdflags: only reading and setting the status flags. */
    ALLOW(ctx, status, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
    ALLOW(ctx, status, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL));
    /* Names: one component under a descriptor beneath the volume. */
    ALLOW(ctx, status, mkdirat, 0);
    ALLOW(ctx, status, unlinkat, 0);
    ALLOW(ctx, status, renameat, 0);
    ALLOW(ctx, status, renameat2, 1, SCMP_A4(SCMP_CMP_EQ, 0));
    /* Never AT_SYMLINK_FOLLOW or AT_EMPTY_PATH: links only by name. */
    ALLOW(ctx, status, linkat, 1, SCMP_A4(SCMP_CMP_EQ, 0));
    ALLOW(ctx, status, symlinkat, 0);
    ALLOW(ctx, status, readlinkat, 0);
}

static int add_rules(scmp_filter_ctx ctx,
                     const struct cseccomp_monitor_policy *policy)
{
    int status = 0;
    const scmp_datum_t self = (scmp_datum_t)getpid();
    const scmp_datum_t vcpu = (scmp_datum_t)policy->vcpu_fd;
    const scmp_datum_t vm = (scmp_datum_t)policy->vm_fd;

    /* The vCPU loop. */
    /* Enter the guest: only KVM_RUN, only on the vCPU. */
    ALLOW(ctx, &status, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
          SCMP_A1(SCMP_CMP_EQ, KVM_RUN));
    /* Read the guest's RIP (and IF) for a halt/shutdown/internal-error report. */
    ALLOW(ctx, &status, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
          SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS));

    /* memory.grow past the backed linear memory (MEWZ_HC_MEMORY): a new
     * slot over the host range reserved at set-up. Only this request, only
     * on the VM; seccomp cannot read the struct, but the monitor builds it
     * from its own reservation, never from guest values. */
    ALLOW(ctx, &status, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vm),
          SCMP_A1(SCMP_CMP_EQ, KVM_SET_USER_MEMORY_REGION));

    /* Hypercalls: fd_write/fd_read on stdio, random_get, clocks. */
    const int outputs[] = {policy->stdout_fd, policy->stderr_fd};
    /* fd_write to the guest's stdout/stderr, and the monitor's own report line. */
    allow_on_fds(ctx, &status, SCMP_SYS(write), outputs, 2);
    /* fd_write's gathered form. */
    allow_on_fds(ctx, &status, SCMP_SYS(writev), outputs, 2);
    /* fd_read from the guest's stdin. */
    allow_on_fds(ctx, &status, SCMP_SYS(read), &policy->stdin_fd, 1);
    /* fd_read's scattered form. */
    allow_on_fds(ctx, &status, SCMP_SYS(readv), &policy->stdin_fd, 1);
    /* MEWZ_HC_POLL, and a non-blocking stdio descriptor that answered
     * EAGAIN: the monitor polls each of stdin/stdout/stderr at most once, no
     * signal mask. seccomp cannot read the array; the monitor fills it from
     * its own descriptors, never from guest values. */
    ALLOW(ctx, &status, ppoll, 2, SCMP_A1(SCMP_CMP_LE, 3),
          SCMP_A3(SCMP_CMP_EQ, 0));
    /* poll_oneoff's nbytes for stdin: FIONREAD, only on stdin. */
    if (policy->stdin_fd >= 0)
        ALLOW(ctx, &status, ioctl, 2,
              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)policy->stdin_fd),
              SCMP_A1(SCMP_CMP_EQ, FIONREAD));
    /* random_get: host entropy. */
    ALLOW(ctx, &status, getrandom, 0);
    /* Boot clocks, when the vDSO falls back to the system call. */
    ALLOW(ctx, &status, clock_gettime, 0);

    /* Memory: Swift allocates (a report line, iovec arrays) while handling
     * exits. strace shows none in practice (malloc's arena is warm), but
     * malloc must not kill the monitor when it does need more. The monitor is
     * single-threaded while confined: no futex, no madvise of other arenas. */
    /* malloc's main arena grows and shrinks. */
    ALLOW(ctx, &status, brk, 0);
    /* malloc's large chunks: anonymous and never executable. */
    ALLOW(ctx, &status, mmap, 2, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
          SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
    /* Freeing such a chunk; unmapping kvm_run and guest memory when a confined VM is released. */
    ALLOW(ctx, &status, munmap, 0);

    /* Signals: termination during KVM_RUN and the re-raise at exit. */
    /* Return from the termination-signal handler. */
    ALLOW(ctx, &status, rt_sigreturn, 0);
    /* Restore the mask at disarm; unblock the signal being re-raised. */
    ALLOW(ctx, &status, rt_sigprocmask, 0);
    /* Restore the saved actions at disarm; SIG_DFL before the re-raise. */
    ALLOW(ctx, &status, rt_sigaction, 0);
    /* Forward a signal to the vCPU thread (pthread_kill), own process only. */
    ALLOW(ctx, &status, tgkill, 1, SCMP_A0(SCMP_CMP_EQ, self));
    /* Re-raise a termination signal on the monitor itself, nothing else. */
    ALLOW(ctx, &status, kill, 1, SCMP_A0(SCMP_CMP_EQ, self));
    /* pthread_kill and kill(getpid(), ...) ask for the ids. */
    ALLOW(ctx, &status, getpid, 0);
    ALLOW(ctx, &status, gettid, 0);
    /* No core dump for a re-raised signal: RLIMIT_CORE of this process only. */
    ALLOW(ctx, &status, prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0),
          SCMP_A1(SCMP_CMP_EQ, RLIMIT_CORE));
    /* A poll stopped by SIGSTOP and resumed by SIGCONT is restarted through this. */
    ALLOW(ctx, &status, restart_syscall, 0);

    /* Exit. */
    /* Closing the vCPU, VM and /dev/kvm descriptors when the VM is released. */
    ALLOW(ctx, &status, close, 0);
    /* Process exit with the guest's status. */
    ALLOW(ctx, &status, exit_group, 0);
    /* A thread's exit. */
    ALLOW(ctx, &status, exit, 0);

    if (policy->volumes)
        add_volume_rules(ctx, &status, policy->volumes == 2);
    return status;
}

int cseccomp_confine_monitor(const struct cseccomp_monitor_policy *policy)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -errno;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL)
        return -ENOMEM;
    int status = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (status == 0)
        status = add_rules(ctx, policy);
    if (status == 0)
        status = seccomp_load(ctx);
    seccomp_release(ctx);
    return status;
}
