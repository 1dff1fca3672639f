/* The monitor's allowlist as data (cseccomp.h): which calls, with which
 * arguments, the running monitor may make. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SYNC_FILE_RANGE_WRITE */
#endif
#include "cseccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

struct builder {
    struct cseccomp_rules *rules;
    int status; /* 0, or -E2BIG once a rule did not fit */
};

static void add(struct builder *b, int nr, const struct cseccomp_check *checks, unsigned count)
{
    if (b->status != 0)
        return;
    if (b->rules->count == CSECCOMP_MAX_RULES || count > CSECCOMP_MAX_CHECKS) {
        b->status = -E2BIG;
        return;
    }
    struct cseccomp_rule *rule = &b->rules->rules[b->rules->count++];
    *rule = (struct cseccomp_rule){.nr = nr, .count = count};
    for (unsigned i = 0; i < count; i++)
        rule->checks[i] = checks[i];
}

#define EQ(n, v) ((struct cseccomp_check){.arg = (n), .compare = CSECCOMP_EQ, .value = (uint64_t)(v)})
#define MASKED(n, m, v)                                                        \
    ((struct cseccomp_check){.arg = (n), .compare = CSECCOMP_MASKED_EQ,         \
                             .mask = (uint64_t)(m), .value = (uint64_t)(v)})
#define LE(n, v) ((struct cseccomp_check){.arg = (n), .compare = CSECCOMP_LE, .value = (uint64_t)(v)})
/* An int argument equal to v. The kernel reads only the low 32 bits of an
 * int, and a caller may leave anything in the high ones (Swift passes
 * neighbouring fields along), so only the low 32 bits are compared. */
#define INT_ARG(n, v) MASKED((n), 0xffffffffU, (uint32_t)(v))

/* The call, whatever its arguments. */
#define ALLOW(b, name) add((b), SYS_##name, NULL, 0)
/* The call when every check holds. */
#define ALLOW_IF(b, name, ...)                                                  \
    add((b), SYS_##name, (const struct cseccomp_check[]){__VA_ARGS__},         \
        sizeof((const struct cseccomp_check[]){__VA_ARGS__}) / sizeof(struct cseccomp_check))

/* The call on each descriptor (a negative one: none), each once. */
static void allow_on_fds(struct builder *b, int nr, const int *fds, int count)
{
    for (int i = 0; i < count; i++) {
        int duplicate = 0;
        for (int j = 0; j < i; j++)
            duplicate |= fds[j] == fds[i];
        if (!duplicate && fds[i] >= 0)
            add(b, nr, &EQ(0, (uint64_t)fds[i]), 1);
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
static void add_volume_rules(struct builder *b, int walks)
{
    /* Without openat2: the component walk, every open O_NOFOLLOW. */
    if (walks)
        ALLOW_IF(b, openat, MASKED(2, O_NOFOLLOW, O_NOFOLLOW));
    /* Opening beneath a volume; reads and writes of what was opened. */
    ALLOW(b, openat2);
    ALLOW(b, read);
    ALLOW(b, readv);
    ALLOW(b, pread64);
    ALLOW(b, preadv);
    ALLOW(b, write);
    ALLOW(b, writev);
    ALLOW(b, pwrite64);
    ALLOW(b, pwritev);
    ALLOW(b, lseek);
    /* fd_readdir. */
    ALLOW(b, getdents64);
    /* filestat: glibc's fstat and fstatat are newfstatat. */
    ALLOW(b, fstat);
    ALLOW(b, newfstatat);
    /* Sizes, space, durability, times. */
    ALLOW(b, ftruncate);
    ALLOW_IF(b, fallocate, EQ(1, 0));
    ALLOW(b, fsync);
    ALLOW(b, fdatasync);
    /* Write-behind (HostVolumes.writeBehindBytes): starting writeback only,
     * never waiting for it (SYNC_FILE_RANGE_WRITE). */
    ALLOW_IF(b, sync_file_range, EQ(3, SYNC_FILE_RANGE_WRITE));
    ALLOW(b, utimensat);
    /* fdflags: only reading and setting the status flags. */
    ALLOW_IF(b, fcntl, EQ(1, F_GETFL));
    ALLOW_IF(b, fcntl, EQ(1, F_SETFL));
    /* Names: one component under a descriptor beneath the volume. */
    ALLOW(b, mkdirat);
    ALLOW(b, unlinkat);
    ALLOW(b, renameat);
    ALLOW_IF(b, renameat2, EQ(4, 0));
    /* Never AT_SYMLINK_FOLLOW or AT_EMPTY_PATH: links only by name. */
    ALLOW_IF(b, linkat, EQ(4, 0));
    ALLOW(b, symlinkat);
    ALLOW(b, readlinkat);
}

/* The guest's host sockets (abi.h "Sockets"), in the container's network
 * namespace. Their descriptors are made at run time, so the rules check
 * what the monitor always passes instead: IPv4/IPv6 stream or datagram
 * sockets created non-blocking and close-on-exec, accept4 with the same
 * flags, the option levels abi.h maps to, sends without SIGPIPE. */
static void add_socket_rules(struct builder *b, const struct cseccomp_monitor_policy *policy)
{
    const uint64_t flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    const int families[] = {AF_INET, AF_INET6};
    const int types[] = {SOCK_STREAM, SOCK_DGRAM};
    /* sock_open: only these families and types, protocol 0. */
    for (int f = 0; f < 2; f++)
        for (int t = 0; t < 2; t++)
            ALLOW_IF(b, socket, INT_ARG(0, families[f]),
                  INT_ARG(1, types[t] | flags), INT_ARG(2, 0));
    /* sock_accept: the new socket non-blocking and close-on-exec too. */
    ALLOW_IF(b, accept4, INT_ARG(3, flags));
    /* sock_bind, sock_listen, sock_connect, sock_shutdown. */
    ALLOW(b, bind);
    ALLOW(b, listen);
    ALLOW(b, connect);
    ALLOW(b, shutdown);
    /* sock_getlocaladdr, sock_getpeeraddr. */
    ALLOW(b, getsockname);
    ALLOW(b, getpeername);
    /* sock_recv: plain or MSG_PEEK. */
    ALLOW_IF(b, recvmsg, INT_ARG(2, 0));
    ALLOW_IF(b, recvmsg, INT_ARG(2, MSG_PEEK));
    /* sock_send: never SIGPIPE. */
    ALLOW_IF(b, sendmsg, INT_ARG(2, MSG_NOSIGNAL));
    /* sock_getsockopt, sock_setsockopt: the levels abi.h's options use. */
    const int levels[] = {SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6};
    for (int l = 0; l < 3; l++) {
        ALLOW_IF(b, setsockopt, INT_ARG(1, levels[l]));
        ALLOW_IF(b, getsockopt, INT_ARG(1, levels[l]));
    }
    /* poll_oneoff on sockets: the table's one epoll instance. */
    if (policy->epoll_fd >= 0) {
        ALLOW_IF(b, epoll_ctl, INT_ARG(0, policy->epoll_fd));
        ALLOW_IF(b, epoll_wait, INT_ARG(0, policy->epoll_fd));
    }
}

const int *cseccomp_monitor_first_calls(unsigned *count)
{
    static const int first[] = {SYS_ioctl, SYS_epoll_wait, SYS_sendmsg, SYS_recvmsg,
                                SYS_futex, SYS_write, SYS_read};
    *count = sizeof first / sizeof first[0];
    return first;
}

int cseccomp_monitor_rules(const struct cseccomp_monitor_policy *policy, int pid,
                           struct cseccomp_rules *rules)
{
    struct builder builder = {.rules = rules, .status = 0}, *b = &builder;
    const uint64_t self = (uint64_t)pid;
    const uint64_t vcpu = (uint64_t)policy->vcpu_fd;
    const uint64_t vm = (uint64_t)policy->vm_fd;

    rules->count = 0;

    /* The vCPU loop. */
    /* Enter the guest: only KVM_RUN, only on the vCPU. */
    ALLOW_IF(b, ioctl, EQ(0, vcpu),
          EQ(1, KVM_RUN));
    /* Read the guest's RIP (and IF) for a halt/shutdown/internal-error report. */
    ALLOW_IF(b, ioctl, EQ(0, vcpu),
          EQ(1, KVM_GET_REGS));

    /* memory.grow past the backed linear memory (MEWZ_HC_MEMORY): a new
     * slot over the host range reserved at set-up. Only this request, only
     * on the VM; seccomp cannot read the struct, but the monitor builds it
     * from its own reservation, never from guest values. */
    ALLOW_IF(b, ioctl, EQ(0, vm),
          EQ(1, KVM_SET_USER_MEMORY_REGION));

    /* Hypercalls: fd_write/fd_read on stdio, random_get, clocks. */
    const int outputs[] = {policy->stdout_fd, policy->stderr_fd};
    /* fd_write to the guest's stdout/stderr, and the monitor's own report line. */
    allow_on_fds(b, SYS_write, outputs, 2);
    /* fd_write's gathered form. */
    allow_on_fds(b, SYS_writev, outputs, 2);
    /* fd_read from the guest's stdin. */
    allow_on_fds(b, SYS_read, &policy->stdin_fd, 1);
    /* fd_read's scattered form. */
    allow_on_fds(b, SYS_readv, &policy->stdin_fd, 1);
    /* MEWZ_HC_POLL, and a non-blocking stdio descriptor that answered
     * EAGAIN: the monitor polls each of stdin/stdout/stderr at most once, no
     * signal mask. seccomp cannot read the array; the monitor fills it from
     * its own descriptors, never from guest values. */
    ALLOW_IF(b, ppoll, LE(1, 3),
          EQ(3, 0));
    /* poll_oneoff's nbytes for stdin and sockets: FIONREAD only, which
     * reads a count and changes nothing. */
    ALLOW_IF(b, ioctl, EQ(1, FIONREAD));
    if (policy->sockets)
        add_socket_rules(b, policy);
    /* random_get: host entropy. */
    ALLOW(b, getrandom);
    /* Boot clocks, when the vDSO falls back to the system call. */
    ALLOW(b, clock_gettime);

    /* Memory: Swift allocates (a report line, iovec arrays) while handling
     * exits. strace shows none in practice (malloc's arena is warm), but
     * malloc must not kill the monitor when it does need more. Its threads
     * (the vCPU and the hypercall ring's server) share malloc's main arena
     * (M_ARENA_MAX 1): no mprotect or madvise of other arenas. */
    /* malloc's main arena grows and shrinks. */
    ALLOW(b, brk);
    /* malloc's large chunks: anonymous and never executable. */
    ALLOW_IF(b, mmap, MASKED(2, PROT_EXEC, 0),
          MASKED(3, MAP_ANONYMOUS, MAP_ANONYMOUS));
    /* Freeing such a chunk; unmapping kvm_run and guest memory when a confined VM is released. */
    ALLOW(b, munmap);

    /* The hypercall ring's server thread is started just before the filter
     * and does not wait for it: glibc's start-up of the thread may run under
     * the filter, and registers the thread's rseq area and robust-futex list
     * (each about the calling thread only). */
    ALLOW(b, rseq);
    ALLOW(b, set_robust_list);

    /* The hypercall ring: its server's sleeps and wake-ups, the handler
     * lock, malloc's arena lock; private futexes, wait and wake only. */
    ALLOW_IF(b, futex, EQ(1, FUTEX_WAIT_PRIVATE));
    ALLOW_IF(b, futex, EQ(1, FUTEX_WAKE_PRIVATE));

    /* Signals: termination during KVM_RUN and the re-raise at exit. */
    /* Return from the termination-signal handler. */
    ALLOW(b, rt_sigreturn);
    /* Restore the mask at disarm; unblock the signal being re-raised. */
    ALLOW(b, rt_sigprocmask);
    /* Restore the saved actions at disarm; SIG_DFL before the re-raise. */
    ALLOW(b, rt_sigaction);
    /* Forward a signal to the vCPU thread (pthread_kill), own process only. */
    ALLOW_IF(b, tgkill, EQ(0, self));
    /* Re-raise a termination signal on the monitor itself, nothing else. */
    ALLOW_IF(b, kill, EQ(0, self));
    /* pthread_kill and kill(getpid(), ...) ask for the ids. */
    ALLOW(b, getpid);
    ALLOW(b, gettid);
    /* No core dump for a re-raised signal: RLIMIT_CORE of this process only. */
    ALLOW_IF(b, prlimit64, EQ(0, 0),
          EQ(1, RLIMIT_CORE));
    /* A poll stopped by SIGSTOP and resumed by SIGCONT is restarted through this. */
    ALLOW(b, restart_syscall);

    /* Exit. */
    /* Closing the vCPU, VM and /dev/kvm descriptors when the VM is released. */
    ALLOW(b, close);
    /* Process exit with the guest's status. */
    ALLOW(b, exit_group);
    /* A thread's exit. */
    ALLOW(b, exit);

    if (policy->volumes)
        add_volume_rules(b, policy->volumes == 2);
    return b->status;
}
