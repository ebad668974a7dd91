/* AF_UNIX sockets (unix(7)): stream, seqpacket and datagram; path, abstract and autobind names; errno values;
 * poll readiness through a connection's life; options. Native-first: passes on Linux, then must match in the VM. */
#include "check.h"
#include "sockets.h"
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/un.h>

static socklen_t addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void show_name(const char *what, int fd, int peer)
{
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    memset(&a, 0x55, sizeof a);
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
    if (r < 0) { printf("%s: %s\n", what, errname(errno)); return; }
    if (len <= 2) printf("%s: len=%u unnamed\n", what, len);
    else if (a.sun_path[0] == 0) printf("%s: len=%u abstract\n", what, len);
    else printf("%s: len=%u path=%s\n", what, len, a.sun_path);
}

static void stream_tests(int type, const char *label)
{
    printf("--- %s\n", label);
    struct sockaddr_un a;
    socklen_t len = addr(&a, label);
    int srv = socket(AF_UNIX, type, 0);
    T(bind(srv, (struct sockaddr *)&a, len));
    show_stat(label, 0);
    T(bind(srv, (struct sockaddr *)&a, len));
    int other = socket(AF_UNIX, type, 0);
    T(bind(other, (struct sockaddr *)&a, len));
    T(connect(other, (struct sockaddr *)&a, len)); /* bound but not listening */
    T(listen(srv, 4));
    show_name("server name", srv, 0);
    show_name("server peer", srv, 1);
    SHOW("listening poll %x acceptconn %d", revents(srv), getint(srv, SOL_SOCKET, SO_ACCEPTCONN));
    int cli = socket(AF_UNIX, type, 0);
    SHOW("fresh poll %x", revents(cli));
    T(send(cli, "x", 1, MSG_NOSIGNAL));
    T(recv(cli, (char[4]){0}, 4, MSG_DONTWAIT));
    T(connect(cli, (struct sockaddr *)&a, len));
    T(connect(cli, (struct sockaddr *)&a, len));
    SHOW("listening poll after connect %x", revents(srv));
    struct sockaddr_un pa;
    socklen_t plen = sizeof pa;
    int conn = accept(srv, (struct sockaddr *)&pa, &plen);
    SHOW("accept -> %s peer len=%u", conn >= 0 ? "ok" : errname(errno), plen);
    show_name("client name", cli, 0);
    show_name("client peer", cli, 1);
    show_name("conn name", conn, 0);
    show_name("conn peer", conn, 1);
    struct ucred cr;
    socklen_t crl = sizeof cr;
    getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &crl);
    SHOW("peercred len=%u pid is me %d uid=%u", crl, cr.pid == getpid(), cr.uid);
    SHOW("connected poll %x", revents(conn));
    T(send(cli, "hello", 5, 0));
    T(send(cli, "world", 5, 0));
    int avail = -1;
    ioctl(conn, FIONREAD, &avail);
    SHOW("FIONREAD %d poll %x", avail, revents(conn));
    char buf[64] = {0};
    if (type == SOCK_SEQPACKET) {
        struct iovec iov = { buf, 3 };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
        long n = recvmsg(conn, &m, 0);
        SHOW("seqpacket recvmsg 3 -> %ld flags trunc=%d '%.3s'", n, !!(m.msg_flags & MSG_TRUNC), buf);
        n = recv(conn, buf, 2, MSG_TRUNC);
        SHOW("seqpacket recv MSG_TRUNC -> %ld", n);
    } else {
        long n = recv(conn, buf, 3, MSG_PEEK);
        SHOW("peek -> %ld '%.3s'", n, buf);
        n = recv(conn, buf, sizeof buf, 0);
        SHOW("stream recv -> %ld '%.*s'", n, (int)n, buf);
    }
    T(recv(conn, buf, sizeof buf, MSG_DONTWAIT));
    T(shutdown(cli, SHUT_WR));
    SHOW("after shutdown(WR) conn poll %x cli poll %x", revents(conn), revents(cli));
    T(recv(conn, buf, sizeof buf, 0));
    T(send(cli, "x", 1, MSG_NOSIGNAL));
    T(send(conn, "back", 4, 0));
    T(recv(cli, buf, sizeof buf, 0));
    T(shutdown(cli, 7));
    close(conn);
    SHOW("after peer close cli poll %x", revents(cli));
    T(recv(cli, buf, sizeof buf, 0));
    signal(SIGPIPE, SIG_IGN);
    T(write(cli, "x", 1));
    T(shutdown(srv, SHUT_RDWR));
    close(cli);
    close(srv);
    close(other);
    /* The file stays after close; connecting to it is refused; unlink frees the name. */
    int again = socket(AF_UNIX, type, 0);
    T(connect(again, (struct sockaddr *)&a, len));
    T(bind(again, (struct sockaddr *)&a, len));
    T(unlink(label));
    T(bind(again, (struct sockaddr *)&a, len));
    close(again);
    unlink(label);
}

static void datagram_tests(void)
{
    printf("--- dgram\n");
    struct sockaddr_un a, b;
    socklen_t alen = addr(&a, "dga"), blen = addr(&b, "dgb");
    int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0), z = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(x, (struct sockaddr *)&a, alen));
    T(bind(y, (struct sockaddr *)&b, blen));
    T(send(z, "x", 1, 0));
    T(sendto(z, "one", 3, 0, (struct sockaddr *)&a, alen));
    T(sendto(y, "two", 3, 0, (struct sockaddr *)&a, alen));
    SHOW("dgram poll %x", revents(x));
    char buf[64];
    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    long n = recvfrom(x, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    SHOW("recvfrom -> %ld from len=%u", n, flen);
    flen = sizeof from;
    n = recvfrom(x, buf, 2, 0, (struct sockaddr *)&from, &flen);
    SHOW("recvfrom 2 -> %ld from len=%u path=%s", n, flen, from.sun_path);
    T(recv(x, buf, sizeof buf, MSG_DONTWAIT));
    /* connect sets the default destination; a socket connected elsewhere refuses strangers. */
    T(connect(y, (struct sockaddr *)&a, alen));
    show_name("dgram peer", y, 1);
    T(send(y, "three", 5, 0));
    T(connect(x, (struct sockaddr *)&b, blen));
    T(sendto(z, "four", 4, 0, (struct sockaddr *)&a, alen));
    T(recv(x, buf, sizeof buf, 0));
    /* A receiver's queue holds a bounded number of messages from others. */
    struct sockaddr_un c;
    socklen_t clen = addr(&c, "dgc");
    int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    T(bind(r, (struct sockaddr *)&c, clen));
    int count = 0;
    while (count < 1000 && sendto(w, "m", 1, 0, (struct sockaddr *)&c, clen) == 1) count++;
    SHOW("queued before EAGAIN: %d (%s)", count, errname(errno));
    SHOW("sender poll %x", revents(w));
    SHOW("receiver poll %x", revents(r));
    close(x); close(y); close(z); close(w); close(r);
    unlink("dga"); unlink("dgb"); unlink("dgc");

    /* A connected pair keeps boundaries and has no message-count limit. */
    int sv[2];
    T(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    T(send(sv[0], "ab", 2, 0));
    T(send(sv[0], "cde", 3, 0));
    T(recv(sv[1], buf, sizeof buf, 0));
    T(recv(sv[1], buf, 1, 0));
    T(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    show_name("pair peer", sv[0], 1);
    close(sv[1]);
    T(send(sv[0], "x", 1, 0));
    close(sv[0]);
}

/* Raw epoll event masks of sockets through a connection's life, and edge-triggered re-arming by new data. */
static void show_epoll(int ep, const char *what)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    printf("%s:", what);
    for (int i = 0; i < n; i++) printf(" [%u] %x", ev[i].data.u32, ev[i].events);
    printf("\n");
}

static void epoll_tests(void)
{
    printf("--- epoll\n");
    int sv[2], dg[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    int lt = epoll_create1(0), et = epoll_create1(0);
    unsigned all = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI;
    epoll_ctl(lt, EPOLL_CTL_ADD, sv[0], &(struct epoll_event){ all, { .u32 = 0 } });
    epoll_ctl(lt, EPOLL_CTL_ADD, sv[1], &(struct epoll_event){ all, { .u32 = 1 } });
    epoll_ctl(lt, EPOLL_CTL_ADD, dg[1], &(struct epoll_event){ all, { .u32 = 2 } });
    epoll_ctl(et, EPOLL_CTL_ADD, sv[1], &(struct epoll_event){ EPOLLIN | EPOLLET, { .u32 = 1 } });
    show_epoll(lt, "idle");
    show_epoll(et, "et idle");
    write(sv[0], "a", 1);
    send(dg[0], "d", 1, 0);
    show_epoll(lt, "after writes");
    show_epoll(et, "et after write");
    show_epoll(et, "et again");
    write(sv[0], "b", 1);
    show_epoll(et, "et after more data");
    shutdown(sv[0], SHUT_WR);
    show_epoll(lt, "after shutdown");
    close(sv[0]);
    show_epoll(lt, "after close");
    close(sv[1]); close(dg[0]); close(dg[1]); close(lt); close(et);
}

int main(void)
{
    T(socket(AF_UNIX, SOCK_STREAM, 5));
    T(socket(AF_UNIX, 9, 0));
    T(socket(12345, SOCK_STREAM, 0));
    T(socket(AF_UNIX, SOCK_STREAM | 0x10000000, 0));
    T(socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0}));
    T(bind(0, NULL, 0));
    T(listen(99, 1));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct stat st;
    fstat(s, &st);
    SHOW("fstat socket: %s", kind(st.st_mode));
    SHOW("type %d domain %d protocol %d rcvbuf %d sndbuf %d error %d", getint(s, SOL_SOCKET, SO_TYPE), getint(s, SOL_SOCKET, SO_DOMAIN),
        getint(s, SOL_SOCKET, SO_PROTOCOL), getint(s, SOL_SOCKET, SO_RCVBUF), getint(s, SOL_SOCKET, SO_SNDBUF), getint(s, SOL_SOCKET, SO_ERROR));
    T(setsockopt(s, IPPROTO_TCP, 1, &(int){1}, 4));
    T(setsockopt(s, SOL_SOCKET, 9999, &(int){1}, 4));
    T(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &(int){7}, 4));
    SHOW("reuseaddr reads %d", getint(s, SOL_SOCKET, SO_REUSEADDR));
    T(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &(int){5000}, 4));
    SHOW("rcvbuf after set 5000: %d", getint(s, SOL_SOCKET, SO_RCVBUF));
    T(setsockopt(s, SOL_SOCKET, SO_TYPE, &(int){1}, 4));
    T(accept(s, NULL, NULL));
    T(read(s, (char[4]){0}, 4));
    T(write(open("/dev/null", O_WRONLY), "", 0));
    T(accept(1, NULL, NULL));
    show_name("unbound name", s, 0);
    show_name("unbound peer", s, 1);
    struct sockaddr_un bad = { .sun_family = AF_INET };
    T(bind(s, (struct sockaddr *)&bad, sizeof bad));
    struct sockaddr_un missing;
    socklen_t ml = addr(&missing, "no/such/dir/sock");
    T(bind(s, (struct sockaddr *)&missing, ml));
    ml = addr(&missing, "nosuch");
    T(connect(s, (struct sockaddr *)&missing, ml));
    write_file("plain", "x");
    ml = addr(&missing, "plain");
    T(connect(s, (struct sockaddr *)&missing, ml));
    T(bind(s, (struct sockaddr *)&missing, ml));
    /* Autobind: an address of just the family picks an abstract name. */
    T(bind(s, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX }, sizeof(sa_family_t)));
    show_name("autobound", s, 0);
    close(s);
    /* Abstract names leave no file and are unique. */
    struct sockaddr_un ab = { .sun_family = AF_UNIX };
    memcpy(ab.sun_path, "\0x86vm-test-abstract", 20);
    socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + 20;
    int p = socket(AF_UNIX, SOCK_STREAM, 0), q = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(p, (struct sockaddr *)&ab, ablen));
    T(bind(q, (struct sockaddr *)&ab, ablen));
    T(listen(p, 1));
    T(connect(q, (struct sockaddr *)&ab, ablen));
    show_name("abstract", p, 0);
    show_name("abstract peer", q, 1);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(connect(d, (struct sockaddr *)&ab, ablen));
    close(p); close(q); close(d);
    show_dir(".");

    stream_tests(SOCK_STREAM, "stream");
    stream_tests(SOCK_SEQPACKET, "seqpacket");
    datagram_tests();
    epoll_tests();
    unlink("plain");
    return finish();
}
