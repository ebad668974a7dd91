/* Passing descriptors and credentials over AF_UNIX sockets (unix(7) SCM_RIGHTS, SCM_CREDENTIALS; cmsg(3)),
 * within a process and to a forked child; truncated control buffers; blocking accept/recv across processes. */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static long send_fds(int sock, const int *fds, int count, const char *data)
{
    char control[CMSG_SPACE(sizeof(int) * 8)];
    memset(control, 0, sizeof control);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = CMSG_SPACE(sizeof(int) * count) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
    return sendmsg(sock, &m, 0);
}

/* Receives into a control buffer of `room` bytes; returns the descriptors received (-1 when none). */
static int recv_fds(int sock, size_t room, int *out, int max, int flags)
{
    char data[64] = {0}, control[256];
    struct iovec iov = { data, sizeof data - 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = room ? control : NULL, .msg_controllen = room };
    long n = recvmsg(sock, &m, flags);
    if (n < 0) { printf("recvmsg: %s\n", errname(errno)); return 0; }
    int count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (int i = 0; i < k && count < max; i++) memcpy(&out[count++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            printf("  credentials: pid is sender %d uid=%u gid=%u len=%zu\n", u.pid == getpid() || u.pid == getppid(), u.uid, u.gid, (size_t)c->cmsg_len);
        }
    }
    printf("  recvmsg -> %ld '%s' fds=%d ctrunc=%d controllen=%zu\n", n, data, count, !!(m.msg_flags & MSG_CTRUNC), (size_t)m.msg_controllen);
    return count;
}

int main(void)
{
    int sv[2];
    T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    write_file("file", "contents of the file");
    int f = open("file", O_RDONLY);
    int p[2];
    T(pipe(p));
    T(write(p[1], "through the pipe", 16));

    printf("pass two descriptors\n");
    int fds[2] = { f, p[0] };
    T(send_fds(sv[0], fds, 2, "two"));
    int got[8];
    int n = recv_fds(sv[1], 256, got, 8, 0);
    if (n == 2) {
        char buf[64] = {0};
        /* The received descriptor shares the open file description, so the offset moves for both. */
        T(read(got[0], buf, 8));
        T(lseek(f, 0, SEEK_CUR));
        memset(buf, 0, sizeof buf);
        T(read(got[1], buf, sizeof buf - 1));
        SHOW("  pipe data '%s'", buf);
        SHOW("  cloexec %d", fcntl(got[0], F_GETFD));
        close(got[0]); close(got[1]);
    }

    printf("control buffer too small\n");
    T(send_fds(sv[0], fds, 2, "trunc"));
    n = recv_fds(sv[1], CMSG_SPACE(sizeof(int)), got, 8, 0);
    for (int i = 0; i < n; i++) close(got[i]);
    printf("no control buffer\n");
    T(send_fds(sv[0], fds, 1, "none"));
    recv_fds(sv[1], 0, got, 8, 0);

    printf("MSG_CMSG_CLOEXEC\n");
    T(send_fds(sv[0], fds, 1, "cx"));
    n = recv_fds(sv[1], 256, got, 8, MSG_CMSG_CLOEXEC);
    if (n == 1) { SHOW("  cloexec %d", fcntl(got[0], F_GETFD)); close(got[0]); }

    printf("bad descriptor\n");
    int bad[1] = { 999 };
    T(send_fds(sv[0], bad, 1, "bad"));

    printf("a read that takes descriptors ends with their message\n");
    T(send(sv[0], "plain", 5, 0));
    T(send_fds(sv[0], fds, 1, "withfd"));
    T(send_fds(sv[0], fds, 1, "again"));
    T(send(sv[0], "tail", 4, 0));
    for (int k = 0; k < 3; k++) {
        n = recv_fds(sv[1], 256, got, 8, 0);
        for (int i = 0; i < n; i++) close(got[i]);
    }

    printf("credentials\n");
    T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &(int){1}, 4));
    T(send(sv[0], "cred", 4, 0));
    recv_fds(sv[1], 256, got, 8, 0);

    printf("to a child process\n");
    int dg[2];
    T(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
    pid_t child = fork();
    if (child == 0) {
        close(dg[0]);
        int mine[8];
        int k = recv_fds(dg[1], 256, mine, 8, 0);
        char buf[64] = {0};
        if (k == 1) {
            long r = read(mine[0], buf, sizeof buf - 1);
            printf("  child read %ld '%s'\n", r, buf);
            write(mine[0], "", 0);
        }
        /* Send one back: the child's own pipe. */
        int q[2];
        pipe(q);
        write(q[1], "from the child", 14);
        send_fds(dg[1], &q[0], 1, "reply");
        _exit(k == 1 ? 0 : 1);
    }
    close(dg[1]);
    int p2[2];
    pipe(p2);
    write(p2[1], "parent pipe", 11);
    close(p2[1]);
    T(send_fds(dg[0], &p2[0], 1, "to child"));
    close(p2[0]);
    n = recv_fds(dg[0], 256, got, 8, 0);
    if (n == 1) {
        char buf[64] = {0};
        T(read(got[0], buf, sizeof buf - 1));
        SHOW("  parent read '%s'", buf);
    }
    int status;
    waitpid(child, &status, 0);
    SHOW("child exit %d", WEXITSTATUS(status));

    printf("blocking accept and recv across processes\n");
    struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "srv" };
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(l, (struct sockaddr *)&a, sizeof a));
    T(listen(l, 1));
    child = fork();
    if (child == 0) {
        usleep(10000);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) _exit(2);
        char big[100000];
        memset(big, 'z', sizeof big);
        long total = 0;
        while (total < 1000000) { long w = write(c, big, sizeof big); if (w <= 0) _exit(3); total += w; }
        _exit(0);
    }
    int conn = accept(l, NULL, NULL);
    long total = 0, r;
    char buf[4096];
    while ((r = read(conn, buf, sizeof buf)) > 0) total += r;
    waitpid(child, &status, 0);
    SHOW("  received %ld bytes, child exit %d", total, WEXITSTATUS(status));
    unlink("srv");
    unlink("file");
    return finish();
}
