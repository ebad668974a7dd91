/* hello.c - the smallest smoke test: libc start-up, one printf, return 0.
 * Exit status: 0.
 */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
