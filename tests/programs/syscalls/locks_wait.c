/* Blocking locks between processes: F_SETLKW, F_OFD_SETLKW and flock without LOCK_NB wait until the holder releases;
 * a cycle of POSIX waiters gives EDEADLK to the process that would close it; a handler without SA_RESTART interrupts
 * the wait with EINTR, one with SA_RESTART resumes it; a failed flock conversion loses the old lock. The parent learns
 * that a child is blocked from /proc/PID/stat (state S), so every line comes in a fixed order. */
#include "check.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 0 };
    return fcntl(fd, cmd, &fl);
}

/* Waits until the process is asleep in a syscall (the only one it can block in at that point). */
static void wait_blocked(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 10000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0) close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'S') return;
        }
        msleep(1);
    }
    printf("child never blocked\n");
}

static void reap(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    SHOW("child exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st));
}

/* The release's result is printed only after the child (which now runs) has finished printing. */
static void released(int r, pid_t child)
{
    int e = errno;
    reap(child);
    SHOW("release -> %d %s", r, r < 0 ? errname(e) : "");
}

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static void handler(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = open("lockfile", O_RDWR | O_CREAT | O_TRUNC, 0644);
    T(write(fd, "0123456789", 10));

    SHOW("%s", "== F_SETLKW waits for the holder");
    T(lk(fd, F_SETLK, F_WRLCK, 0, 10));
    pid_t c = fork();
    if (c == 0) {
        T(lk(fd, F_SETLK, F_RDLCK, 5, 1));
        T(lk(fd, F_SETLKW, F_RDLCK, 5, 1));
        T(lk(fd, F_SETLK, F_UNLCK, 0, 0));
        _exit(0);
    }
    wait_blocked(c);
    SHOW("%s", "parent: child is waiting; releasing");
    released(lk(fd, F_SETLK, F_UNLCK, 0, 0), c);

    SHOW("%s", "== a deadlock between two processes");
    T(lk(fd, F_SETLK, F_WRLCK, 0, 1));
    int ready[2];
    T(pipe(ready));
    c = fork();
    if (c == 0) {
        T(lk(fd, F_SETLK, F_WRLCK, 1, 1));
        char b = 1;
        write(ready[1], &b, 1);
        T(lk(fd, F_SETLKW, F_WRLCK, 0, 1)); /* waits for the parent, which then asks for byte 1 */
        _exit(0);
    }
    char b;
    read(ready[0], &b, 1);
    wait_blocked(c);
    T(lk(fd, F_SETLKW, F_WRLCK, 1, 1)); /* EDEADLK: the child waits for us */
    T(lk(fd, F_SETLK, F_WRLCK, 1, 1)); /* EAGAIN: still held by the child */
    SHOW("%s", "parent: releasing byte 0");
    released(lk(fd, F_SETLK, F_UNLCK, 0, 1), c);
    T(lk(fd, F_SETLKW, F_WRLCK, 1, 1)); /* free now: the child's locks went with it */
    T(lk(fd, F_SETLK, F_UNLCK, 0, 0));

    SHOW("%s", "== a cycle through three processes");
    T(lk(fd, F_SETLK, F_WRLCK, 0, 1));
    pid_t c1 = fork();
    if (c1 == 0) {
        T(lk(fd, F_SETLK, F_WRLCK, 1, 1));
        write(ready[1], &b, 1);
        T(lk(fd, F_SETLKW, F_WRLCK, 0, 1)); /* waits for the parent */
        _exit(0);
    }
    read(ready[0], &b, 1);
    wait_blocked(c1);
    pid_t c2 = fork();
    if (c2 == 0) {
        T(lk(fd, F_SETLK, F_WRLCK, 2, 1));
        write(ready[1], &b, 1);
        T(lk(fd, F_SETLKW, F_WRLCK, 1, 1)); /* waits for c1 */
        _exit(0);
    }
    read(ready[0], &b, 1);
    wait_blocked(c2);
    T(lk(fd, F_SETLKW, F_WRLCK, 2, 1)); /* parent → c2 → c1 → parent: EDEADLK */
    T(lk(fd, F_SETLKW, F_RDLCK, 5, 1)); /* unrelated range: granted */
    SHOW("%s", "parent: releasing byte 0");
    int r = lk(fd, F_SETLK, F_UNLCK, 0, 0), s1, s2;
    waitpid(c1, &s1, 0); /* c1 gets byte 0 and exits, then c2 gets byte 1 */
    waitpid(c2, &s2, 0);
    SHOW("children exit %d %d, release -> %d", WEXITSTATUS(s1), WEXITSTATUS(s2), r);

    SHOW("%s", "== EINTR without SA_RESTART, resumed with SA_RESTART");
    T(lk(fd, F_SETLK, F_WRLCK, 0, 0));
    c = fork();
    if (c == 0) {
        handler(0);
        write(ready[1], &b, 1);
        T(lk(fd, F_SETLKW, F_WRLCK, 2, 3));
        SHOW("child: handler ran %d", (int)hits);
        handler(1);
        write(ready[1], &b, 1);
        T(lk(fd, F_SETLKW, F_WRLCK, 2, 3));
        SHOW("child: handler ran %d", (int)hits);
        _exit(0);
    }
    read(ready[0], &b, 1);
    wait_blocked(c);
    kill(c, SIGUSR1);
    read(ready[0], &b, 1);
    wait_blocked(c);
    kill(c, SIGUSR1);
    msleep(20);
    wait_blocked(c);
    SHOW("%s", "parent: child still waiting after the restarted handler; releasing");
    released(lk(fd, F_SETLK, F_UNLCK, 0, 0), c);

    SHOW("%s", "== F_OFD_SETLKW: per open file description");
    int o1 = open("lockfile", O_RDWR);
    T(lk(o1, F_OFD_SETLK, F_WRLCK, 0, 0));
    c = fork();
    if (c == 0) {
        T(lk(o1, F_OFD_SETLKW, F_WRLCK, 0, 4)); /* the same description: no conflict */
        close(o1); /* the parent's descriptor keeps the description (and its lock) */
        int o2 = open("lockfile", O_RDWR);
        T(lk(o2, F_OFD_SETLKW, F_RDLCK, 0, 4));
        T(lk(fd, F_SETLK, F_WRLCK, 0, 4)); /* POSIX and OFD locks conflict too */
        _exit(0);
    }
    wait_blocked(c);
    SHOW("%s", "parent: closing the description's last descriptor");
    released(close(o1), c);

    SHOW("%s", "== flock without LOCK_NB");
    T(flock(fd, LOCK_EX));
    c = fork();
    if (c == 0) {
        T(flock(fd, LOCK_EX)); /* inherited description: already ours */
        int f2 = open("lockfile", O_RDWR);
        handler(0);
        write(ready[1], &b, 1);
        T(flock(f2, LOCK_SH)); /* interrupted */
        T(flock(f2, LOCK_SH)); /* waits for the release */
        T(flock(f2, LOCK_SH | LOCK_NB));
        _exit(0);
    }
    read(ready[0], &b, 1);
    wait_blocked(c);
    kill(c, SIGUSR1);
    msleep(20);
    wait_blocked(c);
    SHOW("%s", "parent: unlocking");
    released(flock(fd, LOCK_UN), c);

    SHOW("%s", "== a failed conversion loses the old lock");
    int a = open("lockfile", O_RDWR), d = open("lockfile", O_RDWR);
    T(flock(a, LOCK_SH | LOCK_NB));
    T(flock(d, LOCK_SH | LOCK_NB));
    T(flock(a, LOCK_EX | LOCK_NB)); /* EAGAIN, and a's shared lock is gone */
    T(flock(d, LOCK_EX | LOCK_NB)); /* so this succeeds */
    T(flock(a, LOCK_SH | LOCK_NB));
    close(a);
    close(d);

    close(fd);
    close(ready[0]);
    close(ready[1]);
    T(unlink("lockfile"));
    return finish();
}
