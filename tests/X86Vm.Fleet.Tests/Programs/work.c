/* A small deterministic workload for the fleet tests: ROUNDS rounds of xorshift mixing over a 256 KiB array (about
   2 M instructions each), a line of output per round, entropy from getrandom (the VM's seed), and MIB extra MiB of
   memory filled with noise (to make snapshots of a given size). Exits with the low bits of the final state. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 10;
    long mib = argc > 2 ? atol(argv[2]) : 0;
    uint64_t h;
    if (getrandom(&h, sizeof h, 0) != sizeof h) return 99;
    /* Incompressible ballast, so the snapshot really is about MIB MiB. */
    uint64_t *ballast = mib > 0 ? malloc((size_t)mib << 20) : NULL;
    for (long i = 0, x = (long)h | 1; ballast && i < mib << 17; i++) {
        x ^= x << 13; x ^= (long)((uint64_t)x >> 7); x ^= x << 17;
        ballast[i] = (uint64_t)x;
    }
    size_t n = 1 << 16;
    uint32_t *a = calloc(n, sizeof *a);
    for (long r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            h ^= h << 13; h ^= h >> 7; h ^= h << 17;
            a[i] = (uint32_t)h + a[(i * 7) % n];
        }
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) sum += (uint64_t)a[i] * (i | 1);
        printf("round %ld %016llx\n", r, (unsigned long long)sum);
        fflush(stdout);
    }
    return (int)(h & 0x3f);
}
