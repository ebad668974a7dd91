/* Snapshot tests (x86vm inspect, host inputs): a known shape to describe. It holds argv[1] open read-only (fd 3),
   writes "written\n" to argv[2] when given (then closes it), makes a pipe (fds 4 and 5), forks a child that blocks
   reading the pipe, starts a thread that blocks on a condition variable, sleeps until both are blocked, prints
   "ready" and computes forever: a
   snapshot taken then shows two processes, the first with two threads. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *waiter(void *arg) {
    pthread_mutex_lock(&lock);
    for (;;) pthread_cond_wait(&never, &lock);
    return arg;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (open(argv[1], O_RDONLY) != 3) return 1;
    if (argc > 2) {
        int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || write(out, "written\n", 8) != 8) return 1;
        close(out);
    }
    int p[2];
    if (pipe(p) != 0) return 1;
    if (fork() == 0) {
        char c = 0;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(c);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, waiter, NULL) != 0) return 1;
    usleep(1000); /* the child and the thread run until they block */
    printf("ready\n");
    fflush(stdout);
    volatile unsigned long long x = 1;
    for (;;) x = x * 6364136223846793005ULL + 1;
}
