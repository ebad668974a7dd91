/* eventfd(2): flags, the 8-byte read/write rules, counter and semaphore modes, EAGAIN, the overflow limit (and a
 * write blocking on it until a read), blocking reads woken by another thread or process, poll readiness. */
#include "events.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int efd_shared;

static void *reader_later(void *arg)
{
    (void)arg;
    sleep_ms(20);
    uint64_t v;
    return (void *)(long)read(efd_shared, &v, 8);
}

static void *writer_later(void *arg)
{
    sleep_ms(20);
    uint64_t v = (uint64_t)(long)arg;
    write(efd_shared, &v, 8);
    return NULL;
}

static void show_poll(const char *what, int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0 };
    int n = poll(&p, 1, 0);
    printf("%-40s poll=%d revents=%s\n", what, n, evnames(p.revents));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    uint64_t v;
    unsigned char small[4];

    printf("-- creation\n");
    T(syscall(SYS_eventfd2, 0, 0x40));
    T(syscall(SYS_eventfd2, 0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC | 4));
    int e = eventfd(5, 0);
    TF(e);
    T(fcntl(e, F_GETFD));
    T(fcntl(e, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    int e2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    T(fcntl(e2, F_GETFD));
    T(fcntl(e2, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    int e3 = syscall(SYS_eventfd, 7);
    TF(e3);
    T(fcntl(e3, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    show_link("eventfd", e);
    show_fstat("eventfd", e);
    T(lseek(e, 0, SEEK_SET));

    printf("-- reads and writes\n");
    T(read(e, small, 4));
    T(write(e, small, 4));
    T(read(e, &v, 8));
    SHOW("value %llu", (unsigned long long)v);
    char big[16];
    T(read(e3, big, sizeof big));
    SHOW("16-byte buffer got %llu", (unsigned long long)*(uint64_t *)big);
    T(read(e2, &v, 8));
    v = 10;
    T(write(e2, &v, 8));
    v = 0;
    T(write(e2, &v, 8));
    memset(big, 0, sizeof big);
    big[0] = 1;
    T(write(e2, big, sizeof big));
    T(read(e2, &v, 8));
    SHOW("sum %llu", (unsigned long long)v);
    T(pread(e2, &v, 8, 0));
    T(pwrite(e2, &v, 8, 0));
    v = UINT64_MAX;
    T(write(e2, &v, 8));
    show_poll("empty", e2);

    printf("-- the limit\n");
    v = UINT64_MAX - 1;
    T(write(e2, &v, 8));
    show_poll("at the maximum", e2);
    v = 1;
    T(write(e2, &v, 8));
    v = 0;
    T(write(e2, &v, 8));
    T(read(e2, &v, 8));
    SHOW("took %llx", (unsigned long long)v);
    v = UINT64_MAX - 2;
    T(write(e2, &v, 8));
    show_poll("one below the maximum", e2);
    v = 2;
    T(write(e2, &v, 8));
    T(read(e2, &v, 8));

    printf("-- semaphore mode\n");
    int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 4; i++) {
        errno = 0;
        long r = read(s, &v, 8);
        SHOW("read %ld %s value %llu", r, r < 0 ? errname(errno) : "", r < 0 ? 0ULL : (unsigned long long)v);
    }
    v = 2;
    write(s, &v, 8);
    show_poll("semaphore with 2", s);

    printf("-- blocking\n");
    efd_shared = eventfd(0, 0);
    pthread_t t;
    pthread_create(&t, NULL, writer_later, (void *)9L);
    T(read(efd_shared, &v, 8));
    SHOW("woken by a thread with %llu", (unsigned long long)v);
    pthread_join(t, NULL);
    v = UINT64_MAX - 1;
    T(write(efd_shared, &v, 8));
    pthread_create(&t, NULL, reader_later, NULL);
    v = 5;
    T(write(efd_shared, &v, 8)); /* waits until the reader empties the counter */
    void *r;
    pthread_join(t, &r);
    SHOW("reader got %ld bytes", (long)r);
    T(read(efd_shared, &v, 8));
    SHOW("then %llu", (unsigned long long)v);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sleep_ms(20);
        v = 77;
        write(efd_shared, &v, 8);
        _exit(0);
    }
    T(read(efd_shared, &v, 8));
    SHOW("woken by a child with %llu", (unsigned long long)v);
    waitpid(pid, NULL, 0);

    printf("-- readv/writev\n");
    uint64_t a = 4, b = 0;
    struct iovec iov[1] = { { &a, 8 } };
    T(writev(e2, iov, 1));
    struct iovec rv[1] = { { &b, 8 } };
    T(readv(e2, rv, 1));
    SHOW("readv %llu", (unsigned long long)b);

    close(e); close(e2); close(e3); close(s); close(efd_shared);
    return finish();
}
