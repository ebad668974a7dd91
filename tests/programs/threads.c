#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/wait.h>
#define N 4
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;
static long counter; static atomic_long acounter; static int ready;
static __thread int tls = 7;
static void *worker(void *arg) {
  long id = (long)arg; tls += id;
  for (int i = 0; i < 20000; i++) { pthread_mutex_lock(&m); counter++; pthread_mutex_unlock(&m); atomic_fetch_add(&acounter, 2); }
  pthread_barrier_wait(&bar);
  pthread_mutex_lock(&m); while (!ready) pthread_cond_wait(&cv, &m); pthread_mutex_unlock(&m);
  return (void *)(long)tls;
}
int main(void) {
  pthread_t t[N]; pthread_barrier_init(&bar, 0, N + 1);
  for (long i = 0; i < N; i++) pthread_create(&t[i], 0, worker, (void *)i);
  pthread_barrier_wait(&bar);
  pthread_mutex_lock(&m); ready = 1; pthread_cond_broadcast(&cv); pthread_mutex_unlock(&m);
  long sum = 0; for (int i = 0; i < N; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
  printf("counter=%ld atomic=%ld tls-sum=%ld main-tls=%d\n", counter, (long)acounter, sum, tls);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) { printf("child\n"); _exit(5); }
  int st; waitpid(pid, &st, 0); printf("child exit %d\n", WEXITSTATUS(st));
  return 0;
}
