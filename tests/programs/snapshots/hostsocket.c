/* Snapshot tests: holds an inet socket (fd 3; a host socket under --net host) and computes, so that a snapshot taken
   meanwhile must refuse it by name. */
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

int main(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd != 3) return 1;
    unsigned long long x = 1;
    for (unsigned long i = 0; i < 100000000UL; i++) x = x * 6364136223846793005ULL + i;
    printf("%llx\n", x);
    return 0;
}
