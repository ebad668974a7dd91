/* Extended attributes on files in /tmp (a tmpfs in the VM): set/get/list/remove in the path, l- and f- forms, flags,
 * size queries, ERANGE/ENODATA/EEXIST, namespaces, symlinks and a copy kept across rename and hard links. */
#include "check.h"
#include <sys/xattr.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void show_list(const char *path)
{
    char buf[1024];
    long n = listxattr(path, buf, sizeof buf);
    if (n < 0) { printf("list %s: %s\n", path, errname(errno)); return; }
    char *names[64];
    int count = 0;
    for (long i = 0; i < n && count < 64; i += strlen(buf + i) + 1) names[count++] = buf + i;
    qsort(names, count, sizeof *names, cmp);
    printf("list (%ld bytes):", n);
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
}

int main(void)
{
    char dir[64], file[96], lnk[96], other[96], hard[96], value[64];
    snprintf(dir, sizeof dir, "/tmp/x86vm-xattr-%d", getpid());
    snprintf(file, sizeof file, "%s/file", dir);
    snprintf(lnk, sizeof lnk, "%s/link", dir);
    snprintf(other, sizeof other, "%s/renamed", dir);
    snprintf(hard, sizeof hard, "%s/hard", dir);
    T(mkdir(dir, 0755));
    write_file(file, "data");
    T(symlink("file", lnk));

    T(setxattr(file, "user.color", "blue", 4, 0));
    T(setxattr(file, "user.color", "red", 3, XATTR_CREATE));
    T(setxattr(file, "user.missing", "x", 1, XATTR_REPLACE));
    T(setxattr(file, "user.color", "green", 5, XATTR_REPLACE));
    T(setxattr(file, "user.empty", "", 0, 0));
    T(setxattr(file, "trusted.t", "t", 1, 0));
    T(setxattr(file, "nonamespace", "x", 1, 0));
    T(setxattr(file, "system.foo", "x", 1, 0));
    T(setxattr(file, "", "x", 1, 0));
    T(setxattr(file, "user.x", "x", 1, 4));
    T(getxattr(file, "user.color", NULL, 0));
    memset(value, 0, sizeof value);
    T(getxattr(file, "user.color", value, sizeof value));
    SHOW("value %s", value);
    T(getxattr(file, "user.color", value, 2));
    T(getxattr(file, "user.none", value, sizeof value));
    T(getxattr(file, "user.empty", value, sizeof value));
    T(listxattr(file, NULL, 0));
    T(listxattr(file, value, 3));
    show_list(file);

    /* Through the symlink (followed) and on it (l- forms: user. is not allowed on a symlink). */
    T(getxattr(lnk, "user.color", value, sizeof value));
    T(lgetxattr(lnk, "user.color", value, sizeof value));
    T(lsetxattr(lnk, "user.l", "x", 1, 0));
    T(lsetxattr(lnk, "trusted.l", "x", 1, 0));
    T(llistxattr(lnk, NULL, 0));

    /* Descriptor forms. */
    int fd = open(file, O_RDONLY);
    T(fsetxattr(fd, "user.fd", "via-fd", 6, 0));
    T(fgetxattr(fd, "user.fd", value, sizeof value));
    T(fremovexattr(fd, "user.fd"));
    T(fremovexattr(fd, "user.fd"));
    int opath = open(file, O_PATH);
    T(fgetxattr(opath, "user.color", value, sizeof value));
    close(opath);
    close(fd);

    /* Attributes belong to the inode. */
    T(rename(file, other));
    T(link(other, hard));
    T(getxattr(hard, "user.color", value, sizeof value));
    T(removexattr(other, "user.color"));
    T(getxattr(hard, "user.color", value, sizeof value));
    show_list(hard);

    /* Directories have them too. */
    T(setxattr(dir, "user.d", "dir", 3, 0));
    T(getxattr(dir, "user.d", value, sizeof value));
    T(getxattr("/tmp/x86vm-no-such-file", "user.d", value, sizeof value));

    unlink(hard);
    unlink(other);
    unlink(lnk);
    T(rmdir(dir));
    return finish();
}
