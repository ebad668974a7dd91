/* Snapshot tests: a program whose threads and processes spend time blocked in every kind of wait a snapshot must
   carry as data — futexes (mutex, condition variable, join), pipe reads, wait4, sigsuspend, epoll on an eventfd and a
   timerfd, a unix socket read, nanosleep — between stretches of computation, writing to stdout and to a tmpfs file.
   Run deterministically, cut at many instruction counts, saved, restored and finished, it must print what one
   uninterrupted run prints. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static int next_worker;
static int pipe_fds[2];
static int event_fd;
static volatile sig_atomic_t got_usr1;

static unsigned long long spin(unsigned n, unsigned long long seed) {
    for (unsigned i = 0; i < n; i++) seed = seed * 6364136223846793005ULL + 1442695040888963407ULL + i;
    return seed;
}

static void *worker(void *arg) {
    int id = (int)(long)arg;
    unsigned long long sum = spin(30000 + 7000 * id, id);
    pthread_mutex_lock(&lock);
    while (next_worker != id) pthread_cond_wait(&turn, &lock);
    printf("worker %d: %016llx\n", id, sum);
    next_worker++;
    pthread_cond_broadcast(&turn);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *pipe_reader(void *arg) {
    (void)arg;
    char buf[64];
    ssize_t n = read(pipe_fds[0], buf, sizeof buf - 1); /* blocks until main writes */
    buf[n > 0 ? n : 0] = 0;
    printf("reader got %zd: %s\n", n, buf);
    uint64_t one = 1;
    write(event_fd, &one, sizeof one);
    return NULL;
}

static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("start pid %d\n", getpid());
    pipe(pipe_fds);
    event_fd = eventfd(0, 0);

    pthread_t t[4], r;
    pthread_create(&r, NULL, pipe_reader, NULL);
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("main: %016llx\n", spin(50000, 42));
    write(pipe_fds[1], "through the pipe", 16);

    int ep = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = { { 0, 500000 }, { 0, 500000 } };
    timerfd_settime(tfd, 0, &its, NULL);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = event_fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, event_fd, &ev);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    int ticks = 0, events = 0;
    while (events == 0 || ticks < 3) {
        struct epoll_event got[2];
        int n = epoll_wait(ep, got, 2, -1);
        for (int i = 0; i < n; i++) {
            uint64_t v;
            read(got[i].data.fd, &v, sizeof v);
            if (got[i].data.fd == tfd) ticks += (int)v; else events += (int)v;
        }
    }
    pthread_join(r, NULL);
    printf("epoll: %d events, %d ticks\n", events, ticks);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    signal(SIGUSR1, on_usr1);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        while (!got_usr1) sigsuspend(&old); /* blocked until the parent signals */
        char msg[64];
        ssize_t n = read(sv[1], msg, sizeof msg - 1); /* blocked until the parent writes */
        msg[n > 0 ? n : 0] = 0;
        unsigned long long h = spin(40000, (unsigned long long)n);
        char line[128];
        int len = snprintf(line, sizeof line, "child heard '%s' %016llx", msg, h);
        write(sv[1], line, len);
        FILE *f = fopen("/tmp/snapshot-child.txt", "w");
        fprintf(f, "%s\n", line);
        fclose(f);
        printf("child done %016llx\n", spin(60000, h)); /* the parent waits in wait4 meanwhile */
        _exit(7);
    }
    close(sv[1]);
    struct timespec d = { 0, 3000000 };
    nanosleep(&d, NULL);
    printf("parent: %016llx\n", spin(30000, 9));
    kill(child, SIGUSR1);
    write(sv[0], "hello child", 11);
    char reply[128];
    ssize_t n = read(sv[0], reply, sizeof reply - 1);
    reply[n > 0 ? n : 0] = 0;
    printf("reply: %s\n", reply);
    int status;
    pid_t w = waitpid(child, &status, 0);
    printf("child %s exit %d\n", w == child ? "reaped" : "lost", WEXITSTATUS(status));
    FILE *f = fopen("/tmp/snapshot-child.txt", "r");
    char line[128] = "";
    if (f) { fgets(line, sizeof line, f); fclose(f); }
    printf("file: %s", line);
    return 3;
}
