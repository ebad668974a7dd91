/* pid 1 is visible: getpgid(1) and getsid(1) succeed, kill(1, 0) works for root and is EPERM for another user,
 * /proc/1 lists stat, status, comm and cmdline of a sleeping process without parent, and an orphan's parent becomes 1.
 * (Its group and session ids differ between a container's init and a VM's, so only their success is shown.) */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>

static void field_lines(const char *path, const char *const *keys)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: %s\n", path, errname(errno)); return; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        for (const char *const *k = keys; *k; k++)
            if (strncmp(line, *k, strlen(*k)) == 0) printf("%s: %s\n", path, line);
}

int main(void)
{
    TF(getpgid(1));
    TF(getsid(1));
    T(kill(1, 0));
    T(kill(1, -1));
    T(access("/proc/1", F_OK));
    T(access("/proc/1/stat", R_OK));
    T(access("/proc/1/comm", R_OK));
    T(access("/proc/1/cmdline", R_OK));
    char buf[512];
    int fd = open("/proc/1/stat", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    int pid, ppid;
    char state;
    char *paren = strrchr(buf, ')');
    if (sscanf(buf, "%d", &pid) == 1 && paren && sscanf(paren + 2, "%c %d", &state, &ppid) == 2)
        printf("/proc/1/stat: pid %d state %c ppid %d fields %d\n", pid, state, ppid, (int)({ int c = 1; for (char *s = paren; *s; s++) c += *s == ' '; c; }));
    static const char *const keys[] = {"Pid:", "PPid:", "Tgid:", "Uid:", "Gid:", "State:", NULL};
    field_lines("/proc/1/status", keys);
    int found = 0;
    fd = open("/proc", O_RDONLY | O_DIRECTORY);
    char dents[65536];
    long len;
    while ((len = syscall(SYS_getdents64, fd, dents, sizeof dents)) > 0)
        for (long off = 0; off < len; off += *(unsigned short *)(dents + off + 16))
            if (strcmp(dents + off + 19, "1") == 0) found = 1;
    close(fd);
    SHOW("/proc lists 1: %d", found);

    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        setuid(65534);
        T(kill(1, 0));
        T(getpgid(1) >= 0);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);

    /* An orphan is reparented to init. */
    int pipefd[2];
    T(pipe(pipefd));
    fflush(stdout);
    child = fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            for (int i = 0; i < 5000 && getppid() != 1; i++) usleep(1000);
            char c = getppid() == 1 ? 'y' : 'n';
            write(pipefd[1], &c, 1);
            _exit(0);
        }
        _exit(0);
    }
    waitpid(child, NULL, 0);
    char c = '?';
    T(read(pipefd[0], &c, 1));
    SHOW("orphan's parent is 1: %c", c);
    return finish();
}
