/* strings.c - libc string and memory functions over many lengths and
 * alignments (these hit the SSE2-optimised string routines in glibc/musl).
 *
 * strlen strnlen strcmp strncmp strchr strrchr strstr memcpy memmove memset
 * memcmp memchr strspn strcspn strpbrk strtok strdup strcpy strncpy strcat
 * strncat, each compared against a naive byte-at-a-time reference. Also
 * strings that end exactly at a page boundary followed by a PROT_NONE page.
 * Only offsets and signs are printed (never addresses or raw strcmp values).
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>

static uint64_t rng_state = 0x57121465ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix(uint64_t v)
{
    ck = (ck ^ v) * 0x100000001B3ull;
    ck ^= ck >> 29;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

typedef const volatile unsigned char *vp;

static inline size_t opq(size_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* ---- naive references (volatile so the compiler can't turn them into
 * calls to the very functions under test) ---- */
static size_t r_strlen(const char *s)
{
    vp p = (vp)s;
    size_t n = 0;
    while (p[n])
        n++;
    return n;
}
static int sgn(int x) { return (x > 0) - (x < 0); }
static int r_strncmp(const char *a, const char *b, size_t n)
{
    vp p = (vp)a, q = (vp)b;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != q[i])
            return p[i] < q[i] ? -1 : 1;
        if (!p[i])
            return 0;
    }
    return 0;
}
static int r_memcmp(const void *a, const void *b, size_t n)
{
    vp p = (vp)a, q = (vp)b;
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != q[i])
            return p[i] < q[i] ? -1 : 1;
    return 0;
}
static long r_strchr(const char *s, int c)
{
    vp p = (vp)s;
    long i = 0;
    for (;; i++) {
        if (p[i] == (unsigned char)c)
            return i;
        if (!p[i])
            return -1;
    }
}
static long r_strrchr(const char *s, int c)
{
    vp p = (vp)s;
    long i = 0, last = -1;
    for (;; i++) {
        if (p[i] == (unsigned char)c)
            last = i;
        if (!p[i])
            return last;
    }
}
static long r_memchr(const void *s, int c, size_t n)
{
    vp p = (vp)s;
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (long)i;
    return -1;
}
static long r_strstr(const char *h, const char *n)
{
    size_t hl = r_strlen(h), nl = r_strlen(n), i;
    if (nl > hl)
        return -1;
    for (i = 0; i + nl <= hl; i++)
        if (r_memcmp(h + i, n, nl) == 0)
            return (long)i;
    return -1;
}
static size_t r_strspn(const char *s, const char *acc, int reject)
{
    size_t i;
    for (i = 0; s[i]; i++) {
        int in = r_strchr(acc, s[i]) >= 0;
        if (in == reject)
            break;
    }
    return i;
}

static long off(const void *p, const void *base)
{
    return p ? (long)((const char *)p - (const char *)base) : -1;
}

static unsigned char arena[8192] __attribute__((aligned(64)));
static unsigned char arena2[8192] __attribute__((aligned(64)));

/* Fill s[0..len) with non-zero bytes. Alphabet size controls repetition. */
static void gen(char *s, size_t len, int alpha)
{
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned v = (unsigned)(rnd() % (unsigned)alpha);
        s[i] = (char)(alpha > 26 ? 1 + v % 255 : 'a' + v);
    }
    s[len] = 0;
}

static const size_t lens[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                              16, 17, 18, 19, 20, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64,
                              65, 79, 80, 95, 96, 97, 127, 128, 129, 255, 256, 257, 511, 1000,
                              4000};
#define NLENS (sizeof(lens) / sizeof(lens[0]))

static void test_len_align(size_t len, unsigned align)
{
    char *s = (char *)arena + align;
    char *t = (char *)arena2 + ((align * 7 + 3) & 63);
    long p1, p2, p3, p4, p5;
    int c1, c2, c3, c4;
    size_t k;
    int alpha = (len & 1) ? 255 : 26;
    int ch;

    memset(arena, 0x5A, sizeof(arena));
    gen(s, len, alpha);
    CHECK(strlen(s) == len && r_strlen(s) == len);
    CHECK(strnlen(s, len / 2) == len / 2);
    CHECK(strnlen(s, len + 5) == len);

    /* strchr / strrchr / memchr for a present char, an absent char, NUL */
    ch = len ? (unsigned char)s[len / 2] : 'q';
    p1 = off(strchr(s, ch), s);
    p2 = off(strrchr(s, ch), s);
    p3 = off(memchr(s, ch, len), s);
    p4 = off(strchr(s, 0), s);
    p5 = off(strchr(s, alpha > 26 ? 0x100 + ch : 'A'), s); /* 0x100+ch == ch */
    CHECK(p1 == r_strchr(s, ch));
    CHECK(p2 == r_strrchr(s, ch));
    CHECK(p3 == r_memchr(s, ch, len));
    CHECK(p4 == (long)len);
    CHECK(p5 == (alpha > 26 ? r_strchr(s, ch) : -1));
    CHECK(off(strrchr(s, 0), s) == (long)len);
    CHECK(off(memchr(s, 0, len + 1), s) == (long)len);

    /* strcmp / strncmp / memcmp against a copy that differs at position k */
    memcpy(t, s, len + 1);
    CHECK(strcmp(s, t) == 0 && memcmp(s, t, len) == 0);
    k = len ? (size_t)(rnd() % len) : 0;
    if (len) {
        t[k] = (char)((unsigned char)t[k] ^ 0x80);
        if (!t[k])
            t[k] = 1;
    }
    c1 = sgn(strcmp(s, t));
    c2 = sgn(strncmp(s, t, k));
    c3 = sgn(strncmp(s, t, k + 1));
    c4 = sgn(memcmp(s, t, len));
    CHECK(c1 == r_strncmp(s, t, (size_t)-1));
    CHECK(c2 == 0);
    CHECK(c3 == r_strncmp(s, t, k + 1));
    CHECK(c4 == r_memcmp(s, t, len));
    CHECK(sgn(strcmp(t, s)) == -c1);
    /* shorter string is a prefix */
    if (len) {
        t[k] = 0;
        memcpy(t, s, k);
        CHECK(sgn(strcmp(t, s)) == -1 && sgn(strcmp(s, t)) == 1);
        CHECK(sgn(strncmp(s, t, k)) == 0);
    }

    /* strstr with a needle from the middle, and an absent needle */
    {
        char needle[80];
        size_t nl = len < 20 ? len : 1 + (size_t)(rnd() % 19);
        size_t at = len > nl ? (size_t)(rnd() % (len - nl)) : 0;
        memcpy(needle, s + at, nl);
        needle[nl] = 0;
        p1 = off(strstr(s, needle), s);
        CHECK(p1 == r_strstr(s, needle));
        CHECK(p1 <= (long)at);
        if (nl)
            needle[nl / 2] = alpha > 26 ? (char)((unsigned char)needle[nl / 2] ^ 1) : 'Z';
        p2 = off(strstr(s, needle), s);
        CHECK(p2 == r_strstr(s, needle));
        CHECK(off(strstr(s, ""), s) == 0);
    }

    /* strspn / strcspn / strpbrk */
    {
        size_t a1 = strspn(s, "abcdefghijklm"), a2 = strcspn(s, "xyz");
        CHECK(a1 == r_strspn(s, "abcdefghijklm", 0));
        CHECK(a2 == r_strspn(s, "xyz", 1));
        CHECK(off(strpbrk(s, "xyz"), s) == (s[a2] ? (long)a2 : -1));
        mix(a1 * 1000 + a2);
    }

    mix(len * 64 + align);
    mix((uint64_t)(p1 + 3 * p2 + 5 * p3 + 7 * p4 + 11 * p5));
    mix((uint64_t)(c1 + 3 * c2 + 9 * c3 + 27 * c4));
    if (align < 4 || align == 15 || align == 33)
        printf("len=%4zu align=%2u chr=%ld rchr=%ld memchr=%ld cmp=%d,%d,%d,%d k=%zu\n",
               len, align, p1, p2, p3, c1, c2, c3, c4, k);
}

static void test_copy_move_set(size_t len, unsigned salign, unsigned dalign)
{
    unsigned char *src = arena + salign, *dst = arena2 + dalign;
    size_t i;
    len = opq(len);
    if (len > 4000)
        len = 4000;
    uint64_t h = 0;
    int ok = 1;

    for (i = 0; i < len + 128; i++)
        arena[salign + i] = (unsigned char)rnd();
    memset(arena2, 0xEE, sizeof(arena2));
    memcpy(dst, src, len);
    for (i = 0; i < len; i++)
        ok &= dst[i] == src[i];
    ok &= arena2[dalign + len] == 0xEE && (dalign == 0 || arena2[dalign - 1] == 0xEE);
    CHECK(ok);

    /* memset with a value, check guards */
    memset(dst, (int)(len & 0xFF) | 0x100, len); /* only low byte counts */
    for (i = 0; i < len; i++)
        ok &= dst[i] == (unsigned char)len;
    ok &= arena2[dalign + len] == 0xEE && (dalign == 0 || arena2[dalign - 1] == 0xEE);
    CHECK(ok);

    /* memmove forward and backward overlap within arena */
    {
        unsigned char ref[4200];
        size_t shift = 1 + (size_t)(rnd() % 40);
        unsigned char *p = arena + 64 + salign;
        for (i = 0; i < len + shift; i++)
            ref[i] = p[i];
        memmove(p + shift, p, len); /* forward */
        for (i = 0; i < len; i++)
            ok &= p[shift + i] == ref[i];
        CHECK(ok);
        for (i = 0; i < len + shift; i++)
            ref[i] = p[i];
        memmove(p, p + shift, len); /* backward */
        for (i = 0; i < len; i++)
            ok &= p[i] == ref[shift + i];
        CHECK(ok);
        memmove(p, p, len); /* same */
        for (i = 0; i < len; i++)
            h = h * 131 + p[i];
    }
    mix(h);
    if (salign == dalign || salign + dalign == 17)
        printf("copy len=%4zu s=%2u d=%2u ok=%d hash=%016llx\n", len, salign, dalign, ok,
               (unsigned long long)h);
}

static void test_str_copy(void)
{
    char buf[128], buf2[64];
    char *d;
    int i;
    for (i = 0; i < 40; i++) {
        char src[48];
        size_t n = (size_t)i % 45, j;
        gen(src, n, 26);
        memset(buf, 'X', sizeof(buf));
        d = strcpy(buf + (i & 7), src);
        CHECK(d == buf + (i & 7) && strcmp(d, src) == 0 && buf[(i & 7) + n + 1] == 'X');
        memset(buf2, 'X', sizeof(buf2));
        strncpy(buf2, src, opq(20));
        /* strncpy pads with NULs up to n, no terminator if src is long */
        for (j = 0; j < 20; j++)
            CHECK(buf2[j] == (j < n ? src[j] : 0));
        CHECK(buf2[20] == 'X');
        strcpy(buf, "head:");
        strcat(buf, src);
        strncat(buf, "-tail-end", opq((size_t)i % 10));
        CHECK(strlen(buf) == 5 + n + (size_t)(i % 10 > 9 ? 9 : i % 10));
        printf("cat %2d [%s]\n", i, buf);
        d = strdup(buf);
        CHECK(d && strcmp(d, buf) == 0 && d != buf);
        mix(strlen(d));
        free(d);
    }
}

static void test_strtok(void)
{
    char text[600];
    char *tok;
    int count = 0, i;
    size_t pos = 0;
    static const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon",
                                  "zeta", "eta", "theta", "iota", "kappa"};
    for (i = 0; i < 60; i++) {
        const char *w = words[rnd() % 10];
        static const char seps[] = " ,;\t";
        size_t nsep = 1 + (size_t)(rnd() % 3), k;
        memcpy(text + pos, w, strlen(w));
        pos += strlen(w);
        for (k = 0; k < nsep; k++)
            text[pos++] = seps[rnd() % 4];
    }
    text[pos] = 0;
    printf("strtok input length %zu\n", pos);
    for (tok = strtok(text, " ,;\t"); tok; tok = strtok(NULL, " ,;\t")) {
        printf("%s%c", tok, (++count % 12) ? ' ' : '\n');
        mix(strlen(tok));
    }
    printf("\nstrtok tokens %d\n", count);
    CHECK(count == 60);
}

/* Strings that end exactly at the end of a readable page. */
static void test_page_boundary(void)
{
    long pg = 4096;
    unsigned char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t len;
    uint64_t h = 0;
    if (m == MAP_FAILED) {
        printf("FAIL mmap\n");
        failures++;
        return;
    }
    if (mprotect(m + pg, (size_t)pg, PROT_NONE) != 0) {
        printf("FAIL mprotect\n");
        failures++;
    }
    for (len = 0; len < 200; len++) {
        char *s = (char *)m + pg - 1 - len;
        char other[256];
        memset(m, 'a', (size_t)pg);
        gen(s, len, 26);
        CHECK(strlen(s) == len);
        CHECK(off(strchr(s, 'Z'), s) == -1);
        CHECK(off(strchr(s, 0), s) == (long)len);
        CHECK(off(strrchr(s, 'a'), s) == r_strrchr(s, 'a'));
        CHECK(off(memchr(s, 'Z', len + 1), s) == -1);
        memcpy(other, s, len + 1);
        CHECK(strcmp(s, other) == 0);
        CHECK(memcmp(s, other, len + 1) == 0);
        CHECK(strncmp(s, other, 1000) == 0);
        CHECK(strnlen(s, 5000) == len);
        CHECK(off(strstr(s, "zzzzzzzz"), s) == r_strstr(s, "zzzzzzzz"));
        {
            char *d = strdup(s);
            CHECK(d && strcmp(d, s) == 0);
            free(d);
        }
        h = h * 31 + strlen(s) + (uint64_t)r_strrchr(s, 'a');
        /* memcpy/memset up to the boundary (overwrites the terminator) */
        memset(m + pg - len, 0x33, len);
        memcpy(m + pg - len, other, len);
        CHECK(memcmp(m + pg - len, other, len) == 0);
        CHECK(off(memchr(m + pg - len, 0, len), m) == r_memchr(other, 0, len));
    }
    printf("page boundary hash %016llx\n", (unsigned long long)h);
    mix(h);
    munmap(m, (size_t)pg * 2);
}

int main(void)
{
    unsigned i, a, d;
    for (i = 0; i < NLENS; i++)
        for (a = 0; a < 16; a++)
            test_len_align(lens[i], a);
    for (i = 0; i < NLENS; i++)
        for (a = 16; a < 64; a += 17)
            test_len_align(lens[i], a);
    printf("len/align checksum %016" PRIx64 "\n", ck);
    for (i = 0; i < NLENS; i++)
        for (a = 0; a < 16; a += 3)
            for (d = 0; d < 16; d += 5)
                test_copy_move_set(lens[i], a, d);
    printf("copy checksum %016" PRIx64 "\n", ck);
    test_str_copy();
    test_strtok();
    test_page_boundary();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
