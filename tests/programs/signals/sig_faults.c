/* CPU faults delivered to handlers: SIGSEGV with si_addr (siglongjmp out), SIGFPE FPE_INTDIV, SIGILL from ud2,
   SIGTRAP from int3, and a handler that resumes by editing the saved RIP in the ucontext. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code, fault_signo, trapno;
static volatile uintptr_t fault_rip;
static volatile int aligned;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    fault_signo = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    fault_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(env, 1);
}

/* Skips the faulting 2-byte instruction (ud2) by editing the saved context. */
static void skip_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uc->uc_mcontext.gregs[REG_RAX] = 77;
    aligned = 1;
}

static volatile int zero = 0;
volatile int entry_misalign;
void align_handler(int);
__asm__(".text\n.globl align_handler\nalign_handler:\n\tlea 8(%rsp), %rax\n\tand $15, %eax\n\tmov %eax, entry_misalign(%rip)\n\tret\n");

static volatile int fp_ran;
static void fp_handler(int sig)
{
    (void)sig;
    fp_ran = 1;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm8, %%xmm8" ::: "xmm0", "xmm8");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    if (!sigsetjmp(env, 1)) { *(volatile int *)0x1234 = 1; }
    printf("segv: sig=%d code=%d addr=%p trapno=%d\n", fault_signo, fault_code, fault_addr, trapno);

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(env, 1)) { ro[100] = 1; }
    printf("segv ro: code=%d offset=%ld trapno=%d\n", fault_code, (long)((char *)fault_addr - ro), trapno);

    if (!sigsetjmp(env, 1)) { volatile int x = 10 / zero; (void)x; }
    printf("fpe: sig=%d code=%d is_rip=%d trapno=%d\n", fault_signo, fault_code, fault_addr == (void *)fault_rip, trapno);

    if (!sigsetjmp(env, 1)) { __asm__ volatile("ud2"); }
    printf("ill: sig=%d code=%d is_rip=%d trapno=%d\n", fault_signo, fault_code, fault_addr == (void *)fault_rip, trapno);

    if (!sigsetjmp(env, 1)) { __asm__ volatile("int3"); }
    printf("trap: sig=%d code=%d trapno=%d\n", fault_signo, fault_code, trapno);

    /* The mask was restored by siglongjmp (savemask=1): SIGSEGV is deliverable again. */
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("segv blocked after longjmp: %d\n", sigismember(&cur, SIGSEGV));

    /* Resume after the faulting instruction through sigreturn. */
    sa.sa_sigaction = skip_handler;
    sigaction(SIGILL, &sa, NULL);
    long rax;
    __asm__ volatile("mov $5, %%rax\n\tud2\n\tmov %%rax, %0" : "=r"(rax) : : "rax");
    printf("resumed: rax=%ld handler_ran=%d\n", rax, aligned);
    signal(SIGILL, SIG_DFL);

    /* The handler is entered with (rsp + 8) % 16 == 0, like after a CALL. */
    signal(SIGUSR1, align_handler);
    entry_misalign = -1;
    raise(SIGUSR1);
    printf("entry misalignment: %d\n", entry_misalign);

    /* XMM registers survive a signal whose handler clobbers them (the frame's FXSAVE area is restored). */
    signal(SIGUSR2, fp_handler);
    double in = 2.5, out0 = 0, out8 = 0;
    int pid = getpid();
    __asm__ volatile(
        "movsd %[in], %%xmm8\n\tmovsd %[in], %%xmm0\n\t"
        "mov $62, %%eax\n\tmov %[pid], %%edi\n\tmov $12, %%esi\n\tsyscall\n\t"
        "movsd %%xmm8, %[o8]\n\tmovsd %%xmm0, %[o0]"
        : [o8] "=m"(out8), [o0] "=m"(out0)
        : [in] "m"(in), [pid] "r"(pid)
        : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm8", "memory");
    printf("fp: xmm0_kept=%d xmm8_kept=%d handler_ran=%d\n", !memcmp(&out0, &in, 8), !memcmp(&out8, &in, 8), fp_ran);

    /* A fault while the signal is blocked kills the process (force_sig). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
