/* TCP and UDP over loopback (tcp(7), udp(7), ip(7), ipv6(7)): addresses, ports, errno values, readiness, options,
 * a bulk transfer with non-blocking I/O. Ports are chosen by the kernel and never printed. Native-first. */
#include "check.h"
#include "sockets.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in v4(const char *ip, int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    return ntohs(a.ss_family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port : ((struct sockaddr_in6 *)&a)->sin6_port);
}

/* An address without its port: "127.0.0.1 len=16 port=set". */
static void show(const char *what, int fd, int peer)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
    if (r < 0) { printf("%s: %s\n", what, errname(errno)); return; }
    char text[64];
    int port;
    if (a.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, text, sizeof text);
        port = ntohs(((struct sockaddr_in *)&a)->sin_port);
    } else {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, text, sizeof text);
        port = ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
    }
    printf("%s: family=%d %s len=%u port=%s\n", what, a.ss_family, text, len, port ? "set" : "0");
}

static void tcp_basics(void)
{
    printf("--- tcp\n");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("type %d domain %d protocol %d rcvbuf %d sndbuf %d nodelay %d", getint(s, SOL_SOCKET, SO_TYPE), getint(s, SOL_SOCKET, SO_DOMAIN),
        getint(s, SOL_SOCKET, SO_PROTOCOL), getint(s, SOL_SOCKET, SO_RCVBUF), getint(s, SOL_SOCKET, SO_SNDBUF), getint(s, IPPROTO_TCP, TCP_NODELAY));
    T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &(int){5}, 4));
    T(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, 4));
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &(int){1}, 4));
    T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &(int){10000}, 4));
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 0, 2000000 }, sizeof(struct timeval)));
    T(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &(int){1}, 2));
    SHOW("nodelay %d keepalive %d sndbuf %d", getint(s, IPPROTO_TCP, TCP_NODELAY), getint(s, SOL_SOCKET, SO_KEEPALIVE), getint(s, SOL_SOCKET, SO_SNDBUF));
    show("unbound", s, 0);
    show("unbound peer", s, 1);
    SHOW("fresh poll %x", revents(s));
    T(send(s, "x", 1, MSG_NOSIGNAL));
    T(recv(s, (char[4]){0}, 4, 0));
    T(accept(s, NULL, NULL));
    struct sockaddr_in a = v4("203.0.113.7", 0);
    T(bind(s, (struct sockaddr *)&a, sizeof a));
    a = v4("127.0.0.1", 0);
    T(bind(s, (struct sockaddr *)&a, 8));
    struct sockaddr_in6 wrong = { .sin6_family = AF_INET6 };
    T(bind(s, (struct sockaddr *)&wrong, sizeof wrong));
    T(bind(s, (struct sockaddr *)&a, sizeof a));
    T(bind(s, (struct sockaddr *)&a, sizeof a));
    show("bound", s, 0);
    /* The port is taken while bound, even before listen. */
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in same = v4("127.0.0.1", port_of(s));
    T(bind(t, (struct sockaddr *)&same, sizeof same));
    same.sin_addr.s_addr = htonl(INADDR_ANY);
    T(bind(t, (struct sockaddr *)&same, sizeof same));
    /* Nobody listens there yet. */
    T(connect(t, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port_of(s)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof a));
    int nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in to = v4("127.0.0.1", port_of(s));
    T(connect(nb, (struct sockaddr *)&to, sizeof to));
    struct pollfd pf = { nb, POLLOUT, 0 };
    poll(&pf, 1, 5000);
    SHOW("refused poll %x so_error %s then %d", pf.revents, errname(getint(nb, SOL_SOCKET, SO_ERROR)), getint(nb, SOL_SOCKET, SO_ERROR));
    close(nb);
    T(listen(s, 5));
    SHOW("listening poll %x acceptconn %d", revents(s), getint(s, SOL_SOCKET, SO_ACCEPTCONN));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr *)&to, sizeof to));
    T(connect(c, (struct sockaddr *)&to, sizeof to));
    pf = (struct pollfd){ s, POLLIN, 0 };
    poll(&pf, 1, 5000);
    SHOW("listening poll after connect %x", pf.revents);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    int conn = accept(s, (struct sockaddr *)&from, &flen);
    SHOW("accept -> %s len=%u port matches %d", conn >= 0 ? "ok" : errname(errno), flen, ntohs(from.sin_port) == port_of(c));
    show("client name", c, 0);
    show("client peer", c, 1);
    show("conn name", conn, 0);
    show("conn peer", conn, 1);
    SHOW("accepted inherits keepalive %d nodelay %d", getint(conn, SOL_SOCKET, SO_KEEPALIVE), getint(conn, IPPROTO_TCP, TCP_NODELAY));
    SHOW("connected poll %x", revents(c));
    T(send(c, "ping", 4, 0));
    pf = (struct pollfd){ conn, POLLIN, 0 };
    poll(&pf, 1, 5000);
    char buf[64];
    T(recv(conn, buf, sizeof buf, 0));
    T(recv(conn, buf, sizeof buf, MSG_DONTWAIT));
    T(shutdown(c, SHUT_WR));
    pf = (struct pollfd){ conn, POLLIN | POLLRDHUP, 0 };
    poll(&pf, 1, 5000);
    SHOW("after peer shutdown(WR) poll %x", pf.revents);
    T(recv(conn, buf, sizeof buf, 0));
    T(send(conn, "pong", 4, 0));
    pf = (struct pollfd){ c, POLLIN, 0 };
    poll(&pf, 1, 5000);
    T(recv(c, buf, sizeof buf, 0));
    close(conn);
    pf = (struct pollfd){ c, POLLIN | POLLRDHUP, 0 };
    poll(&pf, 1, 5000);
    T(recv(c, buf, sizeof buf, 0));
    close(c);
    close(t);
    /* After close the port is free again for a listener with SO_REUSEADDR. */
    int again = socket(AF_INET, SOCK_STREAM, 0);
    T(setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &(int){1}, 4));
    struct sockaddr_in sa = v4("127.0.0.1", port_of(s));
    close(s);
    T(bind(again, (struct sockaddr *)&sa, sizeof sa));
    close(again);
}

/* The peer closed: the first write still "succeeds" (answered by a reset), the next one fails with EPIPE. */
static void tcp_reset(void)
{
    printf("--- tcp peer closed\n");
    struct sockaddr_in a;
    int l = loopback_listener(&a);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr *)&a, sizeof a));
    int conn = accept(l, NULL, NULL);
    close(conn);
    struct pollfd pf = { c, POLLIN | POLLRDHUP, 0 };
    poll(&pf, 1, 5000);
    SHOW("after peer close poll %x", pf.revents);
    T(send(c, "x", 1, MSG_NOSIGNAL));
    usleep(20000);
    T(send(c, "x", 1, MSG_NOSIGNAL));
    close(c);
    close(l);
}

/* A few megabytes through non-blocking sockets with poll, checked by a running sum. */
static void tcp_bulk(void)
{
    printf("--- tcp bulk\n");
    struct sockaddr_in a;
    int l = loopback_listener(&a);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int conn = accept(l, NULL, NULL);
    fcntl(conn, F_SETFL, O_NONBLOCK);
    const long total = 3 << 20;
    long sent = 0, received = 0;
    unsigned long sum_out = 0, sum_in = 0;
    static unsigned char out[65536], in[65536];
    for (int i = 0; i < (int)sizeof out; i++) out[i] = (unsigned char)(i * 7 + 3);
    int eagain = 0;
    while (received < total) {
        struct pollfd p[2] = { { c, sent < total ? POLLOUT : 0, 0 }, { conn, POLLIN, 0 } };
        poll(p, 2, 5000);
        if (p[0].revents & POLLOUT) {
            long chunk = total - sent < (long)sizeof out ? total - sent : (long)sizeof out;
            long n = send(c, out, chunk, 0);
            if (n > 0) { for (long i = 0; i < n; i++) sum_out += out[i] * (unsigned long)(sent + i + 1); sent += n; }
            else if (errno == EAGAIN) eagain++;
        }
        if (p[1].revents & POLLIN) {
            long n = recv(conn, in, sizeof in, 0);
            if (n > 0) { for (long i = 0; i < n; i++) sum_in += in[i] * (unsigned long)(received + i + 1); received += n; }
        }
    }
    SHOW("bulk sent %ld received %ld sums equal %d", sent, received, sum_in == sum_out);
    close(c);
    char b;
    SHOW("eof after close: %ld", (long)(poll(&(struct pollfd){ conn, POLLIN, 0 }, 1, 5000), recv(conn, &b, 1, 0)));
    close(conn);
    close(l);
}

static void udp(void)
{
    printf("--- udp\n");
    int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp rcvbuf %d protocol %d", getint(u, SOL_SOCKET, SO_RCVBUF), getint(u, SOL_SOCKET, SO_PROTOCOL));
    T(setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &(int){1}, 4));
    struct sockaddr_in a = v4("127.0.0.1", 0);
    T(bind(u, (struct sockaddr *)&a, sizeof a));
    a.sin_port = htons(port_of(u));
    T(send(v, "x", 1, 0));
    T(listen(u, 1));
    T(accept(u, NULL, NULL));
    T(sendto(v, "first", 5, 0, (struct sockaddr *)&a, sizeof a));
    show("autobound sender", v, 0);
    T(sendto(v, "second!", 7, 0, (struct sockaddr *)&a, sizeof a));
    struct pollfd pf = { u, POLLIN, 0 };
    poll(&pf, 1, 5000);
    int avail = -1;
    ioctl(u, FIONREAD, &avail);
    SHOW("udp poll %x FIONREAD %d", revents(u), avail);
    char buf[64];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    long n = recvfrom(u, buf, 3, 0, (struct sockaddr *)&from, &flen);
    SHOW("recvfrom 3 -> %ld '%.3s' len=%u from sender %d", n, buf, flen, ntohs(from.sin_port) == port_of(v));
    poll(&pf, 1, 5000);
    struct iovec iov = { buf, 4 };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
    n = recvmsg(u, &m, MSG_TRUNC);
    SHOW("recvmsg MSG_TRUNC -> %ld flags trunc=%d namelen=%u", n, !!(m.msg_flags & MSG_TRUNC), m.msg_namelen);
    T(recv(u, buf, sizeof buf, MSG_DONTWAIT));
    /* connect fixes the destination; sending to a port nobody has is not an error for an unconnected socket. */
    T(connect(v, (struct sockaddr *)&a, sizeof a));
    show("connected sender", v, 0);
    show("connected peer", v, 1);
    T(send(v, "third", 5, 0));
    poll(&pf, 1, 5000);
    T(recv(u, buf, sizeof buf, 0));
    T(connect(v, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNSPEC }, sizeof(struct sockaddr)));
    show("disconnected peer", v, 1);
    int w = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in nobody = v4("127.0.0.1", port_of(w) ? port_of(w) : 9);
    T(sendto(w, "lost", 4, 0, (struct sockaddr *)&nobody, sizeof nobody));
    static char big[70000];
    T(sendto(w, big, sizeof big, 0, (struct sockaddr *)&a, sizeof a));
    close(u); close(v); close(w);
}

static void ipv6(void)
{
    printf("--- ipv6\n");
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("v6only default %d", getint(l, IPPROTO_IPV6, IPV6_V6ONLY));
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
    T(bind(l, (struct sockaddr *)&a, sizeof a));
    T(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, 4));
    T(listen(l, 4));
    show("v6 listener", l, 0);
    /* A dual-stack listener takes IPv4 clients, which it sees as v4-mapped addresses. */
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to4 = v4("127.0.0.1", port_of(l));
    T(connect(c4, (struct sockaddr *)&to4, sizeof to4));
    int conn = accept(l, NULL, NULL);
    show("v4 client peer", c4, 1);
    show("accepted name", conn, 0);
    show("accepted peer", conn, 1);
    close(conn);
    int c6 = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT, .sin6_port = htons(port_of(l)) };
    T(connect(c6, (struct sockaddr *)&to6, sizeof to6));
    conn = accept(l, NULL, NULL);
    show("v6 client name", c6, 0);
    show("v6 accepted peer", conn, 1);
    T(send(c6, "six", 3, 0));
    char buf[8];
    struct pollfd pf = { conn, POLLIN, 0 };
    poll(&pf, 1, 5000);
    T(recv(conn, buf, sizeof buf, 0));
    /* IPv4 and IPv6 share the port space: a dual-stack wildcard takes the IPv4 port too. */
    int v4same = socket(AF_INET, SOCK_STREAM, 0);
    T(bind(v4same, (struct sockaddr *)&to4, sizeof to4));
    close(conn); close(c4); close(c6); close(l); close(v4same);
    int only = socket(AF_INET6, SOCK_STREAM, 0);
    T(setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, 4));
    T(bind(only, (struct sockaddr *)&(struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT }, sizeof a));
    T(setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, &(int){0}, 4));
    listen(only, 1);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    to4.sin_port = htons(port_of(only));
    T(connect(c, (struct sockaddr *)&to4, sizeof to4));
    close(c); close(only);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    T(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    T(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    T(socket(AF_INET6, SOCK_SEQPACKET, 0));
    tcp_basics();
    tcp_reset();
    tcp_bulk();
    udp();
    ipv6();
    return finish();
}
