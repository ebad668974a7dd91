/* Prints the inode numbers of a pipe and a socketpair (pipefs/sockfs). Natively they vary; in the VM they must
 * depend only on this VM's own history, not on other VMs in the same host process. */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    int p[2], s[2];
    struct stat a, b, c;
    if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0) return 1;
    fstat(p[0], &a);
    fstat(s[0], &b);
    fstat(s[1], &c);
    printf("pipe %lu socket %lu %lu\n", (unsigned long)a.st_ino, (unsigned long)b.st_ino, (unsigned long)c.st_ino);
    char link[64] = {0};
    readlink("/proc/self/fd/3", link, sizeof link - 1);
    printf("fd 3 -> %s\n", link);
    return 0;
}
