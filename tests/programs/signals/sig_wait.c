/* Waiting for signals: pause, sigsuspend, sigtimedwait/sigwaitinfo, signalfd with poll. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int got;
static void handler(int sig) { got = sig; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    /* pause until the alarm */
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    int r = pause();
    printf("pause: r=%d errno=%s got=%d\n", r, errno == EINTR ? "EINTR" : "?", got);

    /* sigsuspend: block SIGUSR1, raise it (pending), then wait with it unblocked; the mask comes back. */
    sigset_t block, old, wait_mask, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    got = 0;
    raise(SIGUSR1);
    printf("before sigsuspend: got=%d\n", got);
    sigemptyset(&wait_mask);
    r = sigsuspend(&wait_mask);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("sigsuspend: r=%d errno=%s got=%d usr1_blocked_after=%d\n", r, errno == EINTR ? "EINTR" : "?", got,
           sigismember(&now, SIGUSR1));

    /* sigsuspend woken later by a timer */
    got = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    sigemptyset(&wait_mask);
    r = sigsuspend(&wait_mask);
    printf("sigsuspend timer: r=%d got=%d\n", r, got);

    /* sigtimedwait: a pending blocked signal is taken synchronously; the handler does not run. */
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    got = 0;
    union sigval v = { .sival_int = 99 };
    sigqueue(getpid(), SIGUSR2, v);
    siginfo_t si;
    struct timespec ts = { 1, 0 };
    r = sigtimedwait(&block, &si, &ts);
    printf("sigtimedwait: r=%d signo=%d code=%d value=%d got=%d\n", r, si.si_signo, si.si_code, si.si_value.sival_int, got);

    ts.tv_sec = 0;
    ts.tv_nsec = 30 * 1000 * 1000;
    errno = 0;
    r = sigtimedwait(&block, &si, &ts);
    printf("sigtimedwait timeout: r=%d errno=%s\n", r, errno == EAGAIN ? "EAGAIN" : "?");

    /* sigwaitinfo woken by a blocked SIGALRM from a timer */
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    r = sigwaitinfo(&block, &si);
    printf("sigwaitinfo: r=%d code=%d\n", r, si.si_code);
    int sig = 0;
    raise(SIGUSR1);
    sigwait(&block, &sig);
    printf("sigwait: %d\n", sig);

    /* signalfd: readable when a signal in its mask is pending. */
    int fd = signalfd(-1, &block, SFD_CLOEXEC);
    struct pollfd pfd = { fd, POLLIN, 0 };
    printf("signalfd poll empty: %d\n", poll(&pfd, 1, 0));
    kill(getpid(), SIGUSR2);
    sigqueue(getpid(), SIGUSR1, v);
    r = poll(&pfd, 1, 1000);
    printf("signalfd poll: r=%d revents=%d\n", r, pfd.revents);
    struct signalfd_siginfo fsi[4];
    ssize_t n = read(fd, fsi, sizeof fsi);
    printf("signalfd read: %zd bytes\n", n);
    for (int i = 0; i < n / (int)sizeof fsi[0]; i++)
        printf("  signo=%u code=%d pid_ok=%d int=%d\n", fsi[i].ssi_signo, fsi[i].ssi_code, fsi[i].ssi_pid == (unsigned)getpid(),
               fsi[i].ssi_int);
    /* blocking read woken by a timer signal */
    setitimer(ITIMER_REAL, &it, NULL);
    n = read(fd, fsi, sizeof fsi);
    printf("signalfd blocking read: %zd signo=%u code=%d\n", n, fsi[0].ssi_signo, fsi[0].ssi_code);
    int nb = signalfd(fd, &block, 0);
    printf("signalfd update: same=%d\n", nb == fd);
    close(fd);
    fd = signalfd(-1, &block, SFD_NONBLOCK);
    errno = 0;
    n = read(fd, fsi, sizeof fsi);
    printf("signalfd nonblock: %zd errno=%s\n", n, errno == EAGAIN ? "EAGAIN" : "?");
    return 0;
}
