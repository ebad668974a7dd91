/* The smallest dynamic program: the dynamic loader maps libc, relocates, runs constructors, printf. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("hello, dynamic world: argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    return 0;
}
