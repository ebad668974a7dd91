/* Partial transfers: sendfile into a full pipe (non-blocking and blocking, with and without an offset pointer),
 * copy_file_range, and readv/writev argument checks. No byte may be lost or duplicated. */
#include "check.h"
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <limits.h>

static unsigned char data[300000];

int main(void)
{
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + i / 251);
    int fd = open("transfer.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data);
    lseek(fd, 0, SEEK_SET);

    /* A non-blocking pipe: the first call fills it, the next finds it full; the file offset moves by what was sent. */
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    T(sendfile(p[1], fd, NULL, 100000));
    T(lseek(fd, 0, SEEK_CUR));
    T(sendfile(p[1], fd, NULL, 100000));
    T(lseek(fd, 0, SEEK_CUR));
    static unsigned char got[400000];
    long n = read(p[0], got, sizeof got);
    SHOW("drained %ld, same bytes %d", n, n > 0 && memcmp(got, data, n) == 0);
    T(sendfile(p[1], fd, NULL, 100000));
    T(lseek(fd, 0, SEEK_CUR));
    long m = read(p[0], got + n, sizeof got - n);
    SHOW("drained %ld, same bytes %d", m, m > 0 && memcmp(got, data, n + m) == 0);

    /* With an offset pointer: the pointer moves, the file offset does not. */
    off_t off = 4096;
    T(sendfile(p[1], fd, &off, 70000));
    SHOW("off %ld", (long)off);
    T(sendfile(p[1], fd, &off, 70000));
    SHOW("off %ld", (long)off);
    T(lseek(fd, 0, SEEK_CUR));
    n = read(p[0], got, sizeof got);
    SHOW("drained %ld, same bytes %d", n, n > 0 && memcmp(got, data + 4096, n) == 0);
    close(p[0]);
    close(p[1]);

    /* A blocking pipe with a reader: a loop of sendfile calls delivers the whole file exactly once. */
    CHECK(pipe(p) == 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(p[1]);
        long total = 0, r;
        while ((r = read(p[0], got + total, sizeof got - total)) > 0) total += r;
        printf("child read %ld, same bytes %d\n", total, total == (long)sizeof data && memcmp(got, data, total) == 0);
        fflush(stdout);
        _exit(0);
    }
    close(p[0]);
    lseek(fd, 0, SEEK_SET);
    long sent = 0, calls = 0, bad = 0;
    for (;;) {
        ssize_t r = sendfile(p[1], fd, NULL, 40000);
        if (r < 0) { bad++; break; }
        if (r == 0) break;
        sent += r;
        calls++;
    }
    close(p[1]);
    int status;
    waitpid(child, &status, 0);
    SHOW("sent %ld, errors %ld, file offset %ld", sent, bad, (long)lseek(fd, 0, SEEK_CUR));

    /* sendfile into a regular file at its offset, and copy_file_range with and without offsets. */
    int out = open("transfer.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    off = 5;
    T(sendfile(out, fd, &off, 10));
    T(lseek(out, 0, SEEK_CUR));
    loff_t in_off = 100, out_off = 50;
    T(copy_file_range(fd, &in_off, out, &out_off, 1000, 0));
    SHOW("in_off %ld out_off %ld", (long)in_off, (long)out_off);
    lseek(fd, 299990, SEEK_SET);
    T(copy_file_range(fd, NULL, out, NULL, 1000, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(lseek(out, 0, SEEK_CUR));
    T(copy_file_range(fd, NULL, out, NULL, 1000, 0));
    T(copy_file_range(fd, NULL, out, NULL, 10, 1));
    struct stat st;
    fstat(out, &st);
    SHOW("out size %ld", (long)st.st_size);
    pread(out, got, 1060, 0);
    SHOW("out bytes ok %d %d %d", memcmp(got, data + 5, 10) == 0, memcmp(got + 50, data + 100, 1000) == 0,
        memcmp(got + 10, data + 299990, 10) == 0);

    /* readv/writev: a negative length or a sum past SSIZE_MAX is EINVAL; too many vectors is EINVAL. */
    struct iovec iov[2] = {{data, 10}, {data, (size_t)-1}};
    T(writev(out, iov, 2));
    T(readv(fd, iov, 2));
    iov[1].iov_len = SSIZE_MAX;
    T(writev(out, iov, 2));
    iov[1].iov_len = 0;
    T(syscall(SYS_writev, out, iov, -1));
    T(syscall(SYS_writev, out, iov, 1025));
    T(writev(out, iov, 2));
    close(out);
    close(fd);
    unlink("transfer.out");
    unlink("transfer.dat");
    return finish();
}
