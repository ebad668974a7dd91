/* chmod/fchmod/fchmodat, chown family (the VM records owners), utimensat/futimens/utimes/utime, stat/statx. */
#include "check.h"
#include <sys/time.h>
#include <time.h>
#include <utime.h>

static void show_times(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) { printf("times %s: %s\n", path, errname(errno)); return; }
    printf("times %s: atime=%lld.%09ld mtime=%lld.%09ld\n", path, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void)
{
    write_file("f", "data");
    T(symlink("f", "l"));
    T(mkdir("d", 0755));

    T(chmod("f", 0600));
    show_stat("f", 1);
    T(chmod("f", 07777));
    show_stat("f", 1);
    T(chmod("l", 0640));
    show_stat("f", 1);
    show_stat("l", 0);
    T(chmod("missing", 0644));
    T(fchmodat(AT_FDCWD, "f", 0444, 0));
    show_stat("f", 1);
    T(fchmodat(AT_FDCWD, "f", 0444, 0x8000));
    int fd = open("f", O_RDONLY);
    T(fchmod(fd, 0755));
    show_stat("f", 1);
    T(fchmod(99, 0755));
    close(fd);
    T(chmod("d", 01777));
    show_stat("d", 1);

    /* Owners: recorded, set-user-ID cleared on chown of a file. */
    T(chmod("f", 06755));
    T(chown("f", 1234, 5678));
    show_stat("f", 1);
    T(chown("f", -1, 42));
    show_stat("f", 1);
    T(lchown("l", 7, 8));
    show_stat("l", 0);
    show_stat("f", 1);
    T(fchownat(AT_FDCWD, "l", 9, 10, AT_SYMLINK_NOFOLLOW));
    show_stat("l", 0);
    T(fchownat(AT_FDCWD, "l", 9, 10, 0x8000));
    fd = open("d", O_RDONLY);
    T(fchown(fd, 100, 200));
    T(fchownat(fd, "", 300, -1, AT_EMPTY_PATH));
    close(fd);
    show_stat("d", 1);
    T(chown("missing", 1, 1));

    /* Times: explicit values, UTIME_OMIT, and NOW compared relatively. */
    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
    T(utimensat(AT_FDCWD, "f", ts, 0));
    show_times("f");
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 1600000000;
    ts[1].tv_nsec = 5;
    T(utimensat(AT_FDCWD, "f", ts, 0));
    show_times("f");
    ts[0].tv_nsec = 1000000000;
    T(utimensat(AT_FDCWD, "f", ts, 0));
    T(utimensat(AT_FDCWD, "missing", NULL, 0));
    T(utimensat(AT_FDCWD, "f", NULL, 0x8000));
    struct timespec sym[2] = { { 111, 0 }, { 222, 0 } };
    T(utimensat(AT_FDCWD, "l", sym, AT_SYMLINK_NOFOLLOW));
    struct stat st;
    lstat("l", &st);
    SHOW("symlink mtime %lld", (long long)st.st_mtim.tv_sec);
    show_times("f");
    fd = open("f", O_RDONLY);
    struct timespec fts[2] = { { 42, 42 }, { 43, 43 } };
    T(futimens(fd, fts));
    close(fd);
    show_times("f");
    struct timeval tv[2] = { { 50, 1 }, { 60, 2 } };
    T(utimes("f", tv));
    show_times("f");
    tv[0].tv_usec = 2000000;
    T(utimes("f", tv));
    struct utimbuf ub = { 70, 80 };
    T(utime("f", &ub));
    show_times("f");
    time_t before = time(NULL);
    T(utimensat(AT_FDCWD, "f", NULL, 0));
    stat("f", &st);
    SHOW("now-stamped mtime within range: %d", st.st_mtim.tv_sec >= before - 1 && st.st_mtim.tv_sec <= time(NULL) + 1);

    /* Writing moves mtime forward; stat and statx agree. */
    T(utimensat(AT_FDCWD, "f", ts, 0));
    chmod("f", 0644);
    fd = open("f", O_WRONLY);
    T(write(fd, "x", 1));
    close(fd);
    stat("f", &st);
    SHOW("mtime advanced by write: %d", st.st_mtim.tv_sec > 1600000000);
    struct statx sx;
    T(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
    SHOW("statx agrees: size %d mode %d ino %d nlink %d", sx.stx_size == (unsigned long long)st.st_size,
        sx.stx_mode == st.st_mode, sx.stx_ino == st.st_ino, sx.stx_nlink == st.st_nlink);
    T(statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    SHOW("statx symlink: %s size %llu", kind(sx.stx_mode), (unsigned long long)sx.stx_size);
    fd = open("f", O_RDONLY);
    T(fstatat(fd, "", &st, AT_EMPTY_PATH));
    T(fstatat(fd, "", &st, 0));
    close(fd);
    T(access("f", R_OK | W_OK));
    T(access("missing", F_OK));
    T(access("f", 8));
    return finish();
}
