/* Many threads blocked at once in socket calls, and thousands of descriptors: 64 threads each block in recv on
 * their own socketpair while 64 more block in accept on one listener; the main thread then connects and writes to
 * everyone. Finally 1500 socketpairs are opened and exchange a message each. Output is sizes and sums only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define THREADS 64
#define PAIRS 1500

static int pairs[THREADS][2];
static int listener;
static long results[2 * THREADS];

static void *reader(void *arg)
{
    long i = (long)arg;
    char buf[64];
    long n = recv(pairs[i][1], buf, 32, MSG_WAITALL);
    results[i] = n == 32 ? buf[0] + buf[31] : -1;
    return NULL;
}

static void *acceptor(void *arg)
{
    long i = (long)arg;
    int c = accept(listener, NULL, NULL);
    char b;
    results[THREADS + i] = c >= 0 && read(c, &b, 1) == 1 ? b : -1;
    if (c >= 0) close(c);
    return NULL;
}

int main(void)
{
    pthread_t t[2 * THREADS];
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    bind(listener, (struct sockaddr *)&a, sizeof a);
    listen(listener, THREADS);
    getsockname(listener, (struct sockaddr *)&a, &len);
    for (long i = 0; i < THREADS; i++) {
        socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]);
        pthread_create(&t[i], NULL, reader, (void *)i);
        pthread_create(&t[THREADS + i], NULL, acceptor, (void *)i);
    }
    usleep(50000); /* let them block (not required for correctness) */
    for (long i = 0; i < THREADS; i++) {
        char msg[32];
        memset(msg, 'a' + i % 26, sizeof msg);
        /* Two halves: MSG_WAITALL must wait for both. */
        send(pairs[i][0], msg, 16, 0);
        send(pairs[i][0], msg + 16, 16, 0);
        int c = socket(AF_INET, SOCK_STREAM, 0);
        connect(c, (struct sockaddr *)&a, sizeof a);
        char b = (char)('A' + i % 26);
        write(c, &b, 1);
        close(c);
    }
    long sum = 0;
    for (int i = 0; i < 2 * THREADS; i++) {
        pthread_join(t[i], NULL);
        sum += results[i];
    }
    printf("threads %d sum %ld\n", 2 * THREADS, sum);

    struct rlimit rl = { 4096, 4096 };
    setrlimit(RLIMIT_NOFILE, &rl);
    static int many[PAIRS][2];
    int opened = 0;
    for (int i = 0; i < PAIRS; i++) {
        if (socketpair(AF_UNIX, i % 2 ? SOCK_DGRAM : SOCK_STREAM, 0, many[i]) < 0) break;
        opened++;
    }
    long total = 0;
    for (int i = 0; i < opened; i++) {
        char msg[16], buf[16];
        int n = snprintf(msg, sizeof msg, "m%d", i);
        send(many[i][0], msg, n, 0);
        total += recv(many[i][1], buf, sizeof buf, 0);
    }
    int highest = many[opened - 1][1];
    for (int i = 0; i < opened; i++) { close(many[i][0]); close(many[i][1]); }
    printf("pairs %d bytes %ld highest fd above 3000 %d\n", opened, total, highest > 3000);
    return 0;
}
