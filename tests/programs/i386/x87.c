/* x87-heavy 32-bit code: every float, double and long double operation of an i386 program runs on the x87 unit.
 * Arithmetic, conversions and printf of long double must match exactly; the transcendentals whose x87 instructions
 * qemu-i386 evaluates only in double precision (FSIN, FCOS, FPTAN, …: sinl, cosl, tanl, expl…) are printed at a
 * precision both agree on (the 64-bit x87 oracle tests cover their exact bits). Built with gcc -m32 by I386ProgramTests. */
#include <stdio.h>
#include <math.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

static volatile long double vl = 1.0L;
static volatile double vd = 1.0;
static volatile float vf = 1.0f;

int main(void)
{
    long double x = 1.0L / 3.0L, y = 0;
    for (int i = 1; i <= 30; i++) y += x * i / (i + 0.5L);
    printf("series %.21Lg\n", y);
    printf("third %Lf %.25Le %La\n", x, x, x);
    printf("limits %Lg %Lg %.20Lg\n", LDBL_MAX, LDBL_MIN, LDBL_EPSILON);
    long double big = 1e4000L, tiny = 1e-4000L;
    printf("big %Le tiny %Le prod %Lg\n", big, tiny, big * tiny);
    printf("sqrt %.21Lg %.17g %.9g\n", sqrtl(2.0L), sqrt(2.0), (double)sqrtf(2.0f));

    /* double arithmetic with x87 excess precision versus stores */
    double d = 0.1, s = 0;
    for (int i = 0; i < 1000; i++) s += d * (i % 7) - d / 3;
    printf("double sum %.17g\n", s);
    float f = 0.1f, fs = 0;
    for (int i = 0; i < 1000; i++) fs += f * (float)(i % 5);
    printf("float sum %.9g\n", (double)fs);

    /* conversions: long double <-> integers, rounding modes via printf and lrint */
    long double vals[] = { 2.5L, -2.5L, 3.5L, 1e18L + 0.5L, -0.0L, 4294967295.75L, 9.2233720368547758e18L };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++)
        printf("conv %Lg -> ll %lld lrint %ld llrint %lld u32 %u\n", vals[i], (long long)vals[i],
            vals[i] < 2147483648.0L && vals[i] > -2147483648.0L ? lrintl(vals[i]) : 0L, llrintl(vals[i] / 2),
            vals[i] >= 0 && vals[i] < 4294967296.0L ? (unsigned)vals[i] : 0u);
    uint64_t u = 0xFFFFFFFFFFFFFFFFull;
    printf("u64 -> ld %.20Lg -> back %llu\n", (long double)u, (unsigned long long)((long double)u - 2048.0L));

    /* libm in double precision (these use no x87 transcendental instruction in glibc's i386 build) */
    double args[] = { 0.5, 1.0, 2.0, 10.0, 0.001 };
    for (unsigned i = 0; i < sizeof args / sizeof args[0]; i++)
        printf("libm %g: exp %.15g log %.15g pow %.15g atan2 %.15g cbrt %.15g\n", args[i], exp(args[i]), log(args[i]),
            pow(args[i], 1.7), atan2(args[i], 3.0), cbrt(args[i]));

    /* long double transcendentals (x87 FSIN, FCOS, F2XM1, FYL2X…) at 12 significant digits */
    for (unsigned i = 0; i < sizeof args / sizeof args[0]; i++) {
        long double a = args[i];
        printf("libml %g: sin %.12Lg cos %.12Lg tan %.12Lg exp %.12Lg log %.12Lg atan %.12Lg\n", args[i], sinl(a), cosl(a),
            tanl(a), expl(a), logl(a), atanl(a));
    }

    /* x87 status: compares with NaN and infinities, fmod/remainder, frexp/ldexp */
    long double nan = NAN, inf = INFINITY;
    printf("cmp %d %d %d %d\n", nan < 1.0L, nan == nan, inf > LDBL_MAX, -inf < -LDBL_MAX);
    printf("fmod %Lg remainder %Lg\n", fmodl(10.5L, 3.0L), remainderl(10.5L, 3.0L));
    int e;
    long double m = frexpl(12345.678L, &e);
    printf("frexp %.21Lg %d ldexp %Lg\n", m, e, ldexpl(m, e));
    printf("volatile %Lg %g %g\n", vl / 7, vd / 7, (double)(vf / 7));
    char buf[64];
    snprintf(buf, sizeof buf, "%.30Lf", 1.0L / 7);
    printf("str %s %zu\n", buf, strlen(buf));
    return 0;
}
