#ifndef CSHIM_PROCESS_H
#define CSHIM_PROCESS_H

/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to the caller. */
int cshim_set_child_subreaper(void);

/* The <sys/wait.h> status macros, which Swift cannot import. */
int cshim_wait_exited(int status);
int cshim_wait_exit_status(int status);
int cshim_wait_signaled(int status);
int cshim_wait_term_signal(int status);

/* setns(2) and unshare(2), which need _GNU_SOURCE; the CLONE_NEW* flags they take. */
int cshim_setns(int fd, int nstype);
int cshim_unshare(int flags);
extern const int cshim_clone_newnet, cshim_clone_newipc, cshim_clone_newuts, cshim_clone_newns,
    cshim_clone_newpid, cshim_clone_newuser, cshim_clone_newcgroup;

/* fork + execve of path with argv/envp (envp NULL: the caller's environ), stdio from
 * stdin_fd/stdout_fd/stderr_fd, after entering the namespaces ns_fds[0..ns_count) (setns
 * with type 0: whatever each fd is). Every other fd is closed in the child. If the child
 * cannot enter a namespace or exec, it writes the errno (an int) to error_fd, which must be
 * CLOEXEC, and exits 127. Returns the child's pid or -1 (errno). */
int cshim_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                int stderr_fd, const int *ns_fds, int ns_count, int error_fd);

/* fork(2), except that the child starts in the cgroup v2 directory cgroup_fd refers to
 * (clone3 with CLONE_INTO_CGROUP). Joining by a write to cgroup.procs instead takes the
 * kernel's global threadgroup lock for writing, which waits for an RCU grace period: about
 * 6-16 ms on the 2-vCPU kvm-pvm machines, more than the rest of a `run`. Only for a
 * single-threaded caller: the child gets no atfork handlers, and glibc's cached thread id in
 * it is the parent's (as after vfork; glibc asks the kernel where it matters). A caller that
 * ever started a thread is single-threaded only if it joined every one: it says so with
 * `threads_joined` (glibc cannot tell, it never forgets a thread). Returns the child's pid, 0
 * in the child, or -1 (errno; ENOSYS where the kernel lacks clone3, EDEADLK when the caller
 * may have more than one thread). */
int cshim_fork_into_cgroup(int cgroup_fd, int threads_joined);

/* memfd_create(name, MFD_CLOEXEC). */
int cshim_memfd(const char *name);

#endif
