/* Argument checks real programs and conformance suites hit: each call with a bad argument fails with Linux's errno. */
#include "check.h"
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/sched.h>

int main(void)
{
    /* mprotect */
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T(mprotect(m + 1, 4096, PROT_READ));
    T(mprotect(m, 4096, 0x100));
    T(mprotect(m, 4096, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
    T(mprotect(m, 0, PROT_READ));
    T(mprotect(m, (size_t)-4096, PROT_READ));
    munmap(m + 4096, 4096);
    T(mprotect(m, 8192, PROT_READ));
    T(mprotect(m, 4096, PROT_READ | PROT_EXEC));
    munmap(m, 4096);

    /* clone3 sizes */
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    T(syscall(SYS_clone3, &ca, 32));
    T(syscall(SYS_clone3, &ca, 8192));
    T(syscall(SYS_clone3, NULL, sizeof ca));
    ca.exit_signal = 200;
    T(syscall(SYS_clone3, &ca, sizeof ca));
    ca.exit_signal = SIGCHLD;
    ca.flags = CLONE_THREAD;
    T(syscall(SYS_clone3, &ca, sizeof ca));

    /* fsync family on special files */
    int p[2];
    pipe(p);
    T(fsync(p[0]));
    T(fdatasync(p[1]));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    T(fsync(s));
    int null = open("/dev/null", O_WRONLY);
    T(fsync(null));
    T(fdatasync(null));
    close(null);

    /* sockets */
    T(socket(AF_UNIX, SOCK_STREAM, 99));
    T(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    T(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    int sv[2];
    T(socketpair(AF_UNIX, SOCK_STREAM, 7, sv));
    T(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) >= 0);
    int v;
    socklen_t len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, 9999, &v, &len));
    T(getsockopt(s, 12345, 1, &v, &len));
    T(getsockopt(s, IPPROTO_TCP, 1, &v, &len));
    char buf[16];
    T(recvfrom(p[0], buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));
    T(sendto(p[1], "x", 1, 0, NULL, 0));
    T(recv(p[0], buf, 1, 0));
    T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T(recv(sv[0], buf, 1, MSG_OOB));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    T(sendto(u, "x", 1, 0, (struct sockaddr *)1, sizeof(struct sockaddr_in)));
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    T(sendto(u, "x", 1, 0, (struct sockaddr *)&sin, 3));
    T(recv(u, buf, 1, MSG_OOB | MSG_DONTWAIT));

    /* waitpid */
    T(waitpid(INT_MIN, NULL, WNOHANG));
    T(waitpid(-1, NULL, 0x1000000));
    T(waitpid(-1, NULL, WNOHANG));

    /* tgkill/kill arguments */
    T(syscall(SYS_tgkill, getpid(), getpid(), 65));
    T(syscall(SYS_tgkill, -1, getpid(), 0));
    T(kill(getpid(), -1));

    /* execveat */
    char *args[] = {"x", NULL};
    T(syscall(SYS_execveat, 999, "prog", args, NULL, 0));
    T(syscall(SYS_execveat, AT_FDCWD, "", args, NULL, 0));
    T(syscall(SYS_execveat, AT_FDCWD, "/", args, NULL, 0));
    T(syscall(SYS_execveat, AT_FDCWD, "/dev/null", args, NULL, 0));
    T(syscall(SYS_execveat, AT_FDCWD, "/nonexistent", args, NULL, 0));
    T(syscall(SYS_execveat, AT_FDCWD, "/bin/true", args, NULL, 0x12345));
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    T(syscall(SYS_execveat, dir, "", args, NULL, AT_EMPTY_PATH));
    T(syscall(SYS_execveat, p[0], "", args, NULL, AT_EMPTY_PATH));
    T(syscall(SYS_execveat, p[0], "relative", args, NULL, 0));
    return finish();
}
