/* A memory bomb: allocate 1 MiB blocks and touch every page, reporting each MiB, until something stops it. Under a
 * memory limit the OOM killer's SIGKILL ends it (the program sees nothing; its status is 128 + 9).
 *   touch    malloc + memset in a loop (the default)
 *   huge     one mmap larger than any machine: ENOMEM up front, as Linux's heuristic overcommit refuses it
 *   child    a child bombs; the parent reports how it ended and exits 0 */
#include "../syscalls/check.h"
#include <sys/mman.h>
#include <sys/wait.h>

static int touch(void)
{
    for (long mib = 1;; mib++) {
        char *p = malloc(1 << 20);
        if (p == NULL) { printf("malloc failed at %ld MiB\n", mib); return 1; }
        memset(p, (int)mib, 1 << 20);
        printf("%ld MiB\n", mib);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "touch";
    if (!strcmp(mode, "touch")) return touch();
    if (!strcmp(mode, "huge")) {
        void *p = mmap(NULL, 1UL << 44, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap 16 TiB: %s\n", p == MAP_FAILED ? errno == ENOMEM ? "ENOMEM" : errname(errno) : "ok");
        void *r = mmap(NULL, 1UL << 44, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        printf("reserve 16 TiB PROT_NONE: %s\n", r == MAP_FAILED ? errname(errno) : "ok");
        return 0;
    }
    if (!strcmp(mode, "child")) {
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY); /* the child's progress is not part of the output */
            dup2(null, 1);
            touch();
            _exit(1);
        }
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) printf("child killed by signal %d\n", WTERMSIG(status));
        else printf("child exited %d\n", WEXITSTATUS(status));
        char *p = malloc(4 << 20);
        memset(p, 1, 4 << 20);
        printf("parent still allocates: yes\n");
        return 0;
    }
    printf("usage: membomb touch|huge|child\n");
    return 2;
}
