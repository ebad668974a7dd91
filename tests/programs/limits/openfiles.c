/* Descriptors up to RLIMIT_NOFILE: every call that makes a descriptor fails with EMFILE at the soft limit, the last
 * descriptor is the limit minus one, and closing one makes room for exactly one. */
#include "../syscalls/check.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int last = -1, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0) last = fd;
    printf("open: %s\n", errname(errno));
    printf("last descriptor is the soft limit - 1: %s\n", (rlim_t)last == rl.rlim_cur - 1 ? "yes" : "no");
    int sv[2];
    T(dup(0));
    T(fcntl(0, F_DUPFD, 0));
    T(pipe(sv));
    T(socket(AF_UNIX, SOCK_STREAM, 0));
    T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T(eventfd(0, 0));
    T(epoll_create1(0));
    T(dup2(0, (int)rl.rlim_cur));
    close(last);
    TF(open("/dev/null", O_RDONLY));
    T(open("/dev/null", O_RDONLY));
    struct rlimit above = { rl.rlim_max + 1, rl.rlim_max };
    T(setrlimit(RLIMIT_NOFILE, &above));
    if (argc > 1 && !strcmp(argv[1], "ceiling")) {
        /* Root may raise the hard limit up to fs.nr_open; the VM's --max-open-files is that ceiling. */
        struct rlimit raise = { rl.rlim_max + 1, rl.rlim_max + 1 };
        T(setrlimit(RLIMIT_NOFILE, &raise));
    }
    return 0;
}
