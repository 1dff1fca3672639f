/*
 * The monitor's confinement (architecture.md §6): no_new_privs and a
 * libseccomp allowlist holding only what the vCPU loop and the exit path
 * need. Built in C because libseccomp's rule macros (SCMP_A0, ...) are
 * compound literals Swift cannot import.
 */
#ifndef CSECCOMP_H
#define CSECCOMP_H

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

/* Sets no_new_privs, then loads the allowlist into every thread of the
 * process; any other system call kills the whole process (SIGSYS).
 * Irreversible. Returns 0, or a negative errno value. */
int cseccomp_confine_monitor(const struct cseccomp_monitor_policy *policy);

#endif /* CSECCOMP_H */
