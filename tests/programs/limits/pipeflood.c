/* An output flood into a pipe nobody reads: the writer blocks once the pipe's buffer (64 KiB on Linux) is full, so
 * the flood costs no more memory than that. A shared counter shows how much got in.
 *   (default)  once the pipe is full the parent reports, kills the writer and exits
 *   forever    after reporting the parent sleeps on: only a time limit ends the program */
#include "../syscalls/check.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int forever = argc > 1 && !strcmp(argv[1], "forever");
    volatile long *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fds[2];
    if (pipe(fds) < 0) { printf("pipe %s\n", errname(errno)); return 2; }
    pid_t pid = fork();
    if (pid == 0) {
        static char buf[4096];
        memset(buf, 'z', sizeof buf);
        for (;;) {
            long r = write(fds[1], buf, sizeof buf);
            if (r <= 0) _exit(1);
            __atomic_add_fetch(count, r, __ATOMIC_SEQ_CST);
        }
    }
    /* Wait until the pipe is full (however slow the run), then a little longer: a writer that could go on would. */
    struct timespec tick = { 0, 10 * 1000 * 1000 }, settle = { 0, 200 * 1000 * 1000 };
    for (int i = 0; i < 1000 && __atomic_load_n(count, __ATOMIC_SEQ_CST) < 65536; i++) nanosleep(&tick, NULL);
    nanosleep(&settle, NULL);
    printf("the writer got %ld bytes into the pipe, then blocked\n", __atomic_load_n(count, __ATOMIC_SEQ_CST));
    if (forever) for (;;) sleep(1000); /* a deadline: the VM does not see a deadlock, it waits */
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    printf("writer killed: %s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "yes" : "no");
    return 0;
}
