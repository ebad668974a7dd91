/* bench: floating point with SSE.
 * Double and float matrix multiplies, an n-body simulation (sqrt, division),
 * double and float dot products and a few conversions. Deterministic: the
 * results are printed as 64-bit hashes of their bit patterns (no %f), so an
 * emulator must reproduce every rounding bit-for-bit to match the native run.
 * Built without -ffast-math, so the compiler keeps the source's evaluation
 * order; gcc -O2 may still use packed SSE where that does not change results.
 * Usage: fpsse [scale-percent] (default 100).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t h = 0x243F6A8885A308D3ull;

static void mixin(uint64_t x)
{
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
}

static void mixd(double d)
{
    uint64_t x;
    memcpy(&x, &d, sizeof x);
    mixin(x);
}

static void mixf(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    mixin(x);
}

static uint64_t rng = 88172645463325252ull;

static double rnd(void) /* in [-1, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(int64_t)(rng >> 11 << 11) / 9223372036854775808.0;
}

#define N 96

static double A[N][N], B[N][N], C[N][N];
static float Af[N][N], Bf[N][N], Cf[N][N];

static void matmul_d(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            C[i][j] = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double a = A[i][k];
            for (int j = 0; j < N; j++)
                C[i][j] += a * B[k][j];
        }
    /* feed back, normalised, so repeated rounds stay bounded */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            A[i][j] = C[i][j] / (1.0 + fabs(C[i][j]));
}

static void matmul_f(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            float s = 0.0f;
            for (int k = 0; k < N; k++)
                s += Af[i][k] * Bf[k][j];
            Cf[i][j] = s;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            Af[i][j] = Cf[i][j] / (1.0f + fabsf(Cf[i][j]));
}

/* n-body: NB bodies, velocity Verlet-ish leapfrog, softened gravity */
#define NB 24
static double px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], mass[NB];

static double energy(void)
{
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < NB; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            e -= mass[i] * mass[j] / sqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}

static void advance(double dt)
{
    for (int i = 0; i < NB; i++)
        for (int j = i + 1; j < NB; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * sqrt(d2));
            vx[i] -= dx * mass[j] * mag;
            vy[i] -= dy * mass[j] * mag;
            vz[i] -= dz * mass[j] * mag;
            vx[j] += dx * mass[i] * mag;
            vy[j] += dy * mass[i] * mag;
            vz[j] += dz * mass[i] * mag;
        }
    for (int i = 0; i < NB; i++) {
        px[i] += dt * vx[i];
        py[i] += dt * vy[i];
        pz[i] += dt * vz[i];
    }
}

#define DN 4096
static double xd[DN], yd[DN];
static float xf[DN], yf[DN];

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 100;
    if (scale < 1)
        scale = 1;
    long mrounds = 80 * scale / 100 + 1;
    long steps = 100000 * scale / 100 + 10;
    long drounds = 8000 * scale / 100 + 1;

    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = rnd();
            B[i][j] = rnd() / N;
            Af[i][j] = (float)rnd();
            Bf[i][j] = (float)(rnd() / N);
        }
    for (long r = 0; r < mrounds; r++) {
        matmul_d();
        matmul_f();
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            mixd(A[i][j]);
            mixf(Af[i][j]);
        }
    printf("matmul %dx%d x%ld: %016llx\n", N, N, mrounds, (unsigned long long)h);

    for (int i = 0; i < NB; i++) {
        px[i] = rnd() * 10;
        py[i] = rnd() * 10;
        pz[i] = rnd() * 10;
        vx[i] = rnd() * 0.1;
        vy[i] = rnd() * 0.1;
        vz[i] = rnd() * 0.1;
        mass[i] = 1.0 + rnd() * 0.5;
    }
    double e0 = energy();
    for (long s = 0; s < steps; s++)
        advance(0.001);
    double e1 = energy();
    mixd(e0);
    mixd(e1);
    for (int i = 0; i < NB; i++) {
        mixd(px[i]);
        mixd(vy[i]);
    }
    printf("nbody %d bodies x%ld steps: energy drift ppm %lld, %016llx\n", NB, steps,
           (long long)((e1 - e0) / fabs(e0) * 1e6), (unsigned long long)h);

    for (int i = 0; i < DN; i++) {
        xd[i] = rnd();
        yd[i] = rnd();
        xf[i] = (float)rnd();
        yf[i] = (float)rnd();
    }
    double sd = 0.0;
    float sf = 0.0f;
    for (long r = 0; r < drounds; r++) {
        double d = 0.0;
        float f = 0.0f;
        for (int i = 0; i < DN; i++) {
            d += xd[i] * yd[i];
            f += xf[i] * yf[i];
        }
        sd += d;
        sf += f;
        /* perturb, with conversions and min/max, so rounds differ */
        int k = (int)(r % DN);
        xd[k] = fmin(fmax(xd[k] + d * 1e-3, -1.0), 1.0);
        xf[k] = fminf(fmaxf(xf[k] - f * 1e-3f, -1.0f), 1.0f);
        yd[(k * 7) % DN] = (double)(int32_t)(d * 1000.0) / 1000.0;
        yf[(k * 5) % DN] = (float)(long)(f * 100.0f) / 100.0f;
    }
    mixd(sd);
    mixf(sf);
    printf("dot %d x%ld: %016llx\n", DN, drounds, (unsigned long long)h);
    printf("checksum %016llx\n", (unsigned long long)h);
    return 0;
}
