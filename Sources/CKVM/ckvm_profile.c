#define _GNU_SOURCE
#include "ckvm_profile.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static timer_t tick_timer;
static int ticking;
static struct sigaction saved_action;

/* Nothing to do: the tick's work is KVM_RUN's EINTR. */
static void tick(int signal_number) { (void)signal_number; }

static void drop_pending_tick(void)
{
    sigset_t prof;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&prof, NULL, &zero) == SIGPROF) {
    }
}

/* Puts the thread's signal mask back (and KVM_RUN's, which had none, once
 * set: vcpu_fd >= 0), keeping the failure's errno. */
static int fail_start(const sigset_t *before, int vcpu_fd)
{
    int saved_errno = errno;
    if (vcpu_fd >= 0)
        ioctl(vcpu_fd, KVM_SET_SIGNAL_MASK, NULL);
    pthread_sigmask(SIG_SETMASK, before, NULL);
    errno = saved_errno;
    return -1;
}

int ckvm_profile_start(int vcpu_fd, long interval_ns)
{
    sigset_t prof, during_run;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    /* Blocked outside KVM_RUN, unblocked inside (KVM's mask is the set
     * blocked while the vCPU runs: the thread's, without SIGPROF). */
    if (pthread_sigmask(SIG_BLOCK, &prof, &during_run) != 0)
        return -1;
    /* On a failure below the thread's mask is put back as it was. */
    sigset_t before = during_run;
    sigdelset(&during_run, SIGPROF);
    struct {
        struct kvm_signal_mask header;
        uint8_t set[8];
    } mask;
    mask.header.len = 8;
    memcpy(mask.set, &during_run, 8);
    if (ioctl(vcpu_fd, KVM_SET_SIGNAL_MASK, &mask) != 0)
        return fail_start(&before, -1);

    struct sigaction action = {0};
    action.sa_handler = tick;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGPROF, &action, &saved_action) != 0)
        return fail_start(&before, vcpu_fd);
    struct sigevent event = {0};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGPROF;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &event, &tick_timer) != 0) {
        int saved_errno = errno;
        sigaction(SIGPROF, &saved_action, NULL);
        errno = saved_errno;
        return fail_start(&before, vcpu_fd);
    }
    struct itimerspec every = {
        .it_interval = {interval_ns / 1000000000L, interval_ns % 1000000000L},
        .it_value = {interval_ns / 1000000000L, interval_ns % 1000000000L},
    };
    if (timer_settime(tick_timer, 0, &every, NULL) != 0) {
        int saved_errno = errno;
        timer_delete(tick_timer);
        sigaction(SIGPROF, &saved_action, NULL);
        errno = saved_errno;
        return fail_start(&before, vcpu_fd);
    }
    ticking = 1;
    return 0;
}

void ckvm_profile_stop(void)
{
    if (!ticking)
        return;
    ticking = 0;
    timer_delete(tick_timer);
    drop_pending_tick();
    sigaction(SIGPROF, &saved_action, NULL);
}

int ckvm_profile_take_host_tick(void)
{
    sigset_t pending;
    if (sigpending(&pending) != 0 || !sigismember(&pending, SIGPROF))
        return 0;
    drop_pending_tick();
    return 1;
}
