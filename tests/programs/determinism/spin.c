/* For the state-hash tests: copies stdin into a global buffer and into two files (the private /tmp and argv[1], a
   copy-on-write mount), optionally erases the buffer (argv[2] == "erase") so only the files differ, then spins until
   the instruction budget stops it. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char buffer[64];

int main(int argc, char **argv) {
    ssize_t n = read(0, buffer, sizeof buffer);
    if (n < 0) return 1;
    for (int i = 0; i < 2 && i < argc; i++) {
        int fd = open(i == 0 ? "/tmp/spin.out" : argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, buffer, n) != n) return 2;
        close(fd);
    }
    if (argc > 2 && strcmp(argv[2], "erase") == 0) memset(buffer, 0, sizeof buffer);
    for (volatile unsigned long i = 0;; i++) { }
}
