/* Floating point: libm in double/float/long double, printf/strtod round trips, rounding modes,
 * exception flags, long double arithmetic. Deterministic; printed with enough digits to see every bit. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long hash = 1469598103934665603UL;
static void mix(const char *s) { while (*s) { hash ^= (unsigned char)*s++; hash *= 1099511628211UL; } }

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void out(const char *fmt, ...) {
    char buf[512];
    va_list ap; va_start(ap, fmt); vsnprintf(buf, sizeof buf, fmt, ap); va_end(ap);
    fputs(buf, stdout); mix(buf);
}

int main(void) {
    volatile double xs[] = { 0.0, -0.0, 1e-310, 0.5, 1.0, 2.718281828459045, 10.0, 1e10, 1e300, -3.75, 123456.789 };
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        out("x=%a sin=%.17g cos=%.17g exp=%.17g log=%.17g sqrt=%.17g atan=%.17g cbrt=%.17g\n",
            x, sin(x), cos(x), exp(x / 100), log(fabs(x) + 1), sqrt(fabs(x)), atan(x), cbrt(x));
        float f = (float)x;
        out("  f=%a sinf=%.9g expf=%.9g logf=%.9g powf=%.9g\n", f, sinf(f), expf(f / 100), logf(fabsf(f) + 1), powf(fabsf(f) + 1, 0.3f));
        long double l = x;
        out("  l=%La sinl=%.21Lg expl=%.21Lg logl=%.21Lg sqrtl=%.21Lg\n", l, sinl(l), expl(l / 100), logl(fabsl(l) + 1), sqrtl(fabsl(l)));
    }
    /* printf / strtod round trips */
    const char *texts[] = { "0.1", "3.141592653589793238", "1e-320", "2.2250738585072014e-308", "1.7976931348623157e308", "-0", "inf", "nan", "0x1.8p3" };
    for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        double d = strtod(texts[i], NULL);
        float f = strtof(texts[i], NULL);
        long double l = strtold(texts[i], NULL);
        char back[64]; snprintf(back, sizeof back, "%.17g", d);
        out("%s -> %.17g %a | %.9g | %.21Lg | round-trip %s\n", texts[i], d, d, f, l, strtod(back, NULL) == d || d != d ? "ok" : "BAD");
    }
    /* rounding modes */
    int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
    const char *names[] = { "nearest", "down", "up", "zero" };
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double a = 1.0, b = 3.0;
        volatile long double la = 1.0L, lb = 3.0L;
        out("%s: %.17g %.17g %.21Lg rint=%.1f %.1f lrint=%ld nearbyint=%.1f\n", names[m], a / b, -a / b, la / lb,
            rint(2.5), rint(-2.5), lrint(3.5), nearbyint(-0.5));
    }
    fesetround(FE_TONEAREST);
    /* exception flags */
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0, one = 1.0, big = DBL_MAX, tiny = DBL_MIN;
    volatile double r1 = one / z; out("div0 %g flags=%d\n", r1, fetestexcept(FE_DIVBYZERO) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r2 = big * 2; out("overflow %g flags=%d%d\n", r2, fetestexcept(FE_OVERFLOW) != 0, fetestexcept(FE_INEXACT) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r3 = tiny / 3; out("underflow %a flags=%d\n", r3, fetestexcept(FE_UNDERFLOW) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r4 = sqrt(-one); out("invalid %g flags=%d\n", r4, fetestexcept(FE_INVALID) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r5 = one / 3; out("inexact %.17g flags=%d\n", r5, fetestexcept(FE_INEXACT) != 0);
    /* long double arithmetic */
    long double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0L / ((long double)i * i);
    out("basel %.21Lg %La\n", acc, acc);
    long double fact = 1; for (int i = 1; i <= 25; i++) fact *= i;
    out("25! %.21Lg %.0Lf\n", fact, fact);
    /* conversions */
    volatile double cv[] = { 3.7, -3.7, 2147483648.0, -2147483649.0, 1e19, 0.49999999999999994 };
    for (unsigned i = 0; i < sizeof cv / sizeof cv[0]; i++)
        out("conv %.17g -> (long)%ld (int)%d lround=%ld llrint=%lld trunc=%.1f\n", cv[i], (long)cv[i] , (int)(cv[i] > 2e9 || cv[i] < -2e9 ? 0 : cv[i]),
            lround(cv[i] > 9e18 ? 0 : cv[i]), llrint(cv[i] > 9e18 ? 0 : cv[i]), trunc(cv[i]));
    printf("hash %016lx\n", hash);
    return (int)(hash & 0x7f);
}
