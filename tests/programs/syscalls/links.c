/* link, symlink, readlink, unlink, symlink resolution (relative, absolute, loops, dangling, trailing slash). */
#include "check.h"

int main(void)
{
    char buf[4200], top[4096];
    getcwd(top, sizeof top);
    write_file("f", "content");
    T(link("f", "h"));
    T(link("f", "h"));
    T(link("missing", "h2"));
    T(mkdir("d", 0755));
    T(link("d", "dl"));
    show_stat("f", 1);
    show_stat("h", 1);
    T(unlink("f"));
    show_stat("h", 1);
    show_file("h");
    T(unlink("h"));
    T(unlink("h"));
    T(unlink("d"));
    T(unlink("missing/x"));

    /* Open files survive unlink. */
    write_file("g", "still here");
    int fd = open("g", O_RDONLY);
    T(unlink("g"));
    T(read(fd, buf, 10));
    struct stat st;
    T(fstat(fd, &st));
    SHOW("unlinked open file nlink=%lu size=%lld", (unsigned long)st.st_nlink, (long long)st.st_size);
    close(fd);

    /* Symlinks. */
    write_file("target", "T");
    T(symlink("target", "s1"));
    T(symlink("target", "s1"));
    T(symlink("", "s0"));
    T(symlink("nowhere", "dangling"));
    T(symlink("s1", "s2"));
    T(symlink("loop2", "loop1"));
    T(symlink("loop1", "loop2"));
    T(symlink("d", "sd"));
    T(symlink("../d", "d/up"));
    snprintf(buf, sizeof buf, "%s/target", top);
    T(symlink(buf, "abs"));
    show_stat("s1", 0);
    show_stat("s2", 1);
    show_file("s2");
    show_file("abs");
    show_file("dangling");
    show_file("loop1");
    show_stat("loop1", 0);
    T(open("dangling", O_CREAT | O_WRONLY, 0644) >= 0);
    show_stat("nowhere", 1);
    T(readlink("s1", buf, sizeof buf));
    T(readlink("s1", buf, 3));
    SHOW("truncated: %.3s", buf);
    T(readlink("target", buf, sizeof buf));
    T(readlink("missing", buf, sizeof buf));
    T(readlink("s1", buf, 0));
    T(readlinkat(AT_FDCWD, "sd", buf, sizeof buf));
    T(mkdir("sd/inner", 0755));
    show_stat("d/inner", 1);
    show_stat("sd/", 1);
    show_stat("s1/", 1);
    show_stat("d/up/up/up/inner", 1);
    T(unlink("sd/"));
    T(rmdir("sd"));
    T(unlink("sd"));
    show_stat("d", 1);

    /* symlinkat / linkat / unlinkat relative to descriptors. */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    T(symlinkat("../target", dfd, "rel"));
    show_file("d/rel");
    T(linkat(AT_FDCWD, "target", dfd, "hard", 0));
    T(linkat(AT_FDCWD, "s1", dfd, "hard-s1", 0));
    T(linkat(AT_FDCWD, "s1", dfd, "hard-s1-follow", AT_SYMLINK_FOLLOW));
    show_stat("d/hard-s1", 0);
    show_stat("d/hard-s1-follow", 0);
    show_stat("target", 1);
    T(linkat(AT_FDCWD, "target", dfd, "bad", 0x4000));
    T(unlinkat(dfd, "rel", 0));
    close(dfd);
    show_dir("d");
    show_dir(".");
    return finish();
}
