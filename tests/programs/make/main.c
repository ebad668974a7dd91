#include <stdio.h>
#include <stdlib.h>
#include "ops.h"
int main(int argc, char **argv)
{
    int a = argc > 2 ? atoi(argv[1]) : 2, b = argc > 2 ? atoi(argv[2]) : 3;
    printf("add %d\nmul %d\n", add(a, b), mul(a, b));
    return 0;
}
