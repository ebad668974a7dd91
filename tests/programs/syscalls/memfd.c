/* memfd_create(2): flags and names, /proc/self/fd names and reopening, data and shared mappings (fork, two
 * mappings, private copies), SIGBUS past the end after a shrink, and the file seals (F_ADD_SEALS / F_GET_SEALS). */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MFD_NOEXEC_SEAL_ 0x0008U
#define MFD_EXEC_ 0x0010U

static sigjmp_buf jump;
static volatile int bus_code;
static void *volatile bus_addr;

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)ctx;
    bus_code = si->si_code;
    bus_addr = si->si_addr;
    siglongjmp(jump, 1);
}

/* Reads one byte through the mapping; prints the value or the signal. */
static void touch(const char *what, volatile char *p)
{
    bus_code = 0;
    if (sigsetjmp(jump, 1) == 0) {
        char c = *p;
        printf("%s: byte %d\n", what, c);
    } else
        printf("%s: SIGBUS code %d at the address: %d\n", what, bus_code, bus_addr == (void *)p);
}

static void show_fd(const char *what, int fd)
{
    char path[64], target[300];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = 0;
    struct stat st;
    fstat(fd, &st);
    printf("%s: %s %s mode=%04o nlink=%lu size=%lld\n", what, target, kind(st.st_mode), st.st_mode & 07777,
           (unsigned long)st.st_nlink, (long long)st.st_size);
}

static void show_range(const char *what, int fd, off_t off, int len)
{
    char buf[64] = { 0 };
    ssize_t n = pread(fd, buf, len, off);
    for (int i = 0; i < len; i++) if (buf[i] == 0) buf[i] = '.';
    printf("%s: pread %zd \"%.*s\"\n", what, n, len, buf);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);

    printf("-- creation\n");
    T(memfd_create("x", 0x100));
    T(memfd_create("x", MFD_EXEC_ | MFD_NOEXEC_SEAL_));
    T(memfd_create(NULL, 0));
    char name[300];
    memset(name, 'n', sizeof name);
    name[249] = 0;
    int longname = memfd_create(name, 0);
    TF(longname);
    name[249] = 'n';
    name[250] = 0;
    T(memfd_create(name, 0));
    close(longname);
    int m = memfd_create("test", MFD_CLOEXEC);
    TF(m);
    T(fcntl(m, F_GETFD));
    T(fcntl(m, F_GETFL) & O_ACCMODE);
    show_fd("memfd", m);
    int e = memfd_create("", 0);
    show_fd("empty name", e);
    close(e);

    printf("-- data\n");
    T(write(m, "hello world", 11));
    T(lseek(m, 0, SEEK_CUR));
    show_range("start", m, 0, 11);
    T(ftruncate(m, 8192));
    show_fd("grown", m);
    show_range("hole", m, 4090, 12);
    T(lseek(m, 0, SEEK_END));

    printf("-- shared mappings\n");
    char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
    TF(map == MAP_FAILED ? -1 : 0);
    memcpy(map + 4096, "MAPPED", 6);
    show_range("written through the mapping", m, 4096, 6);
    T(pwrite(m, "PWRITE", 6, 0));
    SHOW("the mapping sees pwrite: %.6s", map);
    char *map2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, m, 4096);
    SHOW("a second mapping at offset 4096: %.6s", map2);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        memcpy(map + 100, "child", 5);
        char *own = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
        memcpy(own + 200, "own-map", 7);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    show_range("after the child", m, 100, 5);
    SHOW("the parent's mapping sees the child's own mapping: %.7s", map + 200);
    char *priv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, m, 0);
    memcpy(priv, "private", 7);
    show_range("a private mapping's write stays private", m, 0, 7);
    SHOW("the private copy: %.7s", priv);
    munmap(priv, 8192);

    printf("-- reopening through /proc/self/fd\n");
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", m);
    int ro = open(path, O_RDONLY);
    TF(ro);
    T(lseek(ro, 0, SEEK_CUR));
    T(lseek(m, 0, SEEK_CUR));
    char buf[16] = { 0 };
    T(read(ro, buf, 6));
    SHOW("read %s", buf);
    T(write(ro, "x", 1));
    T(fcntl(ro, F_GETFL) & O_ACCMODE);
    T(fcntl(ro, F_GETFD));

    printf("-- SIGBUS past the end\n");
    touch("inside", map + 8191);
    T(ftruncate(m, 4096));
    touch("past the new end", map + 4096);
    touch("the last page", map + 10);
    SHOW("the other mapping at 4096: %s", "(not touched)");
    T(ftruncate(m, 8192));
    touch("grown again: zero", map + 4096);
    touch("second mapping: zero", map2);
    munmap(map2, 4096);
    int empty = memfd_create("empty", 0);
    char *e0 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, empty, 0);
    TF(e0 == MAP_FAILED ? -1 : 0);
    touch("empty file", e0);
    munmap(e0, 4096);
    close(empty);

    printf("-- seals\n");
    T(fcntl(m, F_GET_SEALS));
    T(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
    int s = memfd_create("sealed", MFD_ALLOW_SEALING);
    T(fcntl(s, F_GET_SEALS));
    T(fcntl(s, F_ADD_SEALS, 0x40));
    T(write(s, "0123456789", 10));
    T(fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
    T(ftruncate(s, 5));
    T(ftruncate(s, 20));
    T(fcntl(s, F_ADD_SEALS, F_SEAL_GROW));
    T(ftruncate(s, 30));
    T(ftruncate(s, 20));
    T(pwrite(s, "ab", 2, 19));
    T(pwrite(s, "ab", 2, 18));
    T(fallocate(s, 0, 0, 40));
    T(fallocate(s, 0, 0, 10));
    T(fcntl(s, F_GET_SEALS));
    char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    TF(w == MAP_FAILED ? -1 : 0);
    T(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(w, 4096);
    char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
    T(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    T(mprotect(r, 4096, PROT_READ | PROT_WRITE));
    munmap(r, 4096);
    T(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    T(write(s, "x", 1));
    T(pwrite(s, "x", 1, 0));
    T(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0) == MAP_FAILED ? -1 : 0);
    r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
    TF(r == MAP_FAILED ? -1 : 0);
    T(mprotect(r, 4096, PROT_READ | PROT_WRITE));
    char *pv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, s, 0);
    TF(pv == MAP_FAILED ? -1 : 0);
    pv[0] = 'P';
    SHOW("private copy %c, file %c", pv[0], r[0]);
    T(fcntl(s, F_GET_SEALS));
    snprintf(path, sizeof path, "/proc/self/fd/%d", s);
    int sro = open(path, O_RDONLY);
    T(fcntl(sro, F_ADD_SEALS, F_SEAL_SEAL));
    T(fcntl(sro, F_GET_SEALS));
    T(fcntl(s, F_ADD_SEALS, F_SEAL_SEAL));
    T(fcntl(s, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    T(fcntl(s, F_GET_SEALS));

    printf("-- future-write seal\n");
    int f = memfd_create("future", MFD_ALLOW_SEALING);
    T(ftruncate(f, 4096));
    char *fw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
    T(fcntl(f, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    memcpy(fw, "still", 5);
    show_range("an existing mapping still writes", f, 0, 5);
    T(write(f, "x", 1));
    T(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0) == MAP_FAILED ? -1 : 0);
    T(fcntl(f, F_ADD_SEALS, F_SEAL_WRITE));

    printf("-- seals on other files\n");
    int pp[2];
    pipe(pp);
    T(fcntl(pp[0], F_GET_SEALS));
    T(fcntl(pp[0], F_ADD_SEALS, F_SEAL_WRITE));
    T(fcntl(pp[1], F_ADD_SEALS, F_SEAL_WRITE));

    printf("-- MFD_NOEXEC_SEAL\n");
    int nx = memfd_create("noexec", MFD_NOEXEC_SEAL_);
    show_fd("noexec", nx);
    T(fcntl(nx, F_GET_SEALS));
    T(fcntl(nx, F_ADD_SEALS, F_SEAL_GROW));
    T(fcntl(nx, F_GET_SEALS));
    close(nx);
    int ex = memfd_create("exec", MFD_EXEC_ | MFD_ALLOW_SEALING);
    T(fcntl(ex, F_GET_SEALS));
    T(fcntl(ex, F_ADD_SEALS, F_SEAL_EXEC));
    T(fcntl(ex, F_GET_SEALS));
    close(ex);

    printf("-- code through a second mapping (a JIT's W^X double mapping)\n");
    int jit = memfd_create("jit", 0);
    ftruncate(jit, 4096);
    unsigned char *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, jit, 0);
    unsigned char *rx = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, jit, 0);
    int (*fn)(void) = (int (*)(void))rx;
    static const unsigned char ret42[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov eax, 42; ret */
    memcpy(rw, ret42, sizeof ret42);
    SHOW("first code: %d", fn());
    rw[1] = 43;
    SHOW("patched through the writable alias: %d", fn());
    T(pwrite(jit, "\x2c", 1, 1));
    SHOW("patched with pwrite: %d", fn());
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        rw[1] = 45;
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    SHOW("patched by a child: %d", fn());
    munmap(rw, 4096);
    munmap(rx, 4096);
    close(jit);

    munmap(map, 8192);
    close(m); close(ro); close(s); close(sro); close(f); close(pp[0]); close(pp[1]);
    return finish();
}
