/* For the metering tests: one write(2) of argv[1] bytes to /dev/null, the same instructions whatever the size. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char buffer[1 << 20];

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
    if (n > sizeof buffer) return 2;
    int fd = open("/dev/null", O_WRONLY);
    return write(fd, buffer, n) == (ssize_t)n ? 0 : 1;
}
