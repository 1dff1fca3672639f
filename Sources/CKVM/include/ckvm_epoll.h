/* epoll for polls that include the guest's sockets. glibc's struct
 * epoll_event is packed on x86-64 and sys/epoll.h is not in Swift's Glibc
 * module, so the monitor goes through these: events and keys travel as
 * plain arrays. */
#ifndef CKVM_EPOLL_H
#define CKVM_EPOLL_H

#include <stdint.h>
#include <sys/epoll.h>

#include "ckvm_signals.h"

static const int CKVM_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int CKVM_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int CKVM_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

/* The most events one ckvm_epoll_wait returns (level-triggered: the rest
 * are there the next time). */
#define CKVM_EPOLL_BATCH 64

static inline int ckvm_epoll_create(void)
{
    return epoll_create1(EPOLL_CLOEXEC);
}

static inline int ckvm_epoll_ctl(int epfd, int op, int fd, uint32_t events,
                                 uint64_t key)
{
    struct epoll_event event = {.events = events, .data.u64 = key};
    return epoll_ctl(epfd, op, fd, &event);
}

/* epoll_wait through ckvm_cancellable_syscall (a termination signal ends
 * it): at most CKVM_EPOLL_BATCH events into events[] and keys[]. Returns
 * the count, or -errno. */
static inline long ckvm_epoll_wait(int epfd, uint32_t *events, uint64_t *keys,
                                   int timeout_ms)
{
    struct epoll_event ready[CKVM_EPOLL_BATCH];
    long count = ckvm_cancellable_syscall(SYS_epoll_wait, epfd, (long)ready,
                                          CKVM_EPOLL_BATCH, timeout_ms, 0);
    for (long i = 0; i < count; i++) {
        events[i] = ready[i].events;
        keys[i] = ready[i].data.u64;
    }
    return count;
}

#endif /* CKVM_EPOLL_H */
