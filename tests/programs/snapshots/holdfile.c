/* Snapshot tests: holds argv[1] open for writing (fd 3) on a read-write host mount and computes, so that a snapshot
   taken meanwhile must refuse the host file by name. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd != 3) return 1;
    write(fd, "held\n", 5);
    unsigned long long x = 1;
    for (unsigned long i = 0; i < 100000000UL; i++) x = x * 6364136223846793005ULL + i;
    printf("%llx\n", x);
    return 0;
}
