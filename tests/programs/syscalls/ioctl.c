/* Generic ioctls that work on any open file: FIONBIO (O_NONBLOCK, as Rust's std sets it on a child's
 * pipes), FIOCLEX/FIONCLEX, FIONREAD; and the errors: bad descriptor, O_PATH, bad pointer, unknown request. */
#include "check.h"
#include <sys/ioctl.h>

static int nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

int main(void)
{
    int p[2], on = 1, off = 0, n = -1;
    char buf[16];
    T(pipe(p));
    T(ioctl(p[0], FIONBIO, &on));
    SHOW("read end nonblocking after FIONBIO 1: %d, write end: %d", nonblocking(p[0]), nonblocking(p[1]));
    T(read(p[0], buf, sizeof buf));
    T(write(p[1], "abc", 3));
    T(ioctl(p[0], FIONREAD, &n));
    SHOW("FIONREAD on pipe: %d", n);
    T(read(p[0], buf, sizeof buf));
    T(ioctl(p[0], FIONBIO, &off));
    SHOW("after FIONBIO 0: %d", nonblocking(p[0]));
    int big = 7;
    T(ioctl(p[1], FIONBIO, &big));
    SHOW("write end with FIONBIO 7: %d", nonblocking(p[1]));
    /* A full pipe: the nonblocking write end reports EAGAIN instead of waiting. */
    static char chunk[4096];
    long total = 0;
    for (;;) {
        long w = write(p[1], chunk, sizeof chunk);
        if (w < 0) { SHOW("filled pipe: %ld bytes, then %s", total, errname(errno)); break; }
        total += w;
    }
    T(ioctl(p[1], FIONBIO, &off));
    close(p[0]);
    close(p[1]);

    /* Descriptors that are not pipes or terminals. */
    write_file("ioctl-file", "0123456789");
    int fd = open("ioctl-file", O_RDONLY);
    T(ioctl(fd, FIONBIO, &on));
    SHOW("regular file nonblocking: %d", nonblocking(fd));
    T(read(fd, buf, 4));
    T(ioctl(fd, FIONREAD, &n));
    SHOW("FIONREAD on file after 4 bytes: %d", n);
    T(ioctl(fd, FIONBIO, &off));
    SHOW("regular file nonblocking: %d", nonblocking(fd));
    T(ioctl(fd, FIOCLEX));
    SHOW("FD_CLOEXEC after FIOCLEX: %d", fcntl(fd, F_GETFD));
    T(ioctl(fd, FIONCLEX));
    SHOW("FD_CLOEXEC after FIONCLEX: %d", fcntl(fd, F_GETFD));
    T(ioctl(fd, TIOCGWINSZ, buf));
    T(ioctl(fd, FIONBIO, (int *)8));
    close(fd);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    T(ioctl(dir, FIONBIO, &on));
    SHOW("directory nonblocking: %d", nonblocking(dir));
    close(dir);
    int path = open("ioctl-file", O_PATH);
    T(ioctl(path, FIONBIO, &on));
    close(path);
    T(ioctl(-1, FIONBIO, &on));
    T(ioctl(1000, FIONBIO, &on));
    unlink("ioctl-file");
    return finish();
}
