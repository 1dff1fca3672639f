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
    uint32_t running; /* set by the thread once its start-up is over */
};

static void *thread_main(void *argument)
{
    struct thread_start *start = argument;
    void (*body)(void *) = start->body;
    void *context = start->context;
    /* Its first malloc (the thread's cache) while it may still make any
     * system call. */
    free(malloc(1));
    __atomic_store_n(&start->running, 1, __ATOMIC_RELEASE);
    ckvm_futex_wake(&start->running);
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
    *start = (struct thread_start){.body = body, .context = context, .running = 0};
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
    /* glibc's start-up of the thread (rseq, robust list) runs in the thread:
     * it must be over before the caller loads a seccomp filter. */
    while (__atomic_load_n(&start->running, __ATOMIC_ACQUIRE) == 0)
        ckvm_futex_wait(&start->running, 0, 0);
    free(start);
    return 0;
}
