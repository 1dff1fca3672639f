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

/* memfd_create(name, MFD_CLOEXEC). */
int cshim_memfd(const char *name);

#endif
