/* For the disposal tests: opens argv[1] and keeps it open while it spins until the VM is stopped. */
#include <fcntl.h>

int main(int argc, char **argv) {
    if (argc < 2 || open(argv[1], O_RDONLY) < 0) return 1;
    for (volatile unsigned long i = 0;; i++) { }
}
