/* File names are bytes: names that are not UTF-8 (a lone 0xff, a cut multi-byte sequence, Latin-1 text, a valid
 * UTF-8 name next to them) are created, listed, stat'ed, renamed, linked to and used as a directory and working
 * directory, and come back byte for byte; so do symlink targets, execve arguments and /proc/self/cmdline. */
#include "check.h"
#include <dirent.h>
#include <sys/wait.h>

static void hex(const char *label, const char *s, long n)
{
    printf("%s:", label);
    for (long i = 0; i < n; i++) printf(" %02x", (unsigned char)s[i]);
    printf("\n");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) { printf("opendir: %s\n", errname(errno)); return; }
    char *names[32];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 32)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) { hex("  entry", names[i], strlen(names[i])); free(names[i]); }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) hex("arg", argv[i], strlen(argv[i]));
        char buf[256];
        int fd = open("/proc/self/cmdline", O_RDONLY);
        long n = read(fd, buf, sizeof buf);
        close(fd);
        char *second = memchr(buf, 0, n);
        hex("cmdline after argv[0]", second + 1, buf + n - second - 1);
        return 0;
    }
    const char *names[] = {"\xff", "a\xe2\x82", "caf\xe9", "caf\xc3\xa9", "\x80\x80\x80\x80\x80"};
    T(mkdir("bytes", 0755));
    for (int i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "bytes/%s", names[i]);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) printf("create %d: %s\n", i, errname(errno));
        else { write(fd, names[i], strlen(names[i])); close(fd); }
    }
    printf("listing:\n");
    list("bytes");
    struct stat st;
    T(stat("bytes/\xff", &st));
    T(st.st_size);
    T(stat("bytes/\xef\xbf\xbd", &st));
    T(rename("bytes/\xff", "bytes/\xfe\xfe"));
    T(symlink("target-\xff\xfe", "bytes/link"));
    char buf[256];
    long n = readlink("bytes/link", buf, sizeof buf);
    hex("readlink", buf, n);
    T(link("bytes/caf\xe9", "bytes/hard-\xe9"));
    T(mkdir("bytes/dir-\xff", 0755));
    T(chdir("bytes/dir-\xff"));
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) { char *tail = strstr(cwd, "bytes/"); hex("getcwd tail", tail, strlen(tail)); }
    T(chdir("../.."));
    printf("listing after:\n");
    list("bytes");

    /* execve passes argument bytes through. */
    char *args[] = {argv[0], "\xff", "caf\xe9", "x\xe2\x82", NULL};
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { execv("/proc/self/exe", args); _exit(99); }
    int status;
    waitpid(pid, &status, 0);
    SHOW("child exit %d", WEXITSTATUS(status));

    /* Clean up. */
    const char *left[] = {"bytes/\xfe\xfe", "bytes/a\xe2\x82", "bytes/caf\xe9", "bytes/caf\xc3\xa9", "bytes/\x80\x80\x80\x80\x80",
        "bytes/link", "bytes/hard-\xe9"};
    for (int i = 0; i < 7; i++) if (unlink(left[i]) < 0) printf("unlink %d: %s\n", i, errname(errno));
    T(rmdir("bytes/dir-\xff"));
    T(rmdir("bytes"));
    return finish();
}
