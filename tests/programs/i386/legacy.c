/* Instructions that exist only outside 64-bit mode, and %gs-relative TLS: run under qemu-i386 and x86vm, the outputs
 * must be identical. Built with gcc -m32 by I386ProgramTests. */
#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>

static __thread int tls_value = 42;
unsigned pusha_out[8];
static sigjmp_buf env;
static void on_segv(int sig) { siglongjmp(env, sig); }

/* Runs a one-operand BCD adjustment on AX with the given flags; prints AX and the status flags after it. */
#define BCD(insn, ax, flags) do { \
    unsigned a = (ax), f = (flags); \
    __asm__ volatile("push %1; popf; " insn "; pushf; pop %1" : "+a"(a), "+r"(f) :: "cc"); \
    printf("%-4s ax=%04x flags_in=%03x -> ax=%04x cf=%u af=%u zf=%u sf=%u pf=%u\n", insn, (ax) & 0xffff, (flags), \
        a & 0xffff, f & 1, (f >> 4) & 1, (f >> 6) & 1, (f >> 7) & 1, (f >> 2) & 1); \
} while (0)

int main(void)
{
    static const unsigned values[] = { 0x0000, 0x0009, 0x000a, 0x000f, 0x0099, 0x009a, 0x00f9, 0x00fa, 0x01ff, 0x1234 };
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++)
        for (unsigned f = 0; f < 2; f++) {
            unsigned flags = 0x202 | (f ? 0x11 : 0); /* CF and AF */
            BCD("aaa", values[i], flags);
            BCD("aas", values[i], flags);
            BCD("daa", values[i], flags);
            BCD("das", values[i], flags);
            BCD("aam", values[i], flags);
            BCD("aad", values[i], flags);
        }

    __asm__ volatile(
        "push %%ebp; mov $1, %%eax; mov $2, %%ecx; mov $3, %%edx; mov $4, %%ebx; mov $6, %%ebp; mov $7, %%esi; mov $8, %%edi;"
        "pushal; mov (%%esp), %%eax; mov %%eax, pusha_out; mov 4(%%esp), %%eax; mov %%eax, pusha_out+4;"
        "mov 8(%%esp), %%eax; mov %%eax, pusha_out+8; mov 16(%%esp), %%eax; mov %%eax, pusha_out+16;"
        "mov 28(%%esp), %%eax; mov %%eax, pusha_out+28; movl $0x55, 0(%%esp); popal; mov %%edi, pusha_out+20; pop %%ebp"
        ::: "eax", "ecx", "edx", "ebx", "esi", "edi", "memory");
    printf("pusha: edi=%u esi=%u ebp=%u ebx=%u eax=%u popa edi=%u\n", pusha_out[0], pusha_out[1], pusha_out[2], pusha_out[4],
        pusha_out[7], pusha_out[5]);

    unsigned short ds, ss, cs, gs;
    __asm__ volatile("mov %%ds, %0; mov %%ss, %1; mov %%cs, %2; mov %%gs, %3" : "=r"(ds), "=r"(ss), "=r"(cs), "=r"(gs));
    unsigned pushed;
    __asm__ volatile("push %%ds; pop %0; push %%gs; pop %%gs" : "=r"(pushed));
    printf("selectors: ds=%#x ss=%#x cs=%#x gs nonzero=%d push ds=%#x\n", ds, ss, cs, gs != 0, pushed);
    tls_value += 1;
    printf("tls through %%gs: %d\n", tls_value);

    int bounds[2] = { -5, 10 };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, 0);
    for (int index = -6; index <= 11; index += 17) {
        int sig = sigsetjmp(env, 1);
        if (sig == 0) {
            __asm__ volatile("bound %0, %1" : : "r"(index), "m"(bounds));
            printf("bound %d: inside\n", index);
        } else printf("bound %d: signal %d\n", index, sig);
    }
    int inside = 3;
    __asm__ volatile("bound %0, %1" : : "r"(inside), "m"(bounds));
    printf("bound 3: inside\n");
    int sig = sigsetjmp(env, 1);
    if (sig == 0) {
        __asm__ volatile("mov $0x7fffffff, %%eax; add $1, %%eax; into" ::: "eax", "cc");
        printf("into: no trap\n");
    } else printf("into: signal %d\n", sig);
    return 0;
}
