#include "cseccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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
    /* Write-behind (HostVolumes.writeBehindBytes): starting writeback only,
     * never waiting for it (SYNC_FILE_RANGE_WRITE). */
    ALLOW(ctx, status, sync_file_range, 1, SCMP_A3(SCMP_CMP_EQ, 2));
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

/* An int argument equal to v. The kernel reads only the low 32 bits of an
 * int, and a caller may leave anything in the high ones (Swift passes
 * neighbouring fields along), so only the low 32 bits are compared. */
#define INT_ARG(n, v) SCMP_CMP((n), SCMP_CMP_MASKED_EQ, 0xffffffffU, (scmp_datum_t)(v))

/* The guest's host sockets (abi.h "Sockets"), in the container's network
 * namespace. Their descriptors are made at run time, so the rules check
 * what the monitor always passes instead: IPv4/IPv6 stream or datagram
 * sockets created non-blocking and close-on-exec, accept4 with the same
 * flags, the option levels abi.h maps to, sends without SIGPIPE. */
static void add_socket_rules(scmp_filter_ctx ctx, int *status,
                             const struct cseccomp_monitor_policy *policy)
{
    const scmp_datum_t flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    const int families[] = {AF_INET, AF_INET6};
    const int types[] = {SOCK_STREAM, SOCK_DGRAM};
    /* sock_open: only these families and types, protocol 0. */
    for (int f = 0; f < 2; f++)
        for (int t = 0; t < 2; t++)
            ALLOW(ctx, status, socket, 3, INT_ARG(0, families[f]),
                  INT_ARG(1, types[t] | flags), INT_ARG(2, 0));
    /* sock_accept: the new socket non-blocking and close-on-exec too. */
    ALLOW(ctx, status, accept4, 1, INT_ARG(3, flags));
    /* sock_bind, sock_listen, sock_connect, sock_shutdown. */
    ALLOW(ctx, status, bind, 0);
    ALLOW(ctx, status, listen, 0);
    ALLOW(ctx, status, connect, 0);
    ALLOW(ctx, status, shutdown, 0);
    /* sock_getlocaladdr, sock_getpeeraddr. */
    ALLOW(ctx, status, getsockname, 0);
    ALLOW(ctx, status, getpeername, 0);
    /* sock_recv: plain or MSG_PEEK. */
    ALLOW(ctx, status, recvmsg, 1, INT_ARG(2, 0));
    ALLOW(ctx, status, recvmsg, 1, INT_ARG(2, MSG_PEEK));
    /* sock_send: never SIGPIPE. */
    ALLOW(ctx, status, sendmsg, 1, INT_ARG(2, MSG_NOSIGNAL));
    /* sock_getsockopt, sock_setsockopt: the levels abi.h's options use. */
    const int levels[] = {SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6};
    for (int l = 0; l < 3; l++) {
        ALLOW(ctx, status, setsockopt, 1, INT_ARG(1, levels[l]));
        ALLOW(ctx, status, getsockopt, 1, INT_ARG(1, levels[l]));
    }
    /* poll_oneoff on sockets: the table's one epoll instance. */
    if (policy->epoll_fd >= 0) {
        ALLOW(ctx, status, epoll_ctl, 1, INT_ARG(0, policy->epoll_fd));
        ALLOW(ctx, status, epoll_wait, 1, INT_ARG(0, policy->epoll_fd));
    }
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
    /* poll_oneoff's nbytes for stdin and sockets: FIONREAD only, which
     * reads a count and changes nothing. */
    ALLOW(ctx, &status, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, FIONREAD));
    if (policy->sockets)
        add_socket_rules(ctx, &status, policy);
    /* random_get: host entropy. */
    ALLOW(ctx, &status, getrandom, 0);
    /* Boot clocks, when the vDSO falls back to the system call. */
    ALLOW(ctx, &status, clock_gettime, 0);

    /* Memory: Swift allocates (a report line, iovec arrays) while handling
     * exits. strace shows none in practice (malloc's arena is warm), but
     * malloc must not kill the monitor when it does need more. Its threads
     * (the vCPU and the hypercall ring's server) share malloc's main arena
     * (M_ARENA_MAX 1): no mprotect or madvise of other arenas. */
    /* malloc's main arena grows and shrinks. */
    ALLOW(ctx, &status, brk, 0);
    /* malloc's large chunks: anonymous and never executable. */
    ALLOW(ctx, &status, mmap, 2, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
          SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
    /* Freeing such a chunk; unmapping kvm_run and guest memory when a confined VM is released. */
    ALLOW(ctx, &status, munmap, 0);

    /* The hypercall ring's server thread is started just before the filter
     * and does not wait for it: glibc's start-up of the thread may run under
     * the filter, and registers the thread's rseq area and robust-futex list
     * (each about the calling thread only). */
    ALLOW(ctx, &status, rseq, 0);
    ALLOW(ctx, &status, set_robust_list, 0);

    /* The hypercall ring: its server's sleeps and wake-ups, the handler
     * lock, malloc's arena lock; private futexes, wait and wake only. */
    ALLOW(ctx, &status, futex, 1, SCMP_A1(SCMP_CMP_EQ, FUTEX_WAIT_PRIVATE));
    ALLOW(ctx, &status, futex, 1, SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE));

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
    /* Every syscall of the vCPU loop runs the filter: a binary tree by
     * syscall number instead of a list (libseccomp 2.5; older ones keep
     * the list), and the calls of a busy server's loop first. */
    (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    static const int hot[] = {SCMP_SYS(ioctl), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
                              SCMP_SYS(epoll_wait)};
    for (size_t i = 0; status == 0 && i < sizeof hot / sizeof hot[0]; i++)
        status = seccomp_syscall_priority(ctx, hot[i], 255);
    if (status == 0)
        status = add_rules(ctx, policy);
    if (status == 0)
        status = seccomp_load(ctx);
    seccomp_release(ctx);
    return status;
}
