#include "ckvm_signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

static const int termination_signals[] = {SIGTERM, SIGINT, SIGHUP};
#define TERMINATION_SIGNAL_COUNT                                               \
    (sizeof termination_signals / sizeof termination_signals[0])

static struct sigaction saved_termination[TERMINATION_SIGNAL_COUNT];
static struct sigaction saved_pipe;
static sigset_t saved_mask;
static volatile sig_atomic_t pending_signal;
static struct kvm_run *volatile armed_run;
static pthread_t vcpu_thread;

static void record_signal(int signal_number)
{
    if (pending_signal == 0)
        pending_signal = signal_number;
    struct kvm_run *run = armed_run;
    if (run != NULL)
        run->immediate_exit = 1;
    if (!pthread_equal(pthread_self(), vcpu_thread))
        pthread_kill(vcpu_thread, signal_number);
}

/* Restores the first `count` termination signals, SIGPIPE and the mask. */
static void restore(size_t count)
{
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    for (size_t i = 0; i < count; i++)
        sigaction(termination_signals[i], &saved_termination[i], NULL);
    sigaction(SIGPIPE, &saved_pipe, NULL);
    armed_run = NULL;
}

int ckvm_signals_arm(struct kvm_run *run)
{
    pending_signal = 0;
    vcpu_thread = pthread_self();

    sigset_t termination;
    sigemptyset(&termination);
    for (size_t i = 0; i < TERMINATION_SIGNAL_COUNT; i++)
        sigaddset(&termination, termination_signals[i]);
    pthread_sigmask(SIG_BLOCK, NULL, &saved_mask);

    struct sigaction ignore = {0};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGPIPE, &ignore, &saved_pipe) != 0)
        return -1;
    armed_run = run;

    struct sigaction record = {0};
    record.sa_handler = record_signal;
    record.sa_mask = termination;
    record.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */

    for (size_t i = 0; i < TERMINATION_SIGNAL_COUNT; i++) {
        int signal_number = termination_signals[i];
        if (sigaction(signal_number, NULL, &saved_termination[i]) != 0 ||
            (saved_termination[i].sa_handler != SIG_IGN &&
             sigaction(signal_number, &record, NULL) != 0)) {
            int saved_errno = errno;
            restore(i);
            errno = saved_errno;
            return -1;
        }
    }

    /* Only now that the handlers are in place: the vCPU thread must take the
     * signals, or a forwarded one would stay pending while KVM_RUN keeps
     * running (runtimes often block them in worker threads). */
    int failure = pthread_sigmask(SIG_UNBLOCK, &termination, NULL);
    if (failure != 0) {
        restore(TERMINATION_SIGNAL_COUNT);
        errno = failure;
        return -1;
    }
    return 0;
}

void ckvm_signals_disarm(void)
{
    restore(TERMINATION_SIGNAL_COUNT);
}

int ckvm_signals_pending(void)
{
    return pending_signal;
}
