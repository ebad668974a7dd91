/* Closing a Unix stream or seqpacket socket that still has unread data (or unaccepted connections) gives its peer
 * ECONNRESET (unix_release_sock): data already queued for the peer is read first, then the error once, then end of
 * file; writes fail with EPIPE. Without unread data the peer just sees end of file. */
#include "check.h"
#include "sockets.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

static void run(int type, const char *label)
{
    printf("--- %s\n", label);
    char buf[16];
    int sv[2];
    socketpair(AF_UNIX, type, 0, sv);
    T(send(sv[1], "queued", 6, 0)); /* for sv[0], read after the reset */
    T(send(sv[0], "unread", 6, 0)); /* sv[1] never reads this */
    close(sv[1]);
    SHOW("poll %x", revents(sv[0]));
    T(recv(sv[0], buf, sizeof buf, 0));
    T(recv(sv[0], buf, sizeof buf, 0));
    T(recv(sv[0], buf, sizeof buf, 0));
    T(send(sv[0], "x", 1, 0));
    int err = -1;
    socklen_t len = sizeof err;
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len);
    SHOW("so_error %s poll %x", errname(err), revents(sv[0]));
    close(sv[0]);

    /* Nothing unread: a plain end of file. */
    socketpair(AF_UNIX, type, 0, sv);
    close(sv[1]);
    T(recv(sv[0], buf, sizeof buf, 0));
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len);
    SHOW("so_error %s poll %x", errname(err), revents(sv[0]));
    close(sv[0]);

    /* The error is reported by SO_ERROR as well, and only once. */
    socketpair(AF_UNIX, type, 0, sv);
    send(sv[0], "unread", 6, 0);
    close(sv[1]);
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len);
    SHOW("so_error first %s", errname(err));
    T(recv(sv[0], buf, sizeof buf, 0));
    close(sv[0]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    run(SOCK_STREAM, "stream");
    run(SOCK_SEQPACKET, "seqpacket");
    return finish();
}
