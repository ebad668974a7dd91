/* bench: prime sieve + hashing.
 * An odd-only bit sieve of Eratosthenes (loop bound by i*i <= n, no sqrt),
 * prime gap statistics, then all primes below a limit are inserted into an
 * open-addressing hash table which is probed for every odd number, and the
 * prime list is hashed with a 64-bit mixer.
 * Integer only, deterministic. Usage: sieve [scale-percent] (default 100).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 100;
    uint64_t n, i, j, count = 1, maxgap = 0, gapat = 0, last = 2, total = 0;
    uint64_t *bits;
    uint32_t *primes;
    size_t np = 0, cap, nwords;
    if (scale < 1)
        scale = 1;
    n = (uint64_t)60000000 * (uint64_t)scale / 100;
    if (n < 1000)
        n = 1000;

    /* bit i represents the odd number 2i+1; set bit = composite */
    nwords = (size_t)(n / 2 / 64 + 1);
    bits = calloc(nwords, sizeof(uint64_t));
    for (i = 3; i * i <= n; i += 2)
        if (!(bits[i / 2 / 64] >> (i / 2 % 64) & 1))
            for (j = i * i; j <= n; j += 2 * i)
                bits[j / 2 / 64] |= 1ull << (j / 2 % 64);
    cap = (size_t)(n / 8 + 16);
    primes = malloc(cap * sizeof(uint32_t));
    primes[np++] = 2;
    for (i = 3; i <= n; i += 2)
        if (!(bits[i / 2 / 64] >> (i / 2 % 64) & 1)) {
            count++;
            if (i - last > maxgap) {
                maxgap = i - last;
                gapat = last;
            }
            last = i;
            if (np < cap)
                primes[np++] = (uint32_t)i;
        }
    printf("primes <= %llu: %llu, largest %llu, max gap %llu after %llu\n",
           (unsigned long long)n, (unsigned long long)count, (unsigned long long)last,
           (unsigned long long)maxgap, (unsigned long long)gapat);
    total = count * 1000003 + maxgap;

    /* hash the prime list */
    {
        uint64_t h = 0;
        size_t k;
        for (k = 0; k < np; k++)
            h = mix64(h ^ primes[k]);
        printf("prime list hash %016llx\n", (unsigned long long)h);
        total = total * 31 + h;
    }

    /* open addressing set of the primes below n/4; probe every odd number */
    {
        uint64_t lim = n / 4, hits = 0, probes = 0;
        size_t tcap = 1, k, m = 0;
        uint32_t *tab;
        while (tcap < (size_t)(lim / 4))
            tcap <<= 1;
        tcap <<= 1;
        tab = calloc(tcap, sizeof(uint32_t));
        for (k = 0; k < np && primes[k] < lim; k++) {
            size_t pos = (size_t)mix64(primes[k]) & (tcap - 1);
            while (tab[pos])
                pos = (pos + 1) & (tcap - 1);
            tab[pos] = primes[k];
            m++;
        }
        for (i = 1; i < lim; i += 2) {
            size_t pos = (size_t)mix64(i) & (tcap - 1);
            while (tab[pos]) {
                probes++;
                if (tab[pos] == i) {
                    hits++;
                    break;
                }
                pos = (pos + 1) & (tcap - 1);
            }
        }
        printf("hash set: %zu primes < %llu, %llu odd hits, %llu probes\n", m,
               (unsigned long long)lim, (unsigned long long)hits, (unsigned long long)probes);
        total = total * 31 + hits * 7 + probes;
        free(tab);
    }
    printf("checksum %016llx\n", (unsigned long long)total);
    free(bits);
    free(primes);
    return 0;
}
