/* sigaltstack: a stack overflow (SIGSEGV) handled on the alternate stack, SS_ONSTACK inside the handler,
   EPERM when changing it there, ENOMEM below MINSIGSTKSZ, SS_DISABLE. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf env;
static char *alt;
static size_t alt_size = 65536;
static volatile int on_alt, ss_flags_in_handler, eperm, depth_reached;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)si; (void)uc;
    char local;
    on_alt = &local > alt && &local < alt + alt_size;
    stack_t cur, ns;
    sigaltstack(NULL, &cur);
    ss_flags_in_handler = cur.ss_flags;
    memset(&ns, 0, sizeof ns);
    ns.ss_flags = SS_DISABLE;
    eperm = sigaltstack(&ns, NULL) == -1 && errno == EPERM;
    siglongjmp(env, 1);
}

static int recurse(int n);
static int (*volatile again)(int) = recurse;
static int recurse(int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    depth_reached = n;
    return again(n + 1) + buf[0];
}

int main(void)
{
    stack_t ss, old;
    memset(&ss, 0, sizeof ss);
    sigaltstack(NULL, &old);
    printf("initial: flags=%d size=%zu\n", old.ss_flags, old.ss_size);

    ss.ss_sp = malloc(1024);
    ss.ss_size = 1024;
    int r = sigaltstack(&ss, NULL);
    printf("too small: %d errno=%d\n", r, errno);
    ss.ss_flags = 7;
    ss.ss_size = 65536;
    errno = 0;
    r = sigaltstack(&ss, NULL);
    printf("bad flags: %d errno=%d\n", r, errno);

    alt = malloc(alt_size);
    ss.ss_sp = alt;
    ss.ss_size = alt_size;
    ss.ss_flags = 0;
    printf("set: %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("query: flags=%d same=%d size=%zu\n", old.ss_flags, old.ss_sp == alt, old.ss_size);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);

    if (!sigsetjmp(env, 1)) recurse(0);
    printf("overflow handled: on_alt=%d flags_in_handler=%d eperm=%d deep=%d\n", on_alt, ss_flags_in_handler, eperm,
           depth_reached > 1000);

    /* Without SA_ONSTACK the handler runs on the normal stack. */
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    if (!sigsetjmp(env, 1)) raise(SIGUSR1);
    printf("usr1: on_alt=%d flags_in_handler=%d\n", on_alt, ss_flags_in_handler);

    ss.ss_flags = SS_DISABLE;
    printf("disable: %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("after disable: flags=%d size=%zu\n", old.ss_flags, old.ss_size);

    /* Overflow without an alternate stack: the frame cannot be written, the process dies of SIGSEGV. */
    fflush(stdout);
    recurse(0);
    return 0;
}
