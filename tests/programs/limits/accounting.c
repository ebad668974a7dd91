/* Memory that comes and goes in every way a program can hold it: heap and mmap blocks, brk, fork with copy-on-write
 * writes on both sides, threads, vfork + execve, shared anonymous memory across fork, mremap (grow in place, move),
 * MADV_DONTNEED, a tmpfs file written, mapped shared, unlinked and closed while mapped, a memfd, a host file mapped
 * shared. Everything is given back before exit, so the VM's memory count returns to zero. Prints a checksum. */
#define _GNU_SOURCE
#include "../syscalls/check.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

static unsigned long sum;

static void touch(char *p, size_t n, int v)
{
    for (size_t i = 0; i < n; i += 4096) p[i] = (char)v;
}

static void *worker(void *arg)
{
    char *p = malloc(1 << 20);
    touch(p, 1 << 20, 3);
    sum += (unsigned long)p[4096] + (unsigned long)(long)arg;
    free(p);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "exec")) {
        char *p = malloc(2 << 20);
        touch(p, 2 << 20, 1);
        return p[8192];
    }
    /* heap and mmap blocks, brk */
    for (int i = 0; i < 8; i++) {
        char *p = malloc((size_t)(i + 1) << 18);
        touch(p, (size_t)(i + 1) << 18, i);
        sum += (unsigned char)p[0];
        free(p);
    }
    char *top = (char *)syscall(SYS_brk, 0); /* the raw call: musl's sbrk only reports */
    if ((char *)syscall(SYS_brk, top + (1 << 20)) == top + (1 << 20)) touch(top, 1 << 20, 5);
    syscall(SYS_brk, top);

    /* fork: copy-on-write writes on both sides, shared anonymous memory seen by both */
    char *priv = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    touch(priv, 1 << 20, 7);
    touch(shared, 1 << 19, 8);
    pid_t pid = fork();
    if (pid == 0) {
        touch(priv, 1 << 19, 9);
        touch(shared, 1 << 20, 10);
        _exit(priv[0] + shared[0]);
    }
    int status;
    waitpid(pid, &status, 0);
    sum += WEXITSTATUS(status) + (unsigned char)shared[4096];
    touch(priv + (1 << 19), 1 << 19, 11);
    munmap(priv, 1 << 20);
    munmap(shared, 1 << 20);

    /* threads */
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);

    /* vfork + execve of this program */
    pid = vfork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    sum += WEXITSTATUS(status);

    /* mremap: grow in place, then move; MADV_DONTNEED */
    char *r = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(r, 1 << 20, 12);
    r = mremap(r, 1 << 20, 2 << 20, MREMAP_MAYMOVE);
    touch(r, 2 << 20, 13);
    char *moved = mremap(r, 2 << 20, 4 << 20, MREMAP_MAYMOVE | MREMAP_FIXED, (char *)0x200000000);
    sum += (unsigned char)moved[4096];
    madvise(moved, 2 << 20, MADV_DONTNEED);
    sum += (unsigned char)moved[4096];
    munmap(moved, 4 << 20);

    /* a tmpfs file: written, mapped shared, unlinked and closed while mapped, then unmapped */
    int fd = open("/tmp/acct", O_CREAT | O_RDWR | O_TRUNC, 0600);
    static char block[65536];
    memset(block, 'a', sizeof block);
    for (int i = 0; i < 16; i++) if (write(fd, block, sizeof block) != sizeof block) printf("write failed\n");
    char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unlink("/tmp/acct");
    close(fd);
    touch(m, 1 << 20, 'b');
    sum += (unsigned char)m[65536];
    munmap(m, 1 << 20);
    fd = open("/tmp/trunc", O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(fd, block, sizeof block);
    ftruncate(fd, 100);
    close(fd);
    unlink("/tmp/trunc");

    /* a memfd, grown by fallocate */
    fd = memfd_create("acct", 0);
    fallocate(fd, 0, 0, 1 << 20);
    write(fd, block, sizeof block);
    close(fd);

    /* the program file itself, mapped shared read-only (the host page cache) */
    fd = open("/proc/self/exe", O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    size_t length = (size_t)st.st_size & ~4095UL; /* whole pages of the file: no SIGBUS past its end */
    char *exe = mmap(NULL, length, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (exe != MAP_FAILED) {
        for (size_t i = 0; i < length; i += 4096) sum += (unsigned char)exe[i];
        munmap(exe, length);
    }
    printf("done %lu\n", sum % 1000);
    return 0;
}
