/* Interrupted system calls: a read from an empty pipe interrupted by alarm() with and without SA_RESTART,
   nanosleep returning EINTR with the remaining time, wait4 restarted. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile int alarms;
static volatile int write_in_handler;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (write_in_handler) write(fds[1], "x", 1);
}

static void arm(long ms)
{
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
    pipe(fds);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    char c;
    arm(20);
    errno = 0;
    ssize_t n = read(fds[0], &c, 1);
    printf("no SA_RESTART: read=%zd errno=%s alarms=%d\n", n, errno == EINTR ? "EINTR" : strerror(errno), alarms);

    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    write_in_handler = 1;
    arm(20);
    n = read(fds[0], &c, 1);
    printf("SA_RESTART: read=%zd c=%c alarms=%d\n", n, c, alarms);
    write_in_handler = 0;

    /* nanosleep is never restarted: EINTR and the time left. */
    arm(20);
    struct timespec req = { 5, 0 }, rem = { 0, 0 };
    int r = nanosleep(&req, &rem);
    printf("nanosleep: r=%d errno=%s rem_ok=%d alarms=%d\n", r, errno == EINTR ? "EINTR" : "?",
           rem.tv_sec >= 3 && rem.tv_sec <= 5, alarms);

    /* alarm(): the previous alarm's remaining seconds. */
    alarm(10);
    printf("alarm previous=%u\n", alarm(0));

    /* waitpid restarted with SA_RESTART while the child sleeps. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec t = { 0, 100 * 1000 * 1000 };
        nanosleep(&t, NULL);
        _exit(7);
    }
    arm(20);
    int status = 0;
    pid_t w = waitpid(pid, &status, 0);
    printf("waitpid: same=%d exit=%d alarms=%d\n", w == pid, WEXITSTATUS(status), alarms);

    /* Without SA_RESTART waitpid fails with EINTR. */
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    pid = fork();
    if (pid == 0) {
        struct timespec t = { 0, 100 * 1000 * 1000 };
        nanosleep(&t, NULL);
        _exit(8);
    }
    arm(20);
    w = waitpid(pid, &status, 0);
    printf("waitpid no restart: r=%d errno=%s\n", (int)w, errno == EINTR ? "EINTR" : "?");
    w = waitpid(pid, &status, 0);
    printf("waitpid again: same=%d exit=%d alarms=%d\n", w == pid, WEXITSTATUS(status), alarms);
    return 0;
}
