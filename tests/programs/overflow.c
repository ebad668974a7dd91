/* overflow.c - __builtin_{add,sub,mul}_overflow for every width and for
 * mixed operand/result types, checked against exact __int128 arithmetic.
 * Also exercises carry/borrow chains (multi-word add/sub) and saturating
 * arithmetic written with the overflow builtins.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

static uint64_t rng_state = 0xDEADBEEFCAFEF00Dull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t opq(uint64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
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

typedef __int128 i128;

/* Does the exact value v fit in a type with range [lo, hi]? */
static int fits(i128 v, i128 lo, i128 hi) { return v >= lo && v <= hi; }

/* Exact product of two values that each fit in 64 bits: sign + magnitude. */
static unsigned __int128 exact_mul(i128 a, i128 b, int *neg)
{
    unsigned __int128 ma = a < 0 ? (unsigned __int128)0 - (unsigned __int128)a
                                 : (unsigned __int128)a;
    unsigned __int128 mb = b < 0 ? (unsigned __int128)0 - (unsigned __int128)b
                                 : (unsigned __int128)b;
    *neg = (a < 0) != (b < 0);
    return ma * mb;
}

/* RT is the result type with range [RLO, RHI]; A and B the operand types. */
#define DEF_OVF(NAME, A, B, RT, RLO, RHI)                                      \
    static void ovf_##NAME(A a, B b, int print)                               \
    {                                                                          \
        RT rs, rd, rm;                                                         \
        int os = __builtin_add_overflow(a, b, &rs);                            \
        int od = __builtin_sub_overflow(a, b, &rd);                            \
        int om = __builtin_mul_overflow(a, b, &rm);                            \
        i128 es = (i128)a + (i128)b;                                           \
        i128 ed = (i128)a - (i128)b;                                           \
        i128 em = (i128)a * (i128)b;                                           \
        CHECK(os == !fits(es, RLO, RHI));                                      \
        CHECK(od == !fits(ed, RLO, RHI));                                      \
        CHECK(om == !fits(em, RLO, RHI));                                      \
        if (!os) CHECK((i128)rs == es);                                        \
        if (!od) CHECK((i128)rd == ed);                                        \
        if (!om) CHECK((i128)rm == em);                                        \
        /* On overflow the result is the wrapped value. */                     \
        CHECK((RT)(unsigned __int128)es == rs);                                \
        CHECK((RT)(unsigned __int128)ed == rd);                                \
        CHECK((RT)(unsigned __int128)em == rm);                                \
        mix((uint64_t)(i128)rs ^ (uint64_t)os << 63);                          \
        mix((uint64_t)(i128)rd ^ (uint64_t)od << 62);                          \
        mix((uint64_t)(i128)rm ^ (uint64_t)om << 61);                          \
        if (print)                                                             \
            printf(#NAME " a=%lld b=%lld add=%lld%s sub=%lld%s mul=%lld%s\n",  \
                   (long long)a, (long long)b, (long long)rs, os ? "!" : "",   \
                   (long long)rd, od ? "!" : "", (long long)rm,                \
                   om ? "!" : "");                                             \
    }

/* Same as above but for unsigned 64-bit results (printed as unsigned). */
#define DEF_OVFU(NAME, A, B, RT, RLO, RHI)                                     \
    static void ovf_##NAME(A a, B b, int print)                               \
    {                                                                          \
        RT rs, rd, rm;                                                         \
        int os = __builtin_add_overflow(a, b, &rs);                            \
        int od = __builtin_sub_overflow(a, b, &rd);                            \
        int om = __builtin_mul_overflow(a, b, &rm);                            \
        i128 es = (i128)a + (i128)b;                                           \
        i128 ed = (i128)a - (i128)b;                                           \
        int mneg;                                                              \
        unsigned __int128 mmag = exact_mul((i128)a, (i128)b, &mneg);           \
        int ems = mmag != 0 && (mneg || mmag > (unsigned __int128)RHI);        \
        uint64_t mwrap = mneg ? 0 - (uint64_t)mmag : (uint64_t)mmag;           \
        CHECK(os == !fits(es, RLO, RHI));                                      \
        CHECK(od == !fits(ed, RLO, RHI));                                      \
        CHECK(om == ems);                                                      \
        CHECK((uint64_t)rm == mwrap);                                          \
        if (!os) CHECK((i128)rs == es);                                        \
        if (!od) CHECK((i128)rd == ed);                                        \
        CHECK((RT)(unsigned __int128)es == rs);                                \
        CHECK((RT)(unsigned __int128)ed == rd);                                \
        mix((uint64_t)rs ^ (uint64_t)os << 63);                                \
        mix((uint64_t)rd ^ (uint64_t)od << 62);                                \
        mix((uint64_t)rm ^ (uint64_t)om << 61);                                \
        if (print)                                                             \
            printf(#NAME " a=%llu b=%llu add=%llu%s sub=%llu%s mul=%llu%s\n",  \
                   (unsigned long long)a, (unsigned long long)b,               \
                   (unsigned long long)rs, os ? "!" : "",                      \
                   (unsigned long long)rd, od ? "!" : "",                      \
                   (unsigned long long)rm, om ? "!" : "");                     \
    }

DEF_OVF(s8, int8_t, int8_t, int8_t, INT8_MIN, INT8_MAX)
DEF_OVF(u8, uint8_t, uint8_t, uint8_t, 0, UINT8_MAX)
DEF_OVF(s16, int16_t, int16_t, int16_t, INT16_MIN, INT16_MAX)
DEF_OVF(u16, uint16_t, uint16_t, uint16_t, 0, UINT16_MAX)
DEF_OVF(s32, int32_t, int32_t, int32_t, INT32_MIN, INT32_MAX)
DEF_OVF(u32, uint32_t, uint32_t, uint32_t, 0, UINT32_MAX)
DEF_OVF(s64, int64_t, int64_t, int64_t, INT64_MIN, INT64_MAX)
DEF_OVFU(u64, uint64_t, uint64_t, uint64_t, 0, (i128)UINT64_MAX)
/* mixed types */
DEF_OVF(s32u32_s16, int32_t, uint32_t, int16_t, INT16_MIN, INT16_MAX)
DEF_OVF(u32s32_s64, uint32_t, int32_t, int64_t, INT64_MIN, INT64_MAX)
DEF_OVF(s64s64_s32, int64_t, int64_t, int32_t, INT32_MIN, INT32_MAX)
DEF_OVF(s64u32_u16, int64_t, uint32_t, uint16_t, 0, UINT16_MAX)
DEF_OVF(s8u8_u8, int8_t, uint8_t, uint8_t, 0, UINT8_MAX)
DEF_OVFU(s64s64_u64, int64_t, int64_t, uint64_t, 0, (i128)UINT64_MAX)
DEF_OVFU(u64s32_u64, uint64_t, int32_t, uint64_t, 0, (i128)UINT64_MAX)

static const uint64_t edges[] = {
    0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull, 0xB504F333ull,
    0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull,
    0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFF80000000ull, 0xFFFFFFFFFFFF8000ull,
    0xFFFFFFFFFFFFFF80ull, 0x00000000B504F334ull, 0x00000000FFFF0000ull};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

#define RUN(NAME, A, B)                                                        \
    do {                                                                       \
        unsigned i_, j_;                                                       \
        for (i_ = 0; i_ < NEDGES; i_++)                                        \
            for (j_ = 0; j_ < NEDGES; j_ += 3)                                 \
                ovf_##NAME((A)opq(edges[i_]), (B)opq(edges[j_]), 1);           \
        for (i_ = 0; i_ < 3000; i_++) {                                        \
            uint64_t x_ = rnd(), y_ = rnd();                                   \
            x_ = (x_ >> 7) >> (x_ & 63);                                       \
            y_ = (y_ >> 7) >> (y_ & 63);                                       \
            if (i_ & 1) x_ = 0 - x_;                                           \
            if (i_ & 2) y_ = 0 - y_;                                           \
            ovf_##NAME((A)x_, (B)y_, 0);                                       \
        }                                                                      \
        printf(#NAME " checksum %016" PRIx64 "\n", ck);                       \
    } while (0)

/* 256-bit add/sub using carry chains built on the overflow builtins. */
typedef struct { uint64_t w[4]; } u256;

static u256 add256(u256 a, u256 b, int *carry_out)
{
    u256 r;
    int c = 0, i;
    for (i = 0; i < 4; i++) {
        uint64_t t;
        int c1 = __builtin_add_overflow(a.w[i], b.w[i], &t);
        int c2 = __builtin_add_overflow(t, (uint64_t)c, &r.w[i]);
        c = c1 | c2;
    }
    *carry_out = c;
    return r;
}

static u256 sub256(u256 a, u256 b, int *borrow_out)
{
    u256 r;
    int c = 0, i;
    for (i = 0; i < 4; i++) {
        uint64_t t;
        int c1 = __builtin_sub_overflow(a.w[i], b.w[i], &t);
        int c2 = __builtin_sub_overflow(t, (uint64_t)c, &r.w[i]);
        c = c1 | c2;
    }
    *borrow_out = c;
    return r;
}

static void test_u256(void)
{
    int i, c, b;
    u256 acc = {{0, 0, 0, 0}};
    for (i = 0; i < 2000; i++) {
        u256 x, y, s, d;
        int k;
        for (k = 0; k < 4; k++) {
            x.w[k] = rnd();
            y.w[k] = (i & 4) ? ~x.w[k] : rnd();
        }
        if (i % 7 == 0)
            y.w[0] = 0 - x.w[0];
        s = add256(x, y, &c);
        d = sub256(s, y, &b);
        for (k = 0; k < 4; k++)
            CHECK(d.w[k] == x.w[k]);
        CHECK(b == c);
        acc = add256(acc, s, &c);
        mix(s.w[0] ^ s.w[3] ^ (uint64_t)c);
        if (i < 20)
            printf("u256 %016llx%016llx%016llx%016llx carry=%d\n",
                   (unsigned long long)s.w[3], (unsigned long long)s.w[2],
                   (unsigned long long)s.w[1], (unsigned long long)s.w[0], b);
    }
    printf("u256 acc %016llx%016llx%016llx%016llx\n", (unsigned long long)acc.w[3],
           (unsigned long long)acc.w[2], (unsigned long long)acc.w[1],
           (unsigned long long)acc.w[0]);
}

static int32_t sat_add32(int32_t a, int32_t b)
{
    int32_t r;
    if (__builtin_add_overflow(a, b, &r))
        return a < 0 ? INT32_MIN : INT32_MAX;
    return r;
}

static uint16_t sat_mul16(uint16_t a, uint16_t b)
{
    uint16_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return UINT16_MAX;
    return r;
}

static void test_saturating(void)
{
    int i;
    int64_t total = 0;
    for (i = 0; i < 64; i++) {
        int32_t a = (int32_t)(uint32_t)opq((uint64_t)((int64_t)(i - 32) * 70000000));
        int32_t b = (int32_t)(uint32_t)opq((uint64_t)((int64_t)(i % 5 - 2) * 1000000000));
        int32_t s = sat_add32(a, b);
        uint16_t m = sat_mul16((uint16_t)(i * 37), (uint16_t)(i * 113));
        int64_t exact = (int64_t)a + b;
        int64_t want = exact > INT32_MAX ? INT32_MAX : exact < INT32_MIN ? INT32_MIN : exact;
        CHECK(s == want);
        CHECK(m == ((uint32_t)(i * 37) * (uint32_t)(i * 113) > 65535
                        ? 65535u : (uint32_t)(i * 37) * (uint32_t)(i * 113)));
        total += s + m;
        printf("sat %d: %d + %d = %d, mul16=%u\n", i, a, b, s, m);
    }
    printf("sat total %lld\n", (long long)total);
    mix((uint64_t)total);
}

int main(void)
{
    RUN(s8, int8_t, int8_t);
    RUN(u8, uint8_t, uint8_t);
    RUN(s16, int16_t, int16_t);
    RUN(u16, uint16_t, uint16_t);
    RUN(s32, int32_t, int32_t);
    RUN(u32, uint32_t, uint32_t);
    RUN(s64, int64_t, int64_t);
    RUN(u64, uint64_t, uint64_t);
    RUN(s32u32_s16, int32_t, uint32_t);
    RUN(u32s32_s64, uint32_t, int32_t);
    RUN(s64s64_s32, int64_t, int64_t);
    RUN(s64u32_u16, int64_t, uint32_t);
    RUN(s8u8_u8, int8_t, uint8_t);
    RUN(s64s64_u64, int64_t, int64_t);
    RUN(u64s32_u64, uint64_t, int32_t);
    test_u256();
    test_saturating();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
