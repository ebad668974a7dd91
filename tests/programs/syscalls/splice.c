/* splice between a file and pipes (with and without offsets, short transfers into a full pipe, a non-blocking empty
 * pipe, argument errors) and tee; every byte arrives exactly once. */
#include "check.h"
#include <sys/wait.h>

static unsigned char data[200000], got[400000];

int main(void)
{
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 13 + i / 97);
    int fd = open("splice.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data);
    lseek(fd, 0, SEEK_SET);
    int p[2], q[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    CHECK(pipe(q) == 0);

    /* file -> pipe: fills it, then EAGAIN; the file offset moves by what went in. */
    T(splice(fd, NULL, p[1], NULL, 100000, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(splice(fd, NULL, p[1], NULL, 100000, SPLICE_F_NONBLOCK));
    loff_t off = 8192;
    long n = read(p[0], got, sizeof got);
    SHOW("drained %ld same %d", n, memcmp(got, data, n) == 0);
    T(splice(fd, &off, p[1], NULL, 50000, 0));
    SHOW("off %ld", (long)off);
    T(lseek(fd, 0, SEEK_CUR));

    /* pipe -> pipe and tee. */
    T(tee(p[0], q[1], 1000, 0));
    T(splice(p[0], NULL, q[1], NULL, 20000, 0));
    n = read(q[0], got, sizeof got);
    SHOW("q got %ld: first copy %d, then moved %d", n, memcmp(got, data + 8192, 1000) == 0, memcmp(got + 1000, data + 8192, 20000) == 0);

    /* pipe -> file at an offset, then at the file offset. */
    int out = open("splice.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    loff_t o2 = 100;
    T(splice(p[0], NULL, out, &o2, 10000, 0));
    SHOW("o2 %ld", (long)o2);
    T(splice(p[0], NULL, out, NULL, 100000, 0));
    T(lseek(out, 0, SEEK_CUR));
    T(splice(p[0], NULL, out, NULL, 100000, SPLICE_F_NONBLOCK));
    pread(out, got, 20000, 0);
    SHOW("out bytes ok %d", memcmp(got, data + 8192 + 20000 + 10000, 20000) == 0);

    /* Errors. */
    T(splice(fd, NULL, out, NULL, 10, 0));
    T(splice(p[0], &off, out, NULL, 10, 0));
    T(splice(fd, NULL, p[1], &off, 10, 0));
    T(splice(fd, NULL, p[1], NULL, 10, 0x100));
    T(splice(999, NULL, p[1], NULL, 10, 0));
    T(splice(p[1], NULL, out, NULL, 10, 0));
    T(tee(p[0], p[1], 10, 0));
    T(tee(fd, q[1], 10, 0));
    T(splice(fd, NULL, p[1], NULL, 0, 0));

    /* A blocking pipe with a reader child: the whole file goes through in a loop of splices. */
    lseek(fd, 0, SEEK_SET);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(q[1]);
        long total = 0, r;
        while ((r = read(q[0], got + total, sizeof got - total)) > 0) total += r;
        printf("child read %ld same %d\n", total, total == (long)sizeof data && memcmp(got, data, total) == 0);
        fflush(stdout);
        _exit(0);
    }
    close(q[0]);
    long sent = 0, errors = 0;
    for (;;) {
        ssize_t r = splice(fd, NULL, q[1], NULL, 30000, 0);
        if (r < 0) { errors++; break; }
        if (r == 0) break;
        sent += r;
    }
    close(q[1]);
    waitpid(child, NULL, 0);
    SHOW("sent %ld errors %ld", sent, errors);
    close(out);
    close(fd);
    unlink("splice.out");
    unlink("splice.dat");
    return finish();
}
