/* getrusage(2) and times(2): the calls' results and errors, and the properties that hold on every system (CPU time
 * grows while the program computes, a resident-set size is reported, a child's time shows up in RUSAGE_CHILDREN only
 * after it is waited for), never the times themselves. */
#include "check.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>

static volatile unsigned long sink;

static void spin(long n)
{
    for (long i = 0; i < n; i++) sink = sink * 6364136223846793005UL + 1442695040888963407UL;
}

static long usec(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

int main(void)
{
    struct rusage a, b, c;
    T(getrusage(RUSAGE_SELF, &a));
    spin(40 * 1000 * 1000);
    T(getrusage(RUSAGE_SELF, &b));
    SHOW("self: cpu time grew: %d", usec(b.ru_utime) + usec(b.ru_stime) > usec(a.ru_utime) + usec(a.ru_stime));
    SHOW("self: microseconds below a million: %d", b.ru_utime.tv_usec < 1000000 && b.ru_stime.tv_usec < 1000000);
    SHOW("self: maxrss positive: %d", b.ru_maxrss > 0);
    T(getrusage(RUSAGE_THREAD, &c));
    SHOW("thread: cpu time positive: %d", usec(c.ru_utime) + usec(c.ru_stime) > 0);
    T(getrusage(RUSAGE_CHILDREN, &c));
    SHOW("children before any: zero time: %d", usec(c.ru_utime) + usec(c.ru_stime) == 0);
    T(getrusage(7, &c));
    T(getrusage(RUSAGE_SELF, (struct rusage *)16));

    pid_t child = fork();
    if (child == 0) {
        spin(40 * 1000 * 1000);
        _exit(0);
    }
    int status;
    T(waitpid(child, &status, 0) == child);
    T(getrusage(RUSAGE_CHILDREN, &c));
    SHOW("children after wait: cpu time positive: %d", usec(c.ru_utime) + usec(c.ru_stime) > 0);

    struct tms t;
    clock_t now = times(&t);
    SHOW("times: returns a positive count: %d", now != (clock_t)-1 && now > 0);
    SHOW("times: children counted: %d", t.tms_cutime + t.tms_cstime > 0);
    errno = 0;
    SHOW("times: bad buffer: %s", syscall(SYS_times, (void *)16) == -1 ? errname(errno) : "no error");
    SHOW("times: null buffer allowed: %d", syscall(SYS_times, NULL) > 0);
    return failures;
}
