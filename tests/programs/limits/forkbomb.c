/* Fork and thread bombs against the task limit (Linux: threads-max, or RLIMIT_NPROC for a non-root user): creation
 * fails with EAGAIN, the program handles it and everything unwinds.
 *   fork     fork until EAGAIN; the children wait on a pipe, then all are reaped.
 *   threads  pthread_create until EAGAIN; then all are joined.
 *   classic  every process forks forever, ignoring failures: only a time limit ends it.
 * Output: what failed and how many were made (the count depends on the limit). */
#include "../syscalls/check.h"
#include <pthread.h>
#include <sys/wait.h>

#define SAFETY 100000 /* no limit at all: stop anyway */

static int gate[2];

static void *idle(void *arg)
{
    char c;
    (void)arg;
    while (read(gate[0], &c, 1) < 0 && errno == EINTR) { }
    return NULL;
}

static int fork_until_eagain(void)
{
    int made = 0;
    if (pipe(gate) < 0) { printf("pipe %s\n", errname(errno)); return 2; }
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("fork failed with %s after %d children\n", errname(errno), made);
            break;
        }
        if (pid == 0) {
            close(gate[1]);
            idle(NULL);
            _exit(7);
        }
        if (++made == SAFETY) { printf("no limit\n"); break; }
    }
    close(gate[1]);
    int reaped = 0, ok = 1, status;
    while (wait(&status) > 0) {
        reaped++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 7) ok = 0;
    }
    printf("reaped %d children, all exited 7: %s\n", reaped, ok && reaped == made ? "yes" : "no");
    pid_t again = fork();
    if (again == 0) _exit(0);
    printf("fork after reaping: %s\n", again > 0 ? "ok" : errname(errno));
    if (again > 0) waitpid(again, NULL, 0);
    return 0;
}

static int threads_until_eagain(void)
{
    static pthread_t threads[SAFETY];
    int made = 0, e;
    if (pipe(gate) < 0) { printf("pipe %s\n", errname(errno)); return 2; }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (;;) {
        e = pthread_create(&threads[made], &attr, idle, NULL);
        if (e != 0) {
            printf("pthread_create failed with %s after %d threads\n", errname(e), made);
            break;
        }
        if (++made == SAFETY) { printf("no limit\n"); break; }
    }
    close(gate[1]);
    for (int i = 0; i < made; i++) pthread_join(threads[i], NULL);
    printf("joined %d threads\n", made);
    return 0;
}

static int classic(void)
{
    printf("bombing\n");
    fflush(stdout);
    for (;;)
        if (fork() == -2) break; /* never: fork returns -1, 0 or a pid */
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "fork";
    if (!strcmp(mode, "fork")) return fork_until_eagain();
    if (!strcmp(mode, "threads")) return threads_until_eagain();
    if (!strcmp(mode, "classic")) return classic();
    printf("usage: forkbomb fork|threads|classic\n");
    return 2;
}
