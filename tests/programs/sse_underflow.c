/* SSE underflow at the edge of the normal range: results, and the MXCSR flags each operation raises (masked
 * exceptions). x86 detects tininess after rounding: a product just below the smallest normal that rounds up to it
 * raises PE but not UE, and FTZ does not flush it; a result that stays below it raises UE and PE, or nothing when it
 * is an exact denormal. Each line: the case, the result's bits and the MXCSR flags it left. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmmintrin.h>

/* mulss/mulsd with the multiply and both MXCSR accesses in one asm statement (the compiler does not order
 * floating-point arithmetic after _mm_setcsr); prints the result's bits and the flags the multiply raised. */
#define DEFINE_MUL(fn, type, bits_t, insn, digits)                                                                  \
    static void fn(const char *name, bits_t a, bits_t b, unsigned csr)                                              \
    {                                                                                                                \
        type r, y;                                                                                                   \
        memcpy(&r, &a, sizeof r);                                                                                    \
        memcpy(&y, &b, sizeof y);                                                                                    \
        unsigned after;                                                                                              \
        __asm__ volatile("ldmxcsr %2\n\t" insn " %3, %0\n\tstmxcsr %1" : "+x"(r), "=m"(after) : "m"(csr), "x"(y)); \
        _mm_setcsr(0x1f80);                                                                                          \
        bits_t out;                                                                                                  \
        memcpy(&out, &r, sizeof out);                                                                                \
        printf("%-40s mxcsr %04x -> %0*llx flags %02x\n", name, csr, digits, (unsigned long long)out, after & 0x3f);  \
    }

DEFINE_MUL(mulss, float, uint32_t, "mulss", 8)
DEFINE_MUL(mulsd, double, uint64_t, "mulsd", 16)

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
