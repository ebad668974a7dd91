/* SSSE3, SSE4.1, SSE4.2, POPCNT, LZCNT, BMI1, BMI2, MOVBE and ADX used through compiler intrinsics and
   auto-vectorised loops (functions compiled for those extensions), compared with native output. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ISA __attribute__((target("sse4.2,popcnt,lzcnt,bmi,bmi2,movbe,adx"), noinline))

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

static void show(const char *name, __m128i v)
{
    uint64_t q[2];
    memcpy(q, &v, 16);
    printf("%s %016llx%016llx\n", name, (unsigned long long)q[1], (unsigned long long)q[0]);
}

ISA static void vectors(void)
{
    for (int k = 0; k < 40; k++) {
        __m128i a = _mm_set_epi64x((long long)rnd(), (long long)rnd()), b = _mm_set_epi64x((long long)rnd(), (long long)rnd());
        if (k % 5 == 0) b = _mm_and_si128(b, _mm_set1_epi8(0x8f));
        show("pshufb", _mm_shuffle_epi8(a, b));
        show("palignr", _mm_alignr_epi8(a, b, 7));
        show("phaddw", _mm_hadd_epi16(a, b));
        show("phsubsw", _mm_hsubs_epi16(a, b));
        show("pmaddubsw", _mm_maddubs_epi16(a, b));
        show("pmulhrsw", _mm_mulhrs_epi16(a, b));
        show("psignb", _mm_sign_epi8(a, b));
        show("pabsd", _mm_abs_epi32(b));
        show("pblendvb", _mm_blendv_epi8(a, b, _mm_xor_si128(a, b)));
        show("pmovsxbd", _mm_cvtepi8_epi32(a));
        show("pmovzxwq", _mm_cvtepu16_epi64(b));
        show("pminsd", _mm_min_epi32(a, b));
        show("pmaxuw", _mm_max_epu16(a, b));
        show("pmulld", _mm_mullo_epi32(a, b));
        show("pmuldq", _mm_mul_epi32(a, b));
        show("packusdw", _mm_packus_epi32(a, b));
        show("mpsadbw", _mm_mpsadbw_epu8(a, b, 5));
        show("phminposuw", _mm_minpos_epu16(a));
        show("pcmpgtq", _mm_cmpgt_epi64(a, b));
        show("insertps", _mm_castps_si128(_mm_insert_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), 0x9a)));
        printf("ptest %d %d pextrb %d pextrq %lld\n", _mm_testz_si128(a, b), _mm_testc_si128(a, b), _mm_extract_epi8(a, 13),
               (long long)_mm_extract_epi64(b, 1));
        printf("pcmpistri %d %d %d pcmpestri %d\n", _mm_cmpistri(a, b, 0x0c), _mm_cmpistri(a, b, 0x44), _mm_cmpistrz(a, b, 0x18),
               _mm_cmpestri(a, k % 17, b, (k * 3) % 17, 0x04));
        show("pcmpistrm", _mm_cmpistrm(a, b, 0x40));
        __m128d d = _mm_set_pd((double)(int64_t)rnd() / 1e15, -(double)(k * 1.37));
        __m128 f = _mm_set_ps(k * 0.75f, -k * 2.5f, 1.5f, (float)k / 3);
        show("roundpd", _mm_castpd_si128(_mm_round_pd(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
        show("roundpd", _mm_castpd_si128(_mm_round_pd(d, _MM_FROUND_TO_NEG_INF)));
        show("roundps", _mm_castps_si128(_mm_round_ps(f, _MM_FROUND_TO_POS_INF)));
        show("roundps", _mm_castps_si128(_mm_round_ps(f, _MM_FROUND_TO_ZERO)));
        show("dpps", _mm_castps_si128(_mm_dp_ps(f, f, 0xf1)));
        show("dppd", _mm_castpd_si128(_mm_dp_pd(d, d, 0x33)));
    }
}

ISA static void scalars(void)
{
    uint32_t crc = ~0u;
    for (int k = 0; k < 60; k++) {
        uint64_t x = rnd(), y = rnd(), z = k % 3 ? rnd() >> (k % 64) : 0;
        crc = _mm_crc32_u8(crc, (uint8_t)x);
        crc = (uint32_t)_mm_crc32_u64(crc, y);
        unsigned long long hi, carry_sum;
        unsigned long long lo = _mulx_u64(x, y, &hi);
        unsigned char c = _addcarryx_u64(0, x, y, &carry_sum);
        printf("%d crc=%08x popcnt=%d lzcnt=%llu tzcnt=%llu andn=%llx bextr=%llx blsi=%llx blsmsk=%llx blsr=%llx\n", k, crc,
               (int)_mm_popcnt_u64(z), (unsigned long long)_lzcnt_u64(z), (unsigned long long)_tzcnt_u64(z),
               (unsigned long long)_andn_u64(x, y), (unsigned long long)_bextr_u64(x, k % 70, k % 40),
               (unsigned long long)_blsi_u64(z), (unsigned long long)_blsmsk_u64(z), (unsigned long long)_blsr_u64(z));
        printf("  bzhi=%llx pdep=%llx pext=%llx mulx=%llx:%llx adx=%d:%llx movbe=%x %llx shrx=%llx\n",
               (unsigned long long)_bzhi_u64(x, k % 70), (unsigned long long)_pdep_u64(x, y), (unsigned long long)_pext_u64(x, y),
               hi, lo, c, carry_sum, __builtin_bswap32((uint32_t)x), (unsigned long long)__builtin_bswap64(y),
               (unsigned long long)(x >> (k & 63)));
    }
}

/* Loops the compiler vectorises with SSE4.1 (pmulld, pminsd, blends) and uses BMI for. */
ISA static void loops(void)
{
    static int32_t a[1000], b[1000], c[1000];
    static float f[1000];
    for (int i = 0; i < 1000; i++) { a[i] = (int32_t)rnd(); b[i] = (int32_t)rnd() >> (i % 31); f[i] = (float)(int32_t)rnd() / 7.0f; }
    long long sum = 0;
    for (int i = 0; i < 1000; i++) c[i] = a[i] * b[i] + (a[i] < b[i] ? a[i] : b[i]);
    for (int i = 0; i < 1000; i++) sum += c[i] ^ (c[i] >> 3);
    float fs = 0;
    for (int i = 0; i < 1000; i++) fs += __builtin_floorf(f[i]) * 0.5f;
    unsigned bits = 0;
    for (int i = 0; i < 1000; i++) bits += (unsigned)__builtin_ctz((unsigned)a[i] | 1) + (unsigned)((unsigned)a[i] >> (b[i] & 31));
    printf("loops %lld %.3f %u\n", sum, fs, bits);
}

int main(void)
{
    vectors();
    scalars();
    loops();
    return 0;
}
