/* A file bomb in a tmpfs (argv[1], default /tmp): write until the file system is full. Linux's tmpfs counts pages:
 * a write that does not fit stops short at the last page that fits, the next one fails with ENOSPC, statfs reports
 * the file system full, and removing the file gives everything back. */
#include "../syscalls/check.h"
#include <sys/statvfs.h>

#define CHUNK 10000 /* not a multiple of the page size: the last write is short */

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[256];
    snprintf(path, sizeof path, "%s/bomb", dir);
    struct statvfs before, full, after;
    if (statvfs(dir, &before) < 0) { printf("statvfs %s\n", errname(errno)); return 2; }
    unsigned long long room = (unsigned long long)before.f_bavail * before.f_frsize;
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0) { printf("open %s\n", errname(errno)); return 2; }
    static char buf[CHUNK];
    memset(buf, 'x', sizeof buf);
    unsigned long long written = 0;
    long r;
    int shorts = 0;
    while ((r = write(fd, buf, sizeof buf)) > 0) {
        written += r;
        if (r < CHUNK) shorts++;
    }
    printf("write: %s after %s writes\n", r < 0 ? errname(errno) : "0", shorts == 1 ? "one short" : shorts ? "several short" : "no short");
    printf("wrote all the free space: %s\n", written == room ? "yes" : "no");
    if (written != room) printf("  wrote %llu, free was %llu\n", written, room);
    statvfs(dir, &full);
    printf("free when full: %llu\n", (unsigned long long)full.f_bavail);
    T(write(fd, "y", 1));
    T(ftruncate(fd, CHUNK));
    T(write(fd, "y", 1));
    close(fd);
    T(unlink(path));
    statvfs(dir, &after);
    printf("free again after unlink: %s\n", after.f_bavail == before.f_bavail ? "yes" : "no");
    return 0;
}
