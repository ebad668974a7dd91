/* FIFOs (open O_RDWR, O_NONBLOCK ends, a blocking open meeting its partner in a child), device nodes made by root in
 * a tmpfs, a memfd reopened through /proc/self/fd, gettid of the main thread, and select's remaining time. */
#include "check.h"
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

int main(void)
{
    char buf[64];
    T(mkfifo("fifo", 0644));
    show_stat("fifo", 0);
    int rw = open("fifo", O_RDWR);
    TF(rw);
    T(write(rw, "hello", 5));
    T(read(rw, buf, sizeof buf));
    struct stat st;
    fstat(rw, &st);
    SHOW("fstat of fifo: %s mode=%04o", kind(st.st_mode), st.st_mode & 07777);
    T(lseek(rw, 0, SEEK_SET));
    int w = open("fifo", O_WRONLY | O_NONBLOCK);
    TF(w);
    close(w);
    int r = open("fifo", O_RDONLY | O_NONBLOCK);
    TF(r);
    T(read(r, buf, sizeof buf));
    close(rw);
    T(read(r, buf, sizeof buf));
    w = open("fifo", O_WRONLY | O_NONBLOCK);
    TF(w);
    T(write(w, "abc", 3));
    T(read(r, buf, sizeof buf));
    T(read(r, buf, sizeof buf));
    close(w);
    T(read(r, buf, sizeof buf));
    close(r);
    T(open("fifo", O_WRONLY | O_NONBLOCK));

    /* A blocking reader open waits for the writer opened by a child. */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        w = open("fifo", O_WRONLY);
        write(w, "from child", 10);
        close(w);
        _exit(0);
    }
    r = open("fifo", O_RDONLY);
    TF(r);
    long total = 0, n;
    while ((n = read(r, buf + total, sizeof buf - total)) > 0) total += n;
    buf[total] = 0;
    SHOW("read from child: %s", buf);
    close(r);
    waitpid(child, NULL, 0);
    T(unlink("fifo"));

    /* Device nodes: root may make them in a tmpfs. */
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/x86vm-nodes-%d", getpid());
    T(mkdir(dir, 0755));
    char path[128];
    snprintf(path, sizeof path, "%s/null", dir);
    T(mknod(path, S_IFCHR | 0666, makedev(1, 3)));
    T(lstat(path, &st));
    SHOW("char node: %s mode=%04o rdev=%u:%u", kind(st.st_mode), st.st_mode & 07777, major(st.st_rdev), minor(st.st_rdev));
    snprintf(path, sizeof path, "%s/blk", dir);
    T(mknod(path, S_IFBLK | 0600, makedev(7, 0)));
    T(lstat(path, &st));
    SHOW("block node: %s mode=%04o rdev=%u:%u", kind(st.st_mode), st.st_mode & 07777, major(st.st_rdev), minor(st.st_rdev));
    T(unlink(path));
    snprintf(path, sizeof path, "%s/null", dir);
    T(unlink(path));
    T(rmdir(dir));

    /* A memfd reopened by its /proc/self/fd link is a new description of the same file. */
    int m = memfd_create("reopen", 0);
    T(write(m, "memfd data", 10));
    snprintf(path, sizeof path, "/proc/self/fd/%d", m);
    int again = open(path, O_RDWR);
    TF(again);
    T(read(again, buf, sizeof buf));
    T(lseek(m, 0, SEEK_CUR));
    T(write(again, "MEM", 3));
    T(pread(m, buf, 10, 0));
    buf[10] = 0;
    SHOW("memfd now: %s", buf);
    close(again);
    close(m);

    SHOW("gettid == getpid: %d", (int)syscall(SYS_gettid) == getpid());

    /* chmod through /proc/self/fd/N of an O_PATH descriptor (glibc's fchmodat with AT_SYMLINK_NOFOLLOW). */
    write_file("modes", "x");
    int opath = open("modes", O_PATH | O_NOFOLLOW);
    snprintf(path, sizeof path, "/proc/self/fd/%d", opath);
    T(chmod(path, 0600));
    T(fchmod(opath, 0644));
    T(fchmodat(AT_FDCWD, "modes", 0640, AT_SYMLINK_NOFOLLOW));
    show_stat("modes", 0);
    close(opath);
    T(unlink("modes"));

    /* select writes back the time not slept. */
    int p[2];
    pipe(p);
    write(p[1], "x", 1);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval tv = {5, 0};
    T(select(p[0] + 1, &rs, NULL, NULL, &tv));
    SHOW("remaining after ready: %d", tv.tv_sec == 4 || (tv.tv_sec == 5 && tv.tv_usec == 0));
    read(p[0], buf, 1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    tv.tv_sec = 0;
    tv.tv_usec = 20000;
    T(select(p[0] + 1, &rs, NULL, NULL, &tv));
    SHOW("remaining after timeout: %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
    tv.tv_sec = -1;
    T(select(p[0] + 1, &rs, NULL, NULL, &tv));
    return finish();
}
