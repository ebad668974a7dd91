/* Names after execve: /proc/self/exe is the program run (the interpreter for a "#!" script), comm the basename of the
 * name exec was given (the script's own name); a thread that calls execve takes the process's id (gettid == getpid). */
#include "check.h"
#include <pthread.h>
#include <sys/wait.h>

static char self[4096];

static void report(const char *who)
{
    char exe[4096], comm[64] = "";
    long n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = 0;
    int fd = open("/proc/self/comm", O_RDONLY);
    n = fd < 0 ? -1 : read(fd, comm, sizeof comm - 1);
    comm[n < 0 ? 0 : n] = 0;
    if (fd >= 0) close(fd);
    printf("%s: exe is this program %d, comm %s", who, strcmp(exe, self) == 0, comm);
    printf("%s: gettid == getpid %d\n", who, (int)syscall(SYS_gettid) == getpid());
}

static void run(char *const argv[])
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        execv(argv[0], argv);
        printf("execv %s: %s\n", argv[0], errname(errno));
        _exit(1);
    }
    int status;
    waitpid(child, &status, 0);
    SHOW("child status %d", WEXITSTATUS(status));
}

static void *exec_from_thread(void *arg)
{
    (void)arg;
    char *argv[] = {self, "from-thread", NULL};
    execv(self, argv);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n < 0 ? 0 : n] = 0;
    if (argc > 1) {
        report(argv[argc - 1]);
        return 0;
    }
    report("first");
    char *plain[] = {self, "exec", NULL};
    run(plain);
    /* A script whose interpreter is this program: the interpreter gets the script's path as an argument. */
    int fd = open("renamed-script", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    dprintf(fd, "#!%s\n", self);
    close(fd);
    char *script[] = {"./renamed-script", "script", NULL};
    run(script);
    unlink("renamed-script");
    /* A link with another name: comm follows the name used. */
    T(symlink(self, "other-name"));
    char *linked[] = {"./other-name", "link", NULL};
    run(linked);
    unlink("other-name");
    /* execve from a second thread. */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        pthread_t t;
        pthread_create(&t, NULL, exec_from_thread, NULL);
        pthread_join(t, NULL);
        _exit(1);
    }
    int status;
    waitpid(child, &status, 0);
    SHOW("thread child status %d", WEXITSTATUS(status));
    return finish();
}
