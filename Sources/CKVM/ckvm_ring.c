#define _GNU_SOURCE
#include "ckvm_ring.h"

#include <errno.h>
#include <linux/futex.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int ckvm_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
    struct timespec timeout = {
        .tv_sec = (time_t)(timeout_ns / 1000000000u),
        .tv_nsec = (long)(timeout_ns % 1000000000u),
    };
    long result = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected,
                          timeout_ns == 0 ? NULL : &timeout, NULL, 0);
    return result == 0 ? 0 : -errno;
}

void ckvm_futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

int ckvm_usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    return CPU_COUNT(&set);
}

struct thread_start {
    void (*body)(void *);
    void *context;
};

/* May run after the caller loaded its seccomp filter (TSYNC covers this
 * thread from its creation): glibc's start-up of a thread makes only calls
 * the filter allows (rseq, set_robust_list, rt_sigprocmask), and its first
 * malloc takes from the main arena (brk). The caller does not wait for it:
 * on a busy host a new thread can wait milliseconds for a CPU. */
static void *thread_main(void *argument)
{
    struct thread_start *start = argument;
    void (*body)(void *) = start->body;
    void *context = start->context;
    free(start);
    body(context);
    return NULL;
}

int ckvm_start_thread(void (*body)(void *), void *context)
{
    /* One malloc arena for every thread: a new thread's own arena would
     * grow with mprotect, which the seccomp filter does not allow (the main
     * arena grows with brk). */
    mallopt(M_ARENA_MAX, 1);
    struct thread_start *start = malloc(sizeof *start);
    if (start == NULL)
        return ENOMEM;
    *start = (struct thread_start){.body = body, .context = context};
    sigset_t all, saved;
    sigfillset(&all);
    /* The new thread inherits the mask in force when it is created. */
    int status = pthread_sigmask(SIG_BLOCK, &all, &saved);
    if (status != 0) {
        free(start);
        return status;
    }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    status = pthread_create(&thread, &attributes, thread_main, start);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (status != 0) {
        free(start);
        return status;
    }
    return 0;
}
