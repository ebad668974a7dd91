/* TCP reset on close (tcp(7), RFC 2525 section 2.17): closing a socket whose receive queue holds unread data sends a
 * RST instead of a FIN. The peer reads what it had already received, then ECONNRESET once, then end of file; its
 * writes fail with EPIPE. SO_LINGER with a zero timeout also aborts. Native-first. */
#include "check.h"
#include "sockets.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

/* A connected pair: *c the client, returned the accepted server side. */
static int pair(int l, struct sockaddr_in *a, int *c)
{
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*c, (struct sockaddr *)a, sizeof *a) < 0) printf("FAIL connect %s\n", errname(errno));
    return accept(l, NULL, NULL);
}

static void show_poll(const char *what, int fd)
{
    int ev = revents(fd);
    printf("%s poll:%s%s%s%s%s\n", what, ev & POLLIN ? " IN" : "", ev & POLLOUT ? " OUT" : "",
        ev & POLLERR ? " ERR" : "", ev & POLLHUP ? " HUP" : "", ev & POLLRDHUP ? " RDHUP" : "");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in a;
    int l = loopback_listener(&a), c, s;
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
    printf("SO_ERROR %s\n", errname(getint(c, SOL_SOCKET, SO_ERROR)));
    printf("SO_ERROR %s\n", errname(getint(c, SOL_SOCKET, SO_ERROR)));
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
    int l2 = loopback_listener(&a);
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
