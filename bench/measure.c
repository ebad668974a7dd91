/* measure: run one command and report its wall time, CPU time and peak RSS.
 *
 *   measure RESULTFILE PROGRAM [ARG...]
 *
 * Forks, execs PROGRAM (execvp) in the child, waits for it with wait4 and
 * writes one line to RESULTFILE:
 *
 *   wall_seconds user_seconds sys_seconds maxrss_kib status
 *
 * status is the exit code, or 128+N when the child was killed by signal N
 * (as a shell reports it). user/sys/maxrss come from wait4's rusage, so they
 * include every descendant the child waited for, and maxrss is the largest
 * resident set of the child or any of those descendants.
 *
 * Why not time it from python: Linux records the resident set the process had
 * before exec in its peak RSS, and a child forked (or vforked) from python
 * would report python's own size. This launcher is small and static, so what
 * it adds to a child's peak RSS is a few tens of KiB at most.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int st, code;
    pid_t pid;
    FILE *f;

    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULTFILE PROGRAM [ARG...]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("measure: wait4");
            return 2;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fprintf(f, "%.6f %.6f %.6f %ld %d\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            secs(ru.ru_utime), secs(ru.ru_stime), ru.ru_maxrss, code);
    fclose(f);
    return 0;
}
