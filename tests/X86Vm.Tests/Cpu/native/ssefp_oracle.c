/*
 * Native oracle for the SSE/SSE2 floating-point tests (SseFpOracleTests.cs).
 *
 * Same method as sse_oracle.c: every FORM is assembled by gas into a stub "instruction(s); ret", run
 * natively from several deterministic pseudo-random machine states, and what changed is printed; the
 * test replays the same bytes in the emulator and requires an identical report. Differences from
 * sse_oracle.c: the vector registers and memory hold values biased toward floating-point edge cases
 * (signed zeros, infinities, QNaNs and SNaNs of both signs, denormals, the extremes of the normal range,
 * values around the integer-conversion limits, exactly representable and random values), each case
 * runs under its own MXCSR (every rounding mode, DAZ, FTZ, each exception unmasked in turn, sticky
 * flags preset, random mixtures), and a SIGFPE's si_addr is printed relative to the stub.
 *
 * Regenerate (x86-64 Linux, any gcc):
 *   gcc -O1 -no-pie -fno-toplevel-reorder -o /tmp/ssefp_oracle ssefp_oracle.c && /tmp/ssefp_oracle > ../SseFpOracleData.g.cs
 *
 * The committed table comes from the reference host (AMD EPYC, Zen). RCPPS/RSQRTPS results differ
 * between CPU models: the test checks them against the architectural error bound, not bit for bit.
 */
#define ORACLE_SECTION fp_forms
#include "oracle_common.h"

#define SEEDS 32

/* ------------------------------------------------------------------ forms */

/* Packed "op xmm, xmm/m128": registers, the same register, aligned memory, misaligned memory (#GP). */
#define PACKED(op)                                                                       \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, [rsi]") FORM(op " xmm11, [rdi+0x30]") FORM(op " xmm4, [rsi+8]")
/* Scalar "op xmm, xmm/m32" and "op xmm, xmm/m64" (no alignment requirement). */
#define SCALAR_S(op)                                                                     \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, dword ptr [rsi+4]") FORM(op " xmm12, dword ptr [rdi+0x11]")
#define SCALAR_D(op)                                                                     \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, qword ptr [rsi+8]") FORM(op " xmm12, qword ptr [rdi+0x13]")
#define ARITH(op) PACKED(op "ps") PACKED(op "pd") SCALAR_S(op "ss") SCALAR_D(op "sd")

/* --- arithmetic */
ARITH("add") ARITH("sub") ARITH("mul") ARITH("div") ARITH("min") ARITH("max") ARITH("sqrt")
FORM("mulsd xmm0, xmm1; addsd xmm0, xmm2; divsd xmm0, xmm3; sqrtsd xmm4, xmm0")
FORM("addps xmm0, xmm1; mulps xmm0, xmm0; subps xmm0, xmm2")

/* --- estimates (checked against the error bound) */
PACKED("rcpps") SCALAR_S("rcpss") PACKED("rsqrtps") SCALAR_S("rsqrtss")

/* --- compares */
#define CMP_P(op, imm) FORM(op " xmm0, xmm1, " #imm) FORM(op " xmm10, [rsi], " #imm)
#define CMP_S(op, w, imm) FORM(op " xmm0, xmm1, " #imm) FORM(op " xmm10, " w " ptr [rsi+4], " #imm)
#define CMPS_P(op) CMP_P(op, 0) CMP_P(op, 1) CMP_P(op, 2) CMP_P(op, 3) CMP_P(op, 4) CMP_P(op, 5) CMP_P(op, 6) CMP_P(op, 7) \
    FORM(op " xmm6, xmm6, 0") FORM(op " xmm2, [rsi+4], 1")
#define CMPS_S(op, w) CMP_S(op, w, 0) CMP_S(op, w, 1) CMP_S(op, w, 2) CMP_S(op, w, 3) CMP_S(op, w, 4) CMP_S(op, w, 5) \
    CMP_S(op, w, 6) CMP_S(op, w, 7) FORM(op " xmm6, xmm6, 4")
CMPS_P("cmpps") CMPS_P("cmppd") CMPS_S("cmpss", "dword") CMPS_S("cmpsd", "qword")
/* legacy encodings use imm8 bits 2:0 only */
FORM("cmpps xmm0, xmm1, 0x0d") FORM("cmppd xmm0, xmm1, 0x1e") FORM("cmpss xmm0, xmm1, 0x89") FORM("cmpsd xmm0, xmm1, 0xff")
#define COMI(op, w)                                                                      \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, " w " ptr [rsi+4]") FORM(op " xmm0, xmm1; setb al; setz cl; setp dl; seto bl; sets bh")
COMI("comiss", "dword") COMI("ucomiss", "dword") COMI("comisd", "qword") COMI("ucomisd", "qword")

/* --- conversions */
#define FROM_INT(op)                                                                     \
    FORM(op " xmm0, eax") FORM(op " xmm9, r11d") FORM(op " xmm1, rax") FORM(op " xmm14, r9")  \
    FORM(op " xmm2, dword ptr [rsi+4]") FORM(op " xmm3, qword ptr [rdi+3]")
FROM_INT("cvtsi2ss") FROM_INT("cvtsi2sd")
#define TO_INT(op, w)                                                                    \
    FORM(op " eax, xmm0") FORM(op " r11d, xmm9") FORM(op " rax, xmm1") FORM(op " r9, xmm14") \
    FORM(op " ecx, " w " ptr [rsi+4]") FORM(op " rdx, " w " ptr [rdi+3]")
TO_INT("cvtss2si", "dword") TO_INT("cvttss2si", "dword") TO_INT("cvtsd2si", "qword") TO_INT("cvttsd2si", "qword")
#define CONV(op, w)                                                                      \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, " w " [rsi+8]") FORM(op " xmm12, " w " [rdi+0x14]")
CONV("cvtss2sd", "dword ptr") CONV("cvtsd2ss", "qword ptr") CONV("cvtps2pd", "qword ptr") CONV("cvtdq2pd", "qword ptr")
PACKED("cvtpd2ps") PACKED("cvtdq2ps") PACKED("cvtps2dq") PACKED("cvttps2dq") PACKED("cvtpd2dq") PACKED("cvttpd2dq")

/* --- SSE3 */
PACKED("addsubps") PACKED("addsubpd") PACKED("haddps") PACKED("haddpd") PACKED("hsubps") PACKED("hsubpd")
PACKED("movshdup") PACKED("movsldup")
FORM("movddup xmm0, xmm1") FORM("movddup xmm9, qword ptr [rsi+8]") FORM("movddup xmm2, qword ptr [rdi+3]")

/* --- SSE4.1: every rounding immediate (bits 3:0; bits 7:4 are ignored), dot products */
#define ROUND(i) FORM("roundps xmm0, xmm1, " #i) FORM("roundpd xmm0, xmm1, " #i) FORM("roundss xmm0, xmm1, " #i) FORM("roundsd xmm0, xmm1, " #i)
ROUND(0x0) ROUND(0x1) ROUND(0x2) ROUND(0x3) ROUND(0x4) ROUND(0x5) ROUND(0x6) ROUND(0x7)
ROUND(0x8) ROUND(0x9) ROUND(0xa) ROUND(0xb) ROUND(0xc) ROUND(0xd) ROUND(0xe) ROUND(0xf) ROUND(0xf3)
FORM("roundps xmm9, [rsi], 4") FORM("roundpd xmm9, [rsi+8], 4") FORM("roundss xmm3, dword ptr [rsi+4], 1") FORM("roundsd xmm3, qword ptr [rdi+3], 10")
FORM("roundss xmm5, xmm5, 0") FORM("roundpd xmm5, xmm5, 2")
#define DP(i) FORM("dpps xmm0, xmm1, " #i) FORM("dppd xmm0, xmm1, " #i)
DP(0xff) DP(0xf1) DP(0x71) DP(0x31) DP(0x33) DP(0x1f) DP(0x00) DP(0xf0) DP(0x0f) DP(0xa5) DP(0x5a) DP(0x3c) DP(0xc3) DP(0x22) DP(0x13)
FORM("dpps xmm9, [rsi], 0xff") FORM("dppd xmm9, [rsi], 0x31") FORM("dpps xmm9, [rsi+4], 0xff") FORM("dpps xmm4, xmm4, 0x7f")

/* --- SSE/SSE2 conversions between MMX and XMM registers */
#define MM2X(op) FORM("movdq2q mm1, xmm1; " op " xmm0, mm1; emms") FORM(op " xmm9, qword ptr [rsi+8]") FORM(op " xmm2, qword ptr [rdi+3]")
#define X2MM(op, w) FORM(op " mm0, xmm1; movq2dq xmm2, mm0; emms") FORM(op " mm7, xmm7; movq2dq xmm7, mm7; emms") \
    FORM(op " mm3, " w " [rsi]; movq2dq xmm3, mm3; emms") FORM(op " mm3, " w " [rsi+8]; movq2dq xmm3, mm3; emms")
MM2X("cvtpi2ps") MM2X("cvtpi2pd")
X2MM("cvtps2pi", "qword ptr") X2MM("cvttps2pi", "qword ptr") X2MM("cvtpd2pi", "xmmword ptr") X2MM("cvttpd2pi", "xmmword ptr")

/* --- MXCSR round trips */
FORM("stmxcsr dword ptr [rdi]; addss xmm0, xmm1; stmxcsr dword ptr [rdi+4]")
FORM("mov dword ptr [rsi], 0x1f80; ldmxcsr dword ptr [rsi]; divsd xmm0, xmm1; stmxcsr dword ptr [rdi]")

/* === AVX: the VEX forms ====================================================
   Packed forms at 128 and 256 bits (memory at any alignment: VEX has no alignment requirement), scalar three-operand
   forms (elements above 0 from the first source, bits 255:128 zeroed). */
#define VPACKED(op) FORM(op " xmm0, xmm1, xmm2") FORM(op " ymm0, ymm1, ymm2") FORM(op " ymm9, ymm9, ymm14")     \
    FORM(op " ymm3, ymm4, [rsi+4]") FORM(op " xmm11, xmm12, [rdi+0x30]")
#define VUNPACKED(op) FORM(op " xmm0, xmm1") FORM(op " ymm0, ymm1") FORM(op " ymm9, ymm9") FORM(op " ymm3, [rsi+4]")
#define VSCALAR(op, w) FORM(op " xmm0, xmm1, xmm2") FORM(op " xmm9, xmm14, xmm9") FORM(op " xmm3, xmm4, " w " ptr [rsi+4]")
#define VARITH(op) VPACKED("v" op "ps") VPACKED("v" op "pd") VSCALAR("v" op "ss", "dword") VSCALAR("v" op "sd", "qword")
VARITH("add") VARITH("sub") VARITH("mul") VARITH("div") VARITH("min") VARITH("max")
VUNPACKED("vsqrtps") VUNPACKED("vsqrtpd") VSCALAR("vsqrtss", "dword") VSCALAR("vsqrtsd", "qword")
FORM("vmulps ymm0, ymm1, ymm2; vaddps ymm0, ymm0, ymm3; vsubps ymm4, ymm0, ymm5")
VUNPACKED("vrcpps") VUNPACKED("vrsqrtps") VSCALAR("vrcpss", "dword") VSCALAR("vrsqrtss", "dword")
#define VCMP_P(op, i) FORM(op " xmm0, xmm1, xmm2, " #i) FORM(op " ymm0, ymm1, ymm2, " #i)
#define VCMP_S(op, i) FORM(op " xmm0, xmm1, xmm2, " #i)
#define VCMPS(i) VCMP_P("vcmpps", i) VCMP_P("vcmppd", i) VCMP_S("vcmpss", i) VCMP_S("vcmpsd", i)
VCMPS(0) VCMPS(1) VCMPS(2) VCMPS(3) VCMPS(4) VCMPS(5) VCMPS(6) VCMPS(7) VCMPS(8) VCMPS(9) VCMPS(10) VCMPS(11) VCMPS(12)
VCMPS(13) VCMPS(14) VCMPS(15) VCMPS(16) VCMPS(17) VCMPS(18) VCMPS(19) VCMPS(20) VCMPS(21) VCMPS(22) VCMPS(23) VCMPS(24)
VCMPS(25) VCMPS(26) VCMPS(27) VCMPS(28) VCMPS(29) VCMPS(30) VCMPS(31)
FORM("vcmpps ymm3, ymm4, [rsi+4], 1") FORM("vcmppd ymm3, ymm4, [rsi+4], 0x1d") FORM("vcmpss xmm3, xmm4, dword ptr [rsi+4], 0x12")
FORM("vcmpsd xmm3, xmm4, qword ptr [rsi+4], 0x0e")
#define VCOMI(op, w) FORM(op " xmm0, xmm1") FORM(op " xmm3, " w " ptr [rsi+4]") FORM(op " xmm0, xmm1; setb al; setz cl; setp dl")
VCOMI("vcomiss", "dword") VCOMI("vucomiss", "dword") VCOMI("vcomisd", "qword") VCOMI("vucomisd", "qword")
/* --- conversions */
#define VFROM_INT(op) FORM(op " xmm0, xmm1, eax") FORM(op " xmm9, xmm2, r11") FORM(op " xmm2, xmm2, dword ptr [rsi+4]") \
    FORM(op " xmm3, xmm4, qword ptr [rdi+3]")
VFROM_INT("vcvtsi2ss") VFROM_INT("vcvtsi2sd")
#define VTO_INT(op, w) FORM(op " eax, xmm0") FORM(op " r9, xmm14") FORM(op " ecx, " w " ptr [rsi+4]")
VTO_INT("vcvtss2si", "dword") VTO_INT("vcvttss2si", "dword") VTO_INT("vcvtsd2si", "qword") VTO_INT("vcvttsd2si", "qword")
VSCALAR("vcvtss2sd", "dword") VSCALAR("vcvtsd2ss", "qword")
FORM("vcvtps2pd xmm0, xmm1") FORM("vcvtps2pd ymm0, xmm1") FORM("vcvtps2pd xmm2, qword ptr [rsi+4]") FORM("vcvtps2pd ymm2, xmmword ptr [rsi+4]")
FORM("vcvtdq2pd xmm0, xmm1") FORM("vcvtdq2pd ymm0, xmm1") FORM("vcvtdq2pd xmm2, qword ptr [rsi+4]") FORM("vcvtdq2pd ymm2, xmmword ptr [rsi+4]")
#define VNARROW(op) FORM(op " xmm0, xmm1") FORM(op " xmm0, ymm1") FORM(op " xmm9, ymm9") FORM(op " xmm2, xmmword ptr [rsi+4]") \
    FORM(op " xmm2, ymmword ptr [rsi+4]")
VNARROW("vcvtpd2ps") VNARROW("vcvtpd2dq") VNARROW("vcvttpd2dq")
VUNPACKED("vcvtdq2ps") VUNPACKED("vcvtps2dq") VUNPACKED("vcvttps2dq")
/* --- SSE3, SSE4.1 */
VPACKED("vaddsubps") VPACKED("vaddsubpd") VPACKED("vhaddps") VPACKED("vhaddpd") VPACKED("vhsubps") VPACKED("vhsubpd")
VUNPACKED("vmovshdup") VUNPACKED("vmovsldup") FORM("vmovddup xmm0, xmm1") FORM("vmovddup ymm0, ymm1")
FORM("vmovddup xmm2, qword ptr [rsi+4]") FORM("vmovddup ymm2, [rsi+4]")
#define VROUND(i) FORM("vroundps xmm0, xmm1, " #i) FORM("vroundps ymm0, ymm1, " #i) FORM("vroundpd xmm0, xmm1, " #i) \
    FORM("vroundpd ymm0, ymm1, " #i) \
    FORM("vroundss xmm0, xmm1, xmm2, " #i) FORM("vroundsd xmm0, xmm1, xmm2, " #i)
VROUND(0x0) VROUND(0x1) VROUND(0x2) VROUND(0x3) VROUND(0x4) VROUND(0x5) VROUND(0x6) VROUND(0x7)
VROUND(0x8) VROUND(0x9) VROUND(0xa) VROUND(0xb) VROUND(0xc) VROUND(0xd) VROUND(0xe) VROUND(0xf) VROUND(0xf3)
FORM("vroundps ymm9, [rsi+4], 4") FORM("vroundsd xmm3, xmm4, qword ptr [rdi+3], 10")
#define VDP(i) FORM("vdpps xmm0, xmm1, xmm2, " #i) FORM("vdpps ymm0, ymm1, ymm2, " #i) FORM("vdppd xmm0, xmm1, xmm2, " #i)
VDP(0xff) VDP(0xf1) VDP(0x71) VDP(0x31) VDP(0x33) VDP(0x1f) VDP(0x00) VDP(0xf0) VDP(0x0f) VDP(0xa5) VDP(0x5a) VDP(0x3c) VDP(0xc3)
FORM("vdpps ymm9, ymm3, [rsi+4], 0xff") FORM("vdppd xmm9, xmm3, [rsi+4], 0x31")

/* === FMA3, F16C ============================================================ */
#define VFMA_P(op) FORM(op " xmm0, xmm1, xmm2") FORM(op " ymm0, ymm1, ymm2") FORM(op " ymm3, ymm4, [rsi+4]") FORM(op " ymm5, ymm5, ymm5")
#define VFMA_S(op, w) FORM(op " xmm0, xmm1, xmm2") FORM(op " xmm3, xmm4, " w " ptr [rsi+4]") FORM(op " xmm5, xmm5, xmm6")
#define VFMA_ORDER(op, o) VFMA_P(op o "ps") VFMA_P(op o "pd")
#define VFMA_ORDER_S(op, o) VFMA_ORDER(op, o) VFMA_S(op o "ss", "dword") VFMA_S(op o "sd", "qword")
#define VFMA_ALL(op) VFMA_ORDER_S(op, "132") VFMA_ORDER_S(op, "213") VFMA_ORDER_S(op, "231")
VFMA_ALL("vfmadd") VFMA_ALL("vfmsub") VFMA_ALL("vfnmadd") VFMA_ALL("vfnmsub")
VFMA_ORDER("vfmaddsub", "132") VFMA_ORDER("vfmaddsub", "213") VFMA_ORDER("vfmaddsub", "231")
VFMA_ORDER("vfmsubadd", "132") VFMA_ORDER("vfmsubadd", "213") VFMA_ORDER("vfmsubadd", "231")
/* products and sums near each other, so that cancellation and the single rounding show */
FORM("vmulpd ymm3, ymm1, ymm2; vxorpd ymm3, ymm3, ymm6; vfmadd231pd ymm3, ymm1, ymm2")
FORM("vmulps ymm3, ymm1, ymm2; vfmsub231ps ymm3, ymm1, ymm2") FORM("vmulsd xmm3, xmm1, xmm2; vfnmadd231sd xmm3, xmm1, xmm2")
FORM("vcvtph2ps xmm0, xmm1") FORM("vcvtph2ps ymm0, xmm1") FORM("vcvtph2ps xmm2, qword ptr [rsi+4]") FORM("vcvtph2ps ymm2, xmmword ptr [rsi+2]")
#define VCVTPS2PH(i) FORM("vcvtps2ph xmm0, xmm1, " #i) FORM("vcvtps2ph xmm0, ymm1, " #i)
VCVTPS2PH(0) VCVTPS2PH(1) VCVTPS2PH(2) VCVTPS2PH(3) VCVTPS2PH(4) VCVTPS2PH(5) VCVTPS2PH(6) VCVTPS2PH(7) VCVTPS2PH(0xf8)
FORM("vcvtps2ph qword ptr [rdi+3], xmm1, 0") FORM("vcvtps2ph xmmword ptr [rdi+1], ymm1, 4")
FORM("vcvtps2ph xmm0, ymm1, 0; vcvtph2ps ymm2, xmm0")

extern const struct form __start_fp_forms[], __stop_fp_forms[];

/* ------------------------------------------------------------------ initial states (mirrored in C#) */

static const uint32_t S32[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xffa00000,
    0x7fc0beef, 0x00000001, 0x007fffff, 0x80400000, 0x00800000, 0x00800001, 0x01000000, 0x7f7fffff,
    0xff7fffff, 0x7f000000, 0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001,
    0x5f000000, 0xdf000000, 0x5effffff, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0xc0200000,
    0x3eaaaaab, 0x4b000000, 0x4b800000, 0x80000001, 0x807fffff, 0x0c800000, 0x72800000, 0xbf000000};
static const uint64_t S64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull, 0xfff4000000000000ull,
    0x7ff80000deadbeefull, 0x0000000000000001ull, 0x000fffffffffffffull, 0x8008000000000000ull,
    0x0010000000000000ull, 0x0010000000000001ull, 0x0020000000000000ull, 0x7fefffffffffffffull,
    0xffefffffffffffffull, 0x7fe0000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x41e0000000000000ull, 0xc1e0000000000000ull, 0x41dfffffffc00000ull, 0x41dfffffffe00000ull,
    0xc1e0000000200000ull, 0xc1e0000000100000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43dfffffffffffffull, 0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
    0xbff8000000000000ull, 0xc004000000000000ull, 0x47efffffe0000000ull, 0x47effffff0000000ull,
    0x3810000000000000ull, 0x36a0000000000000ull, 0x3690000000000000ull, 0x3fd5555555555555ull,
    0x380fffffffffffffull, 0x47f0000000000000ull, 0xc7effffff0000001ull, 0x8000000000000001ull,
    0x41dfffffffffffffull, 0xc1dfffffffffffffull, 0x3fe0000000000001ull, 0x4330000000000000ull};
#define N32 (sizeof S32 / sizeof S32[0])
#define N64 (sizeof S64 / sizeof S64[0])

/* A single-precision value biased toward edge cases. */
static uint32_t f32v(uint64_t *s)
{
    uint64_t r = splitmix(s);
    uint32_t sign = (uint32_t)(r >> 63) << 31, mant = (uint32_t)(r >> 20) & 0x7fffff, e;
    switch (r & 15) {
    case 0: case 1: case 2: case 3: case 4: return S32[(r >> 8) % N32];
    case 5: case 6: case 7: case 8: e = 127 + (uint32_t)((r >> 8) % 17) - 8; break;
    case 9: case 10: e = 127 + (uint32_t)((r >> 8) % 41) - 20; mant &= 0x780000; break;
    case 11: e = 1 + (uint32_t)((r >> 8) % 254); break;
    case 12: e = (uint32_t)((r >> 8) % 26); break;
    case 13: e = 254 - (uint32_t)((r >> 8) % 26); break;
    case 14: {
        unsigned n = (unsigned)((r >> 8) % 25);
        uint32_t v = (uint32_t)(r >> 32) & ((1u << n) - 1);
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        return bits | sign;
    }
    default: return (uint32_t)(r >> 16);
    }
    return sign | (e << 23) | mant;
}

/* A double-precision value biased toward edge cases. */
static uint64_t f64v(uint64_t *s)
{
    uint64_t r = splitmix(s), m = splitmix(s);
    uint64_t sign = (r >> 63) << 63, mant = m & 0xfffffffffffffull, e;
    switch (r & 15) {
    case 0: case 1: case 2: case 3: case 4: return S64[(r >> 8) % N64];
    case 5: case 6: case 7: case 8: e = 1023 + (r >> 8) % 33 - 16; break;
    case 9: case 10: e = 1023 + (r >> 8) % 81 - 40; mant &= 0xff00000000000ull; break;
    case 11: e = 1 + (r >> 8) % 2046; break;
    case 12: e = (r >> 8) % 60; break;
    case 13: e = 2046 - (r >> 8) % 60; break;
    case 14: {
        unsigned n = (unsigned)((r >> 8) % 54);
        uint64_t v = m & ((1ull << n) - 1);
        double d = (double)v;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return bits | sign;
    }
    default: return m;
    }
    return sign | (e << 52) | mant;
}

/* 64 bits of vector data: a double, two singles, or integer-biased bits. */
static uint64_t fchunk(uint64_t *s)
{
    uint64_t r = splitmix(s), lo, hi;
    switch (r & 7) {
    case 0: case 1: case 2: return f64v(s);
    case 6: return chunk(s);
    default:
        lo = f32v(s);
        hi = f32v(s);
        return lo | (hi << 32);
    }
}

/* A general register: boundary values, or a random magnitude of random bit length and sign. */
static uint64_t ichunk(uint64_t *s)
{
    uint64_t r = splitmix(s), v;
    if ((r & 3) == 0) return chunk(s);
    unsigned n = (unsigned)((r >> 8) % 65);
    v = splitmix(s);
    v = n == 0 ? 0 : n == 64 ? v : (v & ((1ull << n) - 1)) | (1ull << (n - 1));
    return (r >> 20) & 1 ? 0 - v : v;
}

/* MXCSR of case k: each rounding mode, DAZ, FTZ, each exception unmasked, preset flags, random mixtures. */
static uint32_t mxcsr_for(int k, uint64_t *s)
{
    static const uint32_t v[15] = {0x1f80, 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fc0, 0x9f80, 0x9fc0,
                                   0x1f00, 0x1e80, 0x1d80, 0x1b80, 0x1780, 0x0f80, 0x1fbf};
    uint64_t r = splitmix(s);
    if (k % 16 < 15) return v[k % 16];
    uint32_t m = 0x1f80 | (uint32_t)((r & 3) << 13);
    if (r & 4) m |= 0x40;
    if (r & 8) m |= 0x8000;
    for (int i = 0; i < 6; i++)
        if (((r >> (4 + 2 * i)) & 3) == 0) m &= ~(0x80u << i);
    return m | (uint32_t)((r >> 16) & 0x3f);
}

static void init_state(struct state *st, uint8_t *mem, const char *text, int k)
{
    uint64_t s = fnv1a(text) ^ ((uint64_t)(k + 1) * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 16; i++) st->gpr[i] = ichunk(&s);
    st->gpr[4] = 0;
    st->gpr[6] = DATA + 0x100;
    st->gpr[7] = DATA + 0x200;
    st->rflags = 0x202 | (splitmix(&s) & 0x8d5);
    st->mxcsr = mxcsr_for(k, &s);
    st->pad = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t lo = fchunk(&s), hi = fchunk(&s);
        memcpy(st->xmm[i], &lo, 8);
        memcpy(st->xmm[i] + 8, &hi, 8);
    }
    memset(mem, 0, DATA_SIZE);
    for (int off = 0; off < DATA_INIT; off += 8) {
        uint64_t v = fchunk(&s);
        memcpy(mem + off, &v, 8);
    }
    for (int i = 0; i < 16; i++) { /* YMM upper halves, drawn last so the legacy forms' states are unchanged */
        uint64_t lo = fchunk(&s), hi = fchunk(&s);
        memcpy(st->ymmh[i], &lo, 8);
        memcpy(st->ymmh[i] + 8, &hi, 8);
    }
}

int main(void)
{
    return oracle_main(__start_fp_forms, __stop_fp_forms, "ssefp_oracle.c", "SseFpOracleData", SEEDS, init_state);
}
