/* Raises the CPU fault named by argv[1]; the process dies by the signal Linux delivers for it.
 * Used by FaultTests: exit status and signal must match native. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
    const char *f = argc > 1 ? argv[1] : "";
    printf("raising %s\n", f);
    fflush(stdout);
    if (!strcmp(f, "null")) { volatile int *p = 0; return *p; }
    if (!strcmp(f, "write-ro")) { static const int k = 1; *(volatile int *)&k = 2; return 0; }
    if (!strcmp(f, "divzero")) { volatile long a = 7, b = 0; return (int)(a / b); }
    if (!strcmp(f, "divoverflow")) { volatile long a = (long)(1UL << 63), b = -1; return (int)(a / b); }
    if (!strcmp(f, "ud2")) { __asm__ volatile("ud2"); }
    if (!strcmp(f, "int3")) { __asm__ volatile("int3"); }
    if (!strcmp(f, "hlt")) { __asm__ volatile("hlt"); }
    if (!strcmp(f, "misaligned-sse")) {
        static char buf[64] __attribute__((aligned(16)));
        __asm__ volatile("movdqa 1(%0), %%xmm0" :: "r"(buf) : "xmm0");
    }
    if (!strcmp(f, "noexec")) {
        void *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(p, 0xc3, 4096);
        ((void (*)(void))p)();
    }
    if (!strcmp(f, "noncanonical")) { volatile long *p = (long *)0x8000000000000000UL; return (int)*p; }
    if (!strcmp(f, "abort")) { __builtin_trap(); }
    printf("no fault\n");
    return 0;
}
