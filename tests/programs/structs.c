/* structs.c - aggregates and calling conventions.
 *
 * Struct assignment/copy of many sizes (register pairs, rep movs/SSE
 * copies), structs passed and returned by value (in registers and via
 * hidden pointer), functions with more than six integer arguments (stack
 * arguments), signed/unsigned bitfields crossing byte boundaries, unions for
 * type punning, packed structs with unaligned members, flexible array
 * members, and variadic functions (va_arg of int/long long/pointer, va_copy,
 * vsnprintf, forwarding a va_list).
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix(uint64_t v)
{
    ck = (ck ^ v) * 0x100000001B3ull;
    ck ^= ck >> 29;
}
static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xCBF29CE484222325ull;
    while (n--)
        h = (h ^ *s++) * 0x100000001B3ull;
    return h;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

/* ---------------- by-value structs ---------------- */
struct s8 { int32_t a, b; };                    /* one register */
struct s16 { int64_t a; int32_t b; int16_t c; }; /* two registers */
struct s24 { int64_t a, b, c; };                /* memory */
struct s100 { char name[20]; int64_t v[10]; };   /* memory, large */
struct mixed { char c; int64_t l; short s; };   /* padding */

static struct s8 mk8(int32_t a, int32_t b)
{
    struct s8 r = {a, b};
    return r;
}
static struct s16 add16(struct s16 x, struct s16 y)
{
    struct s16 r;
    r.a = x.a + y.a;
    r.b = x.b + y.b;
    r.c = (int16_t)(x.c + y.c);
    return r;
}
static struct s24 rot24(struct s24 x)
{
    struct s24 r = {x.b, x.c, x.a};
    return r;
}
static struct s100 upd100(struct s100 x, int k)
{
    int i;
    for (i = 0; i < 10; i++)
        x.v[i] += k * i;
    x.name[k % 19] = (char)('A' + k % 26);
    return x;
}
/* nine integer args: six in registers, three on the stack, plus a struct */
static int64_t many(int8_t a, int16_t b, int32_t c, int64_t d, uint8_t e, uint16_t f,
                    uint32_t g, uint64_t h, struct s24 s, int64_t i)
{
    return a + b * 3 + c * 5 + d * 7 + e * 11 + f * 13 + (int64_t)g * 17 +
           (int64_t)h * 19 + s.a * 23 + s.b * 29 + s.c * 31 + i * 37;
}

static void test_byvalue(void)
{
    struct s8 a = mk8(-5, 7);
    struct s16 p = {1000000000000LL, -3, 7}, q = {-1, 5, -9}, r;
    struct s24 t = {1, 2, 3};
    struct s100 big, big2;
    struct mixed m1, m2;
    int i;
    r = add16(p, q);
    printf("s8 {%d,%d} s16 {%lld,%d,%d}\n", a.a, a.b, (long long)r.a, r.b, r.c);
    CHECK(a.a == -5 && a.b == 7 && r.a == 999999999999LL && r.b == 2 && r.c == -2);
    for (i = 0; i < 5; i++)
        t = rot24(t);
    printf("s24 after 5 rotations {%lld,%lld,%lld}\n", (long long)t.a, (long long)t.b,
           (long long)t.c);
    CHECK(t.a == 3 && t.b == 1 && t.c == 2);
    memset(&big, 0, sizeof big);
    strcpy(big.name, "bigstruct");
    for (i = 0; i < 10; i++)
        big.v[i] = i * 1000;
    big2 = big;
    for (i = 1; i <= 30; i++)
        big2 = upd100(big2, i);
    printf("s100 name=%.20s v0=%lld v9=%lld orig v9=%lld\n", big2.name, (long long)big2.v[0],
           (long long)big2.v[9], (long long)big.v[9]);
    CHECK(big.v[9] == 9000 && big2.v[9] == 9000 + 9 * 465);
    mix(hash_bytes(&big2, sizeof big2));
    {
        int64_t v = many(-1, -2, -3, -4, 250, 65000, 4000000000u, 1ull << 40, t, -99);
        printf("many args = %lld\n", (long long)v);
        CHECK(v == -1 - 6 - 15 - 28 + 2750 + 845000 + 68000000000LL +
                       (int64_t)(19ull << 40) + 3 * 23 + 1 * 29 + 2 * 31 - 99 * 37);
        mix((uint64_t)v);
    }
    /* struct copy preserves padding bytes when done with memcpy semantics */
    memset(&m1, 0xAB, sizeof m1);
    m1.c = 'x';
    m1.l = -1;
    m1.s = 12;
    memcpy(&m2, &m1, sizeof m1);
    CHECK(memcmp(&m1, &m2, sizeof m1) == 0);
    printf("mixed sizeof=%zu offsetof l=%zu s=%zu\n", sizeof m1, offsetof(struct mixed, l),
           offsetof(struct mixed, s));
    /* arrays of structs copied element-wise and as a whole */
    {
        struct s16 arr[50], arr2[50];
        for (i = 0; i < 50; i++) {
            arr[i].a = (int64_t)i * i * i;
            arr[i].b = -i;
            arr[i].c = (int16_t)(i * 100);
        }
        for (i = 0; i < 50; i++)
            arr2[49 - i] = arr[i];
        for (i = 0; i < 50; i++)
            CHECK(arr2[i].a == arr[49 - i].a && arr2[i].b == arr[49 - i].b &&
                  arr2[i].c == arr[49 - i].c);
        {
            int64_t s = 0;
            for (i = 0; i < 50; i++)
                s += arr2[i].a + arr2[i].b + arr2[i].c;
            printf("struct array sum %lld\n", (long long)s);
            mix((uint64_t)s);
        }
    }
}

/* ---------------- bitfields ---------------- */
struct bf {
    unsigned a : 3;
    signed b : 5;
    unsigned c : 7;
    signed d : 11;
    unsigned e : 1;
    signed f : 2;
    unsigned long long g : 33;
    signed long long h : 29;
    unsigned char i : 4;
};

static void test_bitfields(void)
{
    struct bf x;
    int k;
    uint64_t acc = 0;
    memset(&x, 0, sizeof x);
    printf("sizeof(struct bf) = %zu\n", sizeof x);
    for (k = 0; k < 200; k++) {
        int64_t v = (int64_t)k * 7919 - 50000;
        x.a = (unsigned)v & 7;
        x.b = (int)((v % 16));
        x.c = (unsigned)v & 127;
        x.d = (int)(v % 1024);
        x.e = (unsigned)k & 1;
        x.f = (int)(k % 2) - (k % 3 == 0);
        x.g = (unsigned long long)v & 0x1FFFFFFFFull;
        x.h = v % 268435456;
        x.i = (unsigned char)(k & 15);
        CHECK(x.a == ((uint64_t)v & 7));
        CHECK(x.b == v % 16);
        CHECK(x.c == ((uint64_t)v & 127));
        CHECK(x.d == v % 1024);
        CHECK(x.f == (k % 2) - (k % 3 == 0));
        CHECK(x.g == ((uint64_t)v & 0x1FFFFFFFFull));
        CHECK(x.h == v % 268435456);
        /* increments wrap within the field width */
        x.a++;
        x.c += 200;
        x.g += 0x1FFFFFFFFull;
        acc = acc * 31 + x.a + (uint64_t)(int64_t)x.b * 3 + x.c * 5 + (uint64_t)(int64_t)x.d * 7 +
              x.e * 11 + (uint64_t)(int64_t)x.f * 13 + x.g * 17 + (uint64_t)x.h * 19 + x.i * 23;
        if (k % 25 == 0)
            printf("bf k=%d a=%u b=%d c=%u d=%d e=%u f=%d g=%llu h=%lld i=%u\n", k, x.a, x.b,
                   x.c, x.d, x.e, x.f, (unsigned long long)x.g, (long long)x.h, x.i);
    }
    printf("bitfield acc %016llx\n", (unsigned long long)acc);
    mix(acc);
}

/* ---------------- unions and packed structs ---------------- */
union pun {
    uint64_t u64;
    uint32_t u32[2];
    uint16_t u16[4];
    uint8_t u8[8];
    int8_t s8[8];
};

struct __attribute__((packed)) pk {
    uint8_t tag;
    uint32_t a;
    uint16_t b;
    uint64_t c;
    int32_t d;
};

static void test_unions_packed(void)
{
    union pun u;
    struct pk arr[7];
    int i;
    u.u64 = 0x0102030405060708ull;
    printf("union u32=%08x,%08x u16=%04x,%04x,%04x,%04x u8[0]=%02x u8[7]=%02x\n", u.u32[0],
           u.u32[1], u.u16[0], u.u16[1], u.u16[2], u.u16[3], u.u8[0], u.u8[7]);
    CHECK(u.u8[0] == 8 && u.u32[1] == 0x01020304);
    u.u64 = 0xFF80017FFE000000ull;
    printf("union s8: %d %d %d %d %d %d %d %d\n", u.s8[0], u.s8[1], u.s8[2], u.s8[3], u.s8[4],
           u.s8[5], u.s8[6], u.s8[7]);
    printf("packed sizeof=%zu offsets %zu %zu %zu %zu\n", sizeof(struct pk), offsetof(struct pk, a),
           offsetof(struct pk, b), offsetof(struct pk, c), offsetof(struct pk, d));
    CHECK(sizeof(struct pk) == 19);
    for (i = 0; i < 7; i++) {
        arr[i].tag = (uint8_t)i;
        arr[i].a = 0x11111111u * (uint32_t)i;
        arr[i].b = (uint16_t)(0x1234 * i);
        arr[i].c = 0x0123456789ABCDEFull * (uint64_t)i;
        arr[i].d = -i * 1000;
    }
    for (i = 0; i < 7; i++) {
        uint64_t c = arr[i].c;
        CHECK(c == 0x0123456789ABCDEFull * (uint64_t)i);
        CHECK(arr[i].d == -i * 1000 && arr[i].b == (uint16_t)(0x1234 * i));
        arr[i].c += arr[i].a; /* unaligned read-modify-write */
    }
    printf("packed hash %016llx\n", (unsigned long long)hash_bytes(arr, sizeof arr));
    mix(hash_bytes(arr, sizeof arr));
    {
        /* unaligned loads of every width through memcpy */
        unsigned char buf[64];
        uint64_t s = 0;
        for (i = 0; i < 64; i++)
            buf[i] = (unsigned char)(i * 37 + 1);
        for (i = 0; i < 56; i++) {
            uint16_t v16;
            uint32_t v32;
            uint64_t v64;
            memcpy(&v16, buf + i, 2);
            memcpy(&v32, buf + i, 4);
            memcpy(&v64, buf + i, 8);
            s = s * 3 + v16 + v32 + v64;
        }
        printf("unaligned sum %016llx\n", (unsigned long long)s);
        mix(s);
    }
}

/* ---------------- flexible array member ---------------- */
struct vec {
    size_t n;
    int64_t items[];
};

static void test_flexible(void)
{
    size_t n;
    for (n = 0; n <= 100; n += 25) {
        struct vec *v = malloc(sizeof(struct vec) + n * sizeof(int64_t));
        int64_t s = 0;
        size_t i;
        v->n = n;
        for (i = 0; i < n; i++)
            v->items[i] = (int64_t)(i * i) - 50;
        for (i = 0; i < v->n; i++)
            s += v->items[i];
        printf("flex n=%zu sum=%lld\n", n, (long long)s);
        mix((uint64_t)s);
        free(v);
    }
}

/* ---------------- varargs ---------------- */
static int64_t sum_ints(int n, ...)
{
    va_list ap;
    int64_t s = 0;
    int i;
    va_start(ap, n);
    for (i = 0; i < n; i++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}

/* format: i=int, l=long long, u=unsigned, s=string, c=char, p=pointer-to-int64 */
static uint64_t typed(const char *fmt, ...)
{
    va_list ap, ap2;
    uint64_t h = 0;
    const char *f;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    for (f = fmt; *f; f++) {
        switch (*f) {
        case 'i': h = h * 31 + (uint64_t)(int64_t)va_arg(ap, int); break;
        case 'l': h = h * 31 + (uint64_t)va_arg(ap, long long); break;
        case 'u': h = h * 31 + va_arg(ap, unsigned); break;
        case 'c': h = h * 31 + (uint64_t)(va_arg(ap, int) & 0xFF); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            h = h * 31 + hash_bytes(s, strlen(s));
            break;
        }
        case 'p': h = h * 31 + (uint64_t)*va_arg(ap, int64_t *); break;
        }
    }
    va_end(ap);
    /* second pass over the copy must see the same first argument */
    if (*fmt == 'i') {
        int first = va_arg(ap2, int);
        h ^= (uint64_t)(int64_t)first << 32;
    }
    va_end(ap2);
    return h;
}

static int vfmt(char *buf, size_t n, const char *fmt, va_list ap)
{
    return vsnprintf(buf, n, fmt, ap);
}
static int fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int fmt(char *buf, size_t n, const char *f, ...)
{
    va_list ap;
    int r;
    va_start(ap, f);
    r = vfmt(buf, n, f, ap);
    va_end(ap);
    return r;
}
static void logf_(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    fputs("log: ", stdout);
    vprintf(f, ap);
    va_end(ap);
}

static void test_varargs(void)
{
    char buf[256];
    int64_t x = -777;
    int r;
    printf("sum_ints(0)=%lld\n", (long long)sum_ints(0));
    printf("sum_ints(3)=%lld\n", (long long)sum_ints(3, 1, 2, 3));
    printf("sum_ints(12)=%lld\n",
           (long long)sum_ints(12, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 2147483647, -2147483647));
    CHECK(sum_ints(12, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 2147483647, -2147483647) == -5);
    {
        uint64_t h = typed("ilucsp ilucsp", 42, -5000000000LL, 3000000000u, 'z', "varargs", &x,
                           -1, 1LL << 62, 7u, 200, "second", &x);
        printf("typed hash %016llx\n", (unsigned long long)h);
        mix(h);
    }
    r = fmt(buf, sizeof buf, "%d|%lld|%s|%c|%5u|%-4x|%%", -3, 123456789012345LL, "str", 'Q',
            42u, 0xab);
    printf("fmt -> \"%s\" (%d)\n", buf, r);
    CHECK(strcmp(buf, "-3|123456789012345|str|Q|   42|ab  |%") == 0);
    mix(hash_bytes(buf, (size_t)r));
    logf_("%s has %d items costing %llu\n", "cart", 3, 1999ull);
    logf_("%08x %o %i\n", 0xdead, 8, -8);
}

int main(void)
{
    test_byvalue();
    test_bitfields();
    test_unions_packed();
    test_flexible();
    test_varargs();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
