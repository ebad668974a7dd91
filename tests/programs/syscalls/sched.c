/* Calls with simple honest answers: CPU affinity, nice values and scheduling policies, getcpu, mlock family, readahead,
 * fadvise64, preadv/pwritev and the "2" forms, pidfds, /proc/sys values, oom_score_adj, per-thread /proc files. */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>

static char thread_stat[512];
static int thread_tid;

static void *thread_main(void *arg)
{
    (void)arg;
    char path[128];
    thread_tid = (int)syscall(SYS_gettid);
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", thread_tid);
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, thread_stat, sizeof thread_stat - 1);
    thread_stat[n < 0 ? 0 : n] = 0;
    if (fd >= 0) close(fd);
    return NULL;
}

static void show_proc(const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
    printf("%s: %s\n", path, n > 0 ? "readable" : errname(errno));
}

int main(void)
{
    /* Affinity: CPU 0 is always there. */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    T(sched_setaffinity(0, sizeof set, &set));
    CPU_ZERO(&set);
    T(sched_getaffinity(0, sizeof set, &set));
    SHOW("cpu 0 in mask: %d, count %d", CPU_ISSET(0, &set), CPU_COUNT(&set));
    CPU_ZERO(&set);
    T(sched_setaffinity(0, sizeof set, &set));
    T(sched_setaffinity(999999, sizeof set, &set));
    unsigned cpu = 99, node = 99;
    T(syscall(SYS_getcpu, &cpu, &node, NULL));
    SHOW("getcpu node %u", node);

    /* Nice values: raw getpriority is 20 - nice; glibc returns the nice value. */
    T(getpriority(PRIO_PROCESS, 0));
    T(syscall(SYS_getpriority, PRIO_PROCESS, 0));
    T(setpriority(PRIO_PROCESS, 0, 5));
    T(getpriority(PRIO_PROCESS, 0));
    T(setpriority(PRIO_PROCESS, 0, 2));
    T(setpriority(PRIO_PROCESS, 0, 100));
    T(getpriority(PRIO_PROCESS, 0));
    T(setpriority(PRIO_PROCESS, 0, 3));
    T(getpriority(PRIO_PROCESS, 999999));
    T(getpriority(7, 0));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        T(getpriority(PRIO_PROCESS, 0));
        T(setpgid(0, 0));
        T(getpriority(PRIO_PGRP, 0));
        T(setuid(1000));
        T(setpriority(PRIO_PROCESS, 0, 1));
        T(setpriority(PRIO_PROCESS, 0, 10));
        T(getpriority(PRIO_PROCESS, 0));
        T(setpriority(PRIO_PROCESS, getppid(), 10));
        T(sched_setaffinity(getppid(), sizeof set, &set));
        struct sched_param sp = {10};
        T(sched_setscheduler(0, SCHED_FIFO, &sp));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    T(setpriority(PRIO_PROCESS, 0, 0));

    /* Policies. */
    struct sched_param sp = {0};
    T(sched_getscheduler(0));
    T(sched_getparam(0, &sp));
    T(sched_get_priority_max(SCHED_FIFO));
    T(sched_get_priority_min(SCHED_RR));
    T(sched_get_priority_max(SCHED_OTHER));
    T(sched_get_priority_max(42));
    T(sched_setscheduler(0, SCHED_BATCH, &sp));
    T(sched_getscheduler(0));
    sp.sched_priority = 5;
    T(sched_setscheduler(0, SCHED_OTHER, &sp));
    sp.sched_priority = 0;
    T(sched_setscheduler(0, SCHED_OTHER, &sp));
    T(sched_setscheduler(0, 42, &sp));
    T(sched_getscheduler(-1));

    /* mlock family: advice, but the range must be mapped. */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T(mlock(page, 100));
    T(munlock(page, 8192));
    munmap(page + 4096, 4096);
    T(mlock(page, 8192));
    T(syscall(SYS_mlock2, page, 4096, 1));
    T(syscall(SYS_mlock2, page, 4096, 2));
    T(mlockall(MCL_CURRENT));
    T(munlockall());
    T(mlockall(0));
    T(mlockall(MCL_ONFAULT));
    munmap(page, 4096);

    /* readahead and fadvise64. */
    int fd = open("sched.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int p[2];
    pipe(p);
    T(readahead(fd, 0, 4096));
    T(readahead(p[0], 0, 4096));
    T(readahead(p[1], 0, 4096));
    T(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    T(syscall(SYS_fadvise64, fd, 0, 0, 9));
    T(syscall(SYS_fadvise64, fd, 0, -1, POSIX_FADV_DONTNEED));
    T(syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL));
    T(syscall(SYS_fadvise64, 999, 0, 0, POSIX_FADV_NORMAL));

    /* preadv/pwritev and the "2" forms. */
    char a[4] = "abc", b[6] = "defgh", r1[3], r2[8];
    struct iovec wv[2] = {{a, 3}, {b, 5}}, rv[2] = {{r1, 3}, {r2, 8}};
    T(pwritev(fd, wv, 2, 5));
    T(lseek(fd, 0, SEEK_CUR));
    T(preadv(fd, rv, 2, 4));
    SHOW("read %.3s|%.4s", r1, r2);
    T(preadv2(fd, rv, 2, -1, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(pwritev2(fd, wv, 1, -1, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(preadv2(fd, rv, 2, 0, RWF_NOWAIT));
    T(preadv2(fd, rv, 2, 0, 0x10000));
    T(pwritev(fd, wv, 2, -5));
    T(pwritev(p[1], wv, 2, 0));
    T(preadv(p[0], rv, 2, 0));
    close(fd);
    unlink("sched.dat");

    /* pidfds. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    int pfd = syscall(SYS_pidfd_open, pid, 0);
    TF(pfd);
    T(fcntl(pfd, F_GETFD));
    struct pollfd pf = {pfd, POLLIN, 0};
    T(poll(&pf, 1, 0));
    T(syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0));
    T(syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 1));
    T(syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    T(waitid(P_PIDFD, pfd, &si, WEXITED));
    SHOW("waitid: code %d status %d pid ok %d", si.si_code, si.si_status, si.si_pid == pid);
    T(poll(&pf, 1, 0));
    SHOW("revents %#x", pf.revents);
    T(syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0));
    T(syscall(SYS_pidfd_send_signal, p[0], SIGTERM, NULL, 0));
    T(syscall(SYS_pidfd_open, -1, 0));
    T(syscall(SYS_pidfd_open, getpid(), 1));
    T(syscall(SYS_pidfd_open, 999999, 0));
    T(read(pfd, r2, 8));
    close(pfd);

    /* /proc. */
    show_proc("/proc/sys/kernel/core_pattern");
    show_proc("/proc/sys/kernel/pid_max");
    show_proc("/proc/sys/kernel/ngroups_max");
    show_proc("/proc/sys/vm/overcommit_memory");
    show_proc("/proc/sys/vm/max_map_count");
    show_proc("/proc/sys/fs/nr_open");
    show_proc("/proc/sys/kernel/no-such");
    show_file("/proc/sys/kernel/ostype");
    show_file("/proc/sys/kernel/cap_last_cap");
    show_file("/proc/sys/kernel/ngroups_max");
    show_file("/proc/self/oom_score_adj");
    int o = open("/proc/self/oom_score_adj", O_WRONLY);
    T(write(o, "100\n", 4));
    T(write(o, "2000", 4));
    close(o);
    show_file("/proc/self/oom_score_adj");
    o = open("/proc/self/comm", O_WRONLY);
    T(write(o, "renamed-by-proc\n", 16));
    close(o);
    show_file("/proc/self/comm");
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    SHOW("thread stat starts with its tid: %d", atoi(thread_stat) == thread_tid);
    return finish();
}
