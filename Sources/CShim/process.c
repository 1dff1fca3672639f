#define _GNU_SOURCE
#include "cshim_process.h"

#include <sched.h>

#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>

int cshim_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int cshim_wait_exited(int status) { return WIFEXITED(status); }
int cshim_wait_exit_status(int status) { return WEXITSTATUS(status); }
int cshim_wait_signaled(int status) { return WIFSIGNALED(status); }
int cshim_wait_term_signal(int status) { return WTERMSIG(status); }

int cshim_setns(int fd, int nstype) { return setns(fd, nstype); }
int cshim_unshare(int flags) { return unshare(flags); }

const int cshim_clone_newnet = CLONE_NEWNET, cshim_clone_newipc = CLONE_NEWIPC,
          cshim_clone_newuts = CLONE_NEWUTS, cshim_clone_newns = CLONE_NEWNS,
          cshim_clone_newpid = CLONE_NEWPID, cshim_clone_newuser = CLONE_NEWUSER,
          cshim_clone_newcgroup = CLONE_NEWCGROUP;

extern char **environ;

static void report_and_exit(int error_fd, int code)
{
    ssize_t written;
    do {
        written = write(error_fd, &code, sizeof code);
    } while (written < 0 && errno == EINTR);
    _exit(127);
}

int cshim_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                int stderr_fd, const int *ns_fds, int ns_count, int error_fd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* The child: only async-signal-safe calls from here. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        (void)sigaction(sig, &action, NULL);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    for (int i = 0; i < ns_count; i++) {
        if (setns(ns_fds[i], 0) != 0)
            report_and_exit(error_fd, errno);
    }
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)
        report_and_exit(error_fd, errno);
    /* Everything else but the error pipe goes (it closes itself on exec). */
    if (error_fd > 3)
        (void)syscall(SYS_close_range, 3U, (unsigned)error_fd - 1, 0U);
    (void)syscall(SYS_close_range, (unsigned)error_fd + 1, ~0U, 0U);
    execve(path, argv, envp != NULL ? envp : environ);
    report_and_exit(error_fd, errno);
    return -1;
}

/* linux/sched.h's struct clone_args (kernel 5.7+ layout, with the cgroup field), kept here
 * so the file does not mix glibc's and the kernel's CLONE_* definitions. */
struct cshim_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
#define CSHIM_CLONE_INTO_CGROUP 0x200000000ULL

int cshim_fork_into_cgroup(int cgroup_fd, int threads_joined)
{
    /* Another thread could hold a lock (malloc's) that the child would then never see
     * released: fork(2) takes those across the fork, clone3 does not. A joined thread ran
     * its last user code (and released its locks) before pthread_join returned. */
    if (!__libc_single_threaded && !threads_joined) {
        errno = EDEADLK;
        return -1;
    }
    struct cshim_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CSHIM_CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    return (int)syscall(SYS_clone3, &args, sizeof args);
}

int cshim_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
