/* exec through a descriptor: execve of /proc/self/fd/N (what fexecve falls back to) for the program itself, for a
 * pipe and for a directory (EACCES: not regular files), and execveat(fd, "", AT_EMPTY_PATH). */
#include "check.h"
#include <sys/wait.h>

static void run(const char *label, int fd, int how)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        char *args[] = {"fexecve", (char *)label, NULL}, *env[] = {NULL};
        if (how == 0) execve(path, args, env);
        else syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
        printf("%s: %s\n", label, errname(errno));
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1) { printf("%s: ran\n", argv[1]); return 0; }
    int self = open("/proc/self/exe", O_RDONLY);
    int p[2];
    if (pipe(p) < 0) return 1;
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    run("execve fd of the program", self, 0);
    run("execve fd of a pipe", p[0], 0);
    run("execve fd of a directory", dir, 0);
    run("execveat AT_EMPTY_PATH", self, 1);
    return 0;
}
