/* arith.c - integer arithmetic at every width, signed and unsigned.
 *
 * Covers + - * / % & | ^ ~ neg, comparisons, sign/zero extension and
 * truncation for 8/16/32/64-bit types, plus division and modulo edge cases
 * (MIN/-1 is skipped because it traps). Every quotient/remainder is checked
 * against a software shift-subtract divider. Prints one line per pair of
 * edge values and a running checksum for the random pairs.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

static uint64_t rng_state = 0x0123456789ABCDEFull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Hide a value from the optimiser so that real instructions are emitted. */
static inline uint64_t opq(uint64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix(uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) {
        ck ^= (v >> (i * 8)) & 0xFF;
        ck *= 0x100000001B3ull;
    }
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

/* Reference unsigned division (restoring shift/subtract). */
static void soft_udiv(uint64_t n, uint64_t d, uint64_t *q, uint64_t *r)
{
    uint64_t quo = 0, rem = 0;
    int i;
    for (i = 63; i >= 0; i--) {
        rem = (rem << 1) | ((n >> i) & 1);
        if (rem >= d) {
            rem -= d;
            quo |= 1ull << i;
        }
    }
    *q = quo;
    *r = rem;
}

/* Reference signed division, truncating toward zero, computed in uint64. */
static void soft_sdiv(int64_t n, int64_t d, int64_t *q, int64_t *r)
{
    uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    uint64_t uq, ur;
    soft_udiv(un, ud, &uq, &ur);
    if ((n < 0) != (d < 0))
        uq = 0 - uq;
    if (n < 0)
        ur = 0 - ur;
    *q = (int64_t)uq;
    *r = (int64_t)ur;
}

/* For a signed type T with unsigned counterpart U of BITS bits. */
#define DEF_SIGNED(NAME, T, U, BITS, TMIN, TMAX)                                 \
    static void op_##NAME(T a, T b, int print)                                   \
    {                                                                            \
        T add = (T)(U)((U)a + (U)b);                                             \
        T sub = (T)(U)((U)a - (U)b);                                             \
        T mul = (T)(U)((uint64_t)(U)a * (uint64_t)(U)b);                         \
        T neg = (T)(U)(0 - (uint64_t)(U)a);                                      \
        T and_ = (T)(a & b), or_ = (T)(a | b), xor_ = (T)(a ^ b), not_ = (T)~a;  \
        unsigned sh = (unsigned)((uint64_t)(U)b % BITS);                         \
        T shl = (T)(U)((U)a << sh);                                              \
        T sar = (T)(a >> sh);                                                    \
        U shr = (U)((U)a >> sh);                                                 \
        int lt = a < b, le = a <= b, eq = a == b, gt = a > b;                    \
        int ult = (U)a < (U)b;                                                   \
        T mx = a > b ? a : b, mn = a < b ? a : b;                                \
        T abs_ = (T)(a < 0 ? (U)(0 - (U)a) : (U)a);                              \
        int64_t wide = (int64_t)a * (int64_t)(BITS < 64 ? b : 1);                \
        T q = 0, r = 0;                                                          \
        int divok = b != 0 && !(a == TMIN && b == -1);                           \
        if (divok) {                                                             \
            int64_t sq, sr;                                                      \
            q = (T)(a / b);                                                      \
            r = (T)(a % b);                                                      \
            soft_sdiv(a, b, &sq, &sr);                                           \
            CHECK(q == sq);                                                      \
            CHECK(r == sr);                                                      \
            CHECK((T)(U)((U)q * (U)b + (U)r) == a);                              \
        }                                                                        \
        if (BITS < 64) {                                                         \
            CHECK(((int64_t)a + (int64_t)b) == (int64_t)add ||                   \
                  ((int64_t)a + (int64_t)b) > (int64_t)TMAX ||                   \
                  ((int64_t)a + (int64_t)b) < (int64_t)TMIN);                    \
        }                                                                        \
        CHECK((T)(U)((U)add - (U)b) == a);                                       \
        CHECK((T)(U)((U)sub + (U)b) == a);                                       \
        CHECK((T)(xor_ ^ b) == a);                                               \
        CHECK((T)(and_ | xor_) == or_);                                          \
        CHECK(lt + eq + gt == 1 && le == (lt | eq));                             \
        mix((uint64_t)(int64_t)add);                                             \
        mix((uint64_t)(int64_t)sub);                                             \
        mix((uint64_t)(int64_t)mul);                                             \
        mix((uint64_t)(int64_t)q);                                               \
        mix((uint64_t)(int64_t)r);                                               \
        mix((uint64_t)(int64_t)shl ^ ((uint64_t)(int64_t)sar << 1) ^ shr);       \
        mix((uint64_t)wide ^ (uint64_t)(lt | ult << 1 | eq << 2 | gt << 3));     \
        mix((uint64_t)(int64_t)mx ^ (uint64_t)(int64_t)mn);                      \
        mix((uint64_t)(int64_t)abs_ ^ (uint64_t)(int64_t)neg ^                   \
            (uint64_t)(int64_t)not_);                                            \
        if (print)                                                               \
            printf(#NAME " a=%lld b=%lld add=%lld sub=%lld mul=%lld neg=%lld "   \
                   "and=%lld or=%lld xor=%lld not=%lld shl%u=%lld sar=%lld "     \
                   "shr=%llu lt=%d le=%d eq=%d ult=%d max=%lld min=%lld "        \
                   "abs=%lld wide=%lld div=%s%lld mod=%lld\n",                   \
                   (long long)a, (long long)b, (long long)add, (long long)sub,   \
                   (long long)mul, (long long)neg, (long long)and_,              \
                   (long long)or_, (long long)xor_, (long long)not_, sh,         \
                   (long long)shl, (long long)sar, (unsigned long long)shr, lt,  \
                   le, eq, ult, (long long)mx, (long long)mn, (long long)abs_,   \
                   (long long)wide, divok ? "" : "n/a:", (long long)q,           \
                   (long long)r);                                                \
    }                                                                            \
    static void test_##NAME(void)                                                \
    {                                                                            \
        T edges[] = {0, 1, -1, 2, -2, 3, -3, 7, -7, 10, -10, 100, -100,          \
                     TMAX, TMIN, (T)(TMAX - 1), (T)(TMIN + 1),                   \
                     (T)(U)0x5555555555555555ull, (T)(U)0xAAAAAAAAAAAAAAAAull};  \
        unsigned n = sizeof(edges) / sizeof(edges[0]), i, j;                     \
        for (i = 0; i < n; i++)                                                  \
            for (j = 0; j < n; j++)                                              \
                op_##NAME((T)opq((uint64_t)(int64_t)edges[i]),                   \
                          (T)opq((uint64_t)(int64_t)edges[j]), 1);               \
        for (i = 0; i < 4000; i++) {                                             \
            uint64_t x = rnd(), y = rnd();                                       \
            x >>= x & 63;                                                        \
            y >>= (y >> 8) & 63;                                                 \
            if (i & 1)                                                           \
                y = 0 - y;                                                       \
            op_##NAME((T)(U)x, (T)(U)y, 0);                                      \
        }                                                                        \
        printf(#NAME " random checksum %016" PRIx64 "\n", ck);                  \
    }

#define DEF_UNSIGNED(NAME, U, BITS, UMAX)                                        \
    static void op_##NAME(U a, U b, int print)                                   \
    {                                                                            \
        U add = (U)(a + b);                                                      \
        U sub = (U)(a - b);                                                      \
        U mul = (U)((uint64_t)a * (uint64_t)b);                                  \
        U neg = (U)(0 - (uint64_t)a);                                            \
        U and_ = (U)(a & b), or_ = (U)(a | b), xor_ = (U)(a ^ b), not_ = (U)~a;  \
        unsigned sh = (unsigned)(b % BITS);                                      \
        U shl = (U)(a << sh);                                                    \
        U shr = (U)(a >> sh);                                                    \
        int lt = a < b, le = a <= b, eq = a == b, gt = a > b;                    \
        int slt = (int64_t)((uint64_t)a << (64 - BITS)) <                          \
                  (int64_t)((uint64_t)b << (64 - BITS));                       \
        U mx = a > b ? a : b, mn = a < b ? a : b;                                \
        uint64_t wide = (uint64_t)a * (uint64_t)(BITS < 64 ? b : 1);             \
        int carry = (U)(a + b) < a;                                              \
        int borrow = a < b;                                                      \
        U q = 0, r = 0;                                                          \
        if (b != 0) {                                                            \
            uint64_t sq, sr;                                                     \
            q = (U)(a / b);                                                      \
            r = (U)(a % b);                                                      \
            soft_udiv(a, b, &sq, &sr);                                           \
            CHECK(q == sq);                                                      \
            CHECK(r == sr);                                                      \
            CHECK(r < b);                                                        \
            CHECK((U)(q * b + r) == a);                                          \
        }                                                                        \
        CHECK((U)(add - b) == a);                                                \
        CHECK((U)(sub + b) == a);                                                \
        CHECK((U)(neg + a) == 0);                                                \
        CHECK((U)(and_ | xor_) == or_);                                          \
        CHECK(carry == ((uint64_t)a + (uint64_t)b > (uint64_t)UMAX ||            \
                        (BITS == 64 && (uint64_t)a + (uint64_t)b < (uint64_t)a)));\
        CHECK(lt + eq + gt == 1 && le == (lt | eq));                             \
        mix(add);                                                                \
        mix(sub);                                                                \
        mix(mul);                                                                \
        mix(q);                                                                  \
        mix(r);                                                                  \
        mix((uint64_t)shl ^ ((uint64_t)shr << 1));                               \
        mix(wide ^ (uint64_t)(lt | slt << 1 | eq << 2 | carry << 3 | borrow << 4));\
        mix((uint64_t)mx ^ ((uint64_t)mn << 3) ^ neg ^ not_);                    \
        if (print)                                                               \
            printf(#NAME " a=%llu b=%llu add=%llu sub=%llu mul=%llu neg=%llu "   \
                   "and=%llx or=%llx xor=%llx not=%llx shl%u=%llx shr=%llx "     \
                   "lt=%d le=%d eq=%d slt=%d c=%d max=%llu min=%llu wide=%llu "  \
                   "div=%s%llu mod=%llu\n",                                      \
                   (unsigned long long)a, (unsigned long long)b,                 \
                   (unsigned long long)add, (unsigned long long)sub,             \
                   (unsigned long long)mul, (unsigned long long)neg,             \
                   (unsigned long long)and_, (unsigned long long)or_,            \
                   (unsigned long long)xor_, (unsigned long long)not_, sh,       \
                   (unsigned long long)shl, (unsigned long long)shr, lt, le, eq, \
                   slt, carry, (unsigned long long)mx, (unsigned long long)mn,   \
                   (unsigned long long)wide, b ? "" : "n/a:",                    \
                   (unsigned long long)q, (unsigned long long)r);                \
    }                                                                            \
    static void test_##NAME(void)                                                \
    {                                                                            \
        U edges[] = {0, 1, 2, 3, 7, 10, 100, 255, (U)256u, (U)(UMAX / 2),        \
                     (U)(UMAX / 2 + 1), (U)(UMAX - 1), UMAX,                     \
                     (U)0x5555555555555555ull, (U)0xAAAAAAAAAAAAAAAAull,         \
                     (U)0xFFFF0000FFFF0000ull};                                  \
        unsigned n = sizeof(edges) / sizeof(edges[0]), i, j;                     \
        for (i = 0; i < n; i++)                                                  \
            for (j = 0; j < n; j++)                                              \
                op_##NAME((U)opq(edges[i]), (U)opq(edges[j]), 1);                \
        for (i = 0; i < 4000; i++) {                                             \
            uint64_t x = rnd(), y = rnd();                                       \
            x >>= x & 63;                                                        \
            y >>= (y >> 8) & 63;                                                 \
            op_##NAME((U)x, (U)y, 0);                                            \
        }                                                                        \
        printf(#NAME " random checksum %016" PRIx64 "\n", ck);                  \
    }

DEF_SIGNED(i8, int8_t, uint8_t, 8, INT8_MIN, INT8_MAX)
DEF_SIGNED(i16, int16_t, uint16_t, 16, INT16_MIN, INT16_MAX)
DEF_SIGNED(i32, int32_t, uint32_t, 32, INT32_MIN, INT32_MAX)
DEF_SIGNED(i64, int64_t, uint64_t, 64, INT64_MIN, INT64_MAX)
DEF_UNSIGNED(u8, uint8_t, 8, UINT8_MAX)
DEF_UNSIGNED(u16, uint16_t, 16, UINT16_MAX)
DEF_UNSIGNED(u32, uint32_t, 32, UINT32_MAX)
DEF_UNSIGNED(u64, uint64_t, 64, UINT64_MAX)

/* Conversions between widths: sign/zero extension and truncation. */
static void test_conversions(void)
{
    uint64_t vals[] = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
                       0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull,
                       0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                       0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull,
                       0xFEDCBA9876543210ull};
    unsigned i;
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint64_t v = opq(vals[i]);
        int8_t s8 = (int8_t)v;
        int16_t s16 = (int16_t)v;
        int32_t s32 = (int32_t)v;
        uint8_t u8 = (uint8_t)v;
        uint16_t u16 = (uint16_t)v;
        uint32_t u32 = (uint32_t)v;
        int64_t e8 = s8, e16 = s16, e32 = s32;
        uint64_t z8 = u8, z16 = u16, z32 = u32;
        /* 32-bit ops must zero the upper half of the destination. */
        uint64_t add32 = (uint32_t)(u32 + (uint32_t)opq(1));
        uint64_t neg32 = (uint32_t)(0u - u32);
        CHECK(e8 == (int64_t)(v << 56) >> 56);
        CHECK(e16 == (int64_t)(v << 48) >> 48);
        CHECK(e32 == (int64_t)(v << 32) >> 32);
        CHECK(z8 == (v & 0xFF) && z16 == (v & 0xFFFF) && z32 == (v & 0xFFFFFFFF));
        CHECK(add32 >> 32 == 0 && neg32 >> 32 == 0);
        printf("conv %016llx s8=%lld s16=%lld s32=%lld u8=%llu u16=%llu u32=%llu "
               "add32=%llx neg32=%llx s8u=%llu\n",
               (unsigned long long)v, (long long)e8, (long long)e16, (long long)e32,
               (unsigned long long)z8, (unsigned long long)z16,
               (unsigned long long)z32, (unsigned long long)add32,
               (unsigned long long)neg32, (unsigned long long)(uint64_t)(int64_t)s8);
        mix(v ^ (uint64_t)e8 ^ (uint64_t)e16 ^ (uint64_t)e32 ^ add32 ^ neg32);
    }
}

/* Division by constants: the compiler emits multiply-high sequences. */
static void test_const_division(void)
{
    unsigned i;
    uint64_t acc = 0;
    for (i = 0; i < 3000; i++) {
        uint64_t x = rnd() >> (i % 64);
        int64_t s = (int64_t)rnd() >> (i % 64);
        uint32_t x32 = (uint32_t)x;
        int32_t s32 = (int32_t)s;
        uint64_t q3 = x / 3, q7 = x / 7, q10 = x / 10, q1000 = x / 1000;
        uint64_t r3 = x % 3, r7 = x % 7, r10 = x % 10, r1000 = x % 1000;
        int64_t sq3 = s / 3, sq7 = s / 7, sq10 = s / 10, sr10 = s % 10;
        uint32_t q32_5 = x32 / 5, r32_5 = x32 % 5;
        int32_t sq32_9 = s32 / 9, sr32_9 = s32 % 9, sq32_8 = s32 / 8, sr32_8 = s32 % 8;
        int64_t tq, tr;
        CHECK(q3 * 3 + r3 == x && r3 < 3);
        CHECK(q7 * 7 + r7 == x && r7 < 7);
        CHECK(q10 * 10 + r10 == x && r10 < 10);
        CHECK(q1000 * 1000 + r1000 == x && r1000 < 1000);
        soft_sdiv(s, 3, &tq, &tr);
        CHECK(sq3 == tq);
        soft_sdiv(s, 7, &tq, &tr);
        CHECK(sq7 == tq);
        soft_sdiv(s, 10, &tq, &tr);
        CHECK(sq10 == tq && sr10 == tr);
        CHECK(q32_5 * 5 + r32_5 == x32);
        soft_sdiv(s32, 9, &tq, &tr);
        CHECK(sq32_9 == tq && sr32_9 == tr);
        soft_sdiv(s32, 8, &tq, &tr);
        CHECK(sq32_8 == tq && sr32_8 == tr);
        acc = acc * 31 + q3 + q7 + q10 + q1000 + (uint64_t)sq3 + (uint64_t)sq7 +
              (uint64_t)sq10 + (uint64_t)sr10 + q32_5 + (uint64_t)sq32_9 +
              (uint64_t)sr32_9 + (uint64_t)sq32_8 + (uint64_t)sr32_8;
    }
    printf("const division acc %016llx\n", (unsigned long long)acc);
    mix(acc);
}

/* Loops with counters of every width, including wraparound. */
static void test_wrapping_loops(void)
{
    uint8_t c8 = (uint8_t)opq(250);
    uint16_t c16 = (uint16_t)opq(65530);
    uint32_t c32 = (uint32_t)opq(0xFFFFFFF0u);
    int n8 = 0, n16 = 0, n32 = 0;
    uint64_t sum = 0;
    while (c8 != 4) { c8++; n8++; sum += c8; }
    while (c16 != 4) { c16++; n16++; sum += c16; }
    while (c32 != 4) { c32++; n32++; sum += c32; }
    printf("wrap loops n8=%d n16=%d n32=%d sum=%llu\n", n8, n16, n32,
           (unsigned long long)sum);
    CHECK(n8 == 10 && n16 == 10 && n32 == 20);
    mix(sum);
}

int main(void)
{
    test_i8();
    test_i16();
    test_i32();
    test_i64();
    test_u8();
    test_u16();
    test_u32();
    test_u64();
    test_conversions();
    test_const_division();
    test_wrapping_loops();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
