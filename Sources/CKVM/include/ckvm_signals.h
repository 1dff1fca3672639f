/*
 * Termination signals during the vCPU loop. A signal handler cannot be
 * written in Swift safely, so this records the signal in C, sets
 * kvm_run.immediate_exit (so a KVM_RUN entered after the signal returns
 * EINTR at once) and, when the signal landed on another thread, forwards it
 * to the vCPU thread so the running KVM_RUN is kicked out with EINTR.
 *
 * The host calls that may block (read, write, ppoll on stdio) go through
 * ckvm_cancellable_syscall: a signal that arrives after the monitor decided
 * to block but before the kernel started waiting would otherwise be lost
 * until the descriptor became ready (musl's cancellation points close the
 * same race the same way).
 */
#ifndef CKVM_SIGNALS_H
#define CKVM_SIGNALS_H

#include <linux/kvm.h>
#include <sys/syscall.h>

/* The calls made through ckvm_cancellable_syscall (Swift cannot import the
 * SYS_* macros glibc defines through other macros). */
static const long CKVM_SYS_READV = SYS_readv;
static const long CKVM_SYS_WRITEV = SYS_writev;
static const long CKVM_SYS_PPOLL = SYS_ppoll;
static const long CKVM_SYS_ACCEPT4 = SYS_accept4; /* glibc declares accept4 only with _GNU_SOURCE */

/* Installs handlers (without SA_RESTART) for SIGTERM, SIGINT and SIGHUP
 * (a signal already ignored stays ignored) and ignores SIGPIPE, so a write
 * to a closed pipe is an EPIPE answer, not the monitor's death. The calling
 * thread is the vCPU thread; the three signals are unblocked in it. One run
 * may be armed at a time per process.
 * Returns 0, or -1 with errno set. */
int ckvm_signals_arm(struct kvm_run *run);

/* Restores the actions and the signal mask saved by ckvm_signals_arm. */
void ckvm_signals_disarm(void);

/* The first termination signal received since arming, or 0. */
int ckvm_signals_pending(void);

/* The system call `number` with up to five arguments, made so that a
 * termination signal cancels it if it arrives before the kernel begins it:
 * returns -EINTR at once when one is already pending, or when the handler
 * finds the vCPU thread between that check and the `syscall` instruction;
 * a signal during the call interrupts it as usual (no SA_RESTART). Returns
 * the raw result: >= 0, or -errno (errno is not set). */
long ckvm_cancellable_syscall(long number, long a0, long a1, long a2, long a3,
                              long a4);

#endif /* CKVM_SIGNALS_H */
