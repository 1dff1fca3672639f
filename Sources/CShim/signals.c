#include "cshim_signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

const int cshim_forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
const int cshim_forwarded_signal_count =
    (int)(sizeof cshim_forwarded_signals / sizeof cshim_forwarded_signals[0]);

static sigset_t saved_mask;
static int mask_saved;
static volatile sig_atomic_t forward_target;

static void forwarded_set(sigset_t *set)
{
    sigemptyset(set);
    for (int i = 0; i < cshim_forwarded_signal_count; i++)
        sigaddset(set, cshim_forwarded_signals[i]);
}

int cshim_block_forwarded_signals(void)
{
    sigset_t block;
    forwarded_set(&block);
    if (sigprocmask(SIG_BLOCK, &block, &saved_mask) != 0)
        return -1;
    mask_saved = 1;
    return 0;
}

int cshim_unblock_forwarded_signals(void)
{
    sigset_t unblock;
    forwarded_set(&unblock);
    mask_saved = 0;
    return sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

int cshim_restore_signal_mask(void)
{
    if (!mask_saved)
        return 0;
    mask_saved = 0;
    return sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

int cshim_reset_signals(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        (void)sigaction(sig, &action, NULL); /* EINVAL for glibc-reserved signals: ignored */
    }
    mask_saved = 0;
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

static void forward(int sig)
{
    /* kill(2) is async-signal-safe; errno is preserved for the interrupted code. */
    int saved_errno = errno;
    if (forward_target > 0)
        (void)kill((pid_t)forward_target, sig);
    errno = saved_errno;
}

int cshim_forward_signals_to(pid_t target)
{
    forward_target = (sig_atomic_t)target;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < cshim_forwarded_signal_count; i++) {
        if (sigaction(cshim_forwarded_signals[i], &action, NULL) != 0)
            return -1;
    }
    return 0;
}

static int default_action_terminates(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return 0;
    default:
        return sig > 0 && sig < NSIG;
    }
}

_Noreturn void cshim_die_by_signal(int sig)
{
    if (!default_action_terminates(sig))
        _exit(128 + (sig & 0x7f));
    /* No core file: the caller wants the wait status, not a dump of the runtime. */
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    (void)sigaction(sig, &action, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    (void)sigprocmask(SIG_UNBLOCK, &only, NULL);
    (void)kill(getpid(), sig);
    _exit(128 + (sig & 0x7f));
}
