/* Signals and processes: SIGCHLD handler reaping in a loop, masks and handlers inherited by fork,
   handlers reset (and ignored signals kept) by exec, pending signals not inherited, death by signal seen by wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int reaped, statuses;
static void on_chld(int sig)
{
    (void)sig;
    int st, saved = errno;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) { reaped++; statuses += WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st); }
    errno = saved;
}
static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "exec")) {
        struct sigaction sa;
        sigaction(SIGUSR1, NULL, &sa);
        int usr1_dfl = sa.sa_handler == SIG_DFL;
        sigaction(SIGUSR2, NULL, &sa);
        int usr2_ign = sa.sa_handler == SIG_IGN;
        sigset_t m;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigset_t p;
        sigpending(&p);
        printf("after exec: usr1_default=%d usr2_ignored=%d hup_blocked=%d hup_pending=%d\n", usr1_dfl, usr2_ign,
               sigismember(&m, SIGHUP), sigismember(&p, SIGHUP));
        return 3;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (int i = 1; i <= 3; i++)
        if (fork() == 0) _exit(i);
    if (fork() == 0) { raise(SIGTERM); _exit(99); }
    /* wait until all four are zombies, then let SIGCHLD in */
    struct timespec t = { 0, 50 * 1000 * 1000 };
    nanosleep(&t, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    while (reaped < 4) pause();
    printf("reaped=%d statuses=%d\n", reaped, statuses);

    /* fork inherits handlers and mask; pending signals are not inherited */
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGHUP);
    signal(SIGCHLD, SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction c;
        sigaction(SIGUSR1, NULL, &c);
        sigset_t m, p;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&p);
        printf("child: usr1_handler=%d hup_blocked=%d hup_pending=%d\n", c.sa_handler == on_usr1, sigismember(&m, SIGHUP),
               sigismember(&p, SIGHUP));
        raise(SIGHUP); /* make one pending for exec to keep */
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exec child exit=%d\n", WEXITSTATUS(st));

    /* killed children: the wait status carries the signal */
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("killed: signaled=%d sig=%d core=%d\n", WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st));
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    struct timespec s2 = { 0, 20 * 1000 * 1000 };
    nanosleep(&s2, NULL);
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    printf("terminated: sig=%d\n", WTERMSIG(st));

    /* SIGCHLD ignored: children are reaped automatically, wait reports ECHILD */
    signal(SIGCHLD, SIG_IGN);
    if (fork() == 0) _exit(1);
    errno = 0;
    int r = wait(NULL);
    printf("ignored SIGCHLD: wait=%d errno=%s\n", r, errno == ECHILD ? "ECHILD" : "?");
    return 0;
}
