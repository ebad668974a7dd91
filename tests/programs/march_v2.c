/* cflags: -O3 -march=x86-64-v2 -mbmi -mbmi2 -mmovbe -mlzcnt */
/* Auto-vectorised loops over int, float and double arrays, bit manipulation and byte swaps, and glibc's string
   functions (chosen from CPUID: the SSE4.2 variants), compiled for x86-64-v2 plus BMI1/BMI2/MOVBE/LZCNT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4099

static uint64_t seed = 88172645463325252ull;
static uint64_t next(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }

static int32_t ia[N], ib[N], ic[N];
static int16_t sa[N], sb[N];
static int8_t ca[N];
static uint8_t ua[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];

__attribute__((noinline)) static void ints(void)
{
    for (int i = 0; i < N; i++) ic[i] = ia[i] * ib[i] - (ia[i] >> 3);
    for (int i = 0; i < N; i++) ic[i] += ia[i] < ib[i] ? ia[i] : ib[i];
    for (int i = 0; i < N; i++) ic[i] ^= ia[i] > 0 ? ia[i] : -ia[i];
    long long s = 0, m = 0;
    for (int i = 0; i < N; i++) s += ic[i];
    for (int i = 0; i < N; i++) m = m > ia[i] ? m : ia[i];
    int16_t smax = 0; int sum16 = 0;
    for (int i = 0; i < N; i++) { smax = smax > sa[i] ? smax : sa[i]; sum16 += sa[i] * sb[i]; }
    int8_t cmin = 0; unsigned usum = 0;
    for (int i = 0; i < N; i++) { cmin = cmin < ca[i] ? cmin : ca[i]; usum += ua[i]; }
    int64_t q = 0;
    for (int i = 0; i < N; i++) q += (int64_t)ia[i] * ib[i];
    int cnt = 0;
    for (int i = 0; i < N; i++) cnt += ia[i] == ib[i] || (int64_t)ia[i] * 3 > (int64_t)ib[i] * 2;
    printf("ints %lld %lld %d %d %d %u %lld %d\n", s, m, smax, sum16, cmin, usum, (long long)q, cnt);
}

__attribute__((noinline)) static void floats(void)
{
    for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fa[i];
    for (int i = 0; i < N; i++) fc[i] = fc[i] > fb[i] ? fc[i] : fb[i];
    for (int i = 0; i < N; i++) fc[i] += floorf(fa[i]) + ceilf(fb[i]) + truncf(fa[i] * 0.3f) + rintf(fb[i]);
    for (int i = 0; i < N; i++) dc[i] = da[i] / (db[i] + 1e-3) - sqrt(fabs(da[i]));
    for (int i = 0; i < N; i++) dc[i] += floor(da[i]) - ceil(db[i]) + trunc(da[i] * 1.7) + nearbyint(db[i]);
    float fs = 0; double ds = 0, dot = 0;
    for (int i = 0; i < N; i++) fs += fc[i];
    for (int i = 0; i < N; i++) ds += dc[i];
    for (int i = 0; i < N; i++) dot += da[i] * db[i];
    printf("floats %.9g %.17g %.17g\n", fs, ds, dot);
}

__attribute__((noinline)) static void bits(void)
{
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        uint64_t x = (uint64_t)ia[i] << 32 | (uint32_t)ib[i];
        acc += (uint64_t)__builtin_ctzll(x | 1) + (uint64_t)__builtin_clzll(x | 1) + (uint64_t)__builtin_popcountll(x);
        acc ^= x & (x - 1);              /* blsr */
        acc += x & -x;                   /* blsi */
        acc ^= ~x & acc;                 /* andn */
        acc += x >> (ib[i] & 63);        /* shrx */
        acc += (uint64_t)((int64_t)x >> (ia[i] & 63)); /* sarx */
        acc ^= x << (ic[i] & 63);        /* shlx */
        acc += x & ((1ull << (ia[i] & 63)) - 1); /* bzhi */
        acc = (acc << 13 | acc >> 51);   /* rorx/rol */
        uint32_t be;
        memcpy(&be, &ia[i], 4);
        acc += __builtin_bswap32(be);    /* movbe */
        unsigned __int128 p = (unsigned __int128)x * acc;
        acc += (uint64_t)(p >> 64);      /* mulx */
    }
    printf("bits %llx\n", (unsigned long long)acc);
}

__attribute__((noinline)) static void strings(void)
{
    static char buf[8192];
    for (int i = 0; i < (int)sizeof buf - 1; i++) buf[i] = (char)('a' + next() % 26);
    buf[sizeof buf - 1] = 0;
    unsigned long r = 0;
    for (int k = 0; k < 200; k++) {
        int off = (int)(next() % 4000);
        char save = buf[off + 300 + k];
        buf[off + 300 + k] = 0;
        r += strlen(buf + off) + strspn(buf + off, "abcdefghij") * 3 + strcspn(buf + off, "xyz") * 5;
        char *p = strpbrk(buf + off, "qz");
        r += p ? (unsigned long)(p - buf) : 7;
        char *s = strstr(buf + off, "ab");
        r += s ? (unsigned long)(s - buf) : 11;
        r += (unsigned long)(strchr(buf + off, 'm') ? 1 : 0) + (unsigned long)strncmp(buf + off, buf + off + 1, 40);
        buf[off + 300 + k] = save;
    }
    printf("strings %lu\n", r);
}

static int cmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }

int main(void)
{
    for (int i = 0; i < N; i++) {
        uint64_t r = next();
        ia[i] = (int32_t)r; ib[i] = (int32_t)(r >> 29) >> (i % 17);
        sa[i] = (int16_t)(r >> 7); sb[i] = (int16_t)(r >> 40);
        ca[i] = (int8_t)(r >> 3); ua[i] = (uint8_t)(r >> 51);
        fa[i] = (float)(int32_t)next() / 65536.0f; fb[i] = (float)(int16_t)r / 7.0f;
        da[i] = (double)(int64_t)next() / 1e12; db[i] = (double)(int32_t)r / 3e3;
    }
    ints();
    floats();
    bits();
    strings();
#ifdef MARCH_EXTRA
    MARCH_EXTRA();
#endif
    qsort(ia, N, sizeof ia[0], cmp);
    printf("sorted %d %d %d\n", ia[0], ia[N / 2], ia[N - 1]);
    return 0;
}
