/* epoll(7): creation, epoll_ctl and epoll_wait errors, level-triggered, edge-triggered and one-shot interest,
 * EPOLLOUT, hang-ups, the (fd, open file description) key and its lifetime (dup, close, fork), the ready-list order
 * and maxevents rotation, nested instances and the loop/depth limit, pipes + eventfd + timerfd + signalfd in one
 * instance, epoll_pwait/epoll_pwait2 with a signal mask, and threads waiting at once. */
#include "events.h"
#include <pthread.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int pipe_nb(int p[2]) { return pipe2(p, O_NONBLOCK); }

static void creation(void)
{
    printf("-- creation\n");
    T(syscall(SYS_epoll_create, 0));
    T(syscall(SYS_epoll_create, -1));
    int ep = epoll_create(1);
    TF(ep);
    T(fcntl(ep, F_GETFD));
    T(fcntl(ep, F_GETFL) & O_ACCMODE);
    int ep2 = epoll_create1(EPOLL_CLOEXEC);
    T(fcntl(ep2, F_GETFD));
    T(epoll_create1(1));
    T(epoll_create1(O_NONBLOCK));
    show_link("epoll", ep);
    show_fstat("epoll", ep);
    char buf[8];
    T(read(ep, buf, sizeof buf));
    T(write(ep, buf, sizeof buf));
    T(lseek(ep, 0, SEEK_SET));
    close(ep);
    close(ep2);
}

static void ctl_errors(void)
{
    printf("-- epoll_ctl errors\n");
    int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2];
    pipe_nb(p);
    int rf = open("/proc/self/exe", O_RDONLY), dir = open("/", O_RDONLY | O_DIRECTORY), null = open("/dev/null", O_RDWR);
    int opath = open("/", O_PATH);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    T(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, rf, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, opath, &ev));
    T(epoll_ctl(p[0], EPOLL_CTL_ADD, rf, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL));
    T(epoll_ctl(ep, 7, p[0], &ev));
    T(epoll_ctl(ep, 7, p[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    T(epoll_ctl(ep, 7, p[0], &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    printf("-- epoll_wait errors\n");
    struct epoll_event out[4];
    T(epoll_wait(ep, out, 0, 0));
    T(syscall(SYS_epoll_wait, ep, out, -1, 0));
    T(epoll_wait(p[0], out, 1, 0));
    T(epoll_wait(999, out, 1, 0));
    T(epoll_wait(opath, out, 1, 0));
    T(epoll_wait(ep, out, 1, 0));
    T(epoll_wait(ep, (struct epoll_event *)0xfffffffffffff000UL, 1, 0));
    T(syscall(SYS_epoll_wait, ep, out, 0x7fffffff, 0));
    add(ep, p[0], EPOLLIN, 2);
    write(p[1], "x", 1);
    T(syscall(SYS_epoll_wait, ep, NULL, 1, 0));
    show("after EFAULT the event is still there", ep, 4, 0);
    sigset_t none;
    sigemptyset(&none);
    T(syscall(SYS_epoll_pwait, ep, out, 4, 0, &none, 4));
    struct timespec bad = { 0, 1000000000 }, zero = { 0, 0 }, neg = { -1, 0 };
    T(syscall(SYS_epoll_pwait2, ep, out, 4, &bad, NULL, 8));
    T(syscall(SYS_epoll_pwait2, ep, out, 4, &neg, NULL, 8));
    T(syscall(SYS_epoll_pwait2, ep, out, 4, (void *)8, NULL, 8));
    T(syscall(SYS_epoll_pwait2, ep, out, 4, &zero, NULL, 8));
    T(syscall(SYS_epoll_pwait2, ep, out, 4, NULL, NULL, 8));
    close(ep); close(ep2); close(p[0]); close(p[1]); close(rf); close(dir); close(null); close(opath);
}

static void level_edge_oneshot(void)
{
    printf("-- level-triggered\n");
    int ep = epoll_create1(0), a[2], b[2], c[2];
    char buf[64];
    pipe_nb(a);
    T(add(ep, a[0], EPOLLIN, 0x1122334455667788ULL));
    show("nothing ready", ep, 8, 0);
    write(a[1], "xy", 2);
    show("data", ep, 8, 0);
    show("data again (LT)", ep, 8, 0);
    T(read(a[0], buf, 1));
    show("one byte left", ep, 8, 0);
    T(read(a[0], buf, 1));
    show("drained", ep, 8, 0);
    T(mod(ep, a[0], EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLPRI, 3));
    write(a[1], "z", 1);
    show("IN|RDNORM|OUT|PRI on a read end", ep, 8, 0);
    T(mod(ep, a[0], EPOLLRDNORM, 4));
    show("RDNORM only", ep, 8, 0);
    T(read(a[0], buf, sizeof buf));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL));

    printf("-- edge-triggered\n");
    pipe_nb(b);
    T(add(ep, b[0], EPOLLIN | EPOLLET, 2));
    show("nothing yet", ep, 8, 0);
    write(b[1], "ab", 2);
    show("write", ep, 8, 0);
    show("no new edge", ep, 8, 0);
    write(b[1], "c", 1);
    show("another write", ep, 8, 0);
    T(read(b[0], buf, 1));
    show("a read is no edge", ep, 8, 0);
    T(mod(ep, b[0], EPOLLIN | EPOLLET, 22));
    show("MOD re-arms while data is there", ep, 8, 0);
    show("then quiet", ep, 8, 0);
    T(read(b[0], buf, sizeof buf));
    T(read(b[0], buf, sizeof buf));
    write(b[1], "d", 1);
    show("after EAGAIN, a write", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL));

    printf("-- one-shot\n");
    pipe_nb(c);
    T(add(ep, c[0], EPOLLIN | EPOLLONESHOT, 3));
    write(c[1], "q", 1);
    show("first", ep, 8, 0);
    show("disabled", ep, 8, 0);
    write(c[1], "q", 1);
    show("disabled despite a write", ep, 8, 0);
    T(add(ep, c[0], EPOLLIN, 3));
    T(mod(ep, c[0], EPOLLIN | EPOLLONESHOT, 33));
    show("re-armed by MOD", ep, 8, 0);
    show("disabled again", ep, 8, 0);
    T(mod(ep, c[0], EPOLLIN | EPOLLONESHOT | EPOLLET, 34));
    show("ET one-shot re-armed", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, c[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, c[0], NULL));

    printf("-- eventfd edges\n");
    int efd = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE);
    T(add(ep, efd, EPOLLIN | EPOLLET, 40));
    uint64_t v = 2;
    T(write(efd, &v, 8));
    show("eventfd written", ep, 8, 0);
    T(read(efd, &v, 8));
    show("a semaphore read is no EPOLLIN edge", ep, 8, 0);
    v = 1;
    T(write(efd, &v, 8));
    show("written again", ep, 8, 0);
    T(mod(ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 41));
    show("IN|OUT|ET after MOD", ep, 8, 0);
    T(read(efd, &v, 8));
    show("a read wakes EPOLLOUT interest", ep, 8, 0);
    close(efd);
    close(ep);
    close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(c[0]); close(c[1]);
}

static void output_and_hangups(void)
{
    printf("-- EPOLLOUT\n");
    int ep = epoll_create1(0), d[2], e[2], f[2], g[2];
    char buf[8192];
    memset(buf, 'w', sizeof buf);
    pipe_nb(d);
    T(add(ep, d[1], EPOLLOUT | EPOLLET, 4));
    show("writable at ADD", ep, 8, 0);
    show("no new edge", ep, 8, 0);
    long total = 0, n;
    while ((n = write(d[1], buf, 1024)) > 0) total += n;
    SHOW("filled with %ld bytes, then %s", total, errname(errno));
    show("full", ep, 8, 0);
    T(read(d[0], buf, 1024));
    show("a quarter page read: still full", ep, 8, 0);
    T(read(d[0], buf, 4096));
    show("a buffer freed", ep, 8, 0);
    T(mod(ep, d[1], EPOLLOUT | EPOLLWRNORM, 44));
    show("LT writer", ep, 8, 0);
    show("LT writer again", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, d[1], NULL));

    printf("-- hang-ups\n");
    pipe_nb(e);
    T(add(ep, e[0], EPOLLIN, 5));
    write(e[1], "h", 1);
    close(e[1]);
    show("data then writer closed", ep, 8, 0);
    T(read(e[0], buf, 8));
    show("only the hang-up", ep, 8, 0);
    T(mod(ep, e[0], 0, 55));
    show("no events requested: HUP anyway", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, e[0], NULL));
    pipe_nb(f);
    T(add(ep, f[1], EPOLLOUT, 6));
    close(f[0]);
    show("reader closed", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, f[1], NULL));
    pipe_nb(g);
    T(add(ep, g[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 7));
    close(g[1]);
    show("pipes report no RDHUP", ep, 8, 0);
    show("ET: the hang-up once", ep, 8, 0);
    close(ep);
    close(d[0]); close(d[1]); close(e[0]); close(f[1]); close(g[0]);
}

static void interest_lifetime(void)
{
    printf("-- interest keyed by (fd, description)\n");
    int ep = epoll_create1(0), h[2], i[2], k[2], s[2];
    char buf[8];
    pipe_nb(h);
    T(add(ep, h[0], EPOLLIN, 7));
    int dupfd = dup(h[0]);
    close(h[0]);
    write(h[1], "x", 1);
    show("registered fd closed, dup open", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, h[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, dupfd, NULL));
    T(add(ep, dupfd, EPOLLIN, 8));
    show("both keys", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, dupfd, NULL));
    show("the original key remains", ep, 8, 0);
    T(add(ep, dupfd, EPOLLIN, 8));
    close(dupfd);
    show("last descriptor closed: both gone", ep, 8, 0);
    pipe_nb(i);
    T(add(ep, i[0], EPOLLIN, 9));
    write(i[1], "y", 1);
    show("a new pipe on the reused number", ep, 8, 0);
    T(dup2(i[0], 100));
    T(add(ep, 100, EPOLLIN, 10));
    TF(dup2(h[1], i[0]));
    show("dup2 over a registered fd", ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, i[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, 100, NULL));
    show("after DEL of the dup", ep, 8, 0);
    close(100);
    show("after closing the dup", ep, 8, 0);

    printf("-- fork keeps the description open\n");
    pipe_nb(k);
    pipe(s);
    T(add(ep, k[0], EPOLLIN, 11));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(s[1]);
        read(s[0], buf, 1); /* until the parent closes its end */
        _exit(0);
    }
    close(s[0]);
    close(k[0]);
    write(k[1], "z", 1);
    show("parent closed its fd, child holds one", ep, 8, 0);
    close(s[1]);
    int status;
    waitpid(pid, &status, 0);
    SHOW("child exited: %d", WEXITSTATUS(status));
    show("child gone: interest gone", ep, 8, 0);
    close(ep); close(h[1]); close(i[0]); close(i[1]); close(k[1]);
}

static void ready_order(void)
{
    printf("-- ready-list order and maxevents\n");
    int ep = epoll_create1(0), r[5][2];
    for (int j = 0; j < 5; j++) {
        pipe_nb(r[j]);
        add(ep, r[j][0], EPOLLIN, 10 + j);
    }
    int order[] = { 3, 1, 4, 0, 2 };
    for (int j = 0; j < 5; j++) write(r[order[j]][1], "o", 1);
    show("max 2", ep, 2, 0);
    show("max 2", ep, 2, 0);
    show("max 2", ep, 2, 0);
    show("max 5", ep, 5, 0);
    show("max 1", ep, 1, 0);
    for (int j = 0; j < 5; j++) { char c; read(r[j][0], &c, 1); }
    show("all drained", ep, 8, 0);
    write(r[4][1], "o", 1);
    write(r[2][1], "o", 1);
    write(r[4][1], "o", 1);
    show("first wake decides the place", ep, 8, 0);
    close(ep);
    for (int j = 0; j < 5; j++) { close(r[j][0]); close(r[j][1]); }
}

static void nesting(void)
{
    printf("-- nested instances\n");
    int inner = epoll_create1(0), outer = epoll_create1(0), m[2];
    char buf[8];
    pipe_nb(m);
    T(add(inner, m[0], EPOLLIN, 20));
    T(add(outer, inner, EPOLLIN, 21));
    show("outer, nothing", outer, 8, 0);
    write(m[1], "n", 1);
    show("outer", outer, 8, 0);
    show("inner", inner, 8, 0);
    struct pollfd pfd = { inner, POLLIN | POLLOUT, 0 };
    T(poll(&pfd, 1, 0));
    SHOW("poll revents %s", evnames(pfd.revents));
    fd_set rs, ws;
    FD_ZERO(&rs); FD_ZERO(&ws); FD_SET(inner, &rs); FD_SET(inner, &ws);
    struct timeval tv = { 0, 0 };
    T(select(inner + 1, &rs, &ws, NULL, &tv));
    SHOW("select read %d write %d", FD_ISSET(inner, &rs) != 0, FD_ISSET(inner, &ws) != 0);
    T(read(m[0], buf, 1));
    show("outer after the read", outer, 8, 0);
    T(poll(&pfd, 1, 0));
    T(mod(outer, inner, EPOLLIN | EPOLLET, 22));
    write(m[1], "n", 1);
    show("outer ET", outer, 8, 0);
    show("outer ET, no new wake", outer, 8, 0);
    write(m[1], "n", 1);
    show("outer ET, inner woken again", outer, 8, 0);
    T(add(inner, outer, EPOLLIN, 0));
    T(add(outer, outer, EPOLLIN, 0));

    printf("-- nesting depth\n");
    int up[6], down[6];
    for (int j = 0; j < 6; j++) { up[j] = epoll_create1(0); down[j] = epoll_create1(0); }
    for (int j = 4; j >= 0; j--) { SHOW("bottom-up %d", j); T(add(up[j], up[j + 1], EPOLLIN, j)); }
    for (int j = 0; j < 5; j++) { SHOW("top-down %d", j); T(add(down[j], down[j + 1], EPOLLIN, j)); }
    T(add(down[5], up[5], EPOLLIN, 0));
    T(add(up[5], down[0], EPOLLIN, 0));
    for (int j = 0; j < 6; j++) { close(up[j]); close(down[j]); }
    close(inner); close(outer); close(m[0]); close(m[1]);
}

static volatile sig_atomic_t got_usr2, got_alarm;
static void on_usr2(int s) { (void)s; got_usr2++; }
static void on_alarm(int s) { (void)s; got_alarm++; }

static void mixed_sources(void)
{
    printf("-- pipe, eventfd, timerfd and signalfd together\n");
    int ep = epoll_create1(0), q[2];
    pipe_nb(q);
    int efd = eventfd(0, EFD_NONBLOCK);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    int sfd = signalfd(-1, &usr1, SFD_NONBLOCK);
    T(add(ep, efd, EPOLLIN, 30));
    T(add(ep, tfd, EPOLLIN, 31));
    T(add(ep, sfd, EPOLLIN, 32));
    T(add(ep, q[0], EPOLLIN, 33));
    show("nothing", ep, 8, 0);
    struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000000 } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    show("blocking until the timer fires", ep, 8, -1);
    uint64_t v;
    T(read(tfd, &v, 8));
    SHOW("timer expirations >= 1: %d", v >= 1);
    show("timer read", ep, 8, 0);
    v = 3;
    write(efd, &v, 8);
    show("eventfd", ep, 8, 0);
    T(read(efd, &v, 8));
    SHOW("eventfd value %llu", (unsigned long long)v);
    raise(SIGUSR1);
    show("signal", ep, 8, 0);
    struct signalfd_siginfo si;
    T(read(sfd, &si, sizeof si));
    SHOW("signal %u", si.ssi_signo);
    write(q[1], "p", 1);
    show("pipe", ep, 8, 0);
    char c;
    read(q[0], &c, 1);
    v = 1;
    write(q[1], "p", 1);
    raise(SIGUSR1);
    write(efd, &v, 8);
    its.it_value.tv_nsec = 1000000;
    timerfd_settime(tfd, 0, &its, NULL);
    sleep_ms(10);
    show("all four, in wake order", ep, 8, -1);
    T(read(tfd, &v, 8) == 8);
    read(sfd, &si, sizeof si);
    read(efd, &v, 8);
    read(q[0], &c, 1);
    show("all read", ep, 8, 0);

    printf("-- timerfd edges\n");
    int ep2 = epoll_create1(0);
    T(add(ep2, tfd, EPOLLIN | EPOLLET, 35));
    struct itimerspec periodic = { { 0, 5 * 1000000 }, { 0, 5 * 1000000 } };
    T(timerfd_settime(tfd, 0, &periodic, NULL));
    show("periodic timer, first expiry", ep2, 8, -1);
    sleep_ms(30);
    show("unread: no further wake", ep2, 8, 0);
    T(read(tfd, &v, 8));
    SHOW("expirations >= 6: %d", v >= 6);
    show("read re-arms the wake", ep2, 8, -1);
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    T(timerfd_settime(tfd, 0, &off, NULL));
    close(ep2);

    printf("-- epoll_pwait with a signal mask\n");
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sigset_t usr2, none, cur;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    raise(SIGUSR2);
    struct epoll_event out[4];
    int empty = epoll_create1(0);
    T(epoll_pwait(empty, out, 4, -1, &none));
    SHOW("handler ran %d times", got_usr2);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    SHOW("SIGUSR2 blocked again: %d", sigismember(&cur, SIGUSR2));
    raise(SIGUSR2);
    T(epoll_pwait(empty, out, 4, 0, &usr2));
    SHOW("still pending, handler ran %d times", got_usr2);
    struct timespec ten = { 0, 10 * 1000000 };
    T(syscall(SYS_epoll_pwait2, empty, out, 4, &ten, &none, 8));
    SHOW("handler ran %d times", got_usr2);
    T(syscall(SYS_epoll_pwait2, empty, out, 4, &ten, NULL, 8));
    T(epoll_wait(empty, out, 4, 10));
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    T(epoll_wait(empty, out, 4, -1));
    SHOW("SIGALRM (SA_RESTART) handled %d times: epoll_wait is never restarted", got_alarm);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);
    close(empty);
    close(ep); close(efd); close(tfd); close(sfd); close(q[0]); close(q[1]);
}

/* Threads: two wait on one instance (one-shot, re-armed after each byte), a third waits on another. */
static int shared_ep, token_pipe[2], own_ep, own_efd;
static int consumed[2];

static void *token_worker(void *arg)
{
    int id = (int)(long)arg;
    for (;;) {
        struct epoll_event ev;
        int n = epoll_wait(shared_ep, &ev, 1, -1);
        if (n != 1) { printf("FAIL worker epoll_wait %d %s\n", n, errname(errno)); return NULL; }
        char c;
        if (read(token_pipe[0], &c, 1) != 1) { printf("FAIL worker read %s\n", errname(errno)); return NULL; }
        mod(shared_ep, token_pipe[0], EPOLLIN | EPOLLONESHOT, 50);
        if (c == 'q') return NULL;
        __atomic_add_fetch(&consumed[id], 1, __ATOMIC_SEQ_CST);
    }
}

static void *late_worker(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    int n = epoll_wait(own_ep, &ev, 1, -1);
    return (void *)(long)(n == 1 ? (long)ev.data.u64 : -1);
}

static void *own_worker(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    int n = epoll_wait(own_ep, &ev, 1, -1);
    uint64_t v = 0;
    read(own_efd, &v, 8);
    return (void *)(long)(n == 1 && ev.data.u64 == 60 ? (long)v : -1);
}

static void threads(void)
{
    printf("-- threads waiting at once\n");
    shared_ep = epoll_create1(0);
    own_ep = epoll_create1(0);
    pipe_nb(token_pipe);
    own_efd = eventfd(0, EFD_NONBLOCK);
    T(add(shared_ep, token_pipe[0], EPOLLIN | EPOLLONESHOT, 50));
    T(add(own_ep, own_efd, EPOLLIN, 60));
    pthread_t t[3];
    pthread_create(&t[0], NULL, token_worker, (void *)0L);
    pthread_create(&t[1], NULL, token_worker, (void *)1L);
    pthread_create(&t[2], NULL, own_worker, NULL);
    sleep_ms(20);
    for (int j = 0; j < 100; j++) {
        write(token_pipe[1], "x", 1);
        if (j % 10 == 0) sleep_ms(1);
    }
    uint64_t v = 42;
    write(own_efd, &v, 8);
    write(token_pipe[1], "qq", 2);
    void *r;
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    pthread_join(t[2], &r);
    SHOW("tokens consumed: %d", consumed[0] + consumed[1]);
    SHOW("own instance worker read %ld", (long)r);

    /* A waiter is woken by EPOLL_CTL_ADD of a ready file from another thread. */
    int late[2];
    pipe_nb(late);
    write(late[1], "l", 1);
    pthread_create(&t[0], NULL, late_worker, NULL);
    sleep_ms(20);
    T(add(own_ep, late[0], EPOLLIN, 61));
    pthread_join(t[0], &r);
    SHOW("woken worker got %ld", (long)r);
    close(shared_ep); close(own_ep); close(token_pipe[0]); close(token_pipe[1]); close(own_efd);
    close(late[0]); close(late[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    creation();
    ctl_errors();
    level_edge_oneshot();
    output_and_hangups();
    interest_lifetime();
    ready_order();
    nesting();
    mixed_sources();
    threads();
    return finish();
}
