/* MAP_SHARED file mappings: coherence with read/write in both directions, between mappings of one process and of
 * processes after fork (inherited and independently made), through exit and exec without munmap, msync, access
 * modes, growth and truncation (SIGBUS past the end), mremap, and shared anonymous memory across fork. The file is
 * left in the working directory, so its final bytes are compared with the native run's. */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096
#define SIZE (3 * PAGE + 100)

static sigjmp_buf jump;
static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)ctx;
    bus_code = si->si_code;
    siglongjmp(jump, 1);
}

static void touch(const char *what, volatile char *p)
{
    if (sigsetjmp(jump, 1) == 0) {
        char c = *p;
        printf("%s: byte %d\n", what, c);
    } else
        printf("%s: SIGBUS code %d\n", what, bus_code);
}

static void poke(const char *what, volatile char *p, char value)
{
    if (sigsetjmp(jump, 1) == 0) {
        *p = value;
        printf("%s: written\n", what);
    } else
        printf("%s: SIGBUS code %d\n", what, bus_code);
}

static char at(int fd, off_t off)
{
    char c = 0;
    if (pread(fd, &c, 1, off) != 1) return '?';
    return c;
}

static void show_size(const char *what, int fd)
{
    struct stat st;
    fstat(fd, &st);
    printf("%s: size %lld\n", what, (long long)st.st_size);
}

/* FNV-1a of the whole file as read(2) sees it through a fresh descriptor. */
static void show_content(const char *what, const char *path)
{
    int fd = open(path, O_RDONLY);
    unsigned long long h = 1469598103934665603ULL;
    char buf[4096];
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
        total += n;
    }
    close(fd);
    printf("%s: %ld bytes, hash %016llx\n", what, total, h);
}

static void wait_child(const char *what, pid_t pid)
{
    int status;
    waitpid(pid, &status, 0);
    printf("%s: %s %d\n", what, WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-target") == 0) return 0;
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);

    char pattern[SIZE];
    for (int i = 0; i < SIZE; i++) pattern[i] = 'a' + i % 26;
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    T(write(fd, pattern, SIZE));

    printf("-- one process\n");
    char *map = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    TF(map == MAP_FAILED ? -1 : 0);
    map[10] = 'X';
    SHOW("pread sees the mapping's write: %c", at(fd, 10));
    T(pwrite(fd, "Y", 1, 20));
    SHOW("the mapping sees pwrite: %c", map[20]);
    T(lseek(fd, PAGE + 1, SEEK_SET));
    T(write(fd, "W", 1));
    SHOW("the mapping sees write: %c", map[PAGE + 1]);
    int fd2 = open("data", O_RDWR);
    char c;
    T(pread(fd2, &c, 1, 10));
    SHOW("another descriptor reads %c", c);
    char *map2 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, PAGE);
    map2[5] = 'Z';
    SHOW("a second mapping at offset %d writes, the first sees %c", PAGE, map[PAGE + 5]);
    map[PAGE + 6] = 'V';
    SHOW("and the other way: %c", map2[6]);
    munmap(map2, PAGE);
    touch("beyond the end in the last page", map + SIZE + 10);
    poke("written there", map + SIZE + 10, 'Q');
    show_size("the file did not grow", fd);
    touch("a page wholly past the end", map + 4 * PAGE);
    poke("writing there", map + 4 * PAGE + 1, 'Q');

    printf("-- processes\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        map[30] = 'C'; /* inherited mapping; exit without msync or munmap */
        _exit(0);
    }
    wait_child("child", pid);
    SHOW("the inherited mapping's write: pread %c, mapping %c", at(fd, 30), map[30]);
    pid = fork();
    if (pid == 0) {
        int cfd = open("data", O_RDWR);
        char *own = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        own[40] = 'D';
        msync(own, PAGE, MS_SYNC);
        munmap(own, PAGE);
        close(cfd);
        _exit(0);
    }
    wait_child("child", pid);
    SHOW("a child's own mapping: the parent's mapping sees %c", map[40]);
    pid = fork();
    if (pid == 0) {
        char *own = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        own[PAGE + 50] = 'E'; /* then exec: the old image goes away without munmap */
        execl("/proc/self/exe", argv[0], "exec-target", (char *)NULL);
        _exit(99);
    }
    wait_child("child that executed", pid);
    int fd3 = open("data", O_RDONLY);
    SHOW("written before exec: %c", at(fd3, PAGE + 50));
    close(fd3);
    pid = fork();
    if (pid == 0) {
        /* the parent writes while this child waits on a pipe-free busy check of its mapping */
        for (int i = 0; i < 1000000 && map[60] != 'P'; i++) usleep(100);
        map[61] = map[60] == 'P' ? 'R' : '?';
        _exit(0);
    }
    map[60] = 'P';
    wait_child("child that waited for the parent's write", pid);
    SHOW("it answered %c", map[61]);

    printf("-- msync\n");
    T(msync(map, PAGE, MS_SYNC));
    T(msync(map, 3 * PAGE, MS_ASYNC));
    T(msync(map, PAGE, MS_INVALIDATE));
    T(msync(map, 0, MS_SYNC));
    T(msync(map + 1, PAGE, MS_SYNC));
    T(msync(map, PAGE, MS_SYNC | MS_ASYNC));
    T(msync(map, PAGE, 8));
    char *hole = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole + PAGE, PAGE);
    T(msync(hole, 3 * PAGE, MS_SYNC));
    T(msync(hole, 3 * PAGE, MS_ASYNC));
    T(msync(hole + PAGE, PAGE, MS_SYNC));
    T(msync(hole, PAGE, MS_SYNC));
    munmap(hole, 3 * PAGE);

    printf("-- access modes\n");
    int rdonly = open("data", O_RDONLY), wronly = open("data", O_WRONLY), append = open("data", O_RDWR | O_APPEND);
    T(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0) == MAP_FAILED ? -1 : 0);
    char *ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rdonly, 0);
    TF(ro == MAP_FAILED ? -1 : 0);
    SHOW("a read-only shared mapping sees %c", ro[10]);
    T(mprotect(ro, PAGE, PROT_READ | PROT_WRITE));
    munmap(ro, PAGE);
    char *pv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, rdonly, 0);
    TF(pv == MAP_FAILED ? -1 : 0);
    pv[10] = 'p';
    SHOW("a private writable mapping of a read-only descriptor: file still %c", at(fd, 10));
    munmap(pv, PAGE);
    T(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wronly, 0) == MAP_FAILED ? -1 : 0);
    T(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, append, 0) == MAP_FAILED ? -1 : 0);
    T(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, append, 0) == MAP_FAILED ? -1 : 0);
    close(rdonly); close(wronly); close(append);

    printf("-- growing and shrinking\n");
    T(ftruncate(fd, 5 * PAGE));
    touch("after growing, the page past the old end", map + 4 * PAGE);
    touch("the old tail of the last page", map + SIZE + 10);
    map[4 * PAGE + 5] = 'G';
    SHOW("pread %c", at(fd, 4 * PAGE + 5));
    T(ftruncate(fd, PAGE + 10));
    touch("after shrinking, the next page", map + 2 * PAGE);
    touch("the tail of the last page", map + PAGE + 20);
    touch("inside", map + PAGE + 5);
    T(ftruncate(fd, 3 * PAGE));
    touch("grown again: zeros", map + 2 * PAGE + 5);
    T(pwrite(fd, "H", 1, 3 * PAGE + 7));
    touch("write(2) extended the file into the mapping", map + 3 * PAGE + 7);

    printf("-- mremap\n");
    char *moved = mremap(map, 5 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    TF(moved == MAP_FAILED ? -1 : 0);
    moved[70] = 'M';
    SHOW("through the remapped range: pread %c", at(fd, 70));
    moved = mremap(moved, 8 * PAGE, 2 * PAGE, 0);
    moved[PAGE + 80] = 'N';
    T(munmap(moved, 2 * PAGE));
    SHOW("after munmap: pread %c", at(fd, PAGE + 80));
    close(fd2);
    close(fd);
    show_content("final file", "data");

    printf("-- shared anonymous memory across fork\n");
    char *anon = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *touched = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zfd = open("/dev/zero", O_RDWR);
    char *zero = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zfd, 0);
    close(zfd);
    touched[0] = 'p';
    priv[0] = 'p';
    pid = fork();
    if (pid == 0) {
        anon[0] = 'c';
        anon[PAGE + 1] = 'd';
        touched[1] = touched[0] == 'p' ? 'q' : '?';
        priv[0] = 'c';
        zero[5] = 'z';
        _exit(0);
    }
    wait_child("child", pid);
    SHOW("untouched before fork: %c %c; touched: %c; private: %c; /dev/zero: %c", anon[0], anon[PAGE + 1], touched[1], priv[0],
         zero[5]);
    pid = fork();
    if (pid == 0) {
        char *grown = mremap(anon, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
        grown[1] = 'g';
        _exit(0);
    }
    wait_child("child", pid);
    SHOW("after the child's mremap: %c", anon[1]);
    return finish();
}
