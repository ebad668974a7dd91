/* args.c - command-line arguments and the return value of main.
 *
 * Prints argc and, for every argv[i], its length, a hash and the text
 * (non-printable bytes escaped). Checks that argv[argc] is NULL and that
 * the argument strings are laid out as NUL-terminated strings. Does not
 * look at the environment (it may legitimately differ between runs).
 * Run it with a few arguments, e.g.: args alpha "two words" "" --x=1 ü
 * Exit status: 3 (returned from main) if all checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t fnv32(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

int main(int argc, char **argv)
{
    int i, failures = 0;
    uint32_t all = 0;
    size_t total = 0;
    printf("argc=%d\n", argc);
    if (argc < 1 || argv[argc] != NULL) {
        printf("FAIL argv[argc] is not NULL\n");
        failures++;
    }
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        size_t n = strlen(a), k;
        const char *shown = a;
        char base[256];
        /* argv[0] is the program path, which differs between runners and
         * build variants: only print its basename up to the first '.' */
        if (i == 0) {
            const char *slash = strrchr(a, '/');
            size_t m = 0;
            shown = slash ? slash + 1 : a;
            while (shown[m] && shown[m] != '.' && m < sizeof base - 1) {
                base[m] = shown[m];
                m++;
            }
            base[m] = 0;
            shown = base;
            n = m;
        }
        printf("argv[%d] len=%zu fnv=%08x \"", i, n, fnv32(shown));
        for (k = 0; k < n; k++) {
            unsigned char c = (unsigned char)shown[k];
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
                putchar(c);
            else
                printf("\\x%02x", c);
        }
        printf("\"\n");
        if (i > 0) {
            all = all * 31 + fnv32(a);
            total += strlen(a);
        }
    }
    /* The argument strings are conventionally contiguous; we only check
     * that each one is NUL-terminated where strlen says. */
    for (i = 1; i < argc; i++)
        if (argv[i][strlen(argv[i])] != 0)
            failures++;
    printf("args=%d total_len=%zu combined=%08x\n", argc - 1, total, all);
    printf("failures %d\n", failures);
    return failures ? 1 : 3;
}
