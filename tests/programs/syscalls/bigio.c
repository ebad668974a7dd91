/* Reads and writes with huge lengths (up to Linux's cap of 0x7ffff000 bytes per call) on small buffers: the kernel
 * moves what the file or buffer allows and returns the count (or EFAULT when nothing moved). The VM must answer the
 * same without ever allocating the requested size. */
#include "check.h"
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

int main(void)
{
    /* Two pages: the first readable and writable, the second inaccessible. At a fixed low address, so that the huge
     * lengths stay inside user space natively (with ASLR) and in the VM (Linux's layout without ASLR) alike. */
    char *buf = mmap((void *)0x20000000, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (buf == MAP_FAILED) { printf("mmap failed\n"); return 1; }
    mprotect(buf + 4096, 4096, PROT_NONE);
    memset(buf, 'b', 4096);
    int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
    T(write(fd, buf, 0x7fffffffL));
    T(write(fd, buf + 4096, 0x40000000L));
    T(pwrite(fd, buf + 100, 0x7ffff000L, 10));
    T(lseek(fd, 0, SEEK_SET));
    T(read(fd, buf, 0x7fffffffL));
    T(pread(fd, buf, (size_t)-1 >> 1, 0));
    T(read(fd, buf, 0x40000000L));
    T(writev(fd, &(struct iovec){ buf, 0x7fffffffL }, 1));
    T(readv(fd, &(struct iovec){ buf, 0x7fffffffL }, 1));
    int p[2];
    T(pipe(p));
    T(write(p[1], buf, 100));
    T(read(p[0], buf, 0x7fffffffL));
    int sv[2];
    T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T(send(sv[0], buf, 3000, 0));
    T(recv(sv[1], buf, 0x7fffffffL, 0));
    T(send(sv[0], buf + 4000, 0x7fffffffL, MSG_DONTWAIT));
    T(recv(sv[1], buf, 0x7fffffffL, MSG_DONTWAIT));
    struct stat st;
    fstat(fd, &st);
    SHOW("file size %lld", (long long)st.st_size);
    unlink("big");
    return finish();
}
