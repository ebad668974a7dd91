/* A TCP echo server and its client in one program: the server (parent) serves with edge-triggered epoll and
 * non-blocking sockets over loopback; the client (a forked child) streams a few megabytes through it and checks
 * what comes back. Prints only transfer sizes and checksums, so native and VM output must match exactly. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (1 << 20)
#define CLIENTS 3

static unsigned long checksum(const unsigned char *p, long n, unsigned long sum, long at)
{
    for (long i = 0; i < n; i++) sum = sum * 31 + p[i] + (unsigned long)(at + i);
    return sum;
}

static int client(struct sockaddr_in addr, int id)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    static unsigned char out[TOTAL], in[65536];
    for (long i = 0; i < TOTAL; i++) out[i] = (unsigned char)(i * 131 + id * 17 + (i >> 12));
    long sent = 0, received = 0;
    unsigned long expect = checksum(out, TOTAL, 0, 0), got = 0;
    /* Alternate sending a chunk and draining what is echoed, so neither side's buffers fill up. */
    while (received < TOTAL) {
        if (sent < TOTAL) {
            long chunk = TOTAL - sent < 100000 ? TOTAL - sent : 100000;
            long n = write(s, out + sent, chunk);
            if (n <= 0) { perror("write"); return 1; }
            sent += n;
            if (sent == TOTAL) shutdown(s, SHUT_WR);
        }
        while (received < sent) {
            long n = read(s, in, sizeof in);
            if (n <= 0) { fprintf(stderr, "read %ld: %s\n", n, strerror(errno)); return 1; }
            got = checksum(in, n, got, received);
            received += n;
            if (received >= sent - 200000 && sent < TOTAL) break;
        }
    }
    char eof;
    long last = read(s, &eof, 1);
    close(s);
    return got == expect && last == 0 ? 0 : 2;
}

struct conn { int fd; unsigned char buf[1 << 16]; long have, total; int eof; };

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (bind(l, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(l, 16) < 0) { perror("listen"); return 1; }
    getsockname(l, (struct sockaddr *)&addr, &len);
    pid_t kids[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        kids[i] = fork();
        if (kids[i] == 0) _exit(client(addr, i));
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &(struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL });
    int open_conns = 0, served = 0;
    long echoed = 0, wakeups = 0;
    while (served < CLIENTS) {
        struct epoll_event ev[8];
        int n = epoll_wait(ep, ev, 8, 10000);
        if (n <= 0) { fprintf(stderr, "epoll_wait %d\n", n); return 1; }
        wakeups++;
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &(struct epoll_event){ .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c });
                    open_conns++;
                }
                continue;
            }
            /* Edge-triggered: move data until EAGAIN on both directions. */
            for (;;) {
                int progress = 0;
                if (c->have > 0) {
                    long w = write(c->fd, c->buf, c->have);
                    if (w > 0) { memmove(c->buf, c->buf + w, c->have - w); c->have -= w; echoed += w; progress = 1; }
                }
                if (!c->eof && c->have < (long)sizeof c->buf) {
                    long r = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
                    if (r > 0) { c->have += r; c->total += r; progress = 1; }
                    else if (r == 0) c->eof = 1;
                }
                if (c->eof && c->have == 0) {
                    close(c->fd);
                    free(c);
                    open_conns--;
                    served++;
                    break;
                }
                if (!progress) break;
            }
        }
    }
    int failures = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int status;
        waitpid(kids[i], &status, 0);
        printf("client %d: exit %d\n", i, WEXITSTATUS(status));
        failures += WEXITSTATUS(status) != 0;
    }
    printf("served %d connections, echoed %ld bytes, open %d, woke up %s\n", served, echoed, open_conns, wakeups > 0 ? "yes" : "no");
    return failures;
}
