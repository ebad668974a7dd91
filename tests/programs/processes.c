/* fork, pipes, exec, wait statuses, vfork, signals to children, process groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
#include <sys/wait.h>

static void child_mode(const char *mode) {
    if (!strcmp(mode, "exit7")) exit(7);
    if (!strcmp(mode, "echo")) { char buf[64]; ssize_t n = read(0, buf, sizeof buf); printf("child read %zd: %.*s\n", n, (int)n, buf); exit(0); }
    if (!strcmp(mode, "sleep")) { pause(); exit(1); }
}

int main(int argc, char **argv) {
    if (argc > 1) { child_mode(argv[1]); return 99; }
    setvbuf(stdout, NULL, _IONBF, 0);

    /* fork + exit status */
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid == 0) { if (getppid() != me) _exit(50); _exit(3); }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) return 10;
    printf("fork: exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    /* pipe between parent and child, several writes, EOF when the writer closes */
    int fds[2];
    if (pipe(fds)) return 11;
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 100; i++) { char line[32]; int n = snprintf(line, sizeof line, "line %d\n", i); write(fds[1], line, n); }
        _exit(0);
    }
    close(fds[1]);
    char buf[4096]; long total = 0, lines = 0; ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) { total += n; for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n'; }
    close(fds[0]);
    waitpid(pid, &st, 0);
    printf("pipe: %ld bytes %ld lines, eof=%zd\n", total, lines, n);

    /* exec self with an argument, through /proc/self/exe, with stdin from a pipe */
    if (pipe(fds)) return 12;
    pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0); close(fds[0]); close(fds[1]);
        char *args[] = { "self", "echo", NULL };
        execv("/proc/self/exe", args);
        _exit(98);
    }
    close(fds[0]);
    write(fds[1], "hello", 5);
    close(fds[1]);
    waitpid(pid, &st, 0);
    printf("exec: status=%d\n", WEXITSTATUS(st));

    /* vfork + exec */
    pid = vfork();
    if (pid == 0) { char *args[] = { "self", "exit7", NULL }; execv("/proc/self/exe", args); _exit(97); }
    waitpid(pid, &st, 0);
    printf("vfork: status=%d\n", WEXITSTATUS(st));

    /* a signal kills a child */
    pid = fork();
    if (pid == 0) { for (;;) pause(); }
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    printf("kill: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* errors */
    int r = waitpid(-1, &st, 0);
    printf("waitpid no child: %d errno=%s\n", r, errno == ECHILD ? "ECHILD" : "other");
    r = kill(999999, 0);
    printf("kill bad pid: %d errno=%s\n", r, errno == ESRCH ? "ESRCH" : "other");

    /* process groups */
    pid = fork();
    if (pid == 0) { setpgid(0, 0); _exit(getpgrp() == getpid() ? 0 : 1); }
    waitpid(pid, &st, 0);
    printf("setpgid: ok=%d\n", WEXITSTATUS(st) == 0);

    /* many children, reaped in any order */
    for (int i = 0; i < 8; i++) if (fork() == 0) _exit(i);
    int sum = 0;
    for (int i = 0; i < 8; i++) { wait(&st); sum += WEXITSTATUS(st); }
    printf("reaped sum=%d\n", sum);
    return 0;
}
