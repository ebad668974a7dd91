/* cflags: -O3 -march=x86-64-v3 */
/* march_v2.c's auto-vectorised loops, bit manipulation and string functions compiled for x86-64-v3 (AVX2 loops, FMA
   contraction, BMI2, MOVBE), plus intrinsics of each v3 extension: AVX/AVX2 (permutes, gathers, masked moves,
   variable shifts), FMA, F16C, and the XSAVE state (XGETBV, an XSAVEC/XRSTOR round trip of YMM registers). */
#include <immintrin.h>
#include <stdio.h>
#include <string.h>

static void v3_intrinsics(void);
#define MARCH_EXTRA v3_intrinsics
#include "march_v2.c"

static void print256(const char *name, __m256i v)
{
    unsigned long long q[4];
    _mm256_storeu_si256((__m256i *)q, v);
    printf("%s %016llx %016llx %016llx %016llx\n", name, q[3], q[2], q[1], q[0]);
}

static void v3_intrinsics(void)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)ia), b = _mm256_loadu_si256((const __m256i *)ib);
    print256("permutevar8x32", _mm256_permutevar8x32_epi32(a, _mm256_and_si256(b, _mm256_set1_epi32(7))));
    print256("permute4x64", _mm256_permute4x64_epi64(a, 0x4e));
    print256("perm2x128", _mm256_permute2x128_si256(a, b, 0x21));
    print256("shuffle_epi8", _mm256_shuffle_epi8(a, b));
    print256("sllv", _mm256_sllv_epi32(a, _mm256_and_si256(b, _mm256_set1_epi32(63))));
    print256("srav", _mm256_srav_epi32(a, _mm256_and_si256(b, _mm256_set1_epi32(63))));
    print256("gather", _mm256_i32gather_epi32(ia, _mm256_and_si256(b, _mm256_set1_epi32(1023)), 4));
    print256("mask_gather", _mm256_mask_i32gather_epi32(a, ia, _mm256_and_si256(a, _mm256_set1_epi32(511)), b, 4));
    print256("maskload", _mm256_maskload_epi32(ib + 3, a));
    print256("mpsadbw", _mm256_mpsadbw_epu8(a, b, 0x2d));
    print256("packus", _mm256_packus_epi32(a, b));
    print256("cvtepi8_epi32", _mm256_cvtepi8_epi32(_mm256_castsi256_si128(a)));
    printf("movemask %08x testz %d testc %d\n", (unsigned)_mm256_movemask_epi8(_mm256_cmpgt_epi8(a, b)), _mm256_testz_si256(a, b),
           _mm256_testc_si256(a, b));

    __m256 fa8 = _mm256_loadu_ps(fa), fb8 = _mm256_loadu_ps(fb), fc8 = _mm256_loadu_ps(fc);
    __m256d da4 = _mm256_loadu_pd(da), db4 = _mm256_loadu_pd(db), dc4 = _mm256_loadu_pd(dc);
    __m256 f1 = _mm256_fmadd_ps(fa8, fb8, fc8), f2 = _mm256_fnmsub_ps(fa8, fb8, fc8), f3 = _mm256_fmaddsub_ps(fa8, fb8, fc8);
    __m256d d1 = _mm256_fmsub_pd(da4, db4, dc4), d2 = _mm256_fmsubadd_pd(da4, db4, dc4);
    print256("fmadd_ps", _mm256_castps_si256(f1));
    print256("fnmsub_ps", _mm256_castps_si256(f2));
    print256("fmaddsub_ps", _mm256_castps_si256(f3));
    print256("fmsub_pd", _mm256_castpd_si256(d1));
    print256("fmsubadd_pd", _mm256_castpd_si256(d2));
    print256("fmadd_sd", _mm256_castpd_si256(_mm256_castpd128_pd256(_mm_fmadd_sd(_mm256_castpd256_pd128(da4),
                                                                               _mm256_castpd256_pd128(db4), _mm256_castpd256_pd128(dc4)))));
    print256("round_ps", _mm256_castps_si256(_mm256_round_ps(fa8, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)));
    print256("dp_ps", _mm256_castps_si256(_mm256_dp_ps(fa8, fb8, 0xf1)));
    print256("hadd_pd", _mm256_castpd_si256(_mm256_hadd_pd(da4, db4)));
    print256("cmp_ps", _mm256_castps_si256(_mm256_cmp_ps(fa8, fb8, _CMP_NGE_UQ)));
    print256("cvtpd_ps", _mm256_castsi128_si256(_mm_castps_si128(_mm256_cvtpd_ps(da4))));
    print256("cvttps_epi32", _mm256_cvttps_epi32(fa8));

    __m128i h = _mm256_cvtps_ph(fa8, _MM_FROUND_TO_NEAREST_INT);
    print256("cvtps_ph", _mm256_castsi128_si256(h));
    print256("cvtph_ps", _mm256_castps_si256(_mm256_cvtph_ps(h)));
    print256("cvtps_ph_rc", _mm256_castsi128_si256(_mm256_cvtps_ph(fb8, _MM_FROUND_CUR_DIRECTION)));

    printf("xgetbv %llx\n", (unsigned long long)_xgetbv(0));
    static unsigned char area[1024] __attribute__((aligned(64)));
    memset(area, 0, sizeof area);
    __m256i keep = _mm256_add_epi32(a, b), out;
    __asm__ volatile("vmovdqu %1, %%ymm5\n\txsavec %2\n\tvpxor %%ymm5, %%ymm5, %%ymm5\n\txrstor %2\n\tvmovdqu %%ymm5, %0"
                     : "=m"(out) : "m"(keep), "m"(area), "a"(7), "d"(0) : "xmm5", "memory");
    print256("xrstor", out);
    printf("xcomp_bv %016llx\n", *(unsigned long long *)(area + 520));
}
