/* exit42.c - process exit through exit() from deep inside the call stack.
 *
 * Registers atexit handlers (which must run in reverse order and can still
 * print), writes buffered stdout output that must be flushed by exit(), mixes
 * in a raw write(2) after an explicit fflush, and calls exit(42) from a
 * recursive function. The code after exit() must never run.
 * Exit status: 42.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int order[8];
static int norder;

static void h1(void)
{
    order[norder++] = 1;
    printf("atexit handler 1 (registered first, runs last); order:");
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");
}
static void h2(void)
{
    order[norder++] = 2;
    printf("atexit handler 2\n");
}
static void h3(void)
{
    order[norder++] = 3;
    printf("atexit handler 3 (registered last, runs first)\n");
}

static unsigned long long work;

static void descend(int depth)
{
    work = work * 6364136223846793005ull + (unsigned long long)depth;
    if (depth == 500) {
        printf("exiting from depth %d, work=%016llx\n", depth, work);
        exit(42);
    }
    if (depth > 100000)
        return; /* never happens */
    descend(depth + 1);
    printf("UNREACHABLE after descend(%d)\n", depth);
}

int main(void)
{
    static const char raw[] = "raw write(1) after fflush\n";
    int i;
    if (atexit(h1) || atexit(h2) || atexit(h3)) {
        printf("FAIL atexit\n");
        return 1;
    }
    for (i = 0; i < 200; i++)
        printf("buffered line %3d %s\n", i, i % 2 ? "odd" : "even");
    fflush(stdout);
    if (write(1, raw, strlen(raw)) != (ssize_t)strlen(raw))
        return 1;
    /* this stays in the stdio buffer until exit() flushes it */
    printf("pending output before exit\n");
    descend(0);
    printf("UNREACHABLE end of main\n");
    return 0;
}
