/* Listens on 127.0.0.1 (port chosen by the kernel), writes the port to the file argv[1], answers one connection
 * with "echo: " + the line it received, then exits 0. Used to show which network a guest listens on. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 64;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0) { perror("listen"); return 1; }
    getsockname(l, (struct sockaddr *)&a, &len);
    FILE *f = fopen(argv[1], "w");
    fprintf(f, "%d\n", ntohs(a.sin_port));
    fclose(f);
    int c = accept(l, NULL, NULL);
    if (c < 0) { perror("accept"); return 1; }
    char line[256];
    long n = 0, r;
    while (n < (long)sizeof line - 1 && (r = read(c, line + n, sizeof line - 1 - n)) > 0) {
        n += r;
        if (line[n - 1] == '\n') break;
    }
    line[n] = 0;
    dprintf(c, "echo: %s", line);
    close(c);
    printf("served: %s", line);
    return 0;
}
