/* TCP reset on close (tcp(7), RFC 2525 section 2.17): closing a socket whose receive queue holds unread data sends a
 * RST instead of a FIN. The peer reads what it had already received, then ECONNRESET once, then end of file; its
 * writes fail with EPIPE. SO_LINGER with a zero timeout also aborts. Native-first. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

static int listener(struct sockaddr_in *a)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    *a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof *a;
    if (bind(l, (struct sockaddr *)a, sizeof *a) < 0 || listen(l, 4) < 0 || getsockname(l, (struct sockaddr *)a, &len) < 0) printf("FAIL listener\n");
    return l;
}

/* A connected pair: *c the client, returned the accepted server side. */
static int pair(int l, struct sockaddr_in *a, int *c)
{
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*c, (struct sockaddr *)a, sizeof *a) < 0) printf("FAIL connect %s\n", errname(errno));
    return accept(l, NULL, NULL);
}

static void show_poll(const char *what, int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    poll(&p, 1, 0);
    printf("%s poll:%s%s%s%s%s\n", what, p.revents & POLLIN ? " IN" : "", p.revents & POLLOUT ? " OUT" : "",
        p.revents & POLLERR ? " ERR" : "", p.revents & POLLHUP ? " HUP" : "", p.revents & POLLRDHUP ? " RDHUP" : "");
}

static int soerror(int fd)
{
    int v = -1;
    socklen_t n = sizeof v;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &n);
    return v;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in a;
    int l = listener(&a), c, s;
    char buf[64];

    printf("-- close with unread data: the peer reads its data, then ECONNRESET, then EOF\n");
    s = pair(l, &a, &c);
    T(write(c, "unread", 6));
    T(write(s, "pending", 7));
    usleep(20000);
    T(close(s));
    usleep(20000);
    show_poll("client", c);
    T(read(c, buf, 4));
    T(read(c, buf, sizeof buf));
    T(read(c, buf, sizeof buf));
    T(read(c, buf, sizeof buf));
    show_poll("client after", c);
    T(write(c, "x", 1));
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    T(getpeername(c, (struct sockaddr *)&peer, &plen));
    T(close(c));

    printf("-- write first: ECONNRESET, then EPIPE\n");
    s = pair(l, &a, &c);
    T(write(c, "unread", 6));
    usleep(20000);
    T(close(s));
    usleep(20000);
    T(send(c, "x", 1, MSG_NOSIGNAL));
    T(send(c, "x", 1, MSG_NOSIGNAL));
    T(read(c, buf, sizeof buf));
    T(close(c));

    printf("-- SO_ERROR reports and clears the reset\n");
    s = pair(l, &a, &c);
    T(write(c, "unread", 6));
    usleep(20000);
    T(close(s));
    usleep(20000);
    printf("SO_ERROR %s\n", errname(soerror(c)));
    printf("SO_ERROR %s\n", errname(soerror(c)));
    T(read(c, buf, sizeof buf));
    T(close(c));

    printf("-- everything read: a normal close (EOF, then EPIPE on the second write)\n");
    s = pair(l, &a, &c);
    T(write(c, "data", 4));
    usleep(20000);
    T(read(s, buf, sizeof buf));
    T(close(s));
    usleep(20000);
    T(read(c, buf, sizeof buf));
    T(send(c, "x", 1, MSG_NOSIGNAL));
    usleep(20000);
    T(send(c, "x", 1, MSG_NOSIGNAL));
    T(close(c));

    printf("-- after the peer's FIN (CLOSE_WAIT) a reset is EPIPE\n");
    s = pair(l, &a, &c);
    T(write(c, "unread", 6));
    T(shutdown(s, SHUT_WR));
    usleep(20000);
    T(read(c, buf, sizeof buf));
    T(close(s));
    usleep(20000);
    T(read(c, buf, sizeof buf));
    T(send(c, "x", 1, MSG_NOSIGNAL));
    T(close(c));

    printf("-- SO_LINGER with zero timeout aborts\n");
    s = pair(l, &a, &c);
    struct linger lg = { 1, 0 };
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    usleep(20000);
    T(close(s));
    usleep(20000);
    show_poll("client", c);
    T(read(c, buf, sizeof buf));
    T(read(c, buf, sizeof buf));
    T(close(c));

    printf("-- a connection closed unaccepted with data is reset\n");
    int l2 = listener(&a);
    c = socket(AF_INET, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr *)&a, sizeof a));
    T(write(c, "hello", 5));
    usleep(20000);
    T(close(l2));
    usleep(20000);
    T(read(c, buf, sizeof buf));
    T(read(c, buf, sizeof buf));
    T(close(c));
    T(close(l));
    return finish();
}
