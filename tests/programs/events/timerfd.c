/* timerfd_create(2): clocks and flags, settime/gettime (relative, absolute, periodic, disarm, old value), reading the
 * expiration count (blocking with no other thread running, EAGAIN, short buffers), poll readiness and ordering.
 * Only timing-independent facts are printed: counts are at least what the elapsed time guarantees, values are
 * within their bounds, and a shorter timer is never later than a longer one. */
#include "events.h"
#include <stdint.h>
#include <sys/wait.h>

#define MS 1000000L

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static void show_get(const char *what, int fd, long long max_value)
{
    struct itimerspec cur;
    errno = 0;
    int r = timerfd_gettime(fd, &cur);
    if (r < 0) { printf("%-40s gettime %s\n", what, errname(errno)); return; }
    long long value = ns_of(cur.it_value);
    /* An armed one-shot timer may already have expired (value 0) if this process was slow: only the bound is certain. */
    const char *v = max_value == 0 ? (value == 0 ? "0" : "NOT 0") : value <= max_value ? "<= max" : "TOO BIG";
    printf("%-40s value %s interval %lld ms\n", what, v, ns_of(cur.it_interval) / MS);
}

static int readable(int fd)
{
    struct pollfd p = { fd, POLLIN | POLLRDNORM | POLLOUT, 0 };
    poll(&p, 1, 0);
    return p.revents;
}

static struct itimerspec spec(long value_ms, long interval_ms)
{
    struct itimerspec s = { { interval_ms / 1000, interval_ms % 1000 * MS }, { value_ms / 1000, value_ms % 1000 * MS } };
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    uint64_t n;

    printf("-- creation\n");
    T(timerfd_create(99, 0));
    T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    T(timerfd_create(CLOCK_MONOTONIC, 1));
    T(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC | 1));
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    TF(t);
    int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    TF(rt);
    int bt = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    TF(bt);
    T(fcntl(t, F_GETFD));
    T(fcntl(bt, F_GETFD));
    T(fcntl(bt, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    show_link("timerfd", t);
    show_fstat("timerfd", t);
    show_get("new timer", t, 0);

    printf("-- argument errors\n");
    struct itimerspec s = spec(10, 0), bad = spec(10, 0);
    bad.it_value.tv_nsec = 1000000000;
    T(timerfd_settime(t, 0, &bad, NULL));
    bad = spec(10, 0);
    bad.it_interval.tv_nsec = -1;
    T(timerfd_settime(t, 0, &bad, NULL));
    bad = spec(10, 0);
    bad.it_value.tv_sec = -1;
    T(timerfd_settime(t, 0, &bad, NULL));
    T(timerfd_settime(t, 4, &s, NULL));
    T(timerfd_settime(t, 0, NULL, NULL));
    T(timerfd_settime(999, 0, &s, NULL));
    T(timerfd_settime(0, 0, &s, NULL));
    T(timerfd_settime(999, 4, &s, NULL));
    struct itimerspec cur;
    T(timerfd_gettime(999, &cur));
    T(timerfd_gettime(1, &cur));
    T(timerfd_gettime(t, NULL));
    T(read(rt, &n, 4));
    T(read(rt, &n, 8));
    T(write(t, &n, 8));

    printf("-- one-shot, relative\n");
    s = spec(30, 0);
    T(timerfd_settime(t, 0, &s, NULL));
    show_get("armed 30 ms", t, 30 * MS);
    T(read(t, &n, 8)); /* blocks: the only thread waits on the timer */
    SHOW("expirations %llu", (unsigned long long)n);
    show_get("after expiry", t, 0);
    SHOW("readable after the read: %s", evnames(readable(t)));

    printf("-- periodic\n");
    s = spec(10, 10);
    T(timerfd_settime(t, 0, &s, NULL));
    show_get("armed 10/10 ms", t, 10 * MS);
    sleep_ms(55);
    SHOW("readable: %s", evnames(readable(t)));
    show_get("after 55 ms", t, 10 * MS);
    T(read(t, &n, 8));
    SHOW("expirations >= 5: %d", n >= 5);
    T(read(t, &n, 8));
    SHOW("next read waited for one more: %d", n >= 1);
    struct itimerspec old;
    s = spec(0, 0);
    T(timerfd_settime(t, 0, &s, &old));
    /* [0, 10 ms], not (0, 10 ms]: on a loaded host the expiry may have passed before the timer interrupt forwarded the
       periodic timer, and Linux then reports 0 (timerfd_get_remaining clamps a negative remainder). */
    SHOW("old interval %lld ms, old value in [0, 10 ms]: %d", ns_of(old.it_interval) / MS,
         ns_of(old.it_value) >= 0 && ns_of(old.it_value) <= 10 * MS);
    show_get("disarmed", t, 0);
    s = spec(0, 25);
    T(timerfd_settime(t, 0, &s, NULL));
    show_get("zero value keeps the interval", t, 0);

    printf("-- settime discards pending expirations\n");
    s = spec(1, 0);
    T(timerfd_settime(rt, 0, &s, NULL));
    sleep_ms(10);
    SHOW("readable: %s", evnames(readable(rt)));
    s = spec(5000, 0);
    T(timerfd_settime(rt, 0, &s, NULL));
    SHOW("after re-arming: %s", evnames(readable(rt)));
    T(read(rt, &n, 8));
    s = spec(0, 0);
    T(timerfd_settime(rt, 0, &s, NULL));

    printf("-- absolute\n");
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s = spec(0, 0);
    s.it_value.tv_sec = now.tv_sec;
    s.it_value.tv_nsec = now.tv_nsec;
    s.it_value.tv_nsec += 20 * MS;
    if (s.it_value.tv_nsec >= 1000000000) { s.it_value.tv_sec++; s.it_value.tv_nsec -= 1000000000; }
    T(timerfd_settime(t, TFD_TIMER_ABSTIME, &s, NULL));
    show_get("absolute, 20 ms ahead", t, 20 * MS);
    T(read(t, &n, 8));
    SHOW("expirations %llu", (unsigned long long)n);
    s.it_value.tv_sec = 1; /* long past */
    s.it_value.tv_nsec = 0;
    T(timerfd_settime(t, TFD_TIMER_ABSTIME, &s, NULL));
    SHOW("past absolute time: %s", evnames(readable(t)));
    T(read(t, &n, 8));
    SHOW("expirations %llu", (unsigned long long)n);
    s = spec(0, 10);
    s.it_value.tv_sec = 1;
    T(timerfd_settime(t, TFD_TIMER_ABSTIME, &s, NULL));
    T(read(t, &n, 8));
    SHOW("periodic from the distant past: many expirations: %d", n > 1000);
    s = spec(0, 0);
    T(timerfd_settime(t, 0, &s, NULL));
    clock_gettime(CLOCK_REALTIME, &now);
    s.it_value.tv_sec = now.tv_sec;
    s.it_value.tv_nsec = now.tv_nsec + 10 * MS;
    if (s.it_value.tv_nsec >= 1000000000) { s.it_value.tv_sec++; s.it_value.tv_nsec -= 1000000000; }
    T(timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
    struct pollfd pfd = { rt, POLLIN, 0 };
    T(poll(&pfd, 1, -1));
    T(read(rt, &n, 8));
    SHOW("realtime expirations %llu", (unsigned long long)n);
    s = spec(5, 0);
    T(timerfd_settime(bt, TFD_TIMER_CANCEL_ON_SET, &s, NULL));
    T(poll(&(struct pollfd){ bt, POLLIN, 0 }, 1, -1));
    T(read(bt, &n, 8));

    printf("-- ordering\n");
    int shortt = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), longt = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    /* Margins of 150 ms: a VM stalled (compiling, a loaded host) between the two settime calls must not see the
     * long timer expire before the short one is armed. */
    s = spec(200, 0);
    timerfd_settime(longt, 0, &s, NULL);
    s = spec(50, 0);
    timerfd_settime(shortt, 0, &s, NULL);
    struct pollfd two[2] = { { shortt, POLLIN, 0 }, { longt, POLLIN, 0 } };
    T(poll(two, 2, -1) >= 1);
    SHOW("short ready first: %d", (two[0].revents & POLLIN) != 0);
    two[0].fd = -1;
    T(poll(two, 2, -1));
    SHOW("long ready: %d", (two[1].revents & POLLIN) != 0);
    int ep = epoll_create1(0);
    add(ep, longt, EPOLLIN, 2);
    add(ep, shortt, EPOLLIN, 1);
    read(shortt, &n, 8);
    read(longt, &n, 8);
    show("both read: the ready list empties", ep, 4, 0);
    s = spec(200, 0);
    timerfd_settime(longt, 0, &s, NULL);
    s = spec(50, 0);
    timerfd_settime(shortt, 0, &s, NULL);
    show("epoll: the shorter timer first", ep, 1, -1);
    T(read(shortt, &n, 8));
    show("epoll: then the longer", ep, 4, -1);
    close(ep);

    printf("-- inherited across fork\n");
    s = spec(20, 0);
    T(timerfd_settime(t, 0, &s, NULL));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t c = 0;
        ssize_t r = read(t, &c, 8);
        _exit(r == 8 && c == 1 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    SHOW("child read the expiration: status %d", WEXITSTATUS(status));
    SHOW("nothing left for the parent: %s", evnames(readable(t)));
    close(t); close(rt); close(bt); close(shortt); close(longt);
    return finish();
}
