/*
 * Termination signals during KVM_RUN. A signal handler cannot be written in
 * Swift safely, so this records the signal in C, sets kvm_run.immediate_exit
 * (so a KVM_RUN entered after the signal returns EINTR at once) and, when the
 * signal landed on another thread, forwards it to the vCPU thread so the
 * running KVM_RUN is kicked out with EINTR.
 */
#ifndef CKVM_SIGNALS_H
#define CKVM_SIGNALS_H

#include <linux/kvm.h>

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

#endif /* CKVM_SIGNALS_H */
