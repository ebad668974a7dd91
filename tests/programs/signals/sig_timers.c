/* Interval timers and POSIX timers: setitimer ITIMER_REAL periodic, getitimer, timer_create with
   SIGEV_SIGNAL / SIGEV_THREAD_ID / SIGEV_NONE, timer_gettime, timer_getoverrun, timer_delete, ITIMER_VIRTUAL. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms, timer_hits, timer_value, timer_code, vt;
static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    timer_hits++;
    timer_value = si->si_value.sival_int;
    timer_code = si->si_code;
}
static void on_vt(int sig) { (void)sig; vt++; }

int main(void)
{
    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval=%ld armed=%d\n", (long)cur.it_interval.tv_usec, cur.it_value.tv_usec > 0 || cur.it_value.tv_sec > 0);
    while (alarms < 3) pause();
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, &cur);
    getitimer(ITIMER_REAL, &cur);
    printf("periodic: alarms>=3 %d; disarmed=%d\n", alarms >= 3, cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL);

    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_value.sival_int = 4242;
    timer_t t;
    printf("timer_create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000 * 1000 } }, got;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &got);
    printf("gettime armed: %d\n", got.it_value.tv_nsec > 0 && got.it_value.tv_nsec <= 20 * 1000 * 1000);
    while (timer_hits < 1) pause();
    timer_gettime(t, &got);
    printf("one-shot: hits=%d value=%d code=%d disarmed=%d overrun=%d\n", timer_hits, timer_value, timer_code,
           got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0, timer_getoverrun(t));

    /* Absolute CLOCK_REALTIME expiry in the past fires at once. */
    timer_t rt;
    ev.sigev_value.sival_int = 7;
    timer_create(CLOCK_REALTIME, &ev, &rt);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    its.it_value = now;
    timer_settime(rt, TIMER_ABSTIME, &its, NULL);
    while (timer_hits < 2) pause();
    printf("abstime: hits=%d value=%d\n", timer_hits, timer_value);
    timer_delete(rt);

    /* Overruns: a periodic timer whose signal stays blocked. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 1000 * 1000;
    its.it_interval = its.it_value;
    timer_settime(t, 0, &its, NULL);
    struct timespec sl = { 0, 50 * 1000 * 1000 };
    nanosleep(&sl, NULL);
    siginfo_t si;
    sigwaitinfo(&set, &si);
    printf("overrun: code=%d overrun>0=%d getoverrun>0=%d\n", si.si_code, si.si_overrun > 0, timer_getoverrun(t) > 0);
    memset(&its, 0, sizeof its);
    timer_settime(t, 0, &its, NULL);
    int d1 = timer_delete(t);
    int d2 = timer_delete(t);
    printf("timer_delete: %d again=%d\n", d1, d2);
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* SIGEV_THREAD_ID to this thread */
    ev.sigev_notify = SIGEV_THREAD_ID;
    #ifdef sigev_notify_thread_id
    ev.sigev_notify_thread_id = gettid();
#else
    ev._sigev_un._tid = gettid();
#endif
    ev.sigev_value.sival_int = 5;
    timer_t tt;
    printf("thread timer: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &tt));
    its.it_value.tv_nsec = 5 * 1000 * 1000;
    timer_settime(tt, 0, &its, NULL);
    while (timer_hits < 3) pause();
    printf("thread timer hits=%d value=%d\n", timer_hits, timer_value);

    /* SIGEV_NONE: no signal, but the time runs. */
    ev.sigev_notify = SIGEV_NONE;
    timer_t nt;
    timer_create(CLOCK_MONOTONIC, &ev, &nt);
    its.it_value.tv_sec = 100;
    timer_settime(nt, 0, &its, NULL);
    timer_gettime(nt, &got);
    printf("none: remaining_ok=%d\n", got.it_value.tv_sec >= 98);

    /* ITIMER_VIRTUAL counts CPU time of the process. */
    signal(SIGVTALRM, on_vt);
    struct itimerval vit = { { 0, 0 }, { 0, 10000 } };
    setitimer(ITIMER_VIRTUAL, &vit, NULL);
    volatile unsigned long spin = 0;
    while (!vt) spin++;
    printf("virtual: fired=%d\n", vt);
    printf("bad timer: %d\n", timer_create(99, &ev, &nt));
    return 0;
}
