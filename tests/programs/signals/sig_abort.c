/* abort(): a SIGABRT handler that returns does not stop it; the process dies of SIGABRT (status 134). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void handler(int sig) { printf("handler %d\n", sig); fflush(stdout); }

int main(void)
{
    signal(SIGABRT, handler);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGABRT);
    sigprocmask(SIG_BLOCK, &s, NULL); /* abort unblocks it */
    printf("aborting\n");
    fflush(stdout);
    abort();
}
