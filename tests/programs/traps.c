/* INT n, INT1, INT3 (both encodings), UD2, HLT, MOV from segment registers and XLAT as Linux reports them:
   the signal, si_code, si_addr and RIP relative to the code, and the sigcontext's err and trapno. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
static unsigned char *code;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    long addr = si->si_addr ? (long)((unsigned char *)si->si_addr - code) : -1;
    printf("sig=%d code=%d addr=%ld rip=+%lld err=%llx trapno=%lld\n", sig, si->si_code, addr,
           (long long)(uc->uc_mcontext.gregs[REG_RIP] - (long long)code), (long long)uc->uc_mcontext.gregs[REG_ERR],
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO]);
    siglongjmp(jb, 1);
}

static void run(const char *name, const unsigned char *bytes, int n)
{
    memcpy(code, bytes, n);
    code[n] = 0xc3;
    printf("%s: ", name);
    fflush(stdout);
    if (!sigsetjmp(jb, 1)) {
        ((void (*)(void))code)();
        printf("returned\n");
    }
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    int sigs[] = {SIGSEGV, SIGTRAP, SIGILL, SIGBUS, SIGFPE};
    for (int i = 0; i < 5; i++) sigaction(sigs[i], &sa, 0);
    code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int vectors[] = {0, 1, 2, 3, 4, 5, 6, 8, 0x0d, 0x0e, 0x10, 0x20, 0x2d, 0x7f, 0x81, 0xfe, 0xff};
    for (unsigned i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        unsigned char b[2] = {0xcd, (unsigned char)vectors[i]};
        char name[16];
        snprintf(name, sizeof name, "int 0x%x", vectors[i]);
        run(name, b, 2);
    }
    run("int3 (cc)", (const unsigned char[]){0xcc}, 1);
    run("int1 (f1)", (const unsigned char[]){0xf1}, 1);
    run("ud2", (const unsigned char[]){0x0f, 0x0b}, 2);
    run("hlt", (const unsigned char[]){0xf4}, 1);
    run("cli", (const unsigned char[]){0xfa}, 1);

    unsigned long cs = ~0ul, ss = ~0ul, ds = ~0ul, es = ~0ul, fs = ~0ul, gs = ~0ul, r = 0x1122334455667788ul;
    unsigned short m = 0xffff;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3; mov %%fs, %4; mov %%gs, %5"
                     : "+r"(cs), "+r"(ss), "+r"(ds), "+r"(es), "+r"(fs), "+r"(gs));
    __asm__ volatile("mov %%cs, %0" : "=m"(m));
    __asm__ volatile("mov %%ss, %w0" : "+r"(r));
    printf("cs=%lx ss=%lx ds=%lx es=%lx fs=%lx gs=%lx m=%x r=%lx\n", cs, ss, ds, es, fs, gs, m, r);
    unsigned char table[256];
    for (int i = 0; i < 256; i++) table[i] = (unsigned char)(i * 7 + 3);
    for (unsigned long a = 0xabcdef0000000000ul; a < 0xabcdef0000000100ul; a += 37) {
        unsigned long x = a;
        __asm__ volatile("xlat" : "+a"(x) : "b"(table));
        printf("xlat %lx -> %lx\n", a, x);
    }
    return 0;
}
