/* /proc/self as seen by the process: links, fd/fdinfo, maps, stat/status/statm/comm/cmdline, cpuinfo vs CPUID. */
#include "check.h"
#include <cpuid.h>
#include <sys/prctl.h>

static char content[65536];

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    long total = 0, n;
    while ((n = read(fd, content + total, sizeof content - 1 - total)) > 0) total += n;
    close(fd);
    content[total] = 0;
    return total;
}

static int cpu_bit(unsigned leaf, int reg, int bit)
{
    unsigned r[4] = {0};
    if (__get_cpuid_max(leaf & 0x80000000, 0) < leaf) return 0;
    __cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
    return (r[reg] >> bit) & 1;
}

static int has_flag(const char *flags, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = flags; (p = strstr(p, name)) != NULL; p += n)
        if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == 0)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    char buf[4096], cwd[4096], path[4200];
    long n;
    getcwd(cwd, sizeof cwd);

    n = readlink("/proc/self", buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("self is pid: %d", atoi(buf) == getpid());
    n = readlink("/proc/self/cwd", buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("cwd link matches getcwd: %d", strcmp(buf, cwd) == 0);
    n = readlink("/proc/self/exe", buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    const char *base = strrchr(buf, '/');
    SHOW("exe basename: %s", base ? base + 1 : buf);
    n = readlink("/proc/self/root", buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("root: %s", buf);
    snprintf(path, sizeof path, "/proc/%d/cwd", getpid());
    n = readlink(path, buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    SHOW("/proc/PID/cwd matches: %d", strcmp(buf, cwd) == 0);
    T(chdir("/proc/self/cwd"));
    getcwd(buf, sizeof buf);
    SHOW("chdir through the link: %d", strcmp(buf, cwd) == 0);

    /* fd and fdinfo. */
    write_file("f", "hello");
    int fd = open("f", O_RDWR | O_APPEND | O_CLOEXEC);
    lseek(fd, 2, SEEK_SET);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    n = readlink(path, buf, sizeof buf);
    buf[n < 0 ? 0 : n] = 0;
    snprintf(path, sizeof path, "%s/f", cwd);
    SHOW("fd link is the path: %d", strcmp(buf, path) == 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int again = open(path, O_RDONLY);
    T(read(again, buf, 5));
    SHOW("reopened through fd link: %.5s, own offset %lld", buf, (long long)lseek(again, 0, SEEK_CUR));
    struct stat st1, st2;
    fstat(fd, &st1);
    stat(path, &st2);
    SHOW("stat through fd link is the file: %d", st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev);
    close(again);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    slurp(path);
    char *nl = strchr(content, '\n');
    if (nl) nl = strchr(nl + 1, '\n');
    if (nl) *nl = 0;
    SHOW("fdinfo: %s", content);
    close(fd);
    T(readlink("/proc/self/fd/99", buf, sizeof buf));
    T(open("/proc/self/fd/99", O_RDONLY));

    /* maps: the stack and the mapping holding main's code. */
    slurp("/proc/self/maps");
    int local = 0, stack_ok = 0, code_ok = 0;
    for (char *line = strtok(content, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
        if ((unsigned long)&local >= lo && (unsigned long)&local < hi) stack_ok = strcmp(perms, "rw-p") == 0 && strstr(line, "[stack]") != NULL;
        if ((unsigned long)&main >= lo && (unsigned long)&main < hi) code_ok = perms[2] == 'x' && strstr(line, base ? base + 1 : "") != NULL;
    }
    SHOW("maps: stack %d, code %d", stack_ok, code_ok);

    /* stat, status, statm, comm, cmdline. */
    prctl(PR_SET_NAME, "proctest");
    slurp("/proc/self/comm");
    SHOW("comm: %s", content);
    slurp("/proc/self/stat");
    int spid = 0, sppid = 0;
    char comm[64] = "", state = 0;
    sscanf(content, "%d (%63[^)]) %c %d", &spid, comm, &state, &sppid);
    int fields = 0;
    for (char *p = content; *p; p++) if (*p == ' ') fields++;
    SHOW("stat: pid %d comm %s ppid %d fields %d", spid == getpid(), comm, sppid == getppid(), fields + 1);
    slurp("/proc/self/status");
    SHOW("status Name line: %d, Pid line: %d", strstr(content, "Name:\tproctest\n") != NULL,
        (snprintf(buf, sizeof buf, "\nPid:\t%d\n", getpid()), strstr(content, buf) != NULL));
    slurp("/proc/self/statm");
    fields = 0;
    for (char *p = content; *p; p++) if (*p == ' ') fields++;
    SHOW("statm fields %d", fields + 1);
    slurp("/proc/self/cmdline");
    SHOW("cmdline starts with argv[0]: %d", strcmp(content, argv[0]) == 0);
    T(open("/proc/self/status", O_WRONLY));
    T(open("/proc/self/nonexistent", O_RDONLY));
    T(mkdir("/proc/self/x", 0755));
    T(unlink("/proc/self/status"));

    /* Top-level files. */
    T(slurp("/proc/uptime") > 0);
    long up = 0;
    sscanf(content, "%ld", &up);
    SHOW("uptime positive: %d", up > 0);
    T(slurp("/proc/meminfo") > 0);
    SHOW("meminfo has MemTotal: %d", strncmp(content, "MemTotal:", 9) == 0);
    T(slurp("/proc/version") > 0);
    SHOW("version starts: %.14s", content);
    slurp("/proc/sys/kernel/ostype");
    SHOW("ostype: %s", content);
    struct utsname { char s[6][65]; } u;
    syscall(SYS_uname, &u);
    slurp("/proc/sys/kernel/osrelease");
    SHOW("osrelease matches uname: %d", strncmp(content, u.s[2], strlen(u.s[2])) == 0);
    slurp("/proc/sys/kernel/hostname");
    SHOW("hostname matches uname: %d", strncmp(content, u.s[1], strlen(u.s[1])) == 0);
    T(slurp("/proc/self/mounts") > 0);
    T(slurp("/proc/mounts") > 0);

    /* cpuinfo flags agree with CPUID for every flag checked. */
    slurp("/proc/cpuinfo");
    char *flags = strstr(content, "\nflags\t\t: ");
    struct { const char *name; unsigned leaf; int reg, bit; } f[] = {
        {"fpu", 1, 3, 0}, {"tsc", 1, 3, 4}, {"cx8", 1, 3, 8}, {"cmov", 1, 3, 15}, {"clflush", 1, 3, 19}, {"mmx", 1, 3, 23},
        {"sse", 1, 3, 25}, {"sse2", 1, 3, 26}, {"pni", 1, 2, 0}, {"ssse3", 1, 2, 9}, {"cx16", 1, 2, 13}, {"sse4_1", 1, 2, 19},
        {"sse4_2", 1, 2, 20}, {"popcnt", 1, 2, 23}, {"avx", 1, 2, 28}, {"syscall", 0x80000001, 3, 11}, {"nx", 0x80000001, 3, 20},
        {"lm", 0x80000001, 3, 29}, {"lahf_lm", 0x80000001, 2, 0}, {"abm", 0x80000001, 2, 5}, {"bmi1", 7, 1, 3}, {"avx2", 7, 1, 5},
        {"bmi2", 7, 1, 8}, {"erms", 7, 1, 9}, {"fsrm", 7, 3, 4},
    };
    int agree = flags != NULL;
    for (unsigned i = 0; flags && i < sizeof f / sizeof *f; i++)
        if (has_flag(flags + 10, f[i].name) != cpu_bit(f[i].leaf, f[i].reg, f[i].bit)) { printf("flag %s disagrees\n", f[i].name); agree = 0; }
    SHOW("cpuinfo flags agree with cpuid: %d", agree);
    return finish();
}
