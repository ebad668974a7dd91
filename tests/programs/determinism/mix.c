/* Deterministic mode: threads, processes, pipes, signals, timers, sleeps, time and entropy in one program. Its
   output depends on the clock and the entropy, so it is compared with itself across runs (same seed, same bytes),
   never with a native run. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static int next_worker;
static volatile sig_atomic_t alarms;

static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *worker(void *arg) {
    int id = (int)(long)arg;
    unsigned r;
    getrandom(&r, sizeof r, 0);
    struct timespec d = { 0, (r % 1000) * 1000 };
    nanosleep(&d, NULL);
    unsigned long long sum = 0;
    for (unsigned i = 0; i < 20000 + r % 1000; i++) sum = sum * 31 + i;
    pthread_mutex_lock(&lock);
    while (next_worker != id) pthread_cond_wait(&turn, &lock);
    printf("worker %d: rand %08x sum %llx at %lld\n", id, r, sum, now_ns(CLOCK_MONOTONIC));
    next_worker++;
    pthread_cond_broadcast(&turn);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void on_alarm(int sig) { (void)sig; alarms++; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("start: realtime %lld monotonic %lld pid %d\n", now_ns(CLOCK_REALTIME), now_ns(CLOCK_MONOTONIC), getpid());

    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);

    int fds[2];
    pipe(fds);
    for (int c = 0; c < 2; c++) {
        if (fork() == 0) {
            close(fds[0]);
            unsigned char b[4];
            int u = open("/dev/urandom", O_RDONLY);
            read(u, b, 4);
            usleep(1000 * (c + 1));
            char line[80];
            int n = snprintf(line, sizeof line, "child %d pid %d urandom %02x%02x%02x%02x at %lld\n", c, getpid(), b[0], b[1], b[2], b[3],
                now_ns(CLOCK_MONOTONIC));
            write(fds[1], line, n);
            _exit(c + 10);
        }
    }
    close(fds[1]);
    char buf[512];
    ssize_t n, total = 0;
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    fputs(buf, stdout);
    for (int c = 0; c < 2; c++) {
        int st;
        pid_t pid = wait(&st);
        printf("reaped %d status %d\n", pid, WEXITSTATUS(st));
    }

    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 3) pause();
    it.it_value.tv_usec = it.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    printf("alarms %d at %lld\n", (int)alarms, now_ns(CLOCK_MONOTONIC));

    FILE *f = fopen("/tmp/mix.out", "w");
    fprintf(f, "written at %lld\n", now_ns(CLOCK_REALTIME));
    fclose(f);
    struct stat st;
    stat("/tmp/mix.out", &st);
    printf("file: size %lld mtime %lld ino %llu\n", (long long)st.st_size, (long long)st.st_mtime, (unsigned long long)st.st_ino);

    unsigned char in[64];
    ssize_t got = read(0, in, sizeof in);
    unsigned h = 0;
    for (ssize_t i = 0; i < got; i++) h = h * 131 + in[i];
    printf("stdin %zd bytes hash %08x; end at %lld\n", got, h, now_ns(CLOCK_MONOTONIC));
    return 0;
}
