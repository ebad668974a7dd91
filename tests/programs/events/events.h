/* Shared helpers for the event-descriptor programs (epoll, eventfd, timerfd): checks print the call, its result and
 * errno name so native and VM runs compare line by line. Nothing printed depends on timing, pids or descriptor numbers. */
#include "../syscalls/check.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

static __attribute__((unused)) const char *evnames(unsigned e)
{
    static char b[160];
    static const struct { unsigned bit; const char *name; } names[] = {
        { EPOLLIN, "IN" }, { EPOLLPRI, "PRI" }, { EPOLLOUT, "OUT" }, { EPOLLERR, "ERR" }, { EPOLLHUP, "HUP" },
        { EPOLLRDNORM, "RDNORM" }, { EPOLLRDBAND, "RDBAND" }, { EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" },
        { EPOLLMSG, "MSG" }, { EPOLLRDHUP, "RDHUP" },
    };
    b[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (e & names[i].bit) { if (b[0]) strcat(b, "|"); strcat(b, names[i].name); e &= ~names[i].bit; }
    if (e) sprintf(b + strlen(b), "%s0x%x", b[0] ? "|" : "", e);
    return b[0] ? b : "0";
}

/* epoll_wait and print "what: n=N [data:EVENTS]...". */
static __attribute__((unused)) int show(const char *what, int ep, int max, int timeout)
{
    struct epoll_event ev[64];
    errno = 0;
    int n = epoll_wait(ep, ev, max, timeout);
    printf("%-44s n=%d", what, n);
    if (n < 0) printf(" %s", errname(errno));
    for (int i = 0; i < n; i++) printf(" [%llu:%s]", (unsigned long long)ev[i].data.u64, evnames(ev[i].events));
    printf("\n");
    return n;
}

static __attribute__((unused)) int add(int ep, int fd, unsigned events, unsigned long long data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static __attribute__((unused)) int mod(int ep, int fd, unsigned events, unsigned long long data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static __attribute__((unused)) void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static __attribute__((unused)) void show_link(const char *what, int fd)
{
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = 0;
    printf("%s link: %s\n", what, target);
}

static __attribute__((unused)) void show_fstat(const char *what, int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0) { printf("%s fstat: %s\n", what, errname(errno)); return; }
    printf("%s fstat: type=0%o perm=0%o size=%lld\n", what, st.st_mode & S_IFMT, st.st_mode & 07777, (long long)st.st_size);
}
