/* A program for the GDB stub tests (tests/X86Vm.Tests/Debugging): built with -g -O0, static and dynamic.
 * The tests find the lines they stop at by the @markers in comments. Exit status: counter (31 by default).
 *   debuggee [LIMIT]   sums the squares of 1..LIMIT (4), raises SIGUSR1 once, exits with the sum + 1
 *   debuggee crash     dereferences NULL (SIGSEGV)
 *   debuggee pause     waits for signals forever */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int counter;
static volatile int signals_seen;

static int square(int x)
{
    int y = x * x;
    return y; /* @return-y */
}

static int sum_squares(int n)
{
    int total = 0; /* @total */
    for (int i = 1; i <= n; i++) /* @loop */
        total += square(i); /* @add */
    return total;
}

static void on_usr1(int sig)
{
    signals_seen += sig;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "crash") == 0) {
        volatile int *null = NULL;
        *null = 1;
    }
    while (argc > 1 && strcmp(argv[1], "pause") == 0)
        pause();
    int limit = argc > 1 ? atoi(argv[1]) : 4;
    int result = sum_squares(limit); /* @call */
    counter = result; /* @assign */
    counter += 1; /* @increment */
    signal(SIGUSR1, on_usr1); /* @signal */
    raise(SIGUSR1);
    printf("result %d counter %d signals %d\n", result, counter, signals_seen); /* @print */
    return counter;
}
