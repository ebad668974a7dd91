/* For the embedding hooks' tests: a few syscalls the syscall filter decides (getpid, opening argv[1], getuid), then
   stores to and loads from a global array that a memory watch observes; prints what it saw. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

volatile unsigned long watched[4];
volatile unsigned long beside[4]; /* on the same page, outside the watched range */

int main(int argc, char **argv) {
    long pid = syscall(SYS_getpid);
    int fd = open(argc > 1 ? argv[1] : "/etc/hostname", O_RDONLY);
    int err = fd < 0 ? errno : 0;
    long uid = syscall(SYS_getuid);
    printf("getpid=%ld open=%s errno=%d getuid=%ld\n", pid, fd < 0 ? "failed" : "ok", err, uid);
    for (unsigned long i = 0; i < 100; i++) {
        watched[i % 4] = 0x1000 + i;
        beside[i % 4] = i;
    }
    unsigned long sum = watched[0] + watched[3];
    printf("sum=%lu\n", sum);
    return 0;
}
