/* /proc/PID of another process: a child's comm, cmdline, exe, cwd, fd/, maps, stat and status while it sleeps, stops
 * and is a zombie, and nothing once it is reaped; /proc lists the live pids. Pids are never printed, only compared. */
#include "check.h"
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static char pbuf[64];
static const char *pp(pid_t pid, const char *file)
{
    snprintf(pbuf, sizeof pbuf, "/proc/%d/%s", (int)pid, file);
    return pbuf;
}

/* Reads a whole /proc file; returns its length or -errno. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = 0, r;
    while ((r = read(fd, buf + n, size - 1 - n)) > 0) n += r;
    close(fd);
    if (r < 0) return -errno;
    buf[n] = 0;
    return n;
}

/* stat field 3 (state), after the comm in parentheses. */
static char state(pid_t pid)
{
    char buf[1024];
    if (slurp(pp(pid, "stat"), buf, sizeof buf) <= 0) return '?';
    char *p = strrchr(buf, ')');
    return p ? p[2] : '?';
}

static void wait_state(pid_t pid, char want)
{
    for (int i = 0; i < 10000 && state(pid) != want; i++) msleep(1);
    SHOW("state %c", state(pid));
}

static int listed(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d) return -errno;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL) if (!strcmp(e->d_name, name)) found = 1;
    closedir(d);
    return found;
}

/* Which of descriptors 3..9 a /proc/PID/fd listing shows (the rest depend on what the test runner left open). */
static const char *fds_3_to_9(const char *dir)
{
    static char out[16];
    memset(out, '-', 7);
    out[7] = 0;
    DIR *d = opendir(dir);
    if (!d) return errname(errno);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] >= '3' && e->d_name[0] <= '9' && e->d_name[1] == 0) out[e->d_name[0] - '3'] = e->d_name[0];
    closedir(d);
    return out;
}

static void link_errno(const char *what, const char *path)
{
    char buf[512];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    SHOW("readlink %s: %s", what, n < 0 ? errname(errno) : "ok");
}

static void on_usr1(int sig) { (void)sig; }

/* The bits of a status line ("SigPnd:\t%016llx") for the signals the test controls. */
static void sigline(const char *status, const char *key, unsigned long long mask)
{
    const char *l = strstr(status, key);
    unsigned long long v = 0;
    if (l) sscanf(l + strlen(key), " %llx", &v);
    SHOW("%s %016llx", key, v & mask);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    T(mkdir("sub", 0755));
    int go[2], ready[2];
    T(pipe(go));
    T(pipe(ready));
    pid_t c = fork();
    if (c == 0) {
        prctl(PR_SET_NAME, "kid", 0, 0, 0);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGUSR1, on_usr1);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGHUP);
        sigaddset(&m, SIGWINCH);
        sigprocmask(SIG_BLOCK, &m, NULL);
        raise(SIGWINCH); /* pending for the thread */
        if (chdir("sub") < 0) _exit(1);
        int f = open("f", O_RDWR | O_CREAT, 0600);
        dup2(f, 9);
        close(f);
        char b = 0;
        if (write(ready[1], &b, 1) != 1) _exit(2);
        if (read(go[0], &b, 1) < 0) _exit(3);
        _exit(0);
    }
    char b;
    T(read(ready[0], &b, 1));
    wait_state(c, 'S');
    kill(c, SIGHUP); /* blocked: pending for the process */

    char buf[8192], mine[8192], cwd[512];
    char name[16];
    snprintf(name, sizeof name, "%d", (int)c);
    SHOW("child listed in /proc: %d", listed("/proc", name));
    snprintf(name, sizeof name, "%d", (int)getpid());
    SHOW("self listed in /proc: %d", listed("/proc", name));
    slurp(pp(c, "comm"), buf, sizeof buf);
    SHOW("comm: %s", buf);
    ssize_t n = slurp(pp(c, "cmdline"), buf, sizeof buf), m = slurp("/proc/self/cmdline", mine, sizeof mine);
    SHOW("cmdline same as parent's: %d", n > 0 && n == m && !memcmp(buf, mine, n));
    n = readlink(pp(c, "exe"), buf, sizeof buf);
    m = readlink("/proc/self/exe", mine, sizeof mine);
    SHOW("exe same as parent's: %d", n > 0 && n == m && !memcmp(buf, mine, n));
    if (!getcwd(cwd, sizeof cwd)) return 1;
    n = readlink(pp(c, "cwd"), buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("cwd is ./sub: %d", !strncmp(buf, cwd, strlen(cwd)) && !strcmp(buf + strlen(cwd), "/sub"));
    n = readlink(pp(c, "fd/9"), buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("fd/9 is ./sub/f: %d", !strncmp(buf, cwd, strlen(cwd)) && !strcmp(buf + strlen(cwd), "/sub/f"));
    SHOW("fd/ lists 3..9 as: %s", fds_3_to_9(pp(c, "fd")));
    snprintf(mine, sizeof mine, "%s", pp(c, "fd/9"));
    int via = open(mine, O_RDONLY);
    struct stat s1, s2;
    fstat(via, &s1);
    stat("sub/f", &s2);
    SHOW("open(fd/9) is the same file: %d", via >= 0 && s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev);
    close(via);
    n = slurp(pp(c, "maps"), buf, sizeof buf);
    SHOW("maps has [stack]: %d", n > 0 && strstr(buf, "[stack]") != NULL);

    slurp(pp(c, "stat"), buf, sizeof buf);
    int spid, ppid, pgrp, sess, tty, tpgid;
    unsigned flags;
    long threads;
    char st;
    char *close_paren = strrchr(buf, ')');
    sscanf(buf, "%d", &spid);
    sscanf(close_paren + 2, "%c %d %d %d %d %d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %ld", &st, &ppid, &pgrp, &sess, &tty,
           &tpgid, &flags, &threads);
    SHOW("stat: pid=%d state=%c ppid=%d pgrp=%d session=%d threads=%ld comm=%.*s", spid == c, st, ppid == getpid(),
         pgrp == getpgrp(), sess == getsid(0), threads, (int)(close_paren - strchr(buf, '(') + 1), strchr(buf, '('));
    slurp(pp(c, "status"), buf, sizeof buf);
    char *line = strstr(buf, "State:");
    SHOW("status %.*s", (int)(strchr(line, '\n') - line), line);
    line = strstr(buf, "Name:");
    SHOW("status %.*s", (int)(strchr(line, '\n') - line), line);
    char want[64];
    snprintf(want, sizeof want, "\nPPid:\t%d\n", (int)getpid());
    SHOW("status PPid is the parent: %d", strstr(buf, want) != NULL);
    unsigned long long mine_bits = (1ULL << (SIGHUP - 1)) | (1ULL << (SIGWINCH - 1)) | (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGUSR2 - 1));
    sigline(buf, "SigPnd:", mine_bits);
    sigline(buf, "ShdPnd:", mine_bits);
    sigline(buf, "SigBlk:", mine_bits);
    sigline(buf, "SigIgn:", mine_bits);
    sigline(buf, "SigCgt:", mine_bits);
    line = strstr(buf, "Threads:");
    SHOW("status %.*s", (int)(strchr(line, '\n') - line), line);

    SHOW("%s", "-- stopped");
    kill(c, SIGSTOP);
    int ws;
    waitpid(c, &ws, WUNTRACED);
    SHOW("state %c", state(c));
    slurp(pp(c, "status"), buf, sizeof buf);
    line = strstr(buf, "State:");
    SHOW("status %.*s", (int)(strchr(line, '\n') - line), line);
    kill(c, SIGCONT);
    waitpid(c, &ws, WCONTINUED);
    wait_state(c, 'S');

    SHOW("%s", "-- zombie");
    T(write(go[1], &b, 1));
    siginfo_t si;
    T(waitid(P_PID, c, &si, WEXITED | WNOWAIT));
    SHOW("state %c", state(c));
    snprintf(name, sizeof name, "%d", (int)c);
    SHOW("zombie listed in /proc: %d", listed("/proc", name));
    n = slurp(pp(c, "cmdline"), buf, sizeof buf);
    SHOW("zombie cmdline length %zd", n);
    link_errno("zombie exe", pp(c, "exe"));
    link_errno("zombie cwd", pp(c, "cwd"));
    T(access(pp(c, "stat"), R_OK));

    SHOW("%s", "-- reaped");
    T(waitpid(c, &ws, 0) == c);
    SHOW("reaped listed in /proc: %d", listed("/proc", name));
    n = slurp(pp(c, "stat"), buf, sizeof buf);
    SHOW("open stat: %s", n < 0 ? errname((int)-n) : "ok");
    link_errno("reaped exe", pp(c, "exe"));
    T(access(pp(c, ""), F_OK));

    T(unlink("sub/f"));
    T(rmdir("sub"));
    return finish();
}
