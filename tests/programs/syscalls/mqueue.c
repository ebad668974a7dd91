/* POSIX message queues: mq_open (create, exclusive, attributes and their limits, names, access modes), priorities,
 * EMSGSIZE, O_NONBLOCK (EAGAIN) and mq_setattr, timeouts (ETIMEDOUT, EINVAL), waits across fork for a message and for
 * room, mq_notify with SIGEV_SIGNAL (si_code, si_value, si_pid; once; EBUSY for a second process) and SIGEV_NONE,
 * reading the descriptor, poll, fstat, mq_unlink while open, RLIMIT_MSGQUEUE (an unlinked queue counts until its last
 * close), a create that finds no free descriptor (no queue left behind). Runs without CAP_SYS_RESOURCE (as root
 * in most containers). */
#include "check.h"
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/capability.h>

static char name[64], other[64];
static volatile int notified, notified_code, notified_value, notified_pid_ok;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    notified = sig;
    notified_code = si->si_code;
    notified_value = si->si_value.sival_int;
    notified_pid_ok = si->si_pid == getpid();
}

static void attrs(mqd_t q, const char *when)
{
    struct mq_attr a;
    if (mq_getattr(q, &a) < 0) { printf("%s: mq_getattr %s\n", when, errname(errno)); return; }
    printf("%s: flags %#lx maxmsg %ld msgsize %ld curmsgs %ld\n", when, a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static void receive(mqd_t q, size_t size)
{
    char buf[9000];
    unsigned prio = 99;
    errno = 0;
    ssize_t n = mq_receive(q, buf, size, &prio);
    if (n < 0) printf("mq_receive(%zu) -> %s\n", size, errname(errno));
    else printf("mq_receive(%zu) -> %zd prio %u \"%.*s\"\n", size, n, prio, (int)n, buf);
}

static void show_fd(mqd_t q)
{
    char buf[128];
    ssize_t n = pread(q, buf, sizeof buf - 1, 0);
    buf[n < 0 ? 0 : n] = 0;
    char *pid = strstr(buf, "NOTIFY_PID:");
    int mine = pid && atoi(pid + 11) == getpid();
    if (pid) pid[11] = 0;
    printf("read: %s%s (%zd bytes)\n", n < 0 ? errname(errno) : buf, mine ? "me" : "", n);
}

/* Waits until process pid sleeps in a call (state S in /proc/PID/stat). */
static void await_sleeping(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 5000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0) close(fd);
        buf[n < 0 ? 0 : n] = 0;
        char *paren = strrchr(buf, ')');
        if (paren && paren[1] == ' ' && paren[2] == 'S') return;
        usleep(1000);
    }
    printf("process never slept\n");
}

static void drop_sys_resource(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[2];
    syscall(SYS_capget, &h, caps);
    caps[0].effective &= ~(1u << CAP_SYS_RESOURCE);
    caps[0].permitted &= ~(1u << CAP_SYS_RESOURCE);
    syscall(SYS_capset, &h, caps);
}

int main(void)
{
    drop_sys_resource();
    umask(022);
    snprintf(name, sizeof name, "/x86vm-mq-%d", (int)getpid());
    snprintf(other, sizeof other, "/x86vm-mq2-%d", (int)getpid());

    show_file("/proc/sys/fs/mqueue/msg_max");
    show_file("/proc/sys/fs/mqueue/msgsize_max");
    show_file("/proc/sys/fs/mqueue/queues_max");
    T(mq_open(name, O_RDWR));
    T(mq_open("noslash", O_RDWR | O_CREAT, 0600, NULL));
    T(syscall(SYS_mq_open, "a/b", O_RDWR | O_CREAT, 0600, NULL));
    T(syscall(SYS_mq_open, "", O_RDWR | O_CREAT, 0600, NULL));
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, NULL);
    TF(q);
    T(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
    T(mq_open(name, O_RDWR | O_WRONLY));
    attrs(q, "defaults");
    struct stat st;
    T(fstat(q, &st));
    printf("fstat: %s mode %04o size %lld\n", kind(st.st_mode), st.st_mode & 07777, (long long)st.st_size);

    struct mq_attr bad = {.mq_maxmsg = 0, .mq_msgsize = 16};
    T(mq_open(other, O_RDWR | O_CREAT, 0600, &bad));
    bad.mq_maxmsg = 11;
    T(mq_open(other, O_RDWR | O_CREAT, 0600, &bad));
    bad.mq_maxmsg = 2; bad.mq_msgsize = 8193;
    T(mq_open(other, O_RDWR | O_CREAT, 0600, &bad));

    /* Priorities: highest first, FIFO within one. */
    T(mq_send(q, "low", 3, 1));
    T(mq_send(q, "high", 4, 30));
    T(mq_send(q, "low2", 4, 1));
    T(mq_send(q, "zero", 4, 0));
    T(mq_send(q, "x", 1, 32768));
    char big[9000] = {0};
    T(mq_send(q, big, 8193, 0));
    attrs(q, "four queued");
    show_fd(q);
    receive(q, 8191);
    receive(q, 8192);
    receive(q, 8192);
    receive(q, 9000);
    receive(q, 8192);

    /* O_NONBLOCK, mq_setattr, timeouts. */
    struct mq_attr nb = {.mq_flags = O_NONBLOCK}, old;
    T(mq_setattr(q, &nb, &old));
    printf("old flags %#lx\n", old.mq_flags);
    attrs(q, "non-blocking");
    receive(q, 8192);
    struct mq_attr weird = {.mq_flags = O_NONBLOCK | O_APPEND};
    T(mq_setattr(q, &weird, NULL));
    nb.mq_flags = 0;
    T(mq_setattr(q, &nb, NULL));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    char buf[8192];
    T(mq_timedreceive(q, buf, sizeof buf, NULL, &ts));
    struct timespec invalid = {0, -1};
    T(mq_timedreceive(q, buf, sizeof buf, NULL, &invalid));
    struct timespec past = {1, 0};
    T(mq_timedreceive(q, buf, sizeof buf, NULL, &past));

    /* Full: EAGAIN when non-blocking; a waiting sender goes on when another process receives. */
    for (int i = 0; i < 10; i++) mq_send(q, "fill", 4, i % 3);
    attrs(q, "full");
    mqd_t qn = mq_open(name, O_WRONLY | O_NONBLOCK);
    TF(qn);
    T(mq_send(qn, "more", 4, 0));
    T(mq_timedsend(q, "more", 4, 0, &past));
    T(mq_receive(qn, buf, sizeof buf, NULL));
    struct pollfd pfd = {q, POLLIN | POLLOUT, 0};
    T(poll(&pfd, 1, 0));
    printf("poll full: %#x\n", pfd.revents);
    fflush(stdout);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        await_sleeping(parent);
        receive(q, 8192);
        fflush(stdout);
        _exit(0);
    }
    T(mq_send(q, "waited", 6, 31));
    waitpid(child, NULL, 0);
    for (int i = 0; i < 10; i++) mq_receive(q, buf, sizeof buf, NULL);
    attrs(q, "drained");
    pfd.revents = 0;
    T(poll(&pfd, 1, 0));
    printf("poll empty: %#x\n", pfd.revents);

    /* A waiting receiver gets what another process sends. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        await_sleeping(parent);
        mq_send(q, "from child", 10, 5);
        _exit(0);
    }
    receive(q, 8192);
    waitpid(child, NULL, 0);

    /* mq_notify: SIGEV_SIGNAL once, when a message reaches the empty queue. */
    struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 4242};
    T(mq_notify(q, &ev));
    T(mq_notify(q, &ev));
    show_fd(q);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        T(mq_notify(q, &ev));
        T(mq_notify(q, NULL));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    T(mq_send(q, "ping", 4, 0));
    printf("notified: signal %d code %d value %d pid ok %d\n", notified, notified_code, notified_value, notified_pid_ok);
    notified = 0;
    T(mq_send(q, "pong", 4, 0));
    printf("notified again: %d\n", notified);
    receive(q, 8192);
    receive(q, 8192);
    T(mq_notify(q, &ev));
    T(mq_notify(q, NULL));
    T(mq_send(q, "quiet", 5, 0));
    printf("notified after unregistering: %d\n", notified);
    receive(q, 8192);
    struct sigevent none = {.sigev_notify = SIGEV_NONE};
    T(mq_notify(q, &none));
    show_fd(q);
    T(mq_send(q, "none", 4, 0));
    show_fd(q);
    receive(q, 8192);
    struct sigevent junk = {.sigev_notify = 99};
    T(mq_notify(q, &junk));
    ev.sigev_signo = 65;
    T(mq_notify(q, &ev));
    T(mq_notify(0, NULL));

    /* Access modes, another user, unlink while open. */
    mqd_t ro = mq_open(name, O_RDONLY);
    TF(ro);
    T(mq_send(ro, "x", 1, 0));
    fflush(stdout);
    child = fork();
    if (child == 0) {
        setuid(65534);
        TF(mq_open(name, O_RDONLY));
        T(mq_open(name, O_RDWR));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    T(mq_unlink(name));
    T(mq_unlink(name));
    T(mq_open(name, O_RDWR));
    T(mq_send(q, "after unlink", 12, 0));
    receive(ro, 8192);
    T(mq_close(ro));
    T(mq_close(qn));
    T(mq_close(q));

    /* RLIMIT_MSGQUEUE: one default queue (82880 bytes) fits in 100000, a second does not. */
    struct rlimit rl = {100000, 100000};
    T(setrlimit(RLIMIT_MSGQUEUE, &rl));
    mqd_t a = mq_open(name, O_RDWR | O_CREAT, 0600, NULL);
    TF(a);
    T(mq_open(other, O_RDWR | O_CREAT, 0600, NULL));
    struct mq_attr small = {.mq_maxmsg = 2, .mq_msgsize = 64};
    mqd_t b = mq_open(other, O_RDWR | O_CREAT, 0600, &small);
    TF(b);
    T(mq_unlink(name));
    T(mq_unlink(other));

    /* An unlinked queue still open counts against RLIMIT_MSGQUEUE until its last close. */
    T(mq_open(name, O_RDWR | O_CREAT, 0600, NULL));
    T(mq_close(a));
    mqd_t c = mq_open(name, O_RDWR | O_CREAT, 0600, NULL);
    TF(c);
    T(mq_close(c));
    T(mq_unlink(name));
    T(mq_close(b));

    /* A create that finds no free descriptor (EMFILE) leaves no queue behind. */
    struct rlimit nf, few;
    T(getrlimit(RLIMIT_NOFILE, &nf));
    few.rlim_cur = 16;
    few.rlim_max = nf.rlim_max;
    T(setrlimit(RLIMIT_NOFILE, &few));
    int fds[16], n = 0;
    while (n < 16 && (fds[n] = dup(1)) >= 0) n++;
    T(mq_open(name, O_RDWR | O_CREAT, 0600, NULL));
    while (n > 0) close(fds[--n]);
    T(setrlimit(RLIMIT_NOFILE, &nf));
    T(mq_open(name, O_RDONLY));
    return finish();
}
