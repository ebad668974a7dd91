/* Threads for the GDB stub tests: three workers meet the main thread at a barrier, each calls checkpoint()
 * while all four threads are alive, then they are joined. Exit status 5. */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t barrier;
static int results[3];

static void checkpoint(int id)
{
    results[id] = id * 10;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    pthread_barrier_wait(&barrier);
    checkpoint(id);
    pthread_barrier_wait(&barrier);
    return NULL;
}

int main(void)
{
    pthread_t threads[3];
    pthread_barrier_init(&barrier, NULL, 4);
    for (long i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&barrier);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    printf("%d %d %d\n", results[0], results[1], results[2]);
    return 5;
}
