/* Handlers with siginfo: kill, tgkill, raise, sigqueue; SA_RESETHAND, SA_NODEFER, masks in handlers, sigpending. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile int count;
static volatile int last_signo, last_code, last_pid_ok, last_value;
static volatile int blocked_in_handler, nested;

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    blocked_in_handler = sigismember(&cur, sig) * 10 + sigismember(&cur, SIGUSR2);
    last_signo = si->si_signo;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
    last_value = si->si_value.sival_int;
    count++;
}

static void nodefer_handler(int sig)
{
    if (nested++ == 0) raise(sig); /* runs a nested handler at once: SA_NODEFER */
}

static void plain_handler(int sig) { last_signo = sig; count++; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    if (sigaction(SIGUSR1, &sa, NULL)) return 1;

    kill(getpid(), SIGUSR1);
    printf("kill: count=%d signo=%d code=%d pid_ok=%d blocked=%d\n", count, last_signo, last_code, last_pid_ok, blocked_in_handler);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    printf("tgkill: count=%d code=%d pid_ok=%d\n", count, last_code, last_pid_ok);
    raise(SIGUSR1);
    printf("raise: count=%d code=%d\n", count, last_code);
    union sigval v = { .sival_int = 1234 };
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: count=%d code=%d value=%d\n", count, last_code, last_value);

    /* Blocked: stays pending, delivered on unblock. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    raise(SIGUSR1); /* a standard signal does not queue twice */
    sigset_t pend;
    sigpending(&pend);
    printf("pending: usr1=%d usr2=%d count=%d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2), count);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: count=%d\n", count);

    /* Real-time signals queue every instance, delivered lowest first. */
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL);
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    count = 0;
    for (int i = 0; i < 3; i++) { v.sival_int = i; sigqueue(getpid(), SIGRTMIN + 1, v); sigqueue(getpid(), SIGRTMIN, v); }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("rt: count=%d last=%d value=%d\n", count, last_signo - SIGRTMIN, last_value);

    /* SA_RESETHAND: one shot, then the default (here: ignore for SIGCHLD-like? use SIGURG: default ignore). */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGURG, &sa, NULL);
    count = 0;
    raise(SIGURG);
    raise(SIGURG);
    struct sigaction cur;
    sigaction(SIGURG, NULL, &cur);
    printf("resethand: count=%d now_default=%d\n", count, cur.sa_handler == SIG_DFL);

    /* SA_NODEFER: the handler can be re-entered. */
    sa.sa_handler = nodefer_handler;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("nodefer: nested=%d\n", nested);

    /* SIG_IGN discards; setting SIG_IGN flushes a pending one. */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGUSR2, plain_handler);
    raise(SIGUSR2);
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pend);
    printf("ignored: pending=%d\n", sigismember(&pend, SIGUSR2));

    /* Invalid requests. */
    printf("sigaction(SIGKILL)=%d sigaction(65)=%d\n", sigaction(SIGKILL, &sa, NULL), sigaction(65, &sa, NULL));
    printf("kill(bad pid)=%d\n", kill(999999, SIGUSR1));

    /* An unhandled signal terminates: the status is checked against native. */
    signal(SIGTERM, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
