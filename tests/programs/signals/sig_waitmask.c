/* ppoll, pselect and epoll_pwait install their signal mask for the wait only (ppoll(2), select(2), epoll_wait(2)):
 * a blocked pending signal that the call's mask unblocks interrupts it at once (EINTR, handler run), and the
 * caller's mask is back afterwards; a mask that keeps it blocked lets the call time out. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static volatile int handled;
static void on_usr1(int sig) { (void)sig; handled++; }

static int blocked_now(void)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, SIGUSR1);
}

static void report(const char *what, int r)
{
    printf("%-28s -> %d %s handled=%d usr1 blocked after=%d\n", what, r, r < 0 ? strerror(errno) : "", handled, blocked_now());
    handled = 0;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    sigset_t block, open, keep;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&open);
    keep = block;
    int p[2];
    pipe(p);
    struct pollfd pfd = { p[0], POLLIN, 0 };
    struct timespec zero = { 0, 0 };
    int ep = epoll_create1(0);
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){ .events = EPOLLIN });
    struct epoll_event ev;

    raise(SIGUSR1);
    report("ppoll keep mask, timeout 0", ppoll(&pfd, 1, &zero, &keep));
    report("ppoll open mask, forever", ppoll(&pfd, 1, NULL, &open));
    raise(SIGUSR1);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    report("pselect keep mask, timeout 0", pselect(p[0] + 1, &rs, NULL, NULL, &zero, &keep));
    FD_SET(p[0], &rs);
    report("pselect open mask, forever", pselect(p[0] + 1, &rs, NULL, NULL, NULL, &open));
    raise(SIGUSR1);
    report("epoll_pwait keep, timeout 0", epoll_pwait(ep, &ev, 1, 0, &keep));
    report("epoll_pwait open, forever", epoll_pwait(ep, &ev, 1, -1, &open));
    /* Without a mask argument they behave like poll/select: the signal stays pending. */
    raise(SIGUSR1);
    report("ppoll no mask, timeout 0", ppoll(&pfd, 1, &zero, NULL));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("after unblocking: handled=%d\n", handled);
    return 0;
}
