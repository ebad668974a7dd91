/* Signals and threads: a process-directed signal goes to the thread that does not block it, pthread_kill
   targets one thread, masks are per thread and inherited by pthread_create, sigwait in a dedicated thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile pid_t handled_by_usr1, handled_by_usr2;
static volatile int ready;
static pid_t worker_tid;

static void on_usr1(int sig) { (void)sig; handled_by_usr1 = gettid(); }
static void on_usr2(int sig) { (void)sig; handled_by_usr2 = gettid(); }

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = gettid();
    sigset_t m;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    printf("worker inherited usr1 blocked: %d\n", sigismember(&m, SIGUSR1));
    sigset_t un;
    sigemptyset(&un);
    sigaddset(&un, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &un, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    while (!handled_by_usr1) pause();
    while (!handled_by_usr2) pause();
    return NULL;
}

static void *waiter(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    sigwait(set, &sig);
    return (void *)(long)sig;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST)) usleep(1000);
    kill(getpid(), SIGUSR1); /* only the worker can take it */
    pthread_kill(t, SIGUSR2);
    pthread_join(t, NULL);
    printf("usr1 by worker: %d, usr2 by worker: %d\n", handled_by_usr1 == worker_tid, handled_by_usr2 == worker_tid);

    /* a thread dedicated to sigwait takes a process-directed signal blocked everywhere */
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &w, NULL);
    pthread_t wt;
    pthread_create(&wt, NULL, waiter, &w);
    usleep(20000);
    kill(getpid(), SIGHUP);
    void *res;
    pthread_join(wt, &res);
    printf("sigwait thread got: %ld\n", (long)res);
    return 0;
}
