/* Shared helpers for the syscall behaviour programs: each check prints the call, its result and errno
 * name, so the native and VM runs can be compared line by line. No inode numbers, times or pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static __attribute__((unused)) const char *errname(int e)
{
    switch (e) {
    case 0: return "";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EACCES: return "EACCES";
    case EEXIST: return "EEXIST"; case EXDEV: return "EXDEV"; case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL"; case ENOSPC: return "ENOSPC"; case EROFS: return "EROFS"; case EMLINK: return "EMLINK";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case ENOTEMPTY: return "ENOTEMPTY"; case ELOOP: return "ELOOP";
    case EAGAIN: return "EAGAIN"; case EBUSY: return "EBUSY"; case ENXIO: return "ENXIO"; case EFAULT: return "EFAULT";
    case ESPIPE: return "ESPIPE"; case EDEADLK: return "EDEADLK"; case ENOLCK: return "ENOLCK"; case EOPNOTSUPP: return "EOPNOTSUPP";
    case EINTR: return "EINTR"; case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY"; case EFBIG: return "EFBIG"; case ENODEV: return "ENODEV"; case ENOSYS: return "ENOSYS";
    case EPIPE: return "EPIPE"; case ENOTSOCK: return "ENOTSOCK"; case EDESTADDRREQ: return "EDESTADDRREQ"; case EMSGSIZE: return "EMSGSIZE";
    case EPROTOTYPE: return "EPROTOTYPE"; case ENOPROTOOPT: return "ENOPROTOOPT"; case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT"; case EAFNOSUPPORT: return "EAFNOSUPPORT"; case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL"; case ENETUNREACH: return "ENETUNREACH"; case ECONNRESET: return "ECONNRESET";
    case EISCONN: return "EISCONN"; case ENOTCONN: return "ENOTCONN"; case ECONNREFUSED: return "ECONNREFUSED";
    case EALREADY: return "EALREADY"; case EINPROGRESS: return "EINPROGRESS"; case EDOM: return "EDOM";
    default: { static char b[16]; snprintf(b, sizeof b, "E%d", e); return b; }
    }
}

/* T(expr): run a call returning an integer; print "expr -> result ERRNO". Results >= 0 that are descriptors vary,
 * so TF prints only whether it succeeded. */
#define T(expr) do { errno = 0; long _r = (long)(expr); printf("%-60s -> %ld %s\n", #expr, _r < 0 ? -1L : _r, _r < 0 ? errname(errno) : ""); } while (0)
#define TF(expr) do { errno = 0; long _r = (long)(expr); printf("%-60s -> %s %s\n", #expr, _r < 0 ? "fail" : "ok", _r < 0 ? errname(errno) : ""); } while (0)
#define SHOW(fmt, ...) printf(fmt "\n", __VA_ARGS__)

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

static __attribute__((unused)) const char *kind(mode_t m)
{
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISCHR(m) ? "chr" : S_ISFIFO(m) ? "fifo" : S_ISSOCK(m) ? "sock" : "other";
}

/* stat summary without inode, device, times or block counts. */
static __attribute__((unused)) void show_stat(const char *path, int follow)
{
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) { printf("stat %s: %s\n", path, errname(errno)); return; }
    printf("stat %s: %s mode=%04o nlink=%lu uid=%u gid=%u size=%lld\n", path, kind(st.st_mode), st.st_mode & 07777,
        S_ISDIR(st.st_mode) ? 0UL : (unsigned long)st.st_nlink, st.st_uid, st.st_gid, S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
}

static __attribute__((unused)) void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) { printf("FAIL write_file %s\n", path); failures++; }
    if (fd >= 0) close(fd);
}

static __attribute__((unused)) void show_file(const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("read %s: %s\n", path, errname(errno)); return; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    printf("read %s: \"%s\"\n", path, buf);
}

static __attribute__((unused)) int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Directory listing, sorted (native order depends on the file system). */
static __attribute__((unused)) void show_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) { printf("list %s: %s\n", path, errname(errno)); return; }
    char buf[4096], *names[512];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            unsigned char type = *(unsigned char *)(buf + off + 18);
            const char *name = buf + off + 19;
            if (count < 512) {
                char *s = malloc(strlen(name) + 4);
                sprintf(s, "%s/%c", name, type == 4 ? 'd' : type == 8 ? 'f' : type == 10 ? 'l' : '?');
                names[count++] = s;
            }
            off += reclen;
        }
    }
    close(fd);
    qsort(names, count, sizeof *names, cmpstr);
    printf("list %s:", path);
    for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

static __attribute__((unused)) int finish(void)
{
    printf("%s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
