/* Sandbox probe: run only in the VM. Each argument is a command; results go to stdout one per line.
 *   cat:PATH     print the first line of PATH (or the errno)
 *   ls:PATH      print the sorted entries of PATH
 *   cd:PATH      chdir, then print getcwd
 *   link:PATH    print readlink(PATH)
 *   write:PATH   create/overwrite PATH with "guest"
 *   rm:PATH      unlink PATH
 *   rmdir:PATH   rmdir PATH
 *   mv:A=B       rename A to B
 *   chmod:PATH   chmod PATH 0600
 *   mkdir:PATH   mkdir PATH
 *   stat:PATH    print PATH's type (stat) and whether opendir/readdir of its parent lists it with the same inode
 *   real:PATH    print realpath(PATH)
 */
#include "../syscalls/check.h"
#include <dirent.h>
#include <libgen.h>
#include <limits.h>

/* "same-ino" when readdir of PATH's parent lists its last component with st_ino, else what went wrong. */
static const char *listed(const char *path, ino_t ino)
{
    char copy[4096], name[4096];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(name, sizeof name, "%s", basename(copy));
    snprintf(copy, sizeof copy, "%s", path);
    DIR *d = opendir(dirname(copy));
    if (!d) return "parent-unlistable";
    const char *r = "not-listed";
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, name) == 0) r = e->d_ino == ino ? "same-ino" : "other-ino";
    closedir(d);
    return r;
}

int main(int argc, char **argv)
{
    char buf[4096];
    for (int i = 1; i < argc; i++) {
        char *cmd = argv[i], *arg = strchr(cmd, ':');
        if (!arg) continue;
        *arg++ = 0;
        errno = 0;
        if (strcmp(cmd, "cat") == 0) {
            int fd = open(arg, O_RDONLY);
            long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
            if (n < 0) { printf("cat %s: %s\n", arg, errname(errno)); continue; }
            buf[n] = 0;
            char *nl = strchr(buf, '\n');
            if (nl) *nl = 0;
            printf("cat %s: %s\n", arg, buf);
            close(fd);
        } else if (strcmp(cmd, "ls") == 0) {
            show_dir(arg);
        } else if (strcmp(cmd, "cd") == 0) {
            int r = chdir(arg);
            printf("cd %s: %s %s\n", arg, r < 0 ? errname(errno) : "ok", getcwd(buf, sizeof buf) ? buf : "?");
        } else if (strcmp(cmd, "link") == 0) {
            long n = readlink(arg, buf, sizeof buf - 1);
            buf[n < 0 ? 0 : n] = 0;
            printf("link %s: %s\n", arg, n < 0 ? errname(errno) : buf);
        } else if (strcmp(cmd, "write") == 0) {
            int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            printf("write %s: %s\n", arg, fd < 0 || write(fd, "guest", 5) != 5 ? errname(errno) : "ok");
            if (fd >= 0) close(fd);
        } else if (strcmp(cmd, "rm") == 0) {
            printf("rm %s: %s\n", arg, unlink(arg) < 0 ? errname(errno) : "ok");
        } else if (strcmp(cmd, "rmdir") == 0) {
            printf("rmdir %s: %s\n", arg, rmdir(arg) < 0 ? errname(errno) : "ok");
        } else if (strcmp(cmd, "mkdir") == 0) {
            printf("mkdir %s: %s\n", arg, mkdir(arg, 0755) < 0 ? errname(errno) : "ok");
        } else if (strcmp(cmd, "chmod") == 0) {
            printf("chmod %s: %s\n", arg, chmod(arg, 0600) < 0 ? errname(errno) : "ok");
        } else if (strcmp(cmd, "stat") == 0) {
            struct stat st;
            if (stat(arg, &st) < 0) { printf("stat %s: %s\n", arg, errname(errno)); continue; }
            printf("stat %s: %s %s\n", arg, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other", listed(arg, st.st_ino));
        } else if (strcmp(cmd, "real") == 0) {
            char real[PATH_MAX];
            printf("real %s: %s\n", arg, realpath(arg, real) ? real : errname(errno));
        } else if (strcmp(cmd, "mv") == 0) {
            char *to = strchr(arg, '=');
            if (!to) continue;
            *to++ = 0;
            printf("mv %s %s: %s\n", arg, to, rename(arg, to) < 0 ? errname(errno) : "ok");
        }
    }
    return 0;
}
