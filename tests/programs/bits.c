/* bits.c - bit manipulation and shifts.
 *
 * __builtin_clz/ctz/popcount/parity/ffs/clrsb/bswap at 32 and 64 bits,
 * rotates (compiled to rol/ror), variable shifts at every width (shl, shr,
 * sar), double-width shifts (shld/shrd patterns), bit reversal, Gray code,
 * lowest-set-bit tricks, bit-field extract/insert, all checked against
 * naive loop implementations.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

static uint64_t rng_state = 0x5EED5EED12345678ull;
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
    ck ^= ck >> 31;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

/* ---- naive references ---- */
static int ref_clz(uint64_t x, int bits)
{
    int n = 0, i;
    for (i = bits - 1; i >= 0 && !((x >> i) & 1); i--)
        n++;
    return n;
}
static int ref_ctz(uint64_t x, int bits)
{
    int n = 0;
    while (n < bits && !((x >> n) & 1))
        n++;
    return n;
}
static int ref_pop(uint64_t x)
{
    int n = 0;
    while (x) {
        n += (int)(x & 1);
        x >>= 1;
    }
    return n;
}
static uint64_t ref_bswap(uint64_t x, int bytes)
{
    uint64_t r = 0;
    int i;
    for (i = 0; i < bytes; i++)
        r |= ((x >> (8 * i)) & 0xFF) << (8 * (bytes - 1 - i));
    return r;
}
static uint64_t ref_rotl(uint64_t x, unsigned r, int bits)
{
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    unsigned i;
    x &= mask;
    for (i = 0; i < r % (unsigned)bits; i++)
        x = ((x << 1) | (x >> (bits - 1))) & mask;
    return x;
}
static uint64_t ref_rev64(uint64_t x)
{
    uint64_t r = 0;
    int i;
    for (i = 0; i < 64; i++)
        if (x & (1ull << i))
            r |= 1ull << (63 - i);
    return r;
}

/* ---- the code under test ---- */
static inline uint8_t rotl8(uint8_t x, unsigned r) { r &= 7; return (uint8_t)((x << r) | (x >> ((8 - r) & 7))); }
static inline uint16_t rotl16(uint16_t x, unsigned r) { r &= 15; return (uint16_t)((x << r) | (x >> ((16 - r) & 15))); }
static inline uint32_t rotl32(uint32_t x, unsigned r) { return (x << (r & 31)) | (x >> ((0u - r) & 31)); }
static inline uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((0u - r) & 31)); }
static inline uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((0u - r) & 63)); }
static inline uint64_t rotr64(uint64_t x, unsigned r) { return (x >> (r & 63)) | (x << ((0u - r) & 63)); }

static uint64_t rev64(uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
    return __builtin_bswap64(x);
}

static uint64_t shld64(uint64_t hi, uint64_t lo, unsigned s)
{
    s &= 63;
    return s ? (hi << s) | (lo >> (64 - s)) : hi;
}
static uint64_t shrd64(uint64_t lo, uint64_t hi, unsigned s)
{
    s &= 63;
    return s ? (lo >> s) | (hi << (64 - s)) : lo;
}

static void test_value(uint64_t x, int print)
{
    uint32_t x32 = (uint32_t)x;
    int clz64 = x ? __builtin_clzll(x) : -1;
    int ctz64 = x ? __builtin_ctzll(x) : -1;
    int clz32 = x32 ? __builtin_clz(x32) : -1;
    int ctz32 = x32 ? __builtin_ctz(x32) : -1;
    int pop64 = __builtin_popcountll(x);
    int pop32 = __builtin_popcount(x32);
    int par64 = __builtin_parityll(x);
    int par32 = __builtin_parity(x32);
    int ffs64 = __builtin_ffsll((long long)x);
    int ffs32 = __builtin_ffs((int)x32);
    int clrsb64 = __builtin_clrsbll((long long)x);
    int clrsb32 = __builtin_clrsb((int)x32);
    uint16_t bs16 = __builtin_bswap16((uint16_t)x);
    uint32_t bs32 = __builtin_bswap32(x32);
    uint64_t bs64 = __builtin_bswap64(x);
    uint64_t lowbit = x & (0 - x);
    uint64_t clearlow = x & (x - 1);
    uint64_t fill = x | (x - 1);
    uint64_t gray = x ^ (x >> 1);
    uint64_t ungray = gray;
    uint64_t r64 = rev64(x);
    int pow2 = x && !(x & (x - 1));
    int s;

    for (s = 1; s < 64; s <<= 1)
        ungray ^= ungray >> s;

    if (x) {
        CHECK(clz64 == ref_clz(x, 64));
        CHECK(ctz64 == ref_ctz(x, 64));
    }
    if (x32) {
        CHECK(clz32 == ref_clz(x32, 32));
        CHECK(ctz32 == ref_ctz(x32, 32));
    }
    CHECK(pop64 == ref_pop(x));
    CHECK(pop32 == ref_pop(x32));
    CHECK(par64 == (ref_pop(x) & 1));
    CHECK(par32 == (ref_pop(x32) & 1));
    CHECK(ffs64 == (x ? ref_ctz(x, 64) + 1 : 0));
    CHECK(ffs32 == (x32 ? ref_ctz(x32, 32) + 1 : 0));
    CHECK(clrsb64 == ref_clz((int64_t)x < 0 ? ~x : x, 64) - 1);
    CHECK(clrsb32 == ref_clz((int32_t)x32 < 0 ? (uint32_t)~x32 : x32, 32) - 1);
    CHECK(bs16 == ref_bswap(x, 2));
    CHECK(bs32 == ref_bswap(x, 4));
    CHECK(bs64 == ref_bswap(x, 8));
    CHECK(lowbit == (x ? 1ull << ref_ctz(x, 64) : 0));
    CHECK(ref_pop(clearlow) == (x ? pop64 - 1 : 0));
    CHECK(ungray == x);
    CHECK(r64 == ref_rev64(x));
    CHECK(pow2 == (pop64 == 1));

    mix(x);
    mix((uint64_t)(clz64 + 100 * ctz64 + 10000 * clz32 + 1000000 * ctz32));
    mix((uint64_t)(pop64 | pop32 << 8 | par64 << 16 | par32 << 17 | ffs64 << 18 | ffs32 << 25));
    mix((uint64_t)(clrsb64 | clrsb32 << 8));
    mix(bs16 ^ (uint64_t)bs32 << 16 ^ bs64);
    mix(lowbit ^ clearlow ^ fill ^ gray ^ r64);

    if (print)
        printf("x=%016llx clz=%d,%d ctz=%d,%d pop=%d,%d par=%d,%d ffs=%d,%d "
               "clrsb=%d,%d bswap=%04x,%08x,%016llx low=%llx clr=%llx fill=%llx "
               "gray=%llx rev=%016llx pow2=%d\n",
               (unsigned long long)x, clz64, clz32, ctz64, ctz32, pop64, pop32,
               par64, par32, ffs64, ffs32, clrsb64, clrsb32, bs16, bs32,
               (unsigned long long)bs64, (unsigned long long)lowbit,
               (unsigned long long)clearlow, (unsigned long long)fill,
               (unsigned long long)gray, (unsigned long long)r64, pow2);
}

static void test_shifts(uint64_t x, unsigned s, int print)
{
    /* Variable shift counts at every width. */
    unsigned s8 = s & 7, s16 = s & 15, s32 = s & 31, s64 = s & 63;
    uint8_t u8 = (uint8_t)x;
    int8_t i8 = (int8_t)x;
    uint16_t u16 = (uint16_t)x;
    int16_t i16 = (int16_t)x;
    uint32_t u32 = (uint32_t)x;
    int32_t i32 = (int32_t)x;
    int64_t i64 = (int64_t)x;
    uint8_t shl8 = (uint8_t)(u8 << s8), shr8 = (uint8_t)(u8 >> s8);
    int8_t sar8 = (int8_t)(i8 >> s8);
    uint16_t shl16 = (uint16_t)(u16 << s16), shr16 = (uint16_t)(u16 >> s16);
    int16_t sar16 = (int16_t)(i16 >> s16);
    uint32_t shl32 = u32 << s32, shr32 = u32 >> s32;
    int32_t sar32 = i32 >> s32;
    uint64_t shl64 = x << s64, shr64 = x >> s64;
    int64_t sar64 = i64 >> s64;
    uint8_t rl8 = rotl8(u8, s);
    uint16_t rl16 = rotl16(u16, s);
    uint32_t rl32 = rotl32(u32, s), rr32 = rotr32(u32, s);
    uint64_t rl64 = rotl64(x, s), rr64 = rotr64(x, s);
    uint64_t y = rnd();
    uint64_t dl = shld64(x, y, s), dr = shrd64(x, y, s);
    uint64_t mask = s64 ? ((1ull << s64) - 1) : 0;
    uint64_t field = (x >> (s & 31)) & 0x3FF;
    uint64_t ins = (x & ~(0x3FFull << (s & 31))) | ((y & 0x3FF) << (s & 31));
    int k;

    /* Shifts are checked by repeated single-bit shifts. */
    {
        uint64_t a = x, b = x;
        int64_t c = i64;
        for (k = 0; k < (int)s64; k++) {
            a <<= 1;
            b >>= 1;
            c = (c < 0) ? (int64_t)((uint64_t)c >> 1 | 0x8000000000000000ull)
                        : (int64_t)((uint64_t)c >> 1);
        }
        CHECK(a == shl64 && b == shr64 && c == sar64);
    }
    CHECK(shl32 == (uint32_t)(x << s32) && shr32 == (uint32_t)((x & 0xFFFFFFFF) >> s32));
    CHECK((int64_t)sar32 == ((int64_t)(x << 32) >> 32) >> s32);
    CHECK(shl16 == (uint16_t)(x << s16) && shr16 == (uint16_t)((x & 0xFFFF) >> s16));
    CHECK((int64_t)sar16 == ((int64_t)(x << 48) >> 48) >> s16);
    CHECK(shl8 == (uint8_t)(x << s8) && shr8 == (uint8_t)((x & 0xFF) >> s8));
    CHECK((int64_t)sar8 == ((int64_t)(x << 56) >> 56) >> s8);
    CHECK(rl8 == ref_rotl(x, s, 8));
    CHECK(rl16 == ref_rotl(x, s, 16));
    CHECK(rl32 == ref_rotl(x, s, 32));
    CHECK(rr32 == ref_rotl(x, 32 - (s & 31), 32));
    CHECK(rl64 == ref_rotl(x, s, 64));
    CHECK(rotl64(rr64, s) == x);
    CHECK(dl == (s64 ? (x << s64) | (y >> (64 - s64)) : x));
    CHECK(dl == (uint64_t)((((unsigned __int128)x << 64 | y) << s64) >> 64));
    CHECK(dr == (uint64_t)((((unsigned __int128)y << 64 | x) >> s64)));
    CHECK((((x << s64) >> s64) | (x & ~(~0ull >> s64))) == x);
    CHECK(((x & mask) == (s64 ? x % (1ull << s64) : 0)));
    CHECK(((ins >> (s & 31)) & 0x3FF) == (y & 0x3FF));

    mix((uint64_t)shl8 | (uint64_t)shr8 << 8 | (uint64_t)(uint8_t)sar8 << 16 |
        (uint64_t)shl16 << 24 | (uint64_t)shr16 << 40);
    mix((uint64_t)(uint16_t)sar16 | (uint64_t)shl32 << 16);
    mix((uint64_t)shr32 | (uint64_t)(uint32_t)sar32 << 32);
    mix(shl64);
    mix(shr64);
    mix((uint64_t)sar64);
    mix((uint64_t)rl8 | (uint64_t)rl16 << 8 | (uint64_t)rl32 << 24);
    mix(rr32 ^ rl64 ^ rr64 ^ dl ^ dr ^ field ^ ins);

    if (print)
        printf("sh x=%016llx s=%2u 8:%02x,%02x,%02x 16:%04x,%04x,%04x 32:%08x,%08x,%08x "
               "64:%016llx,%016llx,%016llx rot:%02x,%04x,%08x,%08x,%016llx,%016llx "
               "shld=%016llx shrd=%016llx field=%03llx\n",
               (unsigned long long)x, s, shl8, shr8, (uint8_t)sar8, shl16, shr16,
               (uint16_t)sar16, shl32, shr32, (uint32_t)sar32,
               (unsigned long long)shl64, (unsigned long long)shr64,
               (unsigned long long)sar64, rl8, rl16, rl32, rr32,
               (unsigned long long)rl64, (unsigned long long)rr64,
               (unsigned long long)dl, (unsigned long long)dr,
               (unsigned long long)field);
}

/* Shift counts above the operand width are masked by the hardware. The C
 * language makes these undefined, so we use inline asm to get the real
 * instructions with unmasked counts. */
static void test_hw_masking(void)
{
    uint64_t vals[] = {0x8000000000000001ull, 0x123456789ABCDEF0ull, 0xFFFFFFFFFFFFFFFFull};
    unsigned counts[] = {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 200, 255};
    unsigned i, j;
    for (i = 0; i < 3; i++)
        for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++) {
            uint64_t v64 = vals[i], r64s, r64r, r64a, r64rol;
            uint32_t v32 = (uint32_t)vals[i], r32s, r32r, r32a, r32rol;
            uint8_t c = (uint8_t)counts[j];
            r64s = v64; __asm__("shlq %%cl, %0" : "+r"(r64s) : "c"(c) : "cc");
            r64r = v64; __asm__("shrq %%cl, %0" : "+r"(r64r) : "c"(c) : "cc");
            r64a = v64; __asm__("sarq %%cl, %0" : "+r"(r64a) : "c"(c) : "cc");
            r64rol = v64; __asm__("rolq %%cl, %0" : "+r"(r64rol) : "c"(c) : "cc");
            r32s = v32; __asm__("shll %%cl, %0" : "+r"(r32s) : "c"(c) : "cc");
            r32r = v32; __asm__("shrl %%cl, %0" : "+r"(r32r) : "c"(c) : "cc");
            r32a = v32; __asm__("sarl %%cl, %0" : "+r"(r32a) : "c"(c) : "cc");
            r32rol = v32; __asm__("roll %%cl, %0" : "+r"(r32rol) : "c"(c) : "cc");
            CHECK(r64s == v64 << (c & 63));
            CHECK(r64r == v64 >> (c & 63));
            CHECK(r64a == (uint64_t)((int64_t)v64 >> (c & 63)));
            CHECK(r64rol == rotl64(v64, c));
            CHECK(r32s == v32 << (c & 31));
            CHECK(r32r == v32 >> (c & 31));
            CHECK(r32a == (uint32_t)((int32_t)v32 >> (c & 31)));
            CHECK(r32rol == rotl32(v32, c));
            printf("hw count=%3u %016llx %016llx %016llx %016llx %08x %08x %08x %08x\n",
                   c, (unsigned long long)r64s, (unsigned long long)r64r,
                   (unsigned long long)r64a, (unsigned long long)r64rol, r32s, r32r,
                   r32a, r32rol);
            mix(r64s ^ r64r ^ r64a ^ r64rol ^ r32s ^ r32r ^ r32a ^ r32rol);
        }
}

int main(void)
{
    uint64_t specials[] = {0, 1, 2, 3, 0x80, 0xFF, 0x100, 0x8000, 0xFFFF, 0x10000,
                           0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull,
                           0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull,
                           0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull,
                           0xF0F0F0F0F0F0F0F0ull, 0x00FF00FF00FF00FFull};
    unsigned i, s;
    for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
        test_value(opq(specials[i]), 1);
    for (i = 0; i < 64; i++) {
        test_value(opq(1ull << i), 1);
        test_value(opq(~(1ull << i)), 0);
        test_value(opq(~0ull >> i), 0);
    }
    for (i = 0; i < 20000; i++) {
        uint64_t x = rnd();
        if (i & 1)
            x >>= rnd() & 63;
        test_value(x, i < 100);
    }
    printf("value checksum %016" PRIx64 "\n", ck);
    for (s = 0; s < 70; s++)
        test_shifts(opq(0x8123456789ABCDEFull), s, 1);
    for (s = 0; s < 64; s++)
        test_shifts(opq(0x00000000F00000F1ull), s, 1);
    for (i = 0; i < 10000; i++)
        test_shifts(rnd(), (unsigned)rnd(), i < 50);
    printf("shift checksum %016" PRIx64 "\n", ck);
    test_hw_masking();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
