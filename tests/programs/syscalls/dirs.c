/* mkdir, rmdir, getdents64 (stable offsets while the directory changes), chdir, getcwd, "..", mount-free paths. */
#include "check.h"

int main(void)
{
    char cwd[4096], buf[4096];
    T(mkdir("d", 0750));
    T(mkdir("d", 0750));
    T(mkdir("d/", 0750));
    T(mkdir("d/sub/deeper", 0755));
    T(mkdir("d/sub", 0777));
    T(mkdir(".", 0755));
    T(mkdir("..", 0755));
    write_file("f", "x");
    T(mkdir("f/x", 0755));
    T(mkdir("f", 0755));
    show_stat("d", 1);
    show_stat("d/sub", 1);
    umask(077);
    T(mkdir("u", 0777));
    show_stat("u", 1);
    umask(022);

    /* Link counts of directories follow their subdirectories. */
    struct stat st;
    stat("d", &st);
    unsigned long before = st.st_nlink;
    T(mkdir("d/s2", 0755));
    stat("d", &st);
    SHOW("dir nlink grew by %lu", (unsigned long)st.st_nlink - before);

    T(rmdir("d"));
    T(rmdir("f"));
    T(rmdir("missing"));
    T(rmdir("d/s2/."));
    T(rmdir("d/s2/.."));
    T(rmdir("d/s2"));
    T(rmdir("d/s2"));
    T(unlink("d/sub"));
    T(rmdir("."));

    /* getdents64 over a directory that changes during the walk: every entry present throughout is seen once. */
    T(mkdir("g", 0755));
    char name[32];
    for (int i = 0; i < 60; i++) { snprintf(name, sizeof name, "g/file%02d", i); write_file(name, "x"); }
    int fd = open("g", O_RDONLY | O_DIRECTORY);
    long n = syscall(SYS_getdents64, fd, buf, 256);
    int seen = 0, total = 0;
    for (long off = 0; off < n; off += *(unsigned short *)(buf + off + 16)) seen++;
    /* remove some files that may or may not have been returned yet, add new ones */
    for (int i = 0; i < 60; i += 7) { snprintf(name, sizeof name, "g/file%02d", i); unlink(name); }
    write_file("g/newfile", "y");
    int counts[60] = {0};
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        n = syscall(SYS_getdents64, fd, buf, 512);
        if (n <= 0) break;
        for (long off = 0; off < n; off += *(unsigned short *)(buf + off + 16)) {
            const char *nm = buf + off + 19;
            int k;
            if (sscanf(nm, "file%d", &k) == 1 && k >= 0 && k < 60) counts[k]++;
            total++;
        }
    }
    int dup = 0, missing = 0;
    for (int i = 0; i < 60; i++) {
        if (counts[i] > 1) dup++;
        if (i % 7 != 0 && counts[i] != 1) missing++;
    }
    SHOW("first chunk had entries: %d, after rewind duplicates=%d missing=%d", seen > 0, dup, missing);
    T(syscall(SYS_getdents64, fd, buf, 10));
    close(fd);
    fd = open("f", O_RDONLY);
    T(syscall(SYS_getdents64, fd, buf, sizeof buf));
    close(fd);
    T(syscall(SYS_getdents64, 99, buf, sizeof buf));
    show_dir("g");
    show_dir("d");

    /* chdir, fchdir, getcwd and "..". */
    char top[4096];
    T(getcwd(top, sizeof top) != NULL);
    T(chdir("d/sub"));
    T(getcwd(cwd, sizeof cwd) != NULL);
    SHOW("cwd is top + /d/sub: %d", strncmp(cwd, top, strlen(top)) == 0 && strcmp(cwd + strlen(top), "/d/sub") == 0);
    T(chdir("../.."));
    T(getcwd(cwd, sizeof cwd) != NULL);
    SHOW("back at top: %d", strcmp(cwd, top) == 0);
    T(chdir("f"));
    T(chdir("missing"));
    fd = open("d", O_RDONLY | O_DIRECTORY);
    T(fchdir(fd));
    T(getcwd(cwd, sizeof cwd) != NULL);
    SHOW("fchdir: %d", strcmp(cwd + strlen(top), "/d") == 0);
    close(fd);
    T(chdir(top));
    T(getcwd(cwd, 2) != NULL);

    /* mkdirat / unlinkat with AT_REMOVEDIR relative to a directory descriptor. */
    fd = open("d", O_RDONLY | O_DIRECTORY);
    T(mkdirat(fd, "at", 0700));
    show_stat("d/at", 1);
    T(unlinkat(fd, "at", 0));
    T(unlinkat(fd, "at", AT_REMOVEDIR));
    T(unlinkat(fd, "at", 0x8000));
    close(fd);
    T(mkdirat(99, "x", 0700));
    fd = open("f", O_RDONLY);
    T(mkdirat(fd, "x", 0700));
    close(fd);
    return finish();
}
