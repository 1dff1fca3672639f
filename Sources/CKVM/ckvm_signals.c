#define _GNU_SOURCE
#include "ckvm_signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

static const int termination_signals[] = {SIGTERM, SIGINT, SIGHUP};
#define TERMINATION_SIGNAL_COUNT                                               \
    (sizeof termination_signals / sizeof termination_signals[0])

static struct sigaction saved_termination[TERMINATION_SIGNAL_COUNT];
static struct sigaction saved_pipe;
static sigset_t saved_mask;
/* Read by the assembly below, so not static. */
__attribute__((visibility("hidden"))) volatile sig_atomic_t
    ckvm_pending_signal;
static struct kvm_run *volatile armed_run;
static pthread_t vcpu_thread;

/*
 * ckvm_cancellable_syscall(number, a0..a4): between ckvm_cancel_begin and
 * ckvm_cancel_end the thread has not yet entered the kernel (the last
 * instruction of the range is the `syscall` itself), and it touches only
 * registers, so the handler can send it to ckvm_cancel_out, which returns
 * -EINTR as if the call had been interrupted. After the `syscall` the rip is
 * ckvm_cancel_end: a call the signal interrupted, or one that completed,
 * keeps its result.
 */
__asm__(".text\n"
        ".globl ckvm_cancellable_syscall\n"
        ".type ckvm_cancellable_syscall, @function\n"
        "ckvm_cancellable_syscall:\n"
        "ckvm_cancel_begin:\n"
        "    cmpl $0, ckvm_pending_signal(%rip)\n"
        "    jne ckvm_cancel_out\n"
        "    mov %rdi, %rax\n"
        "    mov %rsi, %rdi\n"
        "    mov %rdx, %rsi\n"
        "    mov %rcx, %rdx\n"
        "    mov %r8, %r10\n"
        "    mov %r9, %r8\n"
        "    syscall\n"
        "ckvm_cancel_end:\n"
        "    ret\n"
        "ckvm_cancel_out:\n"
        "    mov $-4, %rax\n" /* -EINTR */
        "    ret\n"
        ".size ckvm_cancellable_syscall, . - ckvm_cancellable_syscall\n");
_Static_assert(EINTR == 4, "ckvm_cancel_out returns -4");

extern const char ckvm_cancel_begin[], ckvm_cancel_end[], ckvm_cancel_out[];

static void record_signal(int signal_number, siginfo_t *info, void *context)
{
    (void)info;
    if (ckvm_pending_signal == 0)
        ckvm_pending_signal = signal_number;
    struct kvm_run *run = armed_run;
    if (run != NULL)
        run->immediate_exit = 1;
    if (!pthread_equal(pthread_self(), vcpu_thread)) {
        pthread_kill(vcpu_thread, signal_number);
        return;
    }
    ucontext_t *interrupted = context;
    greg_t *rip = &interrupted->uc_mcontext.gregs[REG_RIP];
    if ((uintptr_t)*rip >= (uintptr_t)ckvm_cancel_begin &&
        (uintptr_t)*rip < (uintptr_t)ckvm_cancel_end)
        *rip = (greg_t)(uintptr_t)ckvm_cancel_out;
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
    ckvm_pending_signal = 0;
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
    record.sa_sigaction = record_signal;
    record.sa_mask = termination;
    /* No SA_RESTART: KVM_RUN and blocking calls must return EINTR. */
    record.sa_flags = SA_SIGINFO;

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
    return ckvm_pending_signal;
}
