/* What a program sees of the CPU level (--cpu): CPUID feature bits, /proc/cpuinfo flags, AT_HWCAP, and which
   instructions run (SIGILL otherwise; F3 0F BC/BD run as BSF/BSR without BMI1/LZCNT). Not compared with native:
   the host CPU is different. Run twice (argument "twice"), with a busy loop between, for snapshot tests. */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <elf.h>

static sigjmp_buf jb;
static void on_ill(int sig) { (void)sig; siglongjmp(jb, 1); }

#define TRY(name, code)                                     \
    do {                                                    \
        if (!sigsetjmp(jb, 1)) { code; printf(" %s", name); } \
        else printf(" !%s", name);                          \
    } while (0)

static void report(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    printf("leaf1 ecx=%08x edx=%08x", c, d);
    __cpuid_count(7, 0, a, b, c, d);
    printf(" leaf7 ebx=%08x", b);
    __cpuid(0x80000001, a, b, c, d);
    unsigned long hwcap = 0, av[2];
    FILE *auxv = fopen("/proc/self/auxv", "rb"); /* glibc's getauxval(AT_HWCAP) is its own value, not the kernel's */
    while (auxv && fread(av, sizeof av, 1, auxv) == 1 && av[0] != AT_NULL)
        if (av[0] == AT_HWCAP) hwcap = av[1];
    if (auxv) fclose(auxv);
    printf(" ext ecx=%08x hwcap=%08lx\n", c, hwcap);
    unsigned long x = 0, r = 5;
    printf("runs:");
    TRY("sse3", __asm__ volatile("haddps %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("ssse3", __asm__ volatile("pshufb %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("sse4.1", __asm__ volatile("pmulld %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("sse4.2", __asm__ volatile("pcmpistri $0, %%xmm1, %%xmm0" ::: "ecx", "cc"));
    TRY("popcnt", __asm__ volatile("popcnt %1, %0" : "=r"(x) : "r"(r) : "cc"));
    TRY("cx16", __asm__ volatile("lea -32(%%rsp), %%rsi; and $-16, %%rsi; cmpxchg16b (%%rsi)" ::: "rsi", "rax", "rdx", "memory", "cc"));
    TRY("movbe", __asm__ volatile("movbe (%%rsp), %0" : "=r"(x)));
    TRY("bmi1", __asm__ volatile("andn %1, %1, %0" : "=r"(x) : "r"(r) : "cc"));
    TRY("bmi2", __asm__ volatile("pdep %1, %1, %0" : "=r"(x) : "r"(r)));
    TRY("adx", __asm__ volatile("adcx %1, %0" : "+r"(x) : "r"(r) : "cc"));
    printf("\n");
    x = 77;
    __asm__ volatile("tzcnt %1, %0" : "+r"(x) : "r"(0UL) : "cc");
    unsigned long y = 77;
    __asm__ volatile("lzcnt %1, %0" : "+r"(y) : "r"(8UL) : "cc");
    printf("tzcnt(0)=%lu lzcnt(8)=%lu\n", x, y);
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5)) fputs(line, stdout);
    if (f) fclose(f);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGILL, on_ill);
    report();
    if (argc > 1 && !strcmp(argv[1], "twice")) {
        volatile unsigned long s = 0;
        for (unsigned long i = 0; i < 3000000; i++) s += i ^ (s >> 3);
        printf("busy %lu\n", s);
        report();
    }
    return 0;
}
