/* Connects to 127.0.0.1:argv[1], sends "hello from the guest\n" and prints the reply, or the connect error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 64;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) { printf("connect: %s\n", strerror(errno)); return 1; }
    const char *msg = "hello from the guest\n";
    write(s, msg, strlen(msg));
    shutdown(s, SHUT_WR);
    char reply[256];
    long n = 0, r;
    while (n < (long)sizeof reply - 1 && (r = read(s, reply + n, sizeof reply - 1 - n)) > 0) n += r;
    reply[n] = 0;
    printf("reply: %s", reply);
    return 0;
}
