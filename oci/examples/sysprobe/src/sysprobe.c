/*
 * The monitor and guest kernel's end-to-end program: one mode per service
 * the unikernel gives a WASI program (argv[1]), each printing what a test
 * checks. Built to rootfs/sysprobe.wasm by hack/build-examples.
 *
 *   sleep MS          nanosleep (poll_oneoff, relative monotonic clock)
 *   sleep-until MS    clock_nanosleep to now + MS on CLOCK_REALTIME, absolute
 *   poll-stdin MS     poll() fd 0 for input with a timeout; prints revents
 *   poll-out          poll() fd 1 and fd 2 for output
 *   poll-bad          poll_oneoff edge cases straight through the import
 *   cat               copies stdin to stdout until EOF; bytes to stderr
 *   clocks            resolutions, readings, monotonicity, CPU time
 *   random            random_get: 1 MiB twice, distinct and evenly spread
 *   recurse           recursion without end (no tail calls): must trap
 *   touch MIB         grows memory by MIB MiB, writes every page, prints
 *                     "touched MIB", then sleeps an hour (hack/bench memory)
 *   spin              prints "spinning", then loops until killed
 *   wait-stdin        prints "waiting", then blocks in read(0)
 *   sleep-forever     prints "sleeping", then sleeps an hour
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static long number(const char *text)
{
    return text ? strtol(text, NULL, 10) : 0;
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int sleep_ms(long ms)
{
    int64_t before = now_ns(CLOCK_MONOTONIC);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    if (nanosleep(&ts, NULL) != 0) {
        printf("nanosleep: %s\n", strerror(errno));
        return 1;
    }
    int64_t slept = now_ns(CLOCK_MONOTONIC) - before;
    /* The guest's own clock must agree that the time passed. */
    printf("slept %s\n", slept >= ms * 1000000 ? "enough" : "too little");
    return 0;
}

static int sleep_until(long ms)
{
    int64_t target = now_ns(CLOCK_REALTIME) + ms * 1000000;
    struct timespec ts = {target / 1000000000, target % 1000000000};
    int err = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
    if (err != 0) {
        printf("clock_nanosleep: %s\n", strerror(err));
        return 1;
    }
    printf("woke %s\n", now_ns(CLOCK_REALTIME) >= target ? "after" : "before");
    return 0;
}

static void print_revents(const char *name, short revents)
{
    printf("%s:%s%s%s%s%s\n", name, revents & POLLRDNORM ? " in" : "",
           revents & POLLWRNORM ? " out" : "", revents & POLLHUP ? " hup" : "",
           revents & POLLERR ? " err" : "", revents & POLLNVAL ? " nval" : "");
}

static int poll_stdin(long ms)
{
    struct pollfd fds[1] = {{.fd = 0, .events = POLLRDNORM}};
    int ready = poll(fds, 1, (int)ms);
    if (ready < 0) {
        printf("poll: %s\n", strerror(errno));
        return 1;
    }
    printf("ready %d\n", ready);
    print_revents("stdin", fds[0].revents);
    if (ready > 0 && (fds[0].revents & POLLRDNORM)) {
        char buffer[256];
        ssize_t n = read(0, buffer, sizeof buffer);
        printf("read %zd\n", n);
    }
    return 0;
}

static int poll_out(void)
{
    struct pollfd fds[2] = {{.fd = 1, .events = POLLWRNORM},
                            {.fd = 2, .events = POLLWRNORM}};
    int ready = poll(fds, 2, 1000);
    printf("ready %d\n", ready);
    print_revents("stdout", fds[0].revents);
    print_revents("stderr", fds[1].revents);
    return 0;
}

/* Calls the import directly for what libc never asks. */
static int poll_bad(void)
{
    __wasi_subscription_t subs[4];
    __wasi_event_t events[4];
    __wasi_size_t count = 99;

    /* No subscriptions: EINVAL. */
    printf("none: %d\n", __wasi_poll_oneoff(subs, events, 0, &count));

    /* An fd_read on stdout, an fd_write on fd 9 and an expired absolute
     * monotonic clock: three events at once. */
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 10;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = 1;
    subs[1].userdata = 11;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 9;
    subs[2].userdata = 13;
    subs[2].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[2].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[2].u.u.clock.timeout = 1;
    subs[2].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    int err = __wasi_poll_oneoff(subs, events, 3, &count);
    printf("mixed: %d, %u events:", err, err ? 0u : (unsigned)count);
    for (unsigned i = 0; err == 0 && i < count; i++)
        printf(" %llu/%u/%u", (unsigned long long)events[i].userdata,
               (unsigned)events[i].type, (unsigned)events[i].error);
    printf("\n");

    /* A CPU-time clock cannot be waited on: EINVAL for the whole call, as
     * wasmtime answers. */
    subs[0] = subs[2];
    subs[0].u.u.clock.id = __WASI_CLOCKID_PROCESS_CPUTIME_ID;
    subs[0].u.u.clock.flags = 0;
    printf("cpu clock: %d\n", __wasi_poll_oneoff(subs, events, 1, &count));

    /* An unknown subscription tag: EINVAL for the whole call. */
    subs[0].u.tag = 7;
    printf("bad tag: %d\n", __wasi_poll_oneoff(subs, events, 1, &count));

    /* Out of linear memory: EFAULT. */
    printf("fault: %d\n",
           __wasi_poll_oneoff((void *)0xfffffff0, events, 1, &count));
    return 0;
}

static uint64_t wasi_time(__wasi_clockid_t id, __wasi_timestamp_t precision)
{
    __wasi_timestamp_t t = 0;
    __wasi_errno_t err = __wasi_clock_time_get(id, precision, &t);
    if (err != 0) {
        printf("clock_time_get(%u): %d\n", (unsigned)id, err);
        exit(1);
    }
    return t;
}

/* Prints "res ID NS" for the four clocks, the errno of a fifth, the
 * realtime and monotonic readings (the test compares them with the host),
 * then checks in the guest what only it can see. */
static int clocks(void)
{
    for (__wasi_clockid_t id = 0; id < 4; id++) {
        __wasi_timestamp_t res = 0;
        __wasi_errno_t err = __wasi_clock_res_get(id, &res);
        printf("res %u %llu %d\n", (unsigned)id, (unsigned long long)res, err);
    }
    __wasi_timestamp_t t;
    printf("bad clock: %d %d\n", __wasi_clock_time_get(4, 0, &t),
           __wasi_clock_res_get(4, &t));
    printf("realtime %llu\n", (unsigned long long)wasi_time(0, 0));
    printf("monotonic %llu\n", (unsigned long long)wasi_time(1, 0));

    /* Never backwards, and moving; a precision of a second changes nothing. */
    uint64_t last = wasi_time(1, 1000000000), first = last;
    int backwards = 0;
    for (int i = 0; i < 1000000; i++) {
        uint64_t now = wasi_time(1, 1000000000);
        backwards += now < last;
        last = now;
    }
    printf("monotonic: %d backwards, moved %s\n", backwards,
           last > first ? "yes" : "no");

    /* CPU time advances while computing, not while asleep. */
    uint64_t cpu0 = wasi_time(2, 0), mono0 = wasi_time(1, 0);
    volatile unsigned long spin = 0;
    while (wasi_time(1, 0) - mono0 < 200000000)
        spin++;
    uint64_t spun = wasi_time(2, 0) - cpu0;
    uint64_t thread0 = wasi_time(3, 0);
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    uint64_t slept = wasi_time(3, 0) - thread0;
    printf("cpu: spinning %s, sleeping %s\n",
           spun >= 180000000 && spun <= 220000000 ? "counts" : "wrong",
           slept < 20000000 ? "does not count" : "counts");
    return 0;
}

static unsigned char random_a[1 << 20], random_b[1 << 20];

static int random_bytes(void)
{
    if (__wasi_random_get(random_a, sizeof random_a) != 0 ||
        __wasi_random_get(random_b, sizeof random_b) != 0 ||
        __wasi_random_get(random_b, 0) != 0) {
        printf("random_get failed\n");
        return 1;
    }
    printf("fault: %d\n", __wasi_random_get((void *)0xfffffff0, 32));
    unsigned counts[256] = {0};
    for (size_t i = 0; i < sizeof random_a; i++)
        counts[random_a[i]]++;
    unsigned low = ~0u, high = 0;
    for (int v = 0; v < 256; v++) {
        low = counts[v] < low ? counts[v] : low;
        high = counts[v] > high ? counts[v] : high;
    }
    /* 4096 expected per value; 3500..4700 is past 9 sigma either way. */
    printf("random: %s, %s\n",
           memcmp(random_a, random_b, sizeof random_a) ? "distinct" : "repeated",
           low > 3500 && high < 4700 ? "even" : "skewed");
    return 0;
}

/* Not a tail call, and not foldable (the global), and no address taken (so
 * nothing on the shadow stack in linear memory): each level is a native
 * frame in the guest. */
static unsigned long recursion_sink;

__attribute__((noinline)) static unsigned long recurse(unsigned long n)
{
    recursion_sink += n;
    return recurse(n + 1) + recursion_sink;
}

static int cat(void)
{
    char buffer[4096];
    long total = 0;
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0) {
            fprintf(stderr, "read: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(1, buffer + done, (size_t)(n - done));
            if (w < 0) {
                fprintf(stderr, "write: %s\n", strerror(errno));
                return 1;
            }
            done += w;
        }
        total += n;
    }
    fprintf(stderr, "%ld bytes\n", total);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *arg = argc > 2 ? argv[2] : NULL;
    if (strcmp(mode, "sleep") == 0)
        return sleep_ms(number(arg));
    if (strcmp(mode, "sleep-until") == 0)
        return sleep_until(number(arg));
    if (strcmp(mode, "poll-stdin") == 0)
        return poll_stdin(number(arg));
    if (strcmp(mode, "poll-out") == 0)
        return poll_out();
    if (strcmp(mode, "poll-bad") == 0)
        return poll_bad();
    if (strcmp(mode, "cat") == 0)
        return cat();
    if (strcmp(mode, "clocks") == 0)
        return clocks();
    if (strcmp(mode, "random") == 0)
        return random_bytes();
    if (strcmp(mode, "recurse") == 0) {
        printf("recursing\n");
        fflush(stdout);
        return (int)recurse(1);
    }
    if (strcmp(mode, "spin") == 0) {
        printf("spinning\n");
        fflush(stdout);
        volatile unsigned long counter = 0;
        for (;;)
            counter++;
    }
    if (strcmp(mode, "wait-stdin") == 0) {
        printf("waiting\n");
        fflush(stdout);
        char byte;
        ssize_t n = read(0, &byte, 1);
        printf("read %zd\n", n);
        return 0;
    }
    if (strcmp(mode, "touch") == 0) {
        long mib = number(arg);
        volatile unsigned char *p = malloc((size_t)mib << 20);
        if (mib > 0 && p == NULL) {
            printf("no memory\n");
            return 1;
        }
        for (long i = 0; i < mib << 20; i += 4096)
            p[i] = 1;
        printf("touched %ld\n", mib);
        fflush(stdout);
        sleep(3600);
        return 0;
    }
    if (strcmp(mode, "sleep-forever") == 0) {
        printf("sleeping\n");
        fflush(stdout);
        sleep(3600);
        return 0;
    }
    fprintf(stderr, "sysprobe: unknown mode '%s'\n", mode);
    return 2;
}
