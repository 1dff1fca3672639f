/*
 * The guest profiler's clock (MEWZ_GUEST_PROFILE, Monitor/GuestProfile):
 * a POSIX timer sends SIGPROF to the vCPU thread at a fixed interval of
 * wall time. The thread keeps SIGPROF blocked and KVM_SET_SIGNAL_MASK
 * unblocks it only inside KVM_RUN, so a tick never interrupts the monitor's
 * own calls (a poll, a write): it either ends a KVM_RUN with EINTR, and the
 * guest's RIP is the sample, or waits pending until the next KVM_RUN,
 * which ckvm_profile_take_host_tick finds and counts as host time.
 */
#ifndef CKVM_PROFILE_H
#define CKVM_PROFILE_H

/* Starts the ticks for the calling thread (the vCPU thread, with its
 * termination signals armed) on vCPU fd `vcpu_fd`. Returns 0, or -1 with
 * errno set (and nothing left started). */
int ckvm_profile_start(int vcpu_fd, long interval_ns);

/* Stops the ticks and drops one still pending. */
void ckvm_profile_stop(void);

/* 1 when a tick came while the thread was outside KVM_RUN (it is consumed),
 * else 0. Call just before each KVM_RUN. */
int ckvm_profile_take_host_tick(void);

#endif /* CKVM_PROFILE_H */
