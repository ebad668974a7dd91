/* epoll under load: RLIMIT_NOFILE as the descriptor table enforces it, 2048 pipes (4096+ descriptors) in one
 * instance, many threads blocked in epoll_wait on it at once (one-shot items re-armed after each byte), then many
 * threads each blocked on their own instance, then everything closed and released. Output is totals only. */
#include "events.h"
#include <pthread.h>
#include <sys/resource.h>

#define PIPES 2048
#define ROUNDS 3
#define WORKERS 16

static int pipes[PIPES][2];
static int ep, stop_pipe[2];
static int counts[PIPES];
static long total_read, wakeups;

static void *shared_worker(void *arg)
{
    (void)arg;
    struct epoll_event ev[8];
    for (;;) {
        int n = epoll_wait(ep, ev, 8, -1);
        if (n < 0) { printf("FAIL epoll_wait %s\n", errname(errno)); return NULL; }
        __atomic_add_fetch(&wakeups, 1, __ATOMIC_SEQ_CST);
        for (int i = 0; i < n; i++) {
            unsigned long long id = ev[i].data.u64;
            if (id == PIPES) return NULL; /* the stop pipe: level-triggered, every worker sees it */
            char buf[16];
            ssize_t r;
            while ((r = read(pipes[id][0], buf, sizeof buf)) > 0) {
                __atomic_add_fetch(&counts[id], (int)r, __ATOMIC_SEQ_CST);
                __atomic_add_fetch(&total_read, r, __ATOMIC_SEQ_CST);
            }
            if (r < 0 && errno != EAGAIN) printf("FAIL read %s\n", errname(errno));
            if (mod(ep, pipes[id][0], EPOLLIN | EPOLLONESHOT, id) < 0) printf("FAIL rearm %s\n", errname(errno));
        }
    }
}

struct own { int ep, first, count, got; };

static void *own_worker(void *arg)
{
    struct own *o = arg;
    struct epoll_event ev[16];
    while (o->got < o->count * ROUNDS) {
        int n = epoll_wait(o->ep, ev, 16, -1);
        for (int i = 0; i < n; i++) {
            char c;
            while (read(pipes[ev[i].data.u32][0], &c, 1) == 1) o->got++;
        }
    }
    return NULL;
}

static void wait_total(long want)
{
    for (int i = 0; i < 20000 && __atomic_load_n(&total_read, __ATOMIC_SEQ_CST) < want; i++) sleep_ms(1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rlimit rl, got;

    printf("-- RLIMIT_NOFILE is what the table enforces\n");
    T(getrlimit(RLIMIT_NOFILE, &rl));
    struct rlimit low = { 64, rl.rlim_max };
    T(setrlimit(RLIMIT_NOFILE, &low));
    T(getrlimit(RLIMIT_NOFILE, &got));
    SHOW("soft %llu, hard unchanged %d", (unsigned long long)got.rlim_cur, got.rlim_max == rl.rlim_max);
    T(prlimit(0, RLIMIT_NOFILE, NULL, &got));
    SHOW("prlimit soft %llu", (unsigned long long)got.rlim_cur);
    T(dup2(0, 64));
    T(dup2(0, 63));
    T(fcntl(0, F_DUPFD, 64));
    T(fcntl(0, F_DUPFD, 63));
    close(63);
    int last = -1, opened = 0;
    for (;;) {
        int fd = eventfd(0, 0);
        if (fd < 0) { SHOW("descriptors run out with %s", errname(errno)); break; }
        last = fd;
        opened++;
    }
    SHOW("highest descriptor %d", last);
    T(epoll_create1(0));
    int p[2];
    T(pipe(p));
    for (int fd = 3; fd <= last; fd++) close(fd);
    struct rlimit bad = { 100, 50 };
    T(setrlimit(RLIMIT_NOFILE, &bad));
    struct rlimit huge = { 1UL << 30, 1UL << 30 };
    T(setrlimit(RLIMIT_NOFILE, &huge));
    T(setrlimit(99, &rl));
    struct rlimit big = { 8192, rl.rlim_max > 8192 ? rl.rlim_max : 8192 };
    T(setrlimit(RLIMIT_NOFILE, &big));

    printf("-- %d pipes in one instance, %d threads waiting on it\n", PIPES, WORKERS);
    ep = epoll_create1(0);
    for (int i = 0; i < PIPES; i++) {
        if (pipe2(pipes[i], O_NONBLOCK) < 0) { printf("FAIL pipe %d %s\n", i, errname(errno)); return 1; }
        if (add(ep, pipes[i][0], EPOLLIN | EPOLLONESHOT, i) < 0) { printf("FAIL add %d %s\n", i, errname(errno)); return 1; }
    }
    pipe2(stop_pipe, O_NONBLOCK);
    add(ep, stop_pipe[0], EPOLLIN, PIPES);
    SHOW("highest pipe descriptor above 4096: %d", pipes[PIPES - 1][1] > 4096);
    show("nothing ready", ep, 8, 0);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, shared_worker, NULL);
    sleep_ms(50); /* all of them blocked in epoll_wait */
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < PIPES; k++) {
            int i = (k * 769 + r * 17) % PIPES; /* a permutation: 769 is odd */
            write(pipes[i][1], "x", 1);
        }
        wait_total((long)(r + 1) * PIPES);
    }
    write(stop_pipe[1], "s", 1);
    for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
    long sum = 0, bad_count = 0;
    for (int i = 0; i < PIPES; i++) {
        sum += counts[i];
        if (counts[i] != ROUNDS) bad_count++;
    }
    SHOW("bytes read %ld, pipes with a wrong count %ld, woke at least once per worker: %d", sum, bad_count,
         wakeups >= WORKERS);
    show("drained", ep, 8, 0);

    printf("-- %d threads, each on its own instance\n", WORKERS);
    struct own own[WORKERS];
    int per = PIPES / WORKERS;
    for (int w = 0; w < WORKERS; w++) {
        own[w] = (struct own){ epoll_create1(0), w * per, per, 0 };
        for (int i = 0; i < per; i++) add(own[w].ep, pipes[w * per + i][0], i % 2 ? EPOLLIN : EPOLLIN | EPOLLET, w * per + i);
        pthread_create(&t[w], NULL, own_worker, &own[w]);
    }
    sleep_ms(50);
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < PIPES; k++) write(pipes[(k * 1031 + r) % PIPES][1], "y", 1);
    long got_total = 0;
    for (int w = 0; w < WORKERS; w++) {
        pthread_join(t[w], NULL);
        got_total += own[w].got;
    }
    SHOW("bytes read %ld", got_total);

    printf("-- release\n");
    for (int i = 0; i < PIPES; i++) close(pipes[i][1]);
    show("writers closed: hang-ups (one-shot items were re-armed)", ep, 4, 0);
    for (int i = 0; i < PIPES; i++) close(pipes[i][0]);
    show("every pipe closed: the stop pipe is left", ep, 8, 0);
    for (int w = 0; w < WORKERS; w++) {
        show("own instance empty", own[w].ep, 8, 0);
        close(own[w].ep);
    }
    close(ep);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    int fd = eventfd(0, 0);
    SHOW("descriptors free again: lowest is %d", fd);
    return finish();
}
