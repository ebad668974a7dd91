/* Robustness: thousands of socket, epoll and event calls with arguments drawn from good and bad values (invalid and
 * foreign descriptors, NULL, unmapped and kernel pointers, huge and negative lengths, random flags, garbage control
 * messages). Every created descriptor is non-blocking, so nothing may wait. The program must survive natively and in
 * the VM; it prints only how many calls it made. Deterministic: a fixed-seed generator drives it. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }
static uint64_t pick(const uint64_t *v, int n) { return v[next() % n]; }

static unsigned char *buf; /* a mapped page full of random bytes, sometimes a valid sockaddr/msghdr */
static int fds[16];
static int nfds;

static uint64_t fd_arg(void)
{
    static const uint64_t bad[] = { (uint64_t)-1, 999, 1u << 30, 0 };
    if (nfds > 0 && next() % 4 != 0) return (uint64_t)fds[next() % nfds];
    return pick(bad, 4);
}

static uint64_t ptr_arg(void)
{
    static const uint64_t bad[] = { 0, 0x1000, 0xffff800000000000ull, 0x7ffffffff000ull, (uint64_t)-1 };
    uint64_t r = next() % 8;
    if (r < 5) return (uint64_t)(uintptr_t)(buf + (next() % 3000));
    return pick(bad, 5);
}

static uint64_t len_arg(void)
{
    static const uint64_t v[] = { 0, 1, 2, 8, 16, 28, 56, 110, 111, 128, 4096, 1 << 20, (uint64_t)-1, 0x7fffffff };
    return pick(v, 14);
}

static uint64_t int_arg(void) { return next() % 4 ? next() % 64 : next(); }

/* Fill the buffer with a plausible structure now and then: a sockaddr or a msghdr pointing into the buffer. */
static void shape_buffer(void)
{
    for (int i = 0; i < 4096; i += 8) { uint64_t r = next(); memcpy(buf + i, &r, 8); }
    switch (next() % 4) {
    case 0: buf[0] = next() % 2 ? 1 : 2; buf[1] = 0; break; /* AF_UNIX / AF_INET family at the start */
    case 1: {
        struct iovec *iov = (struct iovec *)(buf + 512);
        iov->iov_base = buf + 1024;
        iov->iov_len = next() % 2048;
        struct msghdr *m = (struct msghdr *)buf;
        m->msg_name = next() % 2 ? buf + 2048 : NULL;
        m->msg_namelen = next() % 200;
        m->msg_iov = iov;
        m->msg_iovlen = next() % 3;
        m->msg_control = next() % 2 ? buf + 3072 : NULL;
        m->msg_controllen = next() % 300;
        struct cmsghdr *c = (struct cmsghdr *)(buf + 3072);
        c->cmsg_len = next() % 64;
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = next() % 3;
        break;
    }
    default: break;
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* A page that is mapped but not writable: reads work, writes must fail with EFAULT. */
    long calls = 0;
    for (int round = 0; round < 6000; round++) {
        if (nfds < 12 && next() % 5 == 0) {
            static const int domains[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, 12345 };
            static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, 9 };
            int fd;
            switch (next() % 4) {
            case 0: fd = socket(domains[next() % 5], types[next() % 5] | SOCK_NONBLOCK | SOCK_CLOEXEC, next() % 3 ? 0 : (int)(next() % 20)); break;
            case 1: { int sv[2]; fd = socketpair(AF_UNIX, types[next() % 3] | SOCK_NONBLOCK, 0, sv) == 0 ? sv[0] : -1; if (fd >= 0 && nfds < 11) fds[nfds++] = sv[1]; else if (fd >= 0) close(sv[1]); break; }
            case 2: fd = epoll_create1(0); break;
            default: fd = eventfd(next() % 10, EFD_NONBLOCK); break;
            }
            if (fd >= 0) fds[nfds++] = fd;
        }
        if (nfds > 8 && next() % 7 == 0) { int i = next() % nfds; close(fds[i]); fds[i] = fds[--nfds]; }
        shape_buffer();
        static const long nrs[] = { SYS_bind, SYS_connect, SYS_listen, SYS_accept4, SYS_sendto, SYS_recvfrom, SYS_sendmsg,
            SYS_recvmsg, SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_setsockopt, SYS_getsockopt, SYS_sendmmsg,
            SYS_recvmmsg, SYS_epoll_ctl, SYS_epoll_wait, SYS_read, SYS_write, SYS_ioctl, SYS_fcntl };
        long nr = nrs[next() % (sizeof nrs / sizeof *nrs)];
        uint64_t a[6] = { fd_arg(), ptr_arg(), len_arg(), int_arg(), ptr_arg(), len_arg() };
        switch (nr) {
        case SYS_sendto: case SYS_recvfrom: a[3] |= MSG_DONTWAIT; a[3] &= ~(uint64_t)MSG_WAITALL; break;
        case SYS_sendmsg: case SYS_recvmsg: a[2] = (a[2] | MSG_DONTWAIT) & ~(uint64_t)MSG_WAITALL; a[1] = (uint64_t)(uintptr_t)buf; break;
        case SYS_sendmmsg: case SYS_recvmmsg: a[3] = (a[3] | MSG_DONTWAIT) & ~(uint64_t)MSG_WAITALL; a[4] = 0; break;
        case SYS_epoll_wait: a[3] = 0; break;                       /* never wait */
        case SYS_accept4: a[3] &= SOCK_NONBLOCK | SOCK_CLOEXEC; break;
        case SYS_fcntl: a[1] = next() % 2 ? 3 /* F_GETFL */ : 4 /* F_SETFL */; a[2] |= 04000; break; /* keep O_NONBLOCK */
        case SYS_ioctl: a[1] = next() % 2 ? 0x541B /* FIONREAD */ : 0x8912 + next() % 0x40; break; /* interface ioctls */
        case SYS_read: case SYS_write: if (a[0] <= 2) a[0] = 999; break; /* leave the standard streams alone */
        }
        if (nr != SYS_read && nr != SYS_write && a[0] <= 2) a[0] = 999;
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        calls++;
        /* Received descriptors pile up: close everything above what we track. */
        if (round % 200 == 199)
            for (int fd = 3; fd < 1024; fd++) {
                int tracked = 0;
                for (int i = 0; i < nfds; i++) tracked |= fds[i] == fd;
                if (!tracked) close(fd);
            }
    }
    printf("survived %ld calls\n", calls);
    return 0;
}
