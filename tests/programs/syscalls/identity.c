/* User and group ids, supplementary groups and capabilities: set*id rules for root and for an unprivileged user,
 * capability sets following uid changes, capget/capset, permission checks for a non-root user, ids kept across fork
 * and execve, posix_spawn with POSIX_SPAWN_RESETIDS (GNU make's way of running recipes). */
#include "check.h"
#include <grp.h>
#include <spawn.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/prctl.h>

extern char **environ;

static void ids(const char *who)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    getresuid(&r, &e, &s);
    getresgid(&rg, &eg, &sg);
    gid_t groups[16];
    int n = getgroups(16, groups);
    printf("%s: uid %u %u %u gid %u %u %u groups", who, r, e, s, rg, eg, sg);
    for (int i = 0; i < n; i++) printf(" %u", groups[i]);
    printf("\n");
}

/* Capability sets as relations only (the exact masks depend on the kernel and container). */
static void caps(const char *who)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) { printf("%s: capget %s\n", who, errname(errno)); return; }
    unsigned long long eff = d[0].effective | (unsigned long long)d[1].effective << 32;
    unsigned long long prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
    printf("%s: effective %s, permitted %s, setuid %d, dac_override %d\n", who, eff == 0 ? "none" : eff == prm ? "= permitted" : "part",
        prm == 0 ? "none" : "some", (int)(eff >> CAP_SETUID & 1), (int)(eff >> CAP_DAC_OVERRIDE & 1));
}

static int child(void) { fflush(stdout); return fork(); }
static void reap(pid_t pid) { int st; waitpid(pid, &st, 0); printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)); }

int main(int argc, char **argv)
{
    if (argc > 1) { ids(argv[1]); caps(argv[1]); return 0; }
    ids("root");
    caps("root");
    T(getgroups(0, NULL) >= 0);
    gid_t set[] = {50, 3, 20};
    T(setgroups(3, set));
    ids("after setgroups");
    T(getgroups(1, set));

    /* Setup in /tmp, which every user can search. */
    char dir[64], secret[96], mine[96];
    snprintf(dir, sizeof dir, "/tmp/x86vm-ids-%d", getpid());
    T(mkdir(dir, 0777));
    chmod(dir, 0777);
    char home[4096];
    getcwd(home, sizeof home);
    T(chdir(dir));
    snprintf(secret, sizeof secret, "secret");
    snprintf(mine, sizeof mine, "mine");
    write_file(secret, "root only\n");
    chmod(secret, 0600);

    pid_t pid = child();
    if (pid == 0) {
        /* Dropping everything: only the current ids remain reachable. */
        T(setresgid(100, 100, 100));
        T(setresuid(1000, 1000, 1000));
        ids("dropped");
        caps("dropped");
        T(setuid(0));
        T(setresuid(-1, 0, -1));
        T(setgid(0));
        T(setgroups(0, NULL));
        T(setuid(1000));
        T(open(secret, O_RDONLY));
        T(access(secret, R_OK));
        T(access(secret, F_OK));
        int fd = open(mine, O_WRONLY | O_CREAT, 0640);
        TF(fd);
        close(fd);
        show_stat(mine, 0);
        T(access(mine, W_OK));
        T(access(mine, X_OK));
        /* execve keeps the ids. */
        char *args[] = {argv[0], "after exec", NULL};
        fflush(stdout);
        execv("/proc/self/exe", args);
        _exit(99);
    }
    reap(pid);

    pid = child();
    if (pid == 0) {
        /* A temporary drop of the effective uid, and back. */
        T(setreuid(-1, 1000));
        ids("euid 1000");
        caps("euid 1000");
        T(open(secret, O_RDONLY) >= 0);
        T(seteuid(0));
        ids("back to root");
        caps("back to root");
        T(setfsuid(1000));
        T(setfsuid(-1));
        caps("fsuid 1000");
        T(open(secret, O_RDONLY));
        T(setfsuid(0));
        T(setreuid(1000, 1000));
        ids("setreuid both");
        T(setreuid(0, -1));
        fflush(stdout);
        _exit(0);
    }
    reap(pid);

    pid = child();
    if (pid == 0) {
        /* setuid as root changes all three. */
        T(setgid(7));
        T(setuid(2000));
        ids("setuid 2000");
        T(seteuid(0));
        fflush(stdout);
        _exit(0);
    }
    reap(pid);

    /* capget version probing and capset. */
    struct __user_cap_header_struct h = {0, 0};
    T(syscall(SYS_capget, &h, NULL));
    SHOW("preferred version %#x", h.version);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    T(syscall(SYS_capget, &h, NULL));
    pid = child();
    if (pid == 0) {
        struct __user_cap_data_struct d[2];
        h.version = _LINUX_CAPABILITY_VERSION_3;
        h.pid = 0;
        syscall(SYS_capget, &h, d);
        d[0].effective &= ~(1u << CAP_DAC_OVERRIDE | 1u << CAP_DAC_READ_SEARCH);
        T(syscall(SYS_capset, &h, d));
        caps("capset");
        T(setresuid(-1, -1, -1));
        d[0].permitted &= ~(1u << CAP_SETUID);
        d[0].effective &= ~(1u << CAP_SETUID);
        T(syscall(SYS_capset, &h, d));
        T(setuid(5));
        d[0].permitted |= 1u << CAP_SETUID;
        T(syscall(SYS_capset, &h, d));
        h.pid = 1;
        T(syscall(SYS_capset, &h, d));
        fflush(stdout);
        _exit(0);
    }
    reap(pid);

    /* prctl: keep-caps across the switch away from root, the bounding set, ambient set, no-new-privs, TSC, slack. */
    pid = child();
    if (pid == 0) {
        T(prctl(PR_GET_KEEPCAPS));
        T(prctl(PR_SET_KEEPCAPS, 1));
        T(prctl(PR_GET_KEEPCAPS));
        T(prctl(PR_SET_KEEPCAPS, 2));
        T(prctl(PR_CAPBSET_READ, CAP_SETUID));
        T(prctl(PR_CAPBSET_DROP, CAP_MKNOD));
        T(prctl(PR_CAPBSET_READ, CAP_MKNOD));
        T(prctl(PR_CAPBSET_READ, 200));
        T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SETUID, 0, 0));
        T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
        T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        T(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
        int tsc = 0;
        T(prctl(PR_GET_TSC, &tsc));
        SHOW("tsc mode %d", tsc);
        T(prctl(PR_SET_TIMERSLACK, 1000));
        T(prctl(PR_GET_TIMERSLACK));
        T(setresuid(1000, 1000, 1000));
        caps("keepcaps");
        T(prctl(PR_GET_KEEPCAPS));
        fflush(stdout);
        _exit(0);
    }
    reap(pid);

    /* posix_spawn with POSIX_SPAWN_RESETIDS, as GNU make runs its recipes. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_RESETIDS);
    char *args[] = {argv[0], "spawned", NULL};
    fflush(stdout);
    T(posix_spawn(&pid, "/proc/self/exe", NULL, &attr, args, environ));
    reap(pid);

    unlink(mine);
    unlink(secret);
    T(chdir(home));
    T(rmdir(dir));
    return finish();
}
