/* Job control: SIGSTOP/SIGTSTP stop a child, SIGCONT continues it (and reaches a handler), wait4 WUNTRACED/WCONTINUED
   and waitid WSTOPPED/WCONTINUED/WNOWAIT report each event once, SIGCHLD carries CLD_STOPPED/CLD_CONTINUED unless
   SA_NOCLDSTOP, stop signals and SIGCONT discard each other when pending, a stopped child does not run but dies by
   SIGKILL, and kill(pid, 0) still works on stopped and zombie children. No pids or times are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void msleep(int ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) < 0 && errno == EINTR) { }
}

static void show(const char *what, int st)
{
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by %d\n", what, WTERMSIG(st));
    else if (WIFSTOPPED(st)) printf("%s: stopped by %d\n", what, WSTOPSIG(st));
    else if (WIFCONTINUED(st)) printf("%s: continued\n", what);
    else printf("%s: status 0x%x\n", what, st);
}

static void wait_show(const char *what, pid_t pid, int options)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, options);
    if (r < 0) printf("%s: -1 %s\n", what, strerror(errno));
    else if (r == 0) printf("%s: nothing\n", what);
    else show(what, st);
}

static volatile sig_atomic_t got_cont;
static void on_cont(int sig) { (void)sig; got_cont++; }
static void on_chld(int sig) { (void)sig; }

static volatile unsigned long *counter;
static void *spin(void *arg) { (void)arg; for (;;) (*counter)++; return NULL; }

/* A stopped child (with a second thread) does not run; continued, it runs again; stopped again, SIGKILL kills it. */
static void stopped_does_not_run(void)
{
    counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        pthread_t th;
        pthread_create(&th, NULL, spin, NULL);
        for (;;) pause();
    }
    while (*counter < 1000) msleep(1);
    kill(c, SIGSTOP);
    wait_show("stop", c, WUNTRACED);
    unsigned long a = *counter;
    msleep(50);
    printf("stopped child ran: %s\n", *counter != a ? "yes" : "no");
    printf("kill(stopped, 0) = %d\n", kill(c, 0));
    kill(c, SIGCONT);
    wait_show("cont", c, WCONTINUED);
    a = *counter;
    while (*counter == a) msleep(1);
    printf("continued child runs: yes\n");
    kill(c, SIGSTOP);
    wait_show("stop again", c, WUNTRACED);
    kill(c, SIGKILL);
    wait_show("kill stopped", c, WUNTRACED);
}

/* raise(SIGSTOP) in the child; each event is reported once; a SIGCONT handler runs after the continue. */
static void self_stop(void)
{
    int go[2];
    pipe(go);
    pid_t c = fork();
    if (c == 0) {
        char b;
        signal(SIGCONT, on_cont);
        raise(SIGSTOP);
        read(go[0], &b, 1); /* exit only after the parent saw the continue */
        _exit(10 + got_cont);
    }
    wait_show("wait4 WUNTRACED", c, WUNTRACED);
    wait_show("again WUNTRACED|WNOHANG", c, WUNTRACED | WNOHANG);
    wait_show("WCONTINUED|WNOHANG before SIGCONT", c, WCONTINUED | WNOHANG);
    kill(c, SIGCONT);
    wait_show("wait4 WCONTINUED", c, WCONTINUED);
    write(go[1], "x", 1);
    wait_show("wait4 exit (10 + SIGCONT handler runs)", c, 0);
    close(go[0]);
    close(go[1]);
    int r = kill(c, 0);
    printf("kill(reaped, 0) = %d %s\n", r, strerror(errno));
}

static void show_siginfo(const char *what, int r, const siginfo_t *si, pid_t child)
{
    if (r < 0) { printf("%s: -1 %s\n", what, strerror(errno)); return; }
    printf("%s: signo=%d code=%d status=%d pid=%s\n", what, si->si_signo, si->si_code, si->si_status,
           si->si_pid == child ? "child" : si->si_pid == 0 ? "0" : "other");
}

/* waitid WSTOPPED/WCONTINUED/WEXITED, with and without WNOWAIT. */
static void with_waitid(void)
{
    pid_t c = fork();
    if (c == 0) { for (;;) pause(); }
    siginfo_t si;
    kill(c, SIGSTOP);
    memset(&si, 0, sizeof si);
    show_siginfo("waitid WSTOPPED|WNOWAIT", waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), &si, c);
    memset(&si, 0, sizeof si);
    show_siginfo("waitid WSTOPPED", waitid(P_PID, c, &si, WSTOPPED), &si, c);
    memset(&si, 0xff, sizeof si);
    show_siginfo("waitid WSTOPPED|WNOHANG", waitid(P_PID, c, &si, WSTOPPED | WNOHANG), &si, c);
    printf("waitid WEXITED|WNOHANG of stopped: %d pid=%d\n", waitid(P_PID, c, &si, WEXITED | WNOHANG), si.si_pid);
    kill(c, SIGCONT);
    memset(&si, 0, sizeof si);
    show_siginfo("waitid WCONTINUED|WNOWAIT", waitid(P_ALL, 0, &si, WCONTINUED | WNOWAIT), &si, c);
    memset(&si, 0, sizeof si);
    show_siginfo("waitid WCONTINUED", waitid(P_ALL, 0, &si, WCONTINUED), &si, c);
    kill(c, SIGKILL);
    memset(&si, 0, sizeof si);
    show_siginfo("waitid WEXITED", waitid(P_PID, c, &si, WEXITED | WSTOPPED | WCONTINUED), &si, c);
    int r = waitid(P_ALL, 0, &si, WNOHANG);
    printf("waitid without events: %d %s\n", r, strerror(errno));
}

/* SIGCHLD siginfo for stops and continues, then nothing with SA_NOCLDSTOP. SIGTSTP stops a child in its own group. */
static void sigchld_info(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);

    pid_t c = fork();
    if (c == 0) { setpgid(0, 0); for (;;) pause(); }
    setpgid(c, c);
    siginfo_t si;
    struct timespec ten = { 10, 0 };
    kill(c, SIGTSTP);
    show_siginfo("SIGCHLD after SIGTSTP", sigtimedwait(&chld, &si, &ten) == SIGCHLD ? 0 : -1, &si, c);
    wait_show("wait4 after SIGTSTP", c, WUNTRACED);
    kill(c, SIGCONT);
    show_siginfo("SIGCHLD after SIGCONT", sigtimedwait(&chld, &si, &ten) == SIGCHLD ? 0 : -1, &si, c);
    wait_show("wait4 after SIGCONT", c, WCONTINUED);

    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    kill(-c, SIGSTOP); /* to the process group */
    wait_show("SA_NOCLDSTOP stop", c, WUNTRACED);
    kill(c, SIGCONT);
    wait_show("SA_NOCLDSTOP cont", c, WCONTINUED);
    msleep(20);
    sigset_t pend;
    sigpending(&pend);
    printf("SIGCHLD pending with SA_NOCLDSTOP: %d\n", sigismember(&pend, SIGCHLD));
    kill(c, SIGTERM);
    wait_show("SIGTERM", c, 0);
    sigpending(&pend);
    printf("SIGCHLD pending after exit: %d\n", sigismember(&pend, SIGCHLD));
    struct timespec zero = { 0, 0 };
    sigtimedwait(&chld, &si, &zero);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    signal(SIGCHLD, SIG_DFL);
}

/* Pending SIGCONT and stop signals discard each other (blocked in the child, so they stay pending). */
static void discard_pending(void)
{
    int to_child[2], to_parent[2];
    pipe(to_child);
    pipe(to_parent);
    pid_t c = fork();
    if (c == 0) {
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGCONT);
        sigaddset(&m, SIGTSTP);
        sigaddset(&m, SIGTTIN);
        sigprocmask(SIG_BLOCK, &m, NULL);
        char b = 0;
        write(to_parent[1], &b, 1);
        for (int step = 0; step < 3; step++) {
            read(to_child[0], &b, 1);
            sigset_t p;
            sigpending(&p);
            printf("child step %d: CONT=%d TSTP=%d TTIN=%d\n", step, sigismember(&p, SIGCONT), sigismember(&p, SIGTSTP),
                   sigismember(&p, SIGTTIN));
            fflush(stdout);
            write(to_parent[1], &b, 1);
        }
        _exit(0);
    }
    char b = 0;
    read(to_parent[0], &b, 1);
    kill(c, SIGCONT);
    write(to_child[1], &b, 1);
    read(to_parent[0], &b, 1);
    kill(c, SIGTSTP);
    kill(c, SIGTTIN);
    write(to_child[1], &b, 1);
    read(to_parent[0], &b, 1);
    kill(c, SIGCONT);
    write(to_child[1], &b, 1);
    read(to_parent[0], &b, 1);
    wait_show("discard child", c, 0);
    close(to_child[0]); close(to_child[1]); close(to_parent[0]); close(to_parent[1]);
}

/* A stop signal with a handler is caught, not a stop; SIGSTOP cannot be caught. */
static volatile sig_atomic_t got_tstp;
static void on_tstp(int sig) { (void)sig; got_tstp++; }
static void caught_stop(void)
{
    pid_t c = fork();
    if (c == 0) {
        signal(SIGTSTP, on_tstp);
        raise(SIGTSTP);
        printf("child: SIGTSTP caught %d time(s)\n", (int)got_tstp);
        fflush(stdout);
        _exit(3);
    }
    wait_show("caught TSTP", c, WUNTRACED);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tstp;
    int r = sigaction(SIGSTOP, &sa, NULL);
    printf("sigaction(SIGSTOP) = %d %s\n", r, strerror(errno));
}

/* A stopped grandchild in its own process group is orphaned when its parent exits: it gets SIGHUP and SIGCONT. */
static int hup_pipe;
static void on_hup(int sig)
{
    char m = sig == SIGHUP ? 'H' : '?';
    write(hup_pipe, &m, 1);
}
static void orphaned_hangup(void)
{
    int p[2];
    pipe(p);
    pid_t a = fork();
    if (a == 0) {
        close(p[0]);
        pid_t g = fork();
        if (g == 0) {
            hup_pipe = p[1];
            setpgid(0, 0);
            signal(SIGHUP, on_hup);
            signal(SIGCONT, on_cont);
            raise(SIGSTOP);
            char m = got_cont ? 'C' : '-';
            write(p[1], &m, 1);
            _exit(0);
        }
        setpgid(g, g);
        int st;
        waitpid(g, &st, WUNTRACED);
        write(p[1], WIFSTOPPED(st) ? "S" : "?", 1);
        _exit(0);
    }
    close(p[1]);
    wait_show("intermediate parent", a, 0);
    char buf[8];
    int n = 0, r;
    while (n < 7 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0) n += r;
    buf[n] = 0;
    printf("orphaned stopped grandchild saw: %s\n", buf);
    close(p[0]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    self_stop();
    stopped_does_not_run();
    with_waitid();
    sigchld_info();
    discard_pending();
    caught_stop();
    orphaned_hangup();
    printf("done\n");
    return 0;
}
