/* Code that has run (and was decoded, maybe compiled) faults once it loses execute permission: mprotect without
 * PROT_EXEC, munmap, and mremap to another address; it runs again once execute permission comes back. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    (void)sig; (void)ctx;
    fault_addr = (uintptr_t)si->si_addr;
    fault_code = si->si_code;
    siglongjmp(env, 1);
}

typedef int (*fn)(int);

/* lea eax, [rdi + 1] ; ret */
static void emit_inc(uint8_t *at) {
    static const uint8_t code[] = { 0x8D, 0x47, 0x01, 0xC3 };
    memcpy(at, code, sizeof code);
}

static int hot(fn f) {
    int v = 0;
    for (int i = 0; i < 5000; i++) v = f(v);
    return v;
}

static void try_call(const char *what, fn f, uintptr_t expect_addr) {
    fault_addr = 0;
    fault_code = 0;
    if (sigsetjmp(env, 1) == 0) {
        int v = f(41);
        printf("%s: ran, returned %d\n", what, v);
    } else {
        printf("%s: SIGSEGV %s, at the function: %s\n", what,
               fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
               fault_addr == expect_addr ? "yes" : "no");
    }
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    uint8_t *p = mmap(0, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    emit_inc(p);
    fn f = (fn)p;
    printf("hot: %d\n", hot(f));

    mprotect(p, 4096, PROT_READ | PROT_WRITE);
    try_call("after mprotect(RW)", f, (uintptr_t)p);
    mprotect(p, 4096, PROT_READ);
    try_call("after mprotect(R)", f, (uintptr_t)p);
    mprotect(p, 4096, PROT_READ | PROT_EXEC);
    try_call("after mprotect(RX)", f, (uintptr_t)p);
    printf("hot again: %d\n", hot(f));

    /* mremap the code page elsewhere: the old address is gone, the new one runs. */
    uint8_t *q = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *moved = mremap(p, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, q);
    if (moved != q) { printf("mremap failed\n"); return 1; }
    try_call("old address after mremap", f, (uintptr_t)p);
    try_call("new address after mremap", (fn)moved, (uintptr_t)moved);

    /* munmap: the address is unmapped. */
    printf("hot moved: %d\n", hot((fn)moved));
    munmap(moved, 4096);
    try_call("after munmap", (fn)moved, (uintptr_t)moved);

    /* The second page, written and run in a loop, then made non-executable from inside the loop's callee's caller. */
    uint8_t *r = p + 4096;
    emit_inc(r);
    int v = 0;
    for (int i = 0; i < 3000; i++) {
        v = ((fn)r)(v);
        if (i == 2500) mprotect(r, 4096, PROT_READ | PROT_WRITE);
        if (i >= 2500) { try_call("inside the hot loop", (fn)r, (uintptr_t)r); break; }
    }
    printf("loop value before the fault: %d\n", v);
    return 0;
}
