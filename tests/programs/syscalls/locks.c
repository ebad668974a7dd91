/* fcntl record locks (POSIX and OFD) and flock, within one process: which conflicts exist and what F_GETLK reports. */
#include "check.h"
#include <sys/file.h>

static void getlk(int fd, int cmd, short type, long start, long len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 0 };
    errno = 0;
    int r = fcntl(fd, cmd, &fl);
    if (r < 0) { printf("getlk %ld+%ld -> %s\n", start, len, errname(errno)); return; }
    if (fl.l_type == F_UNLCK) printf("getlk %s %ld+%ld -> unlocked\n", cmd == F_GETLK ? "posix" : "ofd", start, len);
    else printf("getlk %s %ld+%ld -> %s %lld+%lld pid=%s\n", cmd == F_GETLK ? "posix" : "ofd", start, len, fl.l_type == F_WRLCK ? "write" : "read",
        (long long)fl.l_start, (long long)fl.l_len, fl.l_pid == -1 ? "-1" : fl.l_pid == getpid() ? "self" : "other");
}

static long setlk(int fd, int cmd, short type, short whence, long start, long len)
{
    struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len, .l_pid = 0 };
    return fcntl(fd, cmd, &fl);
}

int main(void)
{
    write_file("f", "0123456789abcdef");
    int a = open("f", O_RDWR), b = open("f", O_RDWR), r = open("f", O_RDONLY);

    /* POSIX locks of one process never conflict with each other. */
    T(setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    T(setlk(b, F_SETLK, F_WRLCK, SEEK_SET, 5, 10));
    getlk(a, F_GETLK, F_WRLCK, 0, 0);
    /* OFD locks conflict with the process's POSIX locks and with other descriptions. */
    getlk(a, F_OFD_GETLK, F_WRLCK, 0, 0);
    getlk(a, F_OFD_GETLK, F_RDLCK, 20, 5);
    T(setlk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 4));
    T(setlk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    getlk(a, F_OFD_GETLK, F_WRLCK, 0, 0);
    T(setlk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 4));
    T(setlk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 2, 4));
    T(setlk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2, 4));
    getlk(b, F_OFD_GETLK, F_WRLCK, 0, 100);
    getlk(a, F_GETLK, F_WRLCK, 3, 1);
    T(setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    T(setlk(a, F_SETLK, F_RDLCK, SEEK_SET, 10, 2));
    T(setlk(b, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    T(setlk(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));

    /* Ranges: merge, split, whence, negative lengths, errors. */
    T(setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 5));
    T(setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 5));
    getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0);
    T(setlk(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 3, 2));
    getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0);
    getlk(b, F_OFD_GETLK, F_RDLCK, 4, 0);
    lseek(a, 8, SEEK_SET);
    T(setlk(a, F_OFD_SETLK, F_UNLCK, SEEK_CUR, 0, 0));
    getlk(b, F_OFD_GETLK, F_RDLCK, 4, 0);
    T(setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_END, -4, 2));
    getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0);
    T(setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 10, -3));
    getlk(b, F_OFD_GETLK, F_RDLCK, 6, 2);
    T(setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2, -3));
    T(setlk(a, F_OFD_SETLK, 7, SEEK_SET, 0, 1));
    T(setlk(a, F_OFD_SETLK, F_WRLCK, 9, 0, 1));
    T(setlk(r, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    T(setlk(r, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    T(setlk(r, F_OFD_SETLK, F_RDLCK, SEEK_SET, 100, 1));
    getlk(a, F_GETLK, F_UNLCK, 0, 1);
    struct flock bad = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 1 };
    T(fcntl(a, F_OFD_SETLK, &bad));
    T(fcntl(a, F_SETLK, NULL));
    T(fcntl(99, F_SETLK, &bad));

    /* Closing any descriptor drops the process's POSIX locks; OFD locks stay with their description. */
    T(setlk(b, F_SETLK, F_WRLCK, SEEK_SET, 50, 1));
    getlk(r, F_OFD_GETLK, F_WRLCK, 50, 1);
    int c = open("f", O_RDONLY);
    close(c);
    getlk(r, F_OFD_GETLK, F_WRLCK, 50, 1);
    getlk(b, F_OFD_GETLK, F_WRLCK, 100, 1);
    close(r);
    r = open("f", O_RDONLY);
    getlk(b, F_OFD_GETLK, F_WRLCK, 100, 1);

    /* flock: per open file description, independent of record locks. */
    T(flock(a, LOCK_EX | LOCK_NB));
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(a, LOCK_SH | LOCK_NB));
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(r, LOCK_EX | LOCK_NB));
    T(flock(a, LOCK_UN));
    T(flock(b, LOCK_UN));
    T(flock(r, LOCK_EX | LOCK_NB));
    int dup_r = dup(r);
    T(flock(dup_r, LOCK_EX | LOCK_NB));
    close(r);
    T(flock(a, LOCK_SH | LOCK_NB));
    close(dup_r);
    T(flock(a, LOCK_SH | LOCK_NB));
    T(flock(a, 0));
    T(flock(a, LOCK_SH | LOCK_EX));
    T(flock(99, LOCK_SH));
    close(a);
    close(b);
    return finish();
}
