/* Snapshot tests: says it is running, then computes for ever, so that x86vm can be stopped by a signal and save it. */
#include <stdio.h>

int main(void) {
    puts("running");
    fflush(stdout);
    for (volatile unsigned long i = 0;; i++) { }
}
