/* For the embedding API's run results: works a little, then ends itself with SIGTERM (argv[1] == "signal") or exits
   with status 3. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    volatile unsigned long sum = 0;
    for (unsigned long i = 0; i < 100000; i++) sum += i * i;
    printf("%lu\n", (unsigned long)sum);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "signal") == 0) raise(SIGTERM);
    return 3;
}
