/* inotify: events the VM's own changes make (open, create, modify, access, attrib, close, rename with its cookie,
 * link, unlink with IN_DELETE_SELF and IN_IGNORED, mkdir/rmdir, symlink, mknod, truncate), a directory's and a file's
 * watches together, IN_ONESHOT, IN_MASK_ADD/IN_MASK_CREATE, rm_watch, merging of equal events, read(2)'s record
 * layout and its EINVAL for a short buffer, FIONREAD, poll, a blocking read woken by another process, the errors. */
#include "check.h"
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static unsigned last_cookie;

static void names(uint32_t m)
{
    static const struct { uint32_t bit; const char *name; } bits[] = {
        {IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"}, {IN_CLOSE_WRITE, "CLOSE_WRITE"},
        {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
        {IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"}, {IN_MOVE_SELF, "MOVE_SELF"},
        {IN_Q_OVERFLOW, "Q_OVERFLOW"}, {IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"}};
    const char *sep = "";
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++)
        if (m & bits[i].bit) { printf("%s%s", sep, bits[i].name); sep = "|"; m &= ~bits[i].bit; }
    if (m) printf("%s%#x", sep, m);
}

/* Prints every queued event (the descriptor is non-blocking). */
static void events(int fd, const char *after)
{
    char buf[4096] __attribute__((aligned(8)));
    printf("after %s:", after);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            printf(" [wd %d ", e->wd);
            names(e->mask);
            if (e->len) printf(" \"%s\" len %u", e->name, e->len);
            if (e->cookie) { printf(" cookie %s", e->cookie == last_cookie ? "same" : "new"); last_cookie = e->cookie; }
            printf("]");
            p += sizeof *e + e->len;
        }
    }
    printf("\n");
}

int main(void)
{
    T(inotify_init1(12345));
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    TF(in);
    T(mkdir("d", 0755));
    T(inotify_add_watch(in, "missing", IN_ALL_EVENTS));
    T(inotify_add_watch(in, "d", 0));
    T(inotify_add_watch(1, "d", IN_ALL_EVENTS));
    T(inotify_add_watch(99, "d", IN_ALL_EVENTS));
    T(inotify_add_watch(in, "d", IN_ALL_EVENTS | IN_MASK_ADD | IN_MASK_CREATE));
    int wd = inotify_add_watch(in, "d", IN_ALL_EVENTS);
    SHOW("directory watch: %d", wd);
    T(inotify_add_watch(in, "d", IN_CREATE | IN_MASK_CREATE));

    int fd = open("d/f", O_WRONLY | O_CREAT, 0644);
    events(in, "create");
    T(write(fd, "hello", 5));
    T(write(fd, "hello", 5));
    events(in, "two writes (merged)");
    T(close(fd));
    events(in, "close");
    T(inotify_add_watch(in, "d/f", IN_ONLYDIR | IN_ALL_EVENTS));
    int wf = inotify_add_watch(in, "d/f", IN_ALL_EVENTS);
    SHOW("file watch: %d", wf);
    fd = open("d/f", O_RDONLY);
    char b[16];
    T(read(fd, b, sizeof b));
    T(pread(fd, b, 2, 1));
    T(close(fd));
    events(in, "open, read, pread, close");
    fd = open("d/f", O_WRONLY | O_TRUNC);
    T(close(fd));
    events(in, "O_TRUNC");
    T(chmod("d/f", 0600));
    T(truncate("d/f", 3));
    events(in, "chmod, truncate");
    T(rename("d/f", "d/g"));
    events(in, "rename");
    T(link("d/g", "d/h"));
    events(in, "link");
    T(unlink("d/h"));
    events(in, "unlink of one link");
    T(mkdir("d/sub", 0755));
    T(rmdir("d/sub"));
    T(symlink("g", "d/sym"));
    T(mkfifo("d/fifo", 0644));
    T(unlink("d/sym"));
    T(unlink("d/fifo"));
    events(in, "mkdir, rmdir, symlink, mkfifo, unlinks");
    fd = open("d", O_RDONLY | O_DIRECTORY);
    T(close(fd));
    events(in, "opening the directory");
    T(unlink("d/g"));
    events(in, "unlink of the last link");
    T(inotify_rm_watch(in, wf));

    /* IN_ONESHOT, IN_MASK_ADD, rm_watch. */
    write_file("d/one", "x");
    events(in, "write_file");
    int w1 = inotify_add_watch(in, "d/one", IN_OPEN | IN_ONESHOT);
    SHOW("oneshot watch is new: %d", w1 != wd);
    close(open("d/one", O_RDONLY));
    close(open("d/one", O_RDONLY));
    T(inotify_rm_watch(in, wd));
    events(in, "two opens with a one-shot watch, rm_watch");
    T(inotify_rm_watch(in, wd));
    T(inotify_rm_watch(in, 9999));
    T(inotify_rm_watch(1, 1));
    int w2 = inotify_add_watch(in, "d/one", IN_ATTRIB);
    SHOW("same watch again: %d", inotify_add_watch(in, "d/one", IN_OPEN | IN_MASK_ADD) == w2);
    close(open("d/one", O_RDONLY));
    T(chmod("d/one", 0644));
    events(in, "open and chmod with IN_ATTRIB|IN_OPEN");
    SHOW("replace the mask: %d", inotify_add_watch(in, "d/one", IN_ATTRIB) == w2);
    close(open("d/one", O_RDONLY));
    events(in, "open with IN_ATTRIB only");

    /* read(2): whole events only; FIONREAD; poll. */
    T(chmod("d/one", 0600));
    T(chmod("d/one", 0644));
    int avail = -1;
    T(ioctl(in, FIONREAD, &avail));
    SHOW("FIONREAD: %d", avail);
    struct pollfd pfd = {in, POLLIN, 0};
    T(poll(&pfd, 1, 0));
    SHOW("revents %#x", pfd.revents);
    char small[8];
    T(read(in, small, sizeof small));
    char one[sizeof(struct inotify_event)];
    T(read(in, one, sizeof one));
    events(in, "the rest");
    pfd.revents = 0;
    T(poll(&pfd, 1, 0));

    /* A blocking read is woken by another process's change. */
    int blocking = inotify_init();
    TF(blocking);
    inotify_add_watch(blocking, "d", IN_CREATE);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        usleep(20000);
        write_file("d/from-child", "c");
        _exit(0);
    }
    char buf[256];
    ssize_t n = read(blocking, buf, sizeof buf);
    struct inotify_event *e = (struct inotify_event *)buf;
    printf("blocking read -> %zd: mask %#x name %s\n", n, e->mask, e->name);
    waitpid(child, NULL, 0);
    T(close(blocking));
    unlink("d/from-child");
    unlink("d/one");
    rmdir("d");
    events(in, "cleanup");
    T(close(in));
    return finish();
}
