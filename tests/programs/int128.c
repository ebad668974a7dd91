/* int128.c - 128-bit integer math.
 *
 * unsigned/signed __int128 add/sub/mul/div/mod (libgcc __udivti3 etc.),
 * 64x64->128 widening mul (mul/imul), variable shifts across the 64-bit
 * boundary, comparisons, decimal/hex printing and parsing, factorials,
 * Fibonacci, powers, gcd and a 64-bit Miller-Rabin using 128-bit mulmod.
 * Everything is checked against a schoolbook implementation on 32-bit limbs.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static uint64_t rng_state = 0x1281281281281280ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline u128 opq(u128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    __asm__ volatile("" : "+r"(lo), "+r"(hi));
    return (u128)hi << 64 | lo;
}

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix(u128 v)
{
    ck = (ck ^ (uint64_t)v) * 0x100000001B3ull;
    ck = (ck ^ (uint64_t)(v >> 64)) * 0x100000001B3ull;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

/* ---- printing ---- */
static char *u128_to_str(u128 v, char *buf)
{
    char tmp[48];
    int n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

static char *i128_to_str(i128 v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        u128_to_str((u128)0 - (u128)v, buf + 1);
    } else {
        u128_to_str((u128)v, buf);
    }
    return buf;
}

static char *u128_to_hex(u128 v, char *buf)
{
    sprintf(buf, "%016llx%016llx", (unsigned long long)(uint64_t)(v >> 64),
            (unsigned long long)(uint64_t)v);
    return buf;
}

static u128 str_to_u128(const char *s)
{
    u128 v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (u128)(*s++ - '0');
    return v;
}

/* ---- reference arithmetic on 4 x 32-bit limbs (little-endian) ---- */
typedef struct { uint32_t l[4]; } L4;

static L4 to_l4(u128 v)
{
    L4 r;
    int i;
    for (i = 0; i < 4; i++)
        r.l[i] = (uint32_t)(v >> (32 * i));
    return r;
}
static u128 from_l4(L4 a)
{
    return (u128)a.l[3] << 96 | (u128)a.l[2] << 64 | (u128)a.l[1] << 32 | a.l[0];
}
static L4 ref_mul(L4 a, L4 b)
{
    uint32_t r[8] = {0};
    int i, j;
    L4 out;
    for (i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (j = 0; j < 4; j++) {
            uint64_t t = (uint64_t)a.l[i] * b.l[j] + r[i + j] + carry;
            r[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        r[i + 4] = (uint32_t)carry;
    }
    memcpy(out.l, r, sizeof(out.l));
    return out;
}
/* Bitwise long division on 128-bit via two 64-bit halves (no u128 ops). */
static void ref_divmod(uint64_t nh, uint64_t nl, uint64_t dh, uint64_t dl,
                       uint64_t *qh, uint64_t *ql, uint64_t *rh, uint64_t *rl)
{
    uint64_t Qh = 0, Ql = 0, Rh = 0, Rl = 0;
    int i;
    for (i = 127; i >= 0; i--) {
        uint64_t bit = i >= 64 ? (nh >> (i - 64)) & 1 : (nl >> i) & 1;
        Rh = (Rh << 1) | (Rl >> 63);
        Rl = (Rl << 1) | bit;
        if (Rh > dh || (Rh == dh && Rl >= dl)) {
            uint64_t borrow = Rl < dl;
            Rl -= dl;
            Rh = Rh - dh - borrow;
            if (i >= 64)
                Qh |= 1ull << (i - 64);
            else
                Ql |= 1ull << i;
        }
    }
    *qh = Qh;
    *ql = Ql;
    *rh = Rh;
    *rl = Rl;
}

static void test_pair(u128 a, u128 b, int print)
{
    char s1[48], s2[48], s3[48], s4[48], s5[48];
    u128 sum = a + b, diff = a - b, prod = a * b;
    u128 q = 0, r = 0;
    i128 sa = (i128)a, sb = (i128)b, sq = 0, sr = 0;
    int lt = a < b, slt = sa < sb;

    CHECK(prod == from_l4(ref_mul(to_l4(a), to_l4(b))));
    CHECK(sum - b == a && diff + b == a);
    CHECK(lt == ((uint64_t)(a >> 64) < (uint64_t)(b >> 64) ||
                 ((uint64_t)(a >> 64) == (uint64_t)(b >> 64) && (uint64_t)a < (uint64_t)b)));
    CHECK(slt == ((int64_t)(a >> 64) < (int64_t)(b >> 64) ||
                  ((a >> 64) == (b >> 64) && (uint64_t)a < (uint64_t)b)));
    if (b) {
        uint64_t qh, ql, rh, rl;
        q = a / b;
        r = a % b;
        ref_divmod((uint64_t)(a >> 64), (uint64_t)a, (uint64_t)(b >> 64), (uint64_t)b,
                   &qh, &ql, &rh, &rl);
        CHECK(q == ((u128)qh << 64 | ql));
        CHECK(r == ((u128)rh << 64 | rl));
        CHECK(r < b && q * b + r == a);
        /* signed: avoid MIN / -1 */
        if (!(sa == (i128)((u128)1 << 127) && sb == -1)) {
            u128 ua = sa < 0 ? (u128)0 - a : a, ub = sb < 0 ? (u128)0 - b : b;
            u128 uq = ua / ub, ur = ua % ub;
            sq = sa / sb;
            sr = sa % sb;
            CHECK((u128)sq == (((sa < 0) != (sb < 0)) ? (u128)0 - uq : uq));
            CHECK((u128)sr == (sa < 0 ? (u128)0 - ur : ur));
        }
    }
    mix(sum);
    mix(diff);
    mix(prod);
    mix(q);
    mix(r);
    mix((u128)sq ^ (u128)sr << 1 ^ (u128)(lt | slt << 1));
    if (print)
        printf("a=%s b=%s\n  sum=%s diff=%s\n  prod=%s q=%s r=%s sq=%s sr=%s lt=%d slt=%d\n",
               u128_to_str(a, s1), u128_to_hex(b, s2), u128_to_str(sum, s3),
               u128_to_hex(diff, s4), u128_to_str(prod, s5),
               u128_to_str(q, s1), u128_to_str(r, s2), i128_to_str(sq, s3),
               i128_to_str(sr, s4), lt, slt);
}

static void test_widening(void)
{
    int i;
    for (i = 0; i < 5000; i++) {
        uint64_t a = rnd() >> (i & 63), b = rnd() >> ((i >> 6) & 63);
        int64_t sa = (int64_t)((i & 1) ? 0 - a : a);
        int64_t sb = (int64_t)((i & 2) ? 0 - (b >> 1) : (b >> 1));
        u128 p = (u128)a * b;
        i128 sp = (i128)sa * sb;
        L4 ref = ref_mul(to_l4(a), to_l4(b));
        uint64_t mag_a = sa < 0 ? 0 - (uint64_t)sa : (uint64_t)sa;
        uint64_t mag_b = sb < 0 ? 0 - (uint64_t)sb : (uint64_t)sb;
        u128 mag = (u128)mag_a * mag_b;
        CHECK(p == from_l4(ref));
        CHECK((u128)sp == (((sa < 0) != (sb < 0)) ? (u128)0 - mag : mag));
        /* high halves: this is what compilers use for division by constants */
        mix(p);
        mix((u128)sp);
        if (i < 16) {
            char s1[48], s2[48];
            printf("widen %llu * %llu = %s ; %lld * %lld = %s\n",
                   (unsigned long long)a, (unsigned long long)b, u128_to_str(p, s1),
                   (long long)sa, (long long)sb, i128_to_str(sp, s2));
        }
    }
}

static void test_shifts(void)
{
    u128 x = opq(((u128)0x8123456789ABCDEFull << 64) | 0xFEDCBA9876543210ull);
    i128 sx = (i128)x;
    unsigned s;
    for (s = 0; s < 128; s++) {
        u128 l = x << s, r = x >> s;
        i128 a = sx >> s;
        char b1[48], b2[48], b3[48];
        /* reference by 1-bit steps */
        u128 rl = x, rr = x, ra = x;
        unsigned k;
        for (k = 0; k < s; k++) {
            rl <<= 1;
            rr >>= 1;
            ra = (ra >> 1) | (ra & ((u128)1 << 127));
        }
        CHECK(l == rl && r == rr && (u128)a == ra);
        mix(l ^ r ^ (u128)a);
        printf("shift %3u %s %s %s\n", s, u128_to_hex(l, b1), u128_to_hex(r, b2),
               u128_to_hex((u128)a, b3));
    }
}

static void test_sequences(void)
{
    char buf[48], buf2[48];
    u128 f = 1, a = 0, b = 1, p3 = 1;
    unsigned i;
    for (i = 1; i <= 34; i++) {
        f *= i;
        printf("%u! = %s\n", i, u128_to_str(f, buf));
        CHECK(str_to_u128(buf) == f);
        mix(f);
    }
    for (i = 0; i <= 186; i++) {
        if (i % 6 == 0 || i > 180)
            printf("fib(%u) = %s\n", i, u128_to_str(a, buf));
        {
            u128 t = a + b;
            a = b;
            b = t;
        }
        mix(a);
    }
    for (i = 0; i <= 80; i++) {
        if (i % 8 == 0 || i == 80)
            printf("3^%u = %s = 0x%s\n", i, u128_to_str(p3, buf), u128_to_hex(p3, buf2));
        p3 *= 3;
        mix(p3);
    }
    /* Known constants. */
    u128_to_str(~(u128)0, buf);
    CHECK(strcmp(buf, "340282366920938463463374607431768211455") == 0);
    printf("u128 max = %s\n", buf);
    i128_to_str((i128)(~(u128)0 >> 1), buf);
    CHECK(strcmp(buf, "170141183460469231731687303715884105727") == 0);
    printf("i128 max = %s\n", buf);
    i128_to_str((i128)((u128)1 << 127), buf);
    CHECK(strcmp(buf, "-170141183460469231731687303715884105728") == 0);
    printf("i128 min = %s\n", buf);
    CHECK(str_to_u128("340282366920938463463374607431768211455") == ~(u128)0);
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)((u128)a * b % m);
}
static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1;
    b %= m;
    while (e) {
        if (e & 1)
            r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}
static int is_prime64(uint64_t n)
{
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    uint64_t d;
    int s = 0;
    unsigned i;
    if (n < 2)
        return 0;
    for (i = 0; i < 12; i++) {
        if (n == bases[i])
            return 1;
        if (n % bases[i] == 0)
            return 0;
    }
    d = n - 1;
    while (!(d & 1)) {
        d >>= 1;
        s++;
    }
    for (i = 0; i < 12; i++) {
        uint64_t x = powmod(bases[i], d, n);
        int r;
        if (x == 1 || x == n - 1)
            continue;
        for (r = 1; r < s; r++) {
            x = mulmod(x, x, n);
            if (x == n - 1)
                break;
        }
        if (r == s)
            return 0;
    }
    return 1;
}

static u128 gcd128(u128 a, u128 b)
{
    while (b) {
        u128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void test_number_theory(void)
{
    uint64_t n;
    int found = 0;
    char buf[48];
    /* largest primes below 2^64 */
    for (n = 0xFFFFFFFFFFFFFFFFull; found < 8; n -= 2)
        if (is_prime64(n)) {
            printf("prime %llu\n", (unsigned long long)n);
            mix(n);
            found++;
        }
    CHECK(is_prime64(18446744073709551557ull));
    CHECK(!is_prime64(18446744073709551559ull));
    /* primes in a small range, cross-checked by trial division */
    found = 0;
    for (n = 1000000; n < 1002000; n++) {
        int p = is_prime64(n), q = n > 1;
        uint64_t d;
        for (d = 2; d * d <= n && q; d++)
            if (n % d == 0)
                q = 0;
        CHECK(p == q);
        found += p;
    }
    printf("primes in [1000000,1002000): %d\n", found);
    CHECK(found == 152);
    {
        u128 a = opq((u128)2 * 3 * 5 * 7 * 11 * 13 * 17 * 19 * 23 * 29 * 31 * 37 * 41 * 43 * 47 *
                     53 * 59 * 61 * 67 * 71);
        u128 b = opq((u128)3 * 7 * 7 * 13 * 61 * 67 * 89 * 1000003ull * 999983ull);
        u128 g = gcd128(a, b);
        printf("gcd(%s, ", u128_to_str(a, buf));
        printf("%s) = ", u128_to_str(b, buf));
        printf("%s\n", u128_to_str(g, buf));
        CHECK(g == (u128)3 * 7 * 13 * 61 * 67);
        mix(g);
    }
}

int main(void)
{
    static const uint64_t parts[] = {0, 1, 2, 3, 10, 0x7FFFFFFF, 0xFFFFFFFF, 0x100000000ull,
                                     0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                                     0xFFFFFFFFFFFFFFFFull, 1000000007ull,
                                     10000000000000000000ull};
    unsigned n = sizeof(parts) / sizeof(parts[0]), i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j += 2) {
            u128 a = opq((u128)parts[i] << 64 | parts[(i * 7 + 3) % n]);
            u128 b = opq((u128)parts[j] << 64 | parts[(j * 5 + 1) % n]);
            test_pair(a, b, 1);
            test_pair(a, (u128)parts[j], 1);
            test_pair((u128)parts[i], b, 0);
        }
    for (i = 0; i < 3000; i++) {
        u128 a = (u128)rnd() << 64 | rnd();
        u128 b = (u128)rnd() << 64 | rnd();
        a >>= rnd() % 128;
        b >>= rnd() % 128;
        test_pair(a, b, i < 10);
    }
    printf("pair checksum %016" PRIx64 "\n", ck);
    test_widening();
    test_shifts();
    test_sequences();
    test_number_theory();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
