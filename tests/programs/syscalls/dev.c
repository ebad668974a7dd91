/* /dev: null, zero, full, urandom, the standard stream links, fd, shm. */
#include "check.h"
#include <sys/sysmacros.h>

int main(void)
{
    char buf[64];
    int fd;
    struct stat st;
    const char *devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty" };
    for (unsigned i = 0; i < sizeof devs / sizeof *devs; i++) {
        T(stat(devs[i], &st));
        SHOW("%s: %s %u:%u mode %04o", devs[i], kind(st.st_mode), major(st.st_rdev), minor(st.st_rdev), st.st_mode & 0777);
    }
    TF(fd = open("/dev/null", O_RDWR));
    T(read(fd, buf, sizeof buf));
    T(write(fd, "abc", 3));
    T(lseek(fd, 100, SEEK_SET));
    close(fd);
    TF(fd = open("/dev/zero", O_RDONLY));
    memset(buf, 7, sizeof buf);
    T(read(fd, buf, sizeof buf));
    SHOW("zero bytes: %d %d", buf[0], buf[63]);
    close(fd);
    TF(fd = open("/dev/full", O_WRONLY));
    T(write(fd, "x", 1));
    T(read(fd, buf, 4));
    close(fd);
    TF(fd = open("/dev/urandom", O_RDONLY));
    T(read(fd, buf, 32));
    close(fd);
    T(open("/dev/null", O_CREAT | O_EXCL | O_WRONLY, 0644));

    /* /dev/tty: the controlling terminal (ENXIO when there is none, as under the test runner). */
    fd = open("/dev/tty", O_RDWR);
    SHOW("tty: %s", fd >= 0 || errno == ENXIO ? "consistent" : errname(errno));
    if (fd >= 0) close(fd);

    /* Links into /proc/self/fd. */
    const char *links[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd" };
    for (unsigned i = 0; i < 4; i++) {
        long n = readlink(links[i], buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        SHOW("%s -> %s", links[i], buf);
    }
    T(stat("/dev/fd/1", &st));
    fd = open("/dev/fd/1", O_WRONLY);
    fflush(stdout);
    T(write(fd, "through /dev/fd/1\n", 18));
    close(fd);
    fd = open("/dev/stdout", O_WRONLY);
    T(write(fd, "through /dev/stdout\n", 20));
    close(fd);
    T(stat("/dev/fd/99", &st));

    /* /dev/shm is a writable memory file system. */
    T(stat("/dev/shm", &st));
    SHOW("shm: %s mode %04o", kind(st.st_mode), st.st_mode & 07777);
    char name[64];
    snprintf(name, sizeof name, "/dev/shm/x86vm-test-%d", getpid());
    TF(fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
    T(write(fd, "shared", 6));
    T(pread(fd, buf, 6, 0));
    close(fd);
    T(unlink(name));
    T(unlink(name));
    return finish();
}
