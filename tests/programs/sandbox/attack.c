/* Sandbox attacks: each argument is one attack; each prints one line "NAME: result" (errno names, or what was read).
 * The tests (tests/X86Vm.Tests/Security) run it in the VM and check that no host file, secret or resource is
 * reached. Attacks:
 *   race:PATH:N        open and read PATH N times (a host thread swaps a symlink on the way); counts each outcome
 *   fdlinks            readlink every /proc/self/fd entry; open /proc/self/fd/N for N not open
 *   proc:PID           /proc/PID/{cmdline,root,fd} of a pid that is not the guest's (the host's own)
 *   magic:DIR          open DIR, then climb ".." through /proc/self/fd/N 20 times; print where it ends
 *   handle:PATH        name_to_handle_at(PATH), open_by_handle_at with that handle and with forged ones
 *   mount:DIR          mount tmpfs/bind/proc, umount /proc, pivot_root, chroot-and-climb from DIR
 *   scm                SCM_RIGHTS of descriptors the guest does not have; of one it has (must work)
 *   mknod:DIR          block and char devices in DIR: mknod, then open and read
 *   ptrace:PID         ptrace attach/seize PID (the host), ptrace of a forked child, TRACEME
 *   mem:PID            /proc/self/mem of a guest variable and of far addresses; process_vm_readv of PID and of self
 *   net:PORT           TCP connect to 127.0.0.1:PORT (a host listener), then listen on PORT
 *   rofile:PATH        every way to write PATH (a file on a read-only or copy-on-write mount)
 *   ln:A=B             hard link A as B (across mounts: EXDEV)
 *   hold:PATH          open PATH, create PATH.ready, sleep 5 s holding it (the other VM of a two-VM test)
 *   scanfd:MAXPID      read /proc/PID/fd/N for every PID up to MAXPID but our own and N < 8; print what opens
 */
#include "../syscalls/check.h"
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static char buf[8192];

/* The first line of fd's content, or the errno name. */
static const char *first_line(int fd)
{
    long n = read(fd, buf, sizeof buf - 1);
    if (n < 0) return errname(errno);
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    return buf;
}

static const char *cat(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return errname(errno);
    const char *r = first_line(fd);
    close(fd);
    return r;
}

static const char *res(long r) { return r < 0 ? errname(errno) : "ok"; }

static void race(char *arg)
{
    char *colon = strrchr(arg, ':');
    int n = colon ? atoi(colon + 1) : 1000;
    if (colon) *colon = 0;
    int inside = 0, other = 0;
    char others[256] = "";
    for (int i = 0; i < n; i++) {
        const char *r = cat(arg);
        if (strcmp(r, "inside") == 0) inside++;
        else if (strstr(others, r) == NULL && strlen(others) + strlen(r) + 2 < sizeof others) {
            strcat(others, " ");
            strcat(others, r);
            other++;
        } else other++;
    }
    printf("race %s: inside %s; others:%s\n", arg, inside > 0 ? "seen" : "never", others);
}

static void fdlinks(void)
{
    DIR *d = opendir("/proc/self/fd");
    printf("fdlinks:");
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        long n = readlink(path, buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        printf(" %s=%s", e->d_name, n < 0 ? errname(errno) : buf);
    }
    if (d) closedir(d);
    printf("\n");
    for (int fd = 3; fd < 64; fd++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        const char *r = cat(path);
        if (strcmp(r, "ENOENT") != 0) printf("fd %d: %s\n", fd, r);
    }
    printf("fdlinks end\n");
}

static void proc(const char *pid)
{
    char path[128];
    const char *parts[] = {"cmdline", "root/etc/passwd", "fd/0", "environ", "exe", "maps"};
    printf("proc %s:", pid);
    for (unsigned i = 0; i < sizeof parts / sizeof *parts; i++) {
        snprintf(path, sizeof path, "/proc/%s/%s", pid, parts[i]);
        printf(" %s=%s", parts[i], cat(path));
    }
    printf("\n");
}

static void magic(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 20 && fd >= 0; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d/..", fd);
        int up = open(path, O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = up;
    }
    if (fd < 0) { printf("magic %s: %s\n", dir, errname(errno)); return; }
    fchdir(fd);
    char cwd[4096];
    printf("magic %s: cwd %s, etc/passwd %s\n", dir, getcwd(cwd, sizeof cwd) ? cwd : "?", cat("etc/passwd"));
}

static void handle(const char *path)
{
    struct { struct file_handle h; unsigned char bytes[128]; } fh;
    fh.h.handle_bytes = 128;
    int mount_id = 0;
    errno = 0;
    long r = syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh.h, &mount_id, 0);
    printf("handle %s: name_to_handle_at %s", path, res(r));
    if (r == 0) {
        int fd = syscall(SYS_open_by_handle_at, AT_FDCWD, &fh.h, O_RDONLY);
        printf(", open_by_handle_at %s", fd < 0 ? errname(errno) : first_line(fd));
    }
    /* Forged handles: ext4/xfs style inode numbers 2 (a root directory) and 12..16. */
    for (unsigned ino = 2; ino < 17; ino += 14) {
        fh.h.handle_bytes = 8;
        fh.h.handle_type = 1;
        memset(fh.h.f_handle, 0, 8);
        memcpy(fh.h.f_handle, &ino, 4);
        int fd = syscall(SYS_open_by_handle_at, AT_FDCWD, &fh.h, O_RDONLY);
        printf(", forged %u %s", ino, fd < 0 ? errname(errno) : first_line(fd));
    }
    printf("\n");
}

static void mounts(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/m", dir);
    mkdir(path, 0755);
    printf("mount tmpfs: %s\n", res(mount("none", path, "tmpfs", 0, NULL)));
    printf("mount bind /: %s\n", res(mount("/", path, NULL, MS_BIND | MS_REC, NULL)));
    printf("mount proc: %s\n", res(mount("proc", path, "proc", 0, NULL)));
    printf("mount sysfs: %s\n", res(mount("sysfs", path, "sysfs", 0, NULL)));
    printf("umount /proc: %s\n", res(umount2("/proc", MNT_DETACH)));
    printf("umount /: %s\n", res(umount2("/", MNT_DETACH)));
    printf("unshare: %s\n", res(unshare(CLONE_NEWNS | CLONE_NEWUSER)));
    printf("pivot_root: %s\n", res(syscall(SYS_pivot_root, dir, path)));
    /* The classic chroot escape: chroot into a subdirectory while keeping the cwd outside, then climb. */
    printf("chroot: %s", res(chroot(path)));
    for (int i = 0; i < 30; i++)
        if (chdir("..") < 0) break;
    char cwd[4096];
    printf(", chroot .: %s", res(chroot(".")));
    printf(", cwd %s, etc/passwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?", cat("/etc/passwd"));
}

static void scm(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { printf("scm: socketpair %s\n", errname(errno)); return; }
    char data = 'x';
    struct iovec iov = {&data, 1};
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 16)]; } c;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = c.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * 16);
    c.h.cmsg_level = SOL_SOCKET;
    c.h.cmsg_type = SCM_RIGHTS;
    c.h.cmsg_len = CMSG_LEN(sizeof(int) * 16);
    int *fds = (int *)CMSG_DATA(&c.h);
    for (int i = 0; i < 16; i++) fds[i] = 100 + i; /* not open in the guest (the host's may be) */
    printf("scm unknown fds: %s", res(sendmsg(sv[0], &m, 0)));
    int own = open("/proc/self/exe", O_RDONLY);
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    c.h.cmsg_len = CMSG_LEN(sizeof(int));
    fds[0] = own;
    printf(", own fd: %s", res(sendmsg(sv[0], &m, 0)));
    struct msghdr in = {0};
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 16)]; } ci;
    in.msg_iov = &iov;
    in.msg_iovlen = 1;
    in.msg_control = ci.b;
    in.msg_controllen = sizeof ci.b;
    long n = recvmsg(sv[1], &in, 0);
    struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&in) : NULL;
    int got = h && h->cmsg_type == SCM_RIGHTS ? *(int *)CMSG_DATA(h) : -1;
    struct stat a, b;
    printf(", received %s\n", got >= 0 && fstat(got, &a) == 0 && fstat(own, &b) == 0 && a.st_ino == b.st_ino ? "same file" : "nothing");
}

static void devices(const char *dir)
{
    struct { const char *name; mode_t type; int major, minor; } devs[] = {
        {"sda", S_IFBLK, 8, 0}, {"nvme", S_IFBLK, 259, 0}, {"loop", S_IFBLK, 7, 0},
        {"mem", S_IFCHR, 1, 1}, {"kmem", S_IFCHR, 1, 2}, {"port", S_IFCHR, 1, 4}, {"tty", S_IFCHR, 4, 1},
    };
    for (unsigned i = 0; i < sizeof devs / sizeof *devs; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, devs[i].name);
        long r = mknod(path, devs[i].type | 0600, makedev(devs[i].major, devs[i].minor));
        printf("mknod %s: %s", devs[i].name, res(r));
        int fd = open(path, O_RDWR);
        if (fd < 0) printf(", open %s\n", errname(errno));
        else {
            long n = read(fd, buf, 512);
            printf(", read %s\n", n < 0 ? errname(errno) : n == 0 ? "0 bytes" : "DATA");
            close(fd);
        }
    }
}

static void tracing(const char *pid)
{
    pid_t host = atoi(pid);
    printf("ptrace attach host: %s", res(ptrace(PTRACE_ATTACH, host, 0, 0)));
    printf(", seize host: %s", res(ptrace(PTRACE_SEIZE, host, 0, 0)));
    printf(", peek host: %s", res(ptrace(PTRACE_PEEKDATA, host, (void *)0x400000, 0)));
    pid_t child = fork();
    if (child == 0) { pause(); _exit(0); }
    printf(", attach child: %s", res(ptrace(PTRACE_ATTACH, child, 0, 0)));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = fork();
    if (child == 0) { _exit(ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? 1 : 0); }
    int status = 0;
    waitpid(child, &status, 0);
    printf(", traceme: %s\n", WIFEXITED(status) ? (WEXITSTATUS(status) ? "refused" : "accepted") : "killed");
}

static long secret_value = 0x5EC2E7;

static void memory(const char *pid)
{
    int fd = open("/proc/self/mem", O_RDWR);
    printf("mem: open %s", fd < 0 ? errname(errno) : "ok");
    if (fd >= 0) {
        long v = 0;
        long n = pread(fd, &v, sizeof v, (off_t)(unsigned long)&secret_value);
        printf(", own variable %s", n < 0 ? errname(errno) : v == secret_value ? "read" : "wrong");
        /* Addresses the guest never mapped, where a host process keeps its heap, libraries and stack. */
        unsigned long far[] = {0x7f0000000000UL, 0x7ff000000000UL, 0x560000000000UL, 0xffffffffff600000UL, 0x1000UL};
        for (unsigned i = 0; i < sizeof far / sizeof *far; i++) {
            n = pread(fd, buf, 64, (off_t)far[i]);
            printf(", %#lx %s", far[i], n < 0 ? errname(errno) : "DATA");
        }
        close(fd);
    }
    long v = 0;
    struct iovec local = {&v, sizeof v}, remote = {&secret_value, sizeof v};
    long n = process_vm_readv(atoi(pid), &local, 1, &remote, 1, 0);
    printf(", vm_readv host %s", n < 0 ? errname(errno) : "DATA");
    n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    printf(", vm_readv self %s", n < 0 ? errname(errno) : v == secret_value ? "read" : "wrong");
    remote.iov_base = (void *)0x7f0000000000UL;
    n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    printf(", vm_readv self far %s\n", n < 0 ? errname(errno) : "DATA");
}

static void net(const char *port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("net: connect %s", res(connect(s, (struct sockaddr *)&a, sizeof a)));
    close(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    printf(", udp send %s", res(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a)));
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    printf(", bind %s", res(bind(s, (struct sockaddr *)&a, sizeof a)));
    printf(", listen %s\n", res(listen(s, 1)));
    close(s);
}

static void rofile(const char *path)
{
    printf("rofile %s: open rw %s", path, res(open(path, O_RDWR)));
    printf(", append %s", res(open(path, O_WRONLY | O_APPEND)));
    printf(", truncate %s", res(truncate(path, 0)));
    printf(", chmod %s", res(chmod(path, 0777)));
    printf(", chown %s", res(chown(path, 1, 1)));
    printf(", utimes %s", res(utimes(path, NULL)));
    printf(", setxattr %s", res(syscall(SYS_setxattr, path, "user.x", "y", 1, 0)));
    char other[600];
    snprintf(other, sizeof other, "%s.renamed", path);
    printf(", rename %s", res(rename(path, other)));
    rename(other, path);
    int fd = open(path, O_RDONLY);
    void *p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf(", mmap shared rw %s", p == MAP_FAILED ? errname(errno) : "ok");
    if (p != MAP_FAILED) { memcpy(p, "guest", 5); msync(p, 4096, MS_SYNC); munmap(p, 4096); }
    printf(", mprotect %s", fd < 0 ? "no fd" : ({
        void *q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        q == MAP_FAILED ? errname(errno) : res(mprotect(q, 4096, PROT_READ | PROT_WRITE));
    }));
    int rw = open(path, O_RDWR);
    if (rw >= 0) { long n = write(rw, "guest", 5); printf(", write %s", n < 0 ? errname(errno) : "ok"); close(rw); }
    printf(", now %s", cat(path));
    printf(", unlink %s\n", res(unlink(path)));
}

static void hold(const char *path)
{
    int fd = open(path, O_RDONLY);
    char ready[600];
    snprintf(ready, sizeof ready, "%s.ready", path);
    close(open(ready, O_WRONLY | O_CREAT, 0644));
    printf("hold %s: %s\n", path, fd < 0 ? errname(errno) : "ok");
    sleep(5);
}

static void scanfd(const char *max)
{
    int found = 0;
    for (int pid = 1; pid <= atoi(max); pid++) {
        if (pid == getpid()) continue;
        for (int n = 0; n < 8; n++) {
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, n);
            const char *r = cat(path);
            if (strcmp(r, "ENOENT") != 0) { printf("scanfd %s: %s\n", path, r); found++; }
        }
    }
    printf("scanfd: %d found\n", found);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        char *cmd = argv[i], *arg = strchr(cmd, ':');
        if (arg) *arg++ = 0; else arg = "";
        if (strcmp(cmd, "race") == 0) race(arg);
        else if (strcmp(cmd, "fdlinks") == 0) fdlinks();
        else if (strcmp(cmd, "proc") == 0) proc(arg);
        else if (strcmp(cmd, "magic") == 0) magic(arg);
        else if (strcmp(cmd, "handle") == 0) handle(arg);
        else if (strcmp(cmd, "mount") == 0) mounts(arg);
        else if (strcmp(cmd, "scm") == 0) scm();
        else if (strcmp(cmd, "mknod") == 0) devices(arg);
        else if (strcmp(cmd, "ptrace") == 0) tracing(arg);
        else if (strcmp(cmd, "mem") == 0) memory(arg);
        else if (strcmp(cmd, "net") == 0) net(arg);
        else if (strcmp(cmd, "rofile") == 0) rofile(arg);
        else if (strcmp(cmd, "hold") == 0) hold(arg);
        else if (strcmp(cmd, "scanfd") == 0) scanfd(arg);
        else if (strcmp(cmd, "ln") == 0 && strchr(arg, '=')) {
            char *to = strchr(arg, '=');
            *to++ = 0;
            printf("ln %s %s: %s\n", arg, to, res(link(arg, to)));
        }
        else printf("%s: unknown attack\n", cmd);
    }
    return 0;
}
