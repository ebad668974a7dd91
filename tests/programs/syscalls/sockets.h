/* Helpers shared by the socket behaviour programs (on top of check.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

/* Readiness right now: poll(2) with POLLIN | POLLOUT | POLLRDHUP and no wait. */
static __attribute__((unused)) int revents(int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    poll(&p, 1, 0);
    return p.revents;
}

/* An int option's value, or -errno * 1000 when getsockopt fails. */
static __attribute__((unused)) int getint(int fd, int level, int name)
{
    int v = -12345;
    socklen_t n = sizeof v;
    if (getsockopt(fd, level, name, &v, &n) < 0) return -errno * 1000;
    return v;
}

/* A TCP listener on 127.0.0.1 with a kernel-chosen port; *a receives its address. */
static __attribute__((unused)) int loopback_listener(struct sockaddr_in *a)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    *a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof *a;
    if (bind(l, (struct sockaddr *)a, sizeof *a) < 0 || listen(l, 8) < 0 || getsockname(l, (struct sockaddr *)a, &len) < 0) printf("FAIL listener\n");
    return l;
}
