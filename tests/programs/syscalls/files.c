/* open flags, I/O, truncation, allocation, sync, sendfile, copy_file_range, FIONREAD, statfs. */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>

int main(void)
{
    char buf[64];
    int fd, fd2;

    T(open("missing", O_RDONLY));
    T(open("missing/", O_CREAT | O_WRONLY, 0644));
    TF(fd = open("a", O_CREAT | O_EXCL | O_RDWR, 0640));
    T(open("a", O_CREAT | O_EXCL | O_RDWR, 0640));
    T(write(fd, "hello world", 11));
    T(lseek(fd, 0, SEEK_CUR));
    T(lseek(fd, -5, SEEK_END));
    T(read(fd, buf, sizeof buf));
    T(lseek(fd, -1, SEEK_SET));
    T(pwrite(fd, "HELLO", 5, 0));
    T(pread(fd, buf, 5, 6));
    T(pread(fd, buf, 5, -1));
    int avail = -1;
    T(lseek(fd, 3, SEEK_SET));
    T(ioctl(fd, FIONREAD, &avail));
    SHOW("FIONREAD %d", avail);
    close(fd);
    show_file("a");
    show_stat("a", 1);

    /* O_APPEND writes at the end whatever the offset. */
    TF(fd = open("a", O_WRONLY | O_APPEND));
    T(lseek(fd, 0, SEEK_SET));
    T(write(fd, "!", 1));
    T(lseek(fd, 0, SEEK_CUR));
    T(fcntl(fd, F_GETFL) & (O_APPEND | O_ACCMODE));
    T(fcntl(fd, F_SETFL, 0));
    T(fcntl(fd, F_GETFL) & (O_APPEND | O_ACCMODE));
    close(fd);
    show_file("a");

    /* O_TRUNC, access modes. */
    TF(fd = open("a", O_RDONLY | O_TRUNC));
    close(fd);
    show_stat("a", 1);
    TF(fd = open("a", O_RDONLY));
    T(write(fd, "x", 1));
    close(fd);
    TF(fd = open("a", O_WRONLY));
    T(read(fd, buf, 1));
    close(fd);
    TF(fd = open("a", O_WRONLY | O_TRUNC));
    close(fd);
    show_stat("a", 1);

    /* Directories and O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH. */
    T(mkdir("d", 0755));
    T(open("d", O_WRONLY));
    T(open("d", O_RDWR));
    T(open("d", O_CREAT | O_RDONLY, 0644));
    T(open("a", O_RDONLY | O_DIRECTORY));
    TF(fd = open("d", O_RDONLY | O_DIRECTORY));
    T(read(fd, buf, 1));
    close(fd);
    T(open("a/x", O_RDONLY));
    T(open("a/", O_RDONLY));
    T(symlink("a", "la"));
    T(open("la", O_RDONLY | O_NOFOLLOW));
    TF(fd = open("la", O_RDONLY));
    close(fd);
    TF(fd = open("a", O_RDONLY | O_CLOEXEC));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_GETFL) & O_CLOEXEC);
    close(fd);
    TF(fd = open("la", O_PATH | O_NOFOLLOW));
    struct stat st;
    T(fstat(fd, &st));
    SHOW("O_PATH symlink fstat: %s", kind(st.st_mode));
    T(read(fd, buf, 1));
    close(fd);
    TF(fd = open("d", O_PATH));
    T(openat(fd, "inside", O_CREAT | O_WRONLY, 0600) >= 0);
    show_stat("d/inside", 1);
    close(fd);

    /* O_TMPFILE: an unnamed file in a directory. */
    fd = open(".", O_TMPFILE | O_RDWR, 0600);
    if (fd >= 0 || errno == EOPNOTSUPP) SHOW("O_TMPFILE %s", "ok");
    if (fd >= 0) {
        T(write(fd, "tmp", 3));
        T(fstat(fd, &st));
        SHOW("tmpfile nlink=%lu size=%lld", (unsigned long)st.st_nlink, (long long)st.st_size);
        close(fd);
    }
    T(open(".", O_TMPFILE | O_RDONLY, 0600));

    /* creat, truncate, ftruncate, fallocate. */
    TF(fd = creat("c", 0600));
    T(write(fd, "0123456789", 10));
    T(ftruncate(fd, 4));
    T(ftruncate(fd, -1));
    T(fstat(fd, &st));
    SHOW("after ftruncate size=%lld", (long long)st.st_size);
    T(ftruncate(fd, 8));
    T(pread(fd, buf, 8, 0));
    SHOW("bytes %d %d %d %d %d", buf[0], buf[3], buf[4], buf[5], buf[7]);
    T(fallocate(fd, 0, 0, 100));
    T(fallocate(fd, 0, -1, 100));
    T(fallocate(fd, 0, 0, 0));
    T(fstat(fd, &st));
    SHOW("after fallocate size=%lld", (long long)st.st_size);
    T(fsync(fd));
    T(fdatasync(fd));
    T(syncfs(fd));
    close(fd);
    T(fsync(fd));
    TF(fd = open("c", O_RDONLY));
    T(ftruncate(fd, 0));
    T(fallocate(fd, 0, 0, 10));
    close(fd);
    T(truncate("c", 3));
    T(truncate("d", 3));
    T(truncate("missing", 3));
    T(truncate("c", -1));
    show_stat("c", 1);
    sync();

    /* sendfile and copy_file_range. */
    write_file("src", "abcdefghijklmnopqrstuvwxyz");
    fd = open("src", O_RDONLY);
    fd2 = open("dst", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    off_t off = 3;
    T(sendfile(fd2, fd, &off, 5));
    SHOW("sendfile offset now %lld, file offset %lld", (long long)off, (long long)lseek(fd, 0, SEEK_CUR));
    T(sendfile(fd2, fd, NULL, 4));
    SHOW("file offset %lld", (long long)lseek(fd, 0, SEEK_CUR));
    T(sendfile(fd, fd2, NULL, 4));
    close(fd2);
    show_file("dst");
    fd2 = open("dst", O_RDWR);
    loff_t in = 20, outo = 2;
    T(copy_file_range(fd, &in, fd2, &outo, 100, 0));
    SHOW("copy offsets %lld %lld", (long long)in, (long long)outo);
    T(copy_file_range(fd, NULL, fd2, NULL, 3, 0));
    T(copy_file_range(fd, NULL, fd2, NULL, 3, 1));
    close(fd2);
    close(fd);
    show_file("dst");

    /* statfs works on files and descriptors. */
    struct statfs sf;
    T(statfs(".", &sf));
    T(statfs("missing", &sf));
    fd = open("src", O_RDONLY);
    T(fstatfs(fd, &sf));
    SHOW("namelen %ld", (long)sf.f_namelen);
    close(fd);
    T(fstatfs(99, &sf));

    /* Long names. */
    char name[300];
    memset(name, 'n', 299);
    name[299] = 0;
    T(open(name, O_CREAT | O_WRONLY, 0644));
    name[255] = 0;
    TF(fd = open(name, O_CREAT | O_WRONLY, 0644));
    close(fd);
    T(unlink(name));
    T(close(99));
    return finish();
}
