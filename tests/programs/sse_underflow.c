/* SSE underflow at the edge of the normal range: results, and the MXCSR flags each operation raises (masked
 * exceptions). x86 detects tininess after rounding: a product just below the smallest normal that rounds up to it
 * raises PE but not UE, and FTZ does not flush it; a result that stays below it raises UE and PE, or nothing when it
 * is an exact denormal. Each line: the case, the result's bits and the MXCSR flags it left. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmmintrin.h>

static float f32(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static double f64(uint64_t bits) { double d; memcpy(&d, &bits, 8); return d; }

/* The multiply and both MXCSR accesses in one asm statement: the compiler does not order floating-point arithmetic
 * after _mm_setcsr. */
static void mulss(const char *name, uint32_t a, uint32_t b, unsigned csr)
{
    float r = f32(a), y = f32(b);
    unsigned after;
    __asm__ volatile("ldmxcsr %2\n\tmulss %3, %0\n\tstmxcsr %1" : "+x"(r), "=m"(after) : "m"(csr), "x"(y));
    unsigned flags = after & 0x3f;
    _mm_setcsr(0x1f80);
    uint32_t bits;
    memcpy(&bits, &r, 4);
    printf("%-40s mxcsr %04x -> %08x flags %02x\n", name, csr, bits, flags);
}

static void mulsd(const char *name, uint64_t a, uint64_t b, unsigned csr)
{
    double r = f64(a), y = f64(b);
    unsigned after;
    __asm__ volatile("ldmxcsr %2\n\tmulsd %3, %0\n\tstmxcsr %1" : "+x"(r), "=m"(after) : "m"(csr), "x"(y));
    unsigned flags = after & 0x3f;
    _mm_setcsr(0x1f80);
    uint64_t bits;
    memcpy(&bits, &r, 8);
    printf("%-40s mxcsr %04x -> %016llx flags %02x\n", name, csr, (unsigned long long)bits, flags);
}

int main(void)
{
    static const unsigned modes[] = { 0x1f80, 0x9f80, 0x3f80, 0x5f80, 0x7f80 }; /* nearest, +FTZ, down, up, zero */
    for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        unsigned m = modes[i];
        /* (1 + 2^-23)/2 × 2^-125 (1 - 2^-23) = 2^-126 (1 - 2^-46): rounds up to 2^-126 when rounding up or to nearest. */
        mulss("float just below min normal", 0x3f000001, 0x00fffffe, m);
        mulss("float just below min normal, negative", 0xbf000001, 0x00fffffe, m);
        /* A denormal operand rounding up to the smallest normal: DE as well. */
        mulss("float denormal operand to min normal", 0x3f800001, 0x007fffff, m);
        /* Clearly tiny and inexact: UE and PE (or a flushed zero). */
        mulss("float tiny inexact", 0x3f000001, 0x00800001, m);
        /* An exact denormal result: no UE when masked. */
        mulss("float exact denormal", 0x3f000000, 0x00800000, m);
        mulsd("double just below min normal", 0x3fe0000000000001ULL, 0x001ffffffffffffeULL, m);
        mulsd("double just below min normal, negative", 0xbfe0000000000001ULL, 0x001ffffffffffffeULL, m);
        mulsd("double tiny inexact", 0x3fe0000000000001ULL, 0x0010000000000001ULL, m);
        mulsd("double exact denormal", 0x3fe0000000000000ULL, 0x0010000000000000ULL, m);
    }
    return 0;
}
