/* format.c - integer formatting and parsing.
 *
 * printf/snprintf with widths, precisions, flags (- + space 0 #), * widths,
 * length modifiers (hh h l ll j z t), %d %i %u %x %X %o %c %s %%;
 * snprintf truncation and return values; strtol/strtoul/strtoll/strtoull
 * with bases 0, 2, 8, 10, 16, 36, end pointers, overflow (ERANGE) and
 * whitespace/sign handling; atoi/atol; round-trips of random values.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

static uint64_t rng_state = 0xF0F0F0F012345ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix_str(const char *s)
{
    while (*s)
        ck = (ck ^ (unsigned char)*s++) * 0x100000001B3ull;
    ck = (ck ^ 0xFF) * 0x100000001B3ull;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

/* Print through snprintf into a buffer, then show with brackets. */
#define SHOW(...)                                                       \
    do {                                                                \
        char b_[256];                                                   \
        int n_ = snprintf(b_, sizeof b_, __VA_ARGS__);                  \
        CHECK(n_ == (int)strlen(b_));                                   \
        printf("%-28s [%s] %d\n", #__VA_ARGS__, b_, n_);               \
        mix_str(b_);                                                    \
    } while (0)

static void test_printf_flags(void)
{
    static const long long vals[] = {0, 1, -1, 7, -7, 42, -42, 255, 4096, -65536,
                                     2147483647LL, -2147483647LL - 1, LLONG_MAX, LLONG_MIN};
    static const char *fmts[] = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+6d|",
                                 "%.3d", "%8.3d", "%-8.3d|", "%08.3d", "%.0d", "%+.0d", "% 05d",
                                 "%x", "%#x", "%8x", "%#08x", "%-#8x|", "%.4x", "%#.4x", "%X",
                                 "%#X", "%o", "%#o", "%.4o", "%#.0o", "%u", "%12u", "%i"};
    unsigned i, j;
    char buf[128];
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        int v = (int)vals[i];
        printf("int %d:", v);
        for (j = 0; j < sizeof(fmts) / sizeof(fmts[0]); j++) {
            /* The format is data, so pass it via a variable. */
            const char *f = fmts[j];
            int n = snprintf(buf, sizeof buf, f, v);
            CHECK(n == (int)strlen(buf));
            printf(" %s=[%s]", f, buf);
            mix_str(buf);
        }
        printf("\n");
    }
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        long long v = vals[i];
        SHOW("%lld", v);
        SHOW("%25lld", v);
        SHOW("%-25lld|", v);
        SHOW("%+025lld", v);
        SHOW("%llx", (unsigned long long)v);
        SHOW("%#llo", (unsigned long long)v);
        SHOW("%#20llX", (unsigned long long)v);
        SHOW("%.20llu", (unsigned long long)v);
        SHOW("%hhd %hhu %hhx", (signed char)v, (unsigned char)v, (unsigned char)v);
        SHOW("%hd %hu %ho", (short)v, (unsigned short)v, (unsigned short)v);
        SHOW("%ld %lx", (long)v, (unsigned long)v);
        SHOW("%jd %zu %td", (intmax_t)v, (size_t)v, (ptrdiff_t)v);
        SHOW("%" PRId64 " %" PRIu32 " %" PRIx16, (int64_t)v, (uint32_t)v, (uint16_t)v);
    }
}

static void test_printf_misc(void)
{
    int w, p;
    SHOW("%c%c%c", 'a', 'B', '0');
    SHOW("%5c|%-5c|", 'x', 'y');
    SHOW("%s", "hello");
    SHOW("%10s|", "hi");
    SHOW("%-10s|", "hi");
    SHOW("%.3s", "abcdef");
    SHOW("%10.3s|", "abcdef");
    SHOW("%-10.3s|", "abcdef");
    SHOW("%.0s|", "abc");
    SHOW("%s%s%s", "", "x", "");
    SHOW("100%%");
    SHOW("%%d %d %%", 5);
    for (w = 0; w <= 12; w += 3)
        for (p = 0; p <= 6; p += 2) {
            SHOW("%*d|", w, 1234);
            SHOW("%-*d|", w, -1234);
            SHOW("%.*d|", p, 42);
            SHOW("%*.*x|", w, p, 0xbeef);
            SHOW("%*s|", -w, "neg");
        }
}

static void test_snprintf_trunc(void)
{
    char buf[32];
    size_t n;
    for (n = 0; n <= 20; n++) {
        int r;
        memset(buf, '#', sizeof buf);
        r = snprintf(buf, n, "value=%d/%s", 123456, "abc");
        CHECK(r == 16);
        if (n > 0) {
            size_t len = n - 1 < 16 ? n - 1 : 16;
            CHECK(strlen(buf) == len);
            CHECK(buf[len] == 0 && buf[len + 1] == '#');
        } else {
            CHECK(buf[0] == '#');
        }
        printf("snprintf n=%2zu r=%d buf=[%s]\n", n, r, n ? buf : "(untouched)");
    }
    CHECK(snprintf(NULL, 0, "%lld", LLONG_MIN) == 20);
}

struct conv {
    const char *s;
    int base;
};

static void test_strtol(void)
{
    static const struct conv cases[] = {
        {"0", 10}, {"123", 10}, {"-123", 10}, {"+77", 10}, {"   42abc", 10},
        {"\t\n -9z", 10}, {"", 10}, {"   ", 10}, {"-", 10}, {"+", 10}, {"abc", 10},
        {"0x1F", 16}, {"0X1f", 16}, {"1f", 16}, {"0x", 16}, {"0xg", 16}, {"ff", 16},
        {"-0x80", 16}, {"0x1F", 0}, {"017", 0}, {"08", 0}, {"0", 0}, {"-017", 0},
        {"123", 0}, {"0b101", 0}, {"777", 8}, {"778", 8}, {"101012", 2}, {"-1111", 2},
        {"zz", 36}, {"ZZ", 36}, {"Hello", 36}, {"10", 36}, {"z", 35},
        {"2147483647", 10}, {"2147483648", 10}, {"-2147483648", 10}, {"-2147483649", 10},
        {"4294967295", 10}, {"4294967296", 10},
        {"9223372036854775807", 10}, {"9223372036854775808", 10},
        {"-9223372036854775808", 10}, {"-9223372036854775809", 10},
        {"18446744073709551615", 10}, {"18446744073709551616", 10},
        {"99999999999999999999999", 10}, {"-1", 10}, {"-18446744073709551615", 10},
        {"0x7fffffffffffffff", 16}, {"0xffffffffffffffff", 16}, {"0x10000000000000000", 16},
        {"1777777777777777777777", 8}, {"2000000000000000000000", 8},
        {"  +0x0", 0}, {"00000000000000000000000000000012", 10}};
    unsigned i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *s = cases[i].s;
        int base = cases[i].base;
        char *e1, *e2, *e3, *e4;
        long l;
        unsigned long ul;
        long long ll;
        unsigned long long ull;
        int er1, er2, er3, er4;
        errno = 0;
        l = strtol(s, &e1, base);
        er1 = errno;
        errno = 0;
        ul = strtoul(s, &e2, base);
        er2 = errno;
        errno = 0;
        ll = strtoll(s, &e3, base);
        er3 = errno;
        errno = 0;
        ull = strtoull(s, &e4, base);
        er4 = errno;
        printf("strto \"%s\" base %d: l=%ld end=%d%s ul=%lu end=%d%s ll=%lld end=%d%s "
               "ull=%llu end=%d%s\n",
               s, base, l, (int)(e1 - s), er1 == ERANGE ? " ERANGE" : "", ul, (int)(e2 - s),
               er2 == ERANGE ? " ERANGE" : "", ll, (int)(e3 - s),
               er3 == ERANGE ? " ERANGE" : "", ull, (int)(e4 - s),
               er4 == ERANGE ? " ERANGE" : "");
        /* long and long long are both 64-bit here */
        CHECK(l == ll && e1 == e3 && er1 == er3);
        CHECK(ul == ull && e2 == e4 && er2 == er4);
        ck = (ck ^ (uint64_t)l ^ ul) * 0x100000001B3ull;
    }
    /* Known answers */
    {
        char *e;
        errno = 0;
        CHECK(strtol("9223372036854775808", &e, 10) == LONG_MAX && errno == ERANGE);
        errno = 0;
        CHECK(strtol("-9223372036854775809", &e, 10) == LONG_MIN && errno == ERANGE);
        errno = 0;
        CHECK(strtoul("-1", &e, 10) == ULONG_MAX && errno == 0);
        CHECK(strtol("zz", &e, 36) == 35 * 36 + 35 && *e == 0);
        CHECK(strtol("0x1F", &e, 0) == 31 && *e == 0);
        CHECK(strtol("017", &e, 0) == 15 && *e == 0);
        CHECK(strtol("  -42xyz", &e, 10) == -42 && strcmp(e, "xyz") == 0);
        CHECK(atoi("  123abc") == 123);
        CHECK(atoi("-2147483648") == INT_MIN);
        CHECK(atol("-9223372036854775807") == -9223372036854775807L);
        CHECK(atoll("+5") == 5);
        CHECK(atoi("") == 0);
    }
    {
        static const char *as[] = {"0", "1", "-1", "  +12", "12abc", "2147483647",
                                   "-2147483647", "007", "\t 99 ", "x5"};
        for (i = 0; i < sizeof(as) / sizeof(as[0]); i++)
            printf("atoi(\"%s\")=%d atol=%ld atoll=%lld\n", as[i], atoi(as[i]), atol(as[i]),
                   atoll(as[i]));
    }
}

/* Round-trip random values through every base. */
static void test_roundtrip(void)
{
    int i;
    char buf[80], *e;
    for (i = 0; i < 3000; i++) {
        uint64_t u = rnd() >> (rnd() & 63);
        int64_t s = (int64_t)(i & 1 ? 0 - u : u);
        int n;
        n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
        CHECK(n > 0 && strtoull(buf, &e, 10) == u && *e == 0);
        n = snprintf(buf, sizeof buf, "%llx", (unsigned long long)u);
        CHECK(n > 0 && strtoull(buf, &e, 16) == u && *e == 0);
        n = snprintf(buf, sizeof buf, "%#llx", (unsigned long long)u);
        CHECK(n > 0 && strtoull(buf, &e, 0) == u && *e == 0);
        n = snprintf(buf, sizeof buf, "%llo", (unsigned long long)u);
        CHECK(n > 0 && strtoull(buf, &e, 8) == u && *e == 0);
        n = snprintf(buf, sizeof buf, "%lld", (long long)s);
        CHECK(n > 0 && strtoll(buf, &e, 10) == s && *e == 0);
        mix_str(buf);
        /* base 2 and 36 by hand */
        {
            char b2[70], b36[20];
            int k = 0, m = 0, j;
            uint64_t t = u;
            char tmp[70];
            do {
                tmp[k++] = (char)('0' + (t & 1));
                t >>= 1;
            } while (t);
            for (j = 0; j < k; j++)
                b2[j] = tmp[k - 1 - j];
            b2[k] = 0;
            t = u;
            do {
                int d = (int)(t % 36);
                tmp[m++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
                t /= 36;
            } while (t);
            for (j = 0; j < m; j++)
                b36[j] = tmp[m - 1 - j];
            b36[m] = 0;
            CHECK(strtoull(b2, &e, 2) == u && *e == 0);
            CHECK(strtoull(b36, &e, 36) == u && *e == 0);
            if (i < 20)
                printf("rt %llu = 0b%s = %s(36)\n", (unsigned long long)u, b2, b36);
            mix_str(b36);
        }
    }
}

/* A table printed with printf directly to stdout (exercises stdio buffering). */
static void test_table(void)
{
    int i;
    unsigned long long f = 1;
    for (i = 1; i <= 20; i++) {
        f *= (unsigned long long)i;
        printf("|%3d|%-21llu|%21llu|%#18llx|%+22lld|\n", i, f, f, f, (long long)f * (i & 1 ? -1 : 1));
    }
}

int main(void)
{
    test_printf_flags();
    test_printf_misc();
    test_snprintf_trunc();
    test_strtol();
    test_roundtrip();
    test_table();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
