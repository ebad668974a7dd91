/*
 * Native oracle for the SSE/SSE2 instruction tests (SseOracleTests.cs).
 *
 * Every FORM below is assembled by gas into a stub "instruction(s); ret". For each form the program
 * builds a few pseudo-random initial machine states (deterministic: the same generator is mirrored in
 * SseOracleTests.cs), runs the stub natively on this CPU with the data area mapped at the address the
 * emulator's CpuHarness uses, and prints what changed: XMM and general registers, status flags, MXCSR,
 * data bytes, or the signal the instruction raised. The test replays the exact same bytes on the
 * emulator and requires an identical report.
 *
 * Regenerate (x86-64 Linux, any gcc):
 *   gcc -O1 -no-pie -fno-toplevel-reorder -o /tmp/sse_oracle sse_oracle.c && /tmp/sse_oracle > ../SseOracleData.g.cs
 *
 * Notes: only integer/move/logic instructions, so results do not depend on the CPU model. MXCSR bit 17
 * (AMD misaligned-SSE mode) is never loaded: whether it faults is vendor-specific.
 */
#define ORACLE_SECTION sse_forms
#include "oracle_common.h"

#define SEEDS 8

/* ------------------------------------------------------------------ forms */

/* Register/register, aligned memory and misaligned memory forms of "op xmm, xmm/m128". */
#define BIN(op)                                                                          \
    FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm5, xmm5")                \
    FORM(op " xmm3, [rsi]") FORM(op " xmm11, [rdi+0x30]") FORM(op " xmm4, [rsi+8]")

/* Shift by an XMM count: low quadword = n, high quadword random (must be ignored). */
#define SHIFT_BY(op, n) FORM("mov rax, " #n "; movq xmm1, rax; punpcklqdq xmm1, xmm3; " op " xmm0, xmm1")
#define SHIFT_XMM(op)                                                                    \
    BIN(op) SHIFT_BY(op, 0) SHIFT_BY(op, 1) SHIFT_BY(op, 7) SHIFT_BY(op, 8)             \
    SHIFT_BY(op, 15) SHIFT_BY(op, 16) SHIFT_BY(op, 17) SHIFT_BY(op, 31) SHIFT_BY(op, 32) \
    SHIFT_BY(op, 33) SHIFT_BY(op, 63) SHIFT_BY(op, 64) SHIFT_BY(op, 65)                   \
    SHIFT_BY(op, 0x100000001) SHIFT_BY(op, 0x8000000000000003)
#define SHIFT_IMM(op)                                                                    \
    FORM(op " xmm0, 0") FORM(op " xmm1, 1") FORM(op " xmm2, 5") FORM(op " xmm3, 7")      \
    FORM(op " xmm4, 8") FORM(op " xmm5, 15") FORM(op " xmm6, 16") FORM(op " xmm7, 17")   \
    FORM(op " xmm8, 31") FORM(op " xmm9, 32") FORM(op " xmm10, 33") FORM(op " xmm11, 63") \
    FORM(op " xmm12, 64") FORM(op " xmm13, 127") FORM(op " xmm14, 200") FORM(op " xmm15, 255")

/* "op xmm, xmm/m128, imm8" with several immediates. */
#define SHUF_IMM(op, imm) FORM(op " xmm0, xmm1, " #imm) FORM(op " xmm10, [rsi], " #imm)
#define SHUF(op)                                                                         \
    SHUF_IMM(op, 0x00) SHUF_IMM(op, 0x1b) SHUF_IMM(op, 0x4e) SHUF_IMM(op, 0xe4)          \
    SHUF_IMM(op, 0x93) SHUF_IMM(op, 0xd8) SHUF_IMM(op, 0x01) SHUF_IMM(op, 0xff)          \
    FORM(op " xmm7, xmm7, 0x39") FORM(op " xmm13, xmm2, 0x72") FORM(op " xmm4, [rsi+4], 0x1b")

/* Whole-register moves: load, store, register forms in both encodings, misaligned memory. */
#define MOV128(op, store_rr)                                                             \
    FORM(op " xmm0, xmm1") FORM(op " xmm12, xmm3") FORM(".byte " store_rr)              \
    FORM(op " xmm2, [rsi]") FORM(op " xmm9, [rdi+0x40]") FORM(op " xmm2, [rsi+8]")      \
    FORM(op " xmm2, [rsi+1]") FORM(op " [rdi], xmm6") FORM(op " [rsi+0x20], xmm14")      \
    FORM(op " [rdi+4], xmm6") FORM(op " [rdi+0x13], xmm6")

/* --- moves */
FORM("movd xmm0, eax") FORM("movd xmm13, r9d") FORM("movd xmm2, dword ptr [rsi]") FORM("movd xmm2, dword ptr [rsi+3]")
FORM("movd eax, xmm0") FORM("movd r11d, xmm7") FORM("movd edi, xmm15") FORM("movd dword ptr [rsi+2], xmm3")
FORM("movd dword ptr [rdi+0x10], xmm12")
FORM("movq xmm0, rax") FORM("movq xmm12, r15") FORM("movq xmm5, rsi")
FORM(".byte 0x66,0x48,0x0f,0x6e,0x4e,0x05")        /* movq xmm1, qword ptr [rsi+5] (66 REX.W 0F 6E) */
FORM("movq rax, xmm0") FORM("movq r8, xmm15") FORM("movq rbx, xmm9")
FORM(".byte 0x66,0x48,0x0f,0x7e,0x5e,0x03")        /* movq qword ptr [rsi+3], xmm3 (66 REX.W 0F 7E) */
FORM("movq xmm0, xmm1") FORM("movq xmm8, xmm15") FORM("movq xmm1, qword ptr [rsi+5]") FORM("movq xmm1, qword ptr [rsi]")
FORM(".byte 0x66,0x0f,0xd6,0xc8")                  /* movq xmm0, xmm1 (66 0F D6) */
FORM(".byte 0x66,0x45,0x0f,0xd6,0xf9")             /* movq xmm9, xmm15 (66 0F D6) */
FORM("movq qword ptr [rsi+7], xmm4") FORM("movq qword ptr [rdi], xmm11")
MOV128("movdqa", "0x66,0x0f,0x7f,0xc8")
MOV128("movdqu", "0xf3,0x0f,0x7f,0xc8")
MOV128("movaps", "0x0f,0x29,0xc8")
MOV128("movups", "0x0f,0x11,0xc8")
MOV128("movapd", "0x66,0x0f,0x29,0xc8")
MOV128("movupd", "0x66,0x0f,0x11,0xc8")
FORM("lddqu xmm0, [rsi]") FORM("lddqu xmm10, [rsi+3]")
FORM("movntdq [rdi], xmm1") FORM("movntdq [rsi+0x10], xmm13") FORM("movntdq [rdi+8], xmm1")
FORM("movntps [rdi], xmm2") FORM("movntps [rdi+4], xmm2") FORM("movntpd [rdi+0x20], xmm10") FORM("movntpd [rdi+1], xmm2")
FORM("movnti [rsi+3], eax") FORM("movnti [rsi], r10") FORM("movnti [rdi+0x11], r13d")
FORM("movlps xmm0, qword ptr [rsi+1]") FORM("movlps xmm10, qword ptr [rsi]") FORM("movlps qword ptr [rsi+3], xmm5")
FORM("movhps xmm0, qword ptr [rsi+1]") FORM("movhps xmm10, qword ptr [rsi]") FORM("movhps qword ptr [rsi+3], xmm5")
FORM("movlpd xmm0, qword ptr [rsi+1]") FORM("movlpd xmm14, qword ptr [rdi]") FORM("movlpd qword ptr [rsi+9], xmm12")
FORM("movhpd xmm0, qword ptr [rsi+1]") FORM("movhpd xmm14, qword ptr [rdi]") FORM("movhpd qword ptr [rsi+9], xmm12")
FORM("movhlps xmm0, xmm1") FORM("movhlps xmm10, xmm3") FORM("movhlps xmm4, xmm4")
FORM("movlhps xmm0, xmm1") FORM("movlhps xmm10, xmm3") FORM("movlhps xmm4, xmm4")
FORM("movss xmm0, xmm1") FORM("movss xmm9, xmm2") FORM(".byte 0xf3,0x0f,0x11,0xc8") /* movss xmm0, xmm1 (F3 0F 11) */
FORM("movss xmm0, dword ptr [rsi+1]") FORM("movss xmm15, dword ptr [rdi]") FORM("movss dword ptr [rsi+2], xmm3")
FORM("movss dword ptr [rdi], xmm11")
FORM("movsd xmm0, xmm1") FORM("movsd xmm9, xmm2") FORM(".byte 0xf2,0x0f,0x11,0xc8") /* movsd xmm0, xmm1 (F2 0F 11) */
FORM("movsd xmm0, qword ptr [rsi+1]") FORM("movsd xmm15, qword ptr [rdi]") FORM("movsd qword ptr [rsi+2], xmm3")
FORM("movsd qword ptr [rdi], xmm11")
FORM("movmskps eax, xmm0") FORM("movmskps r9d, xmm12") FORM(".byte 0x48,0x0f,0x50,0xc3") /* movmskps rax, xmm3 */
FORM("movmskpd eax, xmm0") FORM("movmskpd r9d, xmm12") FORM(".byte 0x66,0x48,0x0f,0x50,0xc3") /* movmskpd rax, xmm3 */
FORM("pmovmskb eax, xmm0") FORM("pmovmskb r10d, xmm11") FORM("pmovmskb esi, xmm5")
FORM(".byte 0x66,0x48,0x0f,0xd7,0xc0") /* pmovmskb rax, xmm0 */
FORM("pxor xmm1, xmm1; pcmpeqb xmm1, xmm0; pmovmskb ecx, xmm1") /* strlen's inner step */
/* page-crossing accesses: the data mapping ends at DATA + 0x10000 */
FORM("movdqu xmm0, [rsi+0xfef8]") FORM("movdqu [rsi+0xfef8], xmm0") FORM("movd xmm0, dword ptr [rsi+0xfefe]")
FORM("movq qword ptr [rsi+0xfefc], xmm2") FORM("movhps qword ptr [rsi+0xfefa], xmm2") FORM("movdqa xmm0, [rsi+0xfef0]")
FORM("movdqa xmm0, [rsi+0xff00]") FORM("movdqa xmm0, [rsi+0xff01]")

/* --- logic */
BIN("pxor") BIN("por") BIN("pand") BIN("pandn")
BIN("xorps") BIN("xorpd") BIN("andps") BIN("andpd") BIN("andnps") BIN("andnpd") BIN("orps") BIN("orpd")

/* --- integer compare, min/max */
BIN("pcmpeqb") BIN("pcmpeqw") BIN("pcmpeqd") BIN("pcmpgtb") BIN("pcmpgtw") BIN("pcmpgtd")
BIN("pminub") BIN("pmaxub") BIN("pminsw") BIN("pmaxsw")

/* --- integer arithmetic */
BIN("paddb") BIN("paddw") BIN("paddd") BIN("paddq") BIN("psubb") BIN("psubw") BIN("psubd") BIN("psubq")
BIN("paddusb") BIN("paddusw") BIN("psubusb") BIN("psubusw") BIN("paddsb") BIN("paddsw") BIN("psubsb") BIN("psubsw")
BIN("pavgb") BIN("pavgw") BIN("psadbw") BIN("pmullw") BIN("pmulhw") BIN("pmulhuw") BIN("pmuludq") BIN("pmaddwd")

/* --- shuffle, unpack, pack, insert/extract */
SHUF("pshufd") SHUF("pshuflw") SHUF("pshufhw") SHUF("shufps") SHUF("shufpd")
FORM("shufpd xmm3, xmm4, 0x02") FORM("shufpd xmm3, xmm4, 0x03") FORM("shufpd xmm3, xmm4, 0xfc")
BIN("punpcklbw") BIN("punpcklwd") BIN("punpckldq") BIN("punpcklqdq")
BIN("punpckhbw") BIN("punpckhwd") BIN("punpckhdq") BIN("punpckhqdq")
BIN("unpcklps") BIN("unpckhps") BIN("unpcklpd") BIN("unpckhpd")
BIN("packsswb") BIN("packssdw") BIN("packuswb")
FORM("pextrw eax, xmm0, 0") FORM("pextrw eax, xmm0, 3") FORM("pextrw r10d, xmm9, 7") FORM("pextrw ecx, xmm14, 5")
FORM("pextrw eax, xmm1, 9") FORM("pextrw eax, xmm1, 0xfe")
FORM(".byte 0x66,0x48,0x0f,0xc5,0xc1,0x06") /* pextrw rax, xmm1, 6 */
FORM("pinsrw xmm0, eax, 0") FORM("pinsrw xmm0, eax, 7") FORM("pinsrw xmm12, r9d, 3") FORM("pinsrw xmm3, ecx, 10")
FORM("pinsrw xmm0, word ptr [rsi], 1") FORM("pinsrw xmm0, word ptr [rsi+1], 6") FORM("pinsrw xmm9, word ptr [rdi+0x33], 0xff")
FORM("pinsrw xmm0, word ptr [rsi+0xfeff], 2")

/* --- shifts */
SHIFT_XMM("psllw") SHIFT_XMM("pslld") SHIFT_XMM("psllq") SHIFT_XMM("psrlw") SHIFT_XMM("psrld") SHIFT_XMM("psrlq")
SHIFT_XMM("psraw") SHIFT_XMM("psrad")
SHIFT_IMM("psllw") SHIFT_IMM("pslld") SHIFT_IMM("psllq") SHIFT_IMM("psrlw") SHIFT_IMM("psrld") SHIFT_IMM("psrlq")
SHIFT_IMM("psraw") SHIFT_IMM("psrad") SHIFT_IMM("pslldq") SHIFT_IMM("psrldq")

/* --- MXCSR */
FORM("stmxcsr dword ptr [rsi+1]")
FORM("mov dword ptr [rsi], 0x3f80; ldmxcsr dword ptr [rsi]; stmxcsr dword ptr [rdi+3]")
FORM("mov dword ptr [rsi], 0xffff; ldmxcsr dword ptr [rsi]; stmxcsr dword ptr [rdi]")
FORM("mov dword ptr [rsi+5], 0; ldmxcsr dword ptr [rsi+5]; stmxcsr dword ptr [rdi]")
FORM("mov dword ptr [rsi], 0x11f80; ldmxcsr dword ptr [rsi]")
FORM("mov dword ptr [rsi], 0x41f80; ldmxcsr dword ptr [rsi]")
FORM("mov dword ptr [rsi], 0x80001f80; ldmxcsr dword ptr [rsi]")
FORM("ldmxcsr dword ptr [rsi+0xfffe]")

/* === SSSE3 ================================================================= */
/* The MMX form "op mm, mm/m64" (registers, memory at any alignment); MMX registers are loaded from and stored to XMM ones. */
#define MM(pre, insn, mm, xmm) FORM(pre "movdq2q " mm ", " xmm "; " insn "; movq2dq " xmm ", " mm "; emms")
#define MMXBIN(op) MM("movdq2q mm1, xmm1; ", op " mm0, mm1", "mm0", "xmm0") MM("", op " mm3, mm3", "mm3", "xmm3") \
    MM("", op " mm7, qword ptr [rsi+3]", "mm7", "xmm7") MM("", op " mm2, qword ptr [rdi]", "mm2", "xmm2")
#define BINMM(op) BIN(op) MMXBIN(op)
/* Every immediate 0..255 is too many stubs for wide forms; these cover each bit and the lane boundaries. */
#define IMM_SET(F) F(0x00) F(0x01) F(0x02) F(0x03) F(0x04) F(0x05) F(0x07) F(0x08) F(0x0c) F(0x0f) F(0x10) F(0x11) \
    F(0x1f) F(0x20) F(0x21) F(0x30) F(0x40) F(0x55) F(0x7f) F(0x80) F(0xa5) F(0xc3) F(0xf0) F(0xff)
#define IMM16(F) F(0x0) F(0x1) F(0x2) F(0x3) F(0x4) F(0x5) F(0x6) F(0x7) F(0x8) F(0x9) F(0xa) F(0xb) F(0xc) F(0xd) F(0xe) F(0xf)
BINMM("pshufb") BINMM("phaddw") BINMM("phaddd") BINMM("phaddsw") BINMM("phsubw") BINMM("phsubd") BINMM("phsubsw")
BINMM("pmaddubsw") BINMM("pmulhrsw") BINMM("psignb") BINMM("psignw") BINMM("psignd") BINMM("pabsb") BINMM("pabsw") BINMM("pabsd")
FORM("pxor xmm1, xmm1; pshufb xmm0, xmm1") /* broadcast byte 0 */
#define PALIGNR(i) FORM("palignr xmm0, xmm1, " #i) MM("movdq2q mm1, xmm1; ", "palignr mm0, mm1, " #i, "mm0", "xmm0")
IMM_SET(PALIGNR) PALIGNR(6) PALIGNR(9) PALIGNR(15) PALIGNR(17) PALIGNR(24) PALIGNR(31)
FORM("palignr xmm9, [rsi], 5") FORM("palignr xmm3, [rsi+8], 4") MM("", "palignr mm4, qword ptr [rsi+1], 3", "mm4", "xmm4")

/* === SSE4.1 ================================================================ */
#define BLENDW(i) FORM("pblendw xmm0, xmm1, " #i)
IMM_SET(BLENDW) FORM("pblendw xmm9, [rsi], 0x96") FORM("pblendw xmm2, [rsi+4], 0x96")
#define BLENDPS(i) FORM("blendps xmm0, xmm1, " #i)
#define BLENDPD(i) FORM("blendpd xmm0, xmm1, " #i)
IMM16(BLENDPS) BLENDPS(0x35) BLENDPD(0) BLENDPD(1) BLENDPD(2) BLENDPD(3) BLENDPD(0xfd)
FORM("blendps xmm9, [rsi], 5") FORM("blendpd xmm9, [rsi], 2") FORM("blendpd xmm9, [rsi+8], 2")
BIN("pblendvb") BIN("blendvps") BIN("blendvpd") FORM("blendvps xmm0, xmm0") FORM("pblendvb xmm7, xmm0")
#define PMOV(op, w) FORM(op " xmm0, xmm1") FORM(op " xmm9, xmm14") FORM(op " xmm3, " w " ptr [rsi]") FORM(op " xmm4, " w " ptr [rsi+1]") \
    FORM(op " xmm4, " w " ptr [rsi+0xfffe]")
PMOV("pmovsxbw", "qword") PMOV("pmovsxbd", "dword") PMOV("pmovsxbq", "word") PMOV("pmovsxwd", "qword") PMOV("pmovsxwq", "dword")
PMOV("pmovsxdq", "qword") PMOV("pmovzxbw", "qword") PMOV("pmovzxbd", "dword") PMOV("pmovzxbq", "word") PMOV("pmovzxwd", "qword")
PMOV("pmovzxwq", "dword") PMOV("pmovzxdq", "qword")
BIN("pminsb") BIN("pminsd") BIN("pminuw") BIN("pminud") BIN("pmaxsb") BIN("pmaxsd") BIN("pmaxuw") BIN("pmaxud")
BIN("pmulld") BIN("pmuldq") BIN("pcmpeqq") BIN("packusdw") BIN("phminposuw")
BIN("ptest") FORM("ptest xmm0, xmm1; setz al; setc cl") FORM("pxor xmm2, xmm2; ptest xmm2, xmm2")
FORM("pcmpeqd xmm2, xmm2; ptest xmm2, xmm2") FORM("pcmpeqd xmm2, xmm2; ptest xmm3, xmm2")
FORM("movntdqa xmm0, [rsi]") FORM("movntdqa xmm12, [rdi+0x10]") FORM("movntdqa xmm0, [rsi+8]")
#define PEXTR(i) FORM("pextrb eax, xmm1, " #i) FORM("pextrw ecx, xmm2, " #i) FORM("pextrd edx, xmm3, " #i) FORM("pextrq rbx, xmm4, " #i) \
    FORM("extractps r9d, xmm5, " #i)
IMM16(PEXTR) PEXTR(0x1f) PEXTR(0xff)
FORM("pextrb byte ptr [rsi+1], xmm1, 3") FORM("pextrw word ptr [rsi+1], xmm1, 5") FORM("pextrd dword ptr [rsi+1], xmm1, 2")
FORM("pextrq qword ptr [rsi+1], xmm1, 1") FORM("extractps dword ptr [rdi+3], xmm7, 3") FORM(".byte 0x66,0x48,0x0f,0x3a,0x14,0xc8,0x09") /* pextrb rax, xmm1, 9 */
FORM("pextrd dword ptr [rsi+0xfffe], xmm1, 2")
#define PINSR(i) FORM("pinsrb xmm1, eax, " #i) FORM("pinsrd xmm2, ecx, " #i) FORM("pinsrq xmm3, rdx, " #i)
IMM16(PINSR) PINSR(0x1f) PINSR(0xff)
FORM("pinsrb xmm1, byte ptr [rsi+1], 7") FORM("pinsrd xmm1, dword ptr [rsi+3], 1") FORM("pinsrq xmm1, qword ptr [rsi+5], 1")
#define INSERTPS(i) FORM("insertps xmm0, xmm1, " #i)
IMM_SET(INSERTPS) INSERTPS(0x1e) INSERTPS(0x4c) INSERTPS(0x9a) INSERTPS(0xe7) FORM("insertps xmm6, xmm6, 0x90")
FORM("insertps xmm0, dword ptr [rsi+1], 0xd1") FORM("insertps xmm0, dword ptr [rsi], 0x30")
#define MPSADBW(i) FORM("mpsadbw xmm0, xmm1, " #i)
IMM16(MPSADBW) FORM("mpsadbw xmm9, [rsi], 5") FORM("mpsadbw xmm9, [rsi+1], 5")

/* === SSE4.2 ================================================================ */
BIN("pcmpgtq")
FORM("crc32 eax, cl") FORM("crc32 eax, cx") FORM("crc32 eax, ecx") FORM("crc32 rax, rcx") FORM(".byte 0xf2,0x48,0x0f,0x38,0xf0,0xc1") /* crc32 rax, cl */
FORM("crc32 r9d, byte ptr [rsi+1]") FORM("crc32 r9d, word ptr [rsi+1]") FORM("crc32 r9d, dword ptr [rsi+1]") FORM("crc32 r9, qword ptr [rsi+1]")
FORM("crc32 eax, ah") FORM("crc32 ecx, ecx")
/* Every imm8 of the four string compares (bit 7 is ignored): register operands whose lengths come from the data,
   plus strings built from a few characters so that matches and early ends are common. */
#define STR_IMM(i) FORM("pcmpistri xmm1, xmm2, " #i) FORM("pcmpistrm xmm1, xmm2, " #i) FORM("pcmpestri xmm1, xmm2, " #i) \
    FORM("pcmpestrm xmm1, xmm2, " #i) \
    FORM("pand xmm1, xmm3; pand xmm2, xmm3; pcmpistri xmm1, xmm2, " #i) FORM("pand xmm1, xmm3; pand xmm2, xmm3; pcmpestrm xmm1, xmm2, " #i)
#define STR_HI(h) STR_IMM(h##0) STR_IMM(h##1) STR_IMM(h##2) STR_IMM(h##3) STR_IMM(h##4) STR_IMM(h##5) STR_IMM(h##6) STR_IMM(h##7) \
    STR_IMM(h##8) STR_IMM(h##9) STR_IMM(h##a) STR_IMM(h##b) STR_IMM(h##c) STR_IMM(h##d) STR_IMM(h##e) STR_IMM(h##f)
STR_HI(0x0) STR_HI(0x1) STR_HI(0x2) STR_HI(0x3) STR_HI(0x4) STR_HI(0x5) STR_HI(0x6) STR_HI(0x7)
FORM("pcmpistri xmm1, xmm2, 0x8c") FORM("pcmpestri xmm1, [rsi], 0x0c") FORM("pcmpestri xmm1, [rsi+3], 0x44")
FORM("pcmpistrm xmm1, [rsi+1], 0x40") FORM("pcmpestrm xmm1, [rsi+5], 0x18")
FORM(".byte 0x66,0x48,0x0f,0x3a,0x61,0xca,0x0c") /* pcmpestri xmm1, xmm2, 12 with RAX/RDX lengths */
FORM(".byte 0x66,0x48,0x0f,0x3a,0x60,0xca,0x48") /* pcmpestrm xmm1, xmm2, 0x48 with RAX/RDX lengths */
FORM("mov eax, -5; mov edx, 0x80000000; pcmpestri xmm1, xmm2, 0x00") FORM("mov eax, 17; mov edx, -20; pcmpestri xmm1, xmm2, 0x01")
FORM("mov rax, -1; mov rdx, 3; pcmpestri xmm1, xmm2, 0x0c")

/* === SSE2 and base instructions ============================================ */
FORM("maskmovdqu xmm1, xmm2") FORM("maskmovdqu xmm9, xmm14") FORM("pcmpeqb xmm2, xmm2; maskmovdqu xmm5, xmm2")
FORM("lea rdi, [rsi+0xfff8]; pcmpeqb xmm2, xmm2; maskmovdqu xmm5, xmm2") FORM(".byte 0x67; maskmovdqu xmm3, xmm4")
FORM("lea rbx, [rsi]; xlat") FORM("lea rbx, [rdi+0x10]; xlatb") FORM(".byte 0x67; lea ebx, [rsi]; .byte 0x67; xlat")
FORM("lea rbx, [rsi+0xff80]; xlat")
FORM("mov eax, cs") FORM("mov rcx, ss") FORM("mov dx, ds") FORM("mov r9d, es") FORM("mov r10, fs") FORM("mov r11, gs")
FORM("mov word ptr [rsi+1], cs") FORM("mov word ptr [rdi], ss")
FORM("clflush [rsi]") FORM("clflush [rsi+0x10000]") FORM("prefetch [rsi+0x10000]") FORM(".byte 0x0f, 0x19, 0x06")
FORM(".byte 0x0f, 0x1c, 0xc0")

/* === MOVBE, BMI1, BMI2, ADX ================================================ */
FORM("movbe eax, dword ptr [rsi+1]") FORM("movbe r9, qword ptr [rsi+3]") FORM("movbe cx, word ptr [rsi]")
FORM("movbe dword ptr [rdi+1], eax") FORM("movbe qword ptr [rdi+3], r9") FORM("movbe word ptr [rdi], cx")
#define GPR3(op) FORM(op " eax, ecx, edx") FORM(op " rax, rcx, rdx") FORM(op " r9, r10, r11") FORM(op " eax, eax, eax") \
    FORM(op " rbx, rbx, rcx")
#define GPR3M(op) GPR3(op) FORM(op " ebx, ecx, dword ptr [rsi+1]") FORM(op " rbx, rcx, qword ptr [rsi+3]")
#define GPR3MR(op) GPR3(op) FORM(op " ebx, dword ptr [rsi+1], ecx") FORM(op " rbx, qword ptr [rsi+3], rcx")
#define GPR2(op) FORM(op " eax, ecx") FORM(op " rax, rcx") FORM(op " r9, r9") FORM(op " ebx, dword ptr [rsi+1]") FORM(op " rbx, qword ptr [rsi+3]")
GPR3M("andn") GPR3MR("bextr") GPR2("blsi") GPR2("blsmsk") GPR2("blsr") GPR3MR("bzhi")
FORM("mov ecx, 0x0408; bextr eax, edx, ecx") FORM("mov ecx, 0x2010; bextr rax, rdx, rcx") FORM("mov ecx, 0xff00; bextr eax, edx, ecx")
FORM("mov ecx, 0x0040; bextr rax, rdx, rcx") FORM("mov ecx, 0x4001; bextr rax, rdx, rcx") FORM("mov ecx, 0x1f1f; bextr eax, edx, ecx")
FORM("mov ecx, 0; bzhi eax, edx, ecx") FORM("mov ecx, 31; bzhi eax, edx, ecx") FORM("mov ecx, 32; bzhi eax, edx, ecx")
FORM("mov ecx, 0x140; bzhi rax, rdx, rcx") FORM("mov ecx, 63; bzhi rax, rdx, rcx") FORM("mov ecx, 64; bzhi rax, rdx, rcx")
FORM("xor ecx, ecx; blsi eax, ecx") FORM("xor ecx, ecx; blsmsk rax, rcx") FORM("xor ecx, ecx; blsr eax, ecx")
GPR3M("mulx") GPR3M("pdep") GPR3M("pext") GPR3MR("sarx") GPR3MR("shlx") GPR3MR("shrx")
FORM("mulx rax, rax, rcx") FORM("mulx ecx, ecx, edx")
#define RORX(i) FORM("rorx eax, ecx, " #i) FORM("rorx rax, rcx, " #i)
RORX(0) RORX(1) RORX(7) RORX(31) RORX(32) RORX(33) RORX(63) RORX(64) RORX(0xff) FORM("rorx r9d, dword ptr [rsi+1], 5") FORM("rorx r9, qword ptr [rsi+1], 50")
FORM("tzcnt eax, ecx") FORM("tzcnt rax, rcx") FORM("tzcnt ax, cx") FORM("tzcnt ebx, dword ptr [rsi+1]") FORM("xor ecx, ecx; tzcnt eax, ecx")
FORM("lzcnt eax, ecx") FORM("lzcnt rax, rcx") FORM("lzcnt ax, cx") FORM("xor ecx, ecx; lzcnt rax, rcx")
#define ADX(op) FORM(op " eax, ecx") FORM(op " rax, rcx") FORM(op " r9, qword ptr [rsi+1]") FORM(op " ebx, dword ptr [rsi+3]") \
    FORM("stc; " op " rax, rcx") FORM("clc; " op " eax, ecx")
ADX("adcx") ADX("adox")
FORM("xor eax, eax; adcx rax, rcx; adox rdx, rbx; adcx r8, r9; adox r10, r11")

/* === AVX, AVX2: the VEX forms ==============================================
   128-bit forms (bits 255:128 of the destination zeroed), 256-bit forms (two lanes), three-operand forms with a
   distinct, the same or a memory second source at any alignment, and a 32-byte access crossing into the unmapped page. */
#define VBIN(op) FORM(op " xmm0, xmm1, xmm2") FORM(op " xmm9, xmm14, xmm3") FORM(op " ymm0, ymm1, ymm2")           \
    FORM(op " ymm10, ymm10, ymm15") FORM(op " ymm4, ymm4, ymm4") FORM(op " ymm3, ymm4, [rsi]")                     \
    FORM(op " xmm4, xmm5, [rsi+8]") FORM(op " ymm5, ymm6, [rsi+0x13]")
#define VBIN128(op) FORM(op " xmm0, xmm1, xmm2") FORM(op " xmm9, xmm14, xmm3") FORM(op " xmm4, xmm5, [rsi+8]")
#define VUN(op) FORM(op " xmm0, xmm1") FORM(op " xmm9, [rsi+3]") FORM(op " ymm0, ymm1") FORM(op " ymm12, ymm12") \
    FORM(op " ymm3, [rsi+5]")
#define VIMM(op, i) FORM(op " xmm0, xmm1, xmm2, " #i) FORM(op " ymm0, ymm1, ymm2, " #i)
#define VIMM_MEM(op, i) FORM(op " ymm3, ymm4, [rsi+1], " #i) FORM(op " xmm3, xmm4, [rsi+8], " #i)
#define VUNIMM(op, i) FORM(op " xmm0, xmm1, " #i) FORM(op " ymm0, ymm1, " #i)
#define VUNIMM_MEM(op, i) FORM(op " ymm2, [rsi+1], " #i)
/* --- logic, compares, min/max, arithmetic */
VBIN("vpand") VBIN("vpandn") VBIN("vpor") VBIN("vpxor")
VBIN("vandps") VBIN("vandpd") VBIN("vandnps") VBIN("vandnpd") VBIN("vorps") VBIN("vorpd") VBIN("vxorps") VBIN("vxorpd")
VBIN("vpcmpeqb") VBIN("vpcmpeqw") VBIN("vpcmpeqd") VBIN("vpcmpeqq") VBIN("vpcmpgtb") VBIN("vpcmpgtw") VBIN("vpcmpgtd") VBIN("vpcmpgtq")
VBIN("vpminub") VBIN("vpmaxub") VBIN("vpminsw") VBIN("vpmaxsw") VBIN("vpminsb") VBIN("vpminsd") VBIN("vpminuw") VBIN("vpminud")
VBIN("vpmaxsb") VBIN("vpmaxsd") VBIN("vpmaxuw") VBIN("vpmaxud")
VBIN("vpaddb") VBIN("vpaddw") VBIN("vpaddd") VBIN("vpaddq") VBIN("vpsubb") VBIN("vpsubw") VBIN("vpsubd") VBIN("vpsubq")
VBIN("vpaddusb") VBIN("vpaddusw") VBIN("vpsubusb") VBIN("vpsubusw") VBIN("vpaddsb") VBIN("vpaddsw") VBIN("vpsubsb") VBIN("vpsubsw")
VBIN("vpavgb") VBIN("vpavgw") VBIN("vpsadbw") VBIN("vpmullw") VBIN("vpmulhw") VBIN("vpmulhuw") VBIN("vpmuludq") VBIN("vpmaddwd")
VBIN("vpmulld") VBIN("vpmuldq")
/* --- unpack, pack, shuffles */
VBIN("vpunpcklbw") VBIN("vpunpcklwd") VBIN("vpunpckldq") VBIN("vpunpcklqdq")
VBIN("vpunpckhbw") VBIN("vpunpckhwd") VBIN("vpunpckhdq") VBIN("vpunpckhqdq")
VBIN("vunpcklps") VBIN("vunpckhps") VBIN("vunpcklpd") VBIN("vunpckhpd")
VBIN("vpacksswb") VBIN("vpackssdw") VBIN("vpackuswb") VBIN("vpackusdw")
#define VSHUF(i) VUNIMM("vpshufd", i) VUNIMM("vpshuflw", i) VUNIMM("vpshufhw", i) VIMM("vshufps", i) VIMM("vshufpd", i)
IMM_SET(VSHUF) VSHUF(0x1b) VSHUF(0x4e) VSHUF(0xe4) VSHUF(0x93) VSHUF(0xd8) VSHUF(0x0a)
VUNIMM_MEM("vpshufd", 0x1b) VUNIMM_MEM("vpshuflw", 0x72) VUNIMM_MEM("vpshufhw", 0x39) VIMM_MEM("vshufps", 0x4e) VIMM_MEM("vshufpd", 0x0b)
/* --- SSSE3 */
VBIN("vpshufb") VBIN("vphaddw") VBIN("vphaddd") VBIN("vphaddsw") VBIN("vphsubw") VBIN("vphsubd") VBIN("vphsubsw")
VBIN("vpmaddubsw") VBIN("vpmulhrsw") VBIN("vpsignb") VBIN("vpsignw") VBIN("vpsignd")
VUN("vpabsb") VUN("vpabsw") VUN("vpabsd")
#define VALIGNR(i) VIMM("vpalignr", i)
IMM_SET(VALIGNR) VALIGNR(6) VALIGNR(9) VALIGNR(15) VALIGNR(17) VALIGNR(24) VALIGNR(31) VIMM_MEM("vpalignr", 5)
/* --- SSE4.1 blends with an immediate, MPSADBW, PHMINPOSUW */
#define VBLEND(i) VIMM("vpblendw", i) VIMM("vblendps", i) VIMM("vblendpd", i)
IMM_SET(VBLEND) VIMM_MEM("vpblendw", 0x96) VIMM_MEM("vblendps", 0x5a) VIMM_MEM("vblendpd", 0x06)
#define VMPSADBW(i) VIMM("vmpsadbw", i)
IMM_SET(VMPSADBW) VMPSADBW(0x2d) VMPSADBW(0x3f) VIMM_MEM("vmpsadbw", 0x1c)
FORM("vphminposuw xmm0, xmm1") FORM("vphminposuw xmm9, [rsi+1]")
/* --- shifts: by xmm/m128 (always 128 bits), by imm8 (destination in VEX.vvvv) */
#define VSHIFT_BY(op, n) FORM("mov rax, " #n "; vmovq xmm1, rax; vpunpcklqdq xmm1, xmm1, xmm3; " op " ymm0, ymm2, xmm1") \
    FORM("mov rax, " #n "; vmovq xmm1, rax; " op " xmm0, xmm2, xmm1")
#define VSHIFT(op) FORM(op " ymm0, ymm1, xmm2") FORM(op " xmm3, xmm4, xmm5") FORM(op " ymm5, ymm6, [rsi+4]") \
    VSHIFT_BY(op, 0) VSHIFT_BY(op, 1) VSHIFT_BY(op, 7) VSHIFT_BY(op, 15) VSHIFT_BY(op, 16) VSHIFT_BY(op, 31) \
    VSHIFT_BY(op, 32) VSHIFT_BY(op, 63) VSHIFT_BY(op, 64) VSHIFT_BY(op, 0x8000000000000003)
#define VSHIFTI(op) VUNIMM(op, 0) VUNIMM(op, 1) VUNIMM(op, 7) VUNIMM(op, 8) VUNIMM(op, 15) VUNIMM(op, 16) VUNIMM(op, 31) \
    VUNIMM(op, 32) VUNIMM(op, 63) VUNIMM(op, 64) VUNIMM(op, 200) FORM(op " ymm9, ymm9, 3")
VSHIFT("vpsllw") VSHIFT("vpslld") VSHIFT("vpsllq") VSHIFT("vpsrlw") VSHIFT("vpsrld") VSHIFT("vpsrlq") VSHIFT("vpsraw") VSHIFT("vpsrad")
VSHIFTI("vpsllw") VSHIFTI("vpslld") VSHIFTI("vpsllq") VSHIFTI("vpsrlw") VSHIFTI("vpsrld") VSHIFTI("vpsrlq") VSHIFTI("vpsraw")
VSHIFTI("vpsrad") VSHIFTI("vpslldq") VSHIFTI("vpsrldq")
/* --- whole-register moves: aligned kinds #GP on a misaligned operand (16 bytes for VEX.128, 32 for VEX.256) */
#define VMOV(op) FORM(op " xmm0, xmm1") FORM(op " ymm0, ymm1") FORM(op " ymm12, ymm3") FORM(op " xmm2, [rsi]")   \
    FORM(op " ymm2, [rsi]") FORM(op " ymm9, [rdi+0x40]") FORM(op " ymm2, [rsi+0x10]") FORM(op " xmm2, [rsi+8]")     \
    FORM(op " ymm2, [rsi+1]") FORM(op " [rdi], xmm6") FORM(op " [rdi], ymm6") FORM(op " [rsi+0x20], ymm14")          \
    FORM(op " [rdi+0x10], ymm6") FORM(op " [rdi+4], ymm6") FORM(op " ymm0, [rsi+0xfef0]") FORM(op " [rsi+0xfee0], ymm1")
VMOV("vmovdqa") VMOV("vmovdqu") VMOV("vmovaps") VMOV("vmovups") VMOV("vmovapd") VMOV("vmovupd")
FORM("vlddqu xmm0, [rsi+3]") FORM("vlddqu ymm0, [rsi+3]")
FORM("vmovntdq [rdi], ymm1") FORM("vmovntdq [rdi+0x10], ymm1") FORM("vmovntdq [rdi], xmm1") FORM("vmovntps [rdi+0x20], ymm2")
FORM("vmovntpd [rdi], xmm3") FORM("vmovntdqa ymm0, [rsi]") FORM("vmovntdqa ymm0, [rsi+0x10]") FORM("vmovntdqa xmm5, [rsi+0x10]")

/* --- AVX/AVX2 data movement with no SSE form */
FORM("vzeroupper") FORM("vzeroall")
#define VBCAST(op, w) FORM(op " xmm0, xmm1") FORM(op " ymm0, xmm1") FORM(op " ymm9, xmm9") FORM(op " xmm2, " w " ptr [rsi+1]") \
    FORM(op " ymm3, " w " ptr [rsi+3]")
VBCAST("vpbroadcastb", "byte") VBCAST("vpbroadcastw", "word") VBCAST("vpbroadcastd", "dword") VBCAST("vpbroadcastq", "qword")
VBCAST("vbroadcastss", "dword") FORM("vbroadcastsd ymm0, xmm1") FORM("vbroadcastsd ymm4, qword ptr [rsi+5]")
FORM("vbroadcastf128 ymm0, [rsi+1]") FORM("vbroadcasti128 ymm7, [rdi]") FORM("vbroadcasti128 ymm7, [rsi+0xfef8]")
#define VINS128(op) FORM(op " ymm0, ymm1, xmm2, 0") FORM(op " ymm0, ymm1, xmm2, 1") FORM(op " ymm3, ymm3, [rsi+1], 1") \
    FORM(op " ymm3, ymm4, [rsi], 0") FORM(op " ymm5, ymm6, xmm7, 0xfe")
VINS128("vinsertf128") VINS128("vinserti128")
#define VEXT128(op) FORM(op " xmm0, ymm1, 0") FORM(op " xmm0, ymm1, 1") FORM(op " xmm9, ymm9, 1") FORM(op " [rdi+3], ymm2, 1") \
    FORM(op " [rdi], ymm2, 0") FORM(op " xmm5, ymm6, 0xff")
VEXT128("vextractf128") VEXT128("vextracti128")
#define VPERM2(i) FORM("vperm2i128 ymm0, ymm1, ymm2, " #i) FORM("vperm2f128 ymm0, ymm1, ymm2, " #i)
IMM_SET(VPERM2) VPERM2(0x13) VPERM2(0x31) VPERM2(0x88) VPERM2(0x28) VPERM2(0x82) FORM("vperm2i128 ymm3, ymm4, [rsi+1], 0x21")
#define VPERMQ(i) FORM("vpermq ymm0, ymm1, " #i) FORM("vpermpd ymm0, ymm1, " #i)
IMM_SET(VPERMQ) VPERMQ(0x1b) VPERMQ(0x4e) VPERMQ(0xd8) FORM("vpermq ymm3, [rsi+3], 0x93") FORM("vpermq ymm5, ymm5, 0x39")
FORM("vpermd ymm0, ymm1, ymm2") FORM("vpermd ymm0, ymm1, [rsi+1]") FORM("vpermps ymm0, ymm1, ymm2") FORM("vpermps ymm3, ymm3, ymm3")
#define VPERMIL(i) VUNIMM("vpermilps", i) VUNIMM("vpermilpd", i)
IMM_SET(VPERMIL) VUNIMM_MEM("vpermilps", 0x1b) VUNIMM_MEM("vpermilpd", 0x0b)
VBIN("vpermilps") VBIN("vpermilpd")
#define VPBLENDD(i) VIMM("vpblendd", i)
IMM_SET(VPBLENDD) VIMM_MEM("vpblendd", 0x96)
VBIN("vpsllvd") VBIN("vpsllvq") VBIN("vpsrlvd") VBIN("vpsrlvq") VBIN("vpsravd")
FORM("vpand ymm2, ymm2, ymm3; vpsllvd ymm0, ymm1, ymm2") FORM("vpand ymm2, ymm2, ymm3; vpsrlvq ymm0, ymm1, ymm2")
FORM("vpand ymm2, ymm2, ymm3; vpsravd ymm0, ymm1, ymm2") FORM("vpand xmm2, xmm2, xmm3; vpsravd xmm0, xmm1, xmm2")
#define VTEST(op) FORM(op " xmm0, xmm1") FORM(op " ymm0, ymm1") FORM(op " ymm3, [rsi+1]") FORM(op " ymm5, ymm5") \
    FORM(op " ymm0, ymm1; setz al; setc cl; seta dl") FORM("vpxor xmm2, xmm2, xmm2; " op " ymm2, ymm2") \
    FORM("vpcmpeqd ymm2, ymm2, ymm2; " op " ymm3, ymm2") FORM("vpcmpeqd ymm2, ymm2, ymm2; " op " ymm2, ymm2")
VTEST("vptest") VTEST("vtestps") VTEST("vtestpd")
#define VBLENDV(op) FORM(op " xmm0, xmm1, xmm2, xmm3") FORM(op " ymm0, ymm1, ymm2, ymm3") FORM(op " ymm4, ymm5, [rsi+1], ymm6") \
    FORM(op " ymm9, ymm9, ymm14, ymm9") FORM(op " xmm7, xmm8, [rsi], xmm0")
VBLENDV("vpblendvb") VBLENDV("vblendvps") VBLENDV("vblendvpd")
FORM("vpmovmskb eax, xmm0") FORM("vpmovmskb eax, ymm0") FORM("vpmovmskb r9d, ymm12") FORM("vpmovmskb rcx, ymm3")
FORM("vmovmskps eax, xmm0") FORM("vmovmskps eax, ymm0") FORM("vmovmskps r9d, ymm12") FORM("vmovmskps rcx, ymm3")
FORM("vmovmskpd eax, xmm0") FORM("vmovmskpd eax, ymm0") FORM("vmovmskpd r9d, ymm12") FORM("vmovmskpd rcx, ymm3")
FORM("vpcmpeqb ymm1, ymm0, [rsi]; vpmovmskb eax, ymm1") /* strlen's AVX2 inner step */
#define VMASKMOV(op) FORM(op " xmm0, xmm1, [rsi+1]") FORM(op " ymm0, ymm1, [rsi+3]") FORM(op " [rdi+1], xmm1, xmm2") \
    FORM(op " [rdi+5], ymm1, ymm2") FORM(op " ymm0, ymm1, [rsi+0xfef0]") FORM(op " [rsi+0xfef0], ymm1, ymm2") \
    FORM("vpxor xmm1, xmm1, xmm1; " op " ymm0, ymm1, [rsi+0x10000]") FORM("vpxor xmm1, xmm1, xmm1; " op " [rsi+0x10000], ymm1, ymm2") \
    FORM("vpcmpeqd xmm1, xmm1, xmm1; " op " ymm0, ymm1, [rsi+0xfef0]")
VMASKMOV("vpmaskmovd") VMASKMOV("vpmaskmovq") VMASKMOV("vmaskmovps") VMASKMOV("vmaskmovpd")
#define VPMOV(op, w, w2) FORM(op " xmm0, xmm1") FORM(op " ymm0, xmm1") FORM(op " ymm9, xmm9") FORM(op " xmm3, " w " ptr [rsi+1]") \
    FORM(op " ymm3, " w2 " ptr [rsi+3]") FORM(op " ymm4, " w2 " ptr [rsi+0xfef8]")
VPMOV("vpmovsxbw", "qword", "xmmword") VPMOV("vpmovsxbd", "dword", "qword") VPMOV("vpmovsxbq", "word", "dword")
VPMOV("vpmovsxwd", "qword", "xmmword") VPMOV("vpmovsxwq", "dword", "qword") VPMOV("vpmovsxdq", "qword", "xmmword")
VPMOV("vpmovzxbw", "qword", "xmmword") VPMOV("vpmovzxbd", "dword", "qword") VPMOV("vpmovzxbq", "word", "dword")
VPMOV("vpmovzxwd", "qword", "xmmword") VPMOV("vpmovzxwq", "dword", "qword") VPMOV("vpmovzxdq", "qword", "xmmword")

/* --- VEX.128 element inserts/extracts, half moves, string compares, MXCSR, MASKMOVDQU */
#define VPEXTR(i) FORM("vpextrb eax, xmm1, " #i) FORM("vpextrw ecx, xmm2, " #i) FORM("vpextrd edx, xmm3, " #i) \
    FORM("vpextrq rbx, xmm4, " #i) FORM("vextractps r9d, xmm5, " #i)
IMM16(VPEXTR) VPEXTR(0xff)
FORM("vpextrb byte ptr [rsi+1], xmm1, 3") FORM("vpextrw word ptr [rsi+1], xmm1, 5") FORM("vpextrd dword ptr [rsi+1], xmm1, 2")
FORM("vpextrq qword ptr [rsi+1], xmm1, 1") FORM("vextractps dword ptr [rdi+3], xmm7, 3")
#define VPINSR(i) FORM("vpinsrb xmm1, xmm2, eax, " #i) FORM("vpinsrw xmm2, xmm3, ecx, " #i) FORM("vpinsrd xmm2, xmm4, ecx, " #i) \
    FORM("vpinsrq xmm3, xmm5, rdx, " #i)
IMM16(VPINSR) VPINSR(0xff)
FORM("vpinsrb xmm1, xmm1, byte ptr [rsi+1], 7") FORM("vpinsrw xmm1, xmm2, word ptr [rsi+1], 3") FORM("vpinsrd xmm1, xmm3, dword ptr [rsi+3], 1")
FORM("vpinsrq xmm1, xmm4, qword ptr [rsi+5], 1")
#define VINSERTPS(i) FORM("vinsertps xmm0, xmm1, xmm2, " #i)
IMM_SET(VINSERTPS) VINSERTPS(0x1e) VINSERTPS(0x4c) VINSERTPS(0x9a) VINSERTPS(0xe7)
FORM("vinsertps xmm0, xmm3, dword ptr [rsi+1], 0xd1") FORM("vinsertps xmm0, xmm3, dword ptr [rsi], 0x30")
FORM("vmovlps xmm0, xmm1, qword ptr [rsi+1]") FORM("vmovlpd xmm9, xmm2, qword ptr [rsi]") FORM("vmovhps xmm0, xmm1, qword ptr [rsi+1]")
FORM("vmovhpd xmm9, xmm2, qword ptr [rsi]") FORM("vmovlps qword ptr [rsi+3], xmm5") FORM("vmovhps qword ptr [rsi+3], xmm5")
FORM("vmovlpd qword ptr [rsi+3], xmm5") FORM("vmovhpd qword ptr [rsi+3], xmm5")
FORM("vmovhlps xmm0, xmm1, xmm2") FORM("vmovhlps xmm4, xmm4, xmm4") FORM("vmovlhps xmm0, xmm1, xmm2") FORM("vmovlhps xmm10, xmm3, xmm3")
FORM("vmovd xmm0, eax") FORM("vmovd xmm13, dword ptr [rsi+3]") FORM("vmovd eax, xmm0") FORM("vmovd dword ptr [rsi+2], xmm3")
FORM("vmovq xmm0, rax") FORM("vmovq rbx, xmm9") FORM("vmovq xmm0, xmm1") FORM("vmovq xmm1, qword ptr [rsi+5]")
FORM("vmovq qword ptr [rsi+7], xmm4") FORM(".byte 0xc5,0xf9,0xd6,0xc8") /* vmovq xmm0, xmm1 (66 0F D6) */
FORM("vmovss xmm0, xmm1, xmm2") FORM("vmovss xmm0, dword ptr [rsi+1]") FORM("vmovss dword ptr [rsi+2], xmm3")
FORM(".byte 0xc5,0xf2,0x11,0xd0") /* vmovss xmm0, xmm1, xmm2 (F3 0F 11) */
FORM("vmovsd xmm0, xmm1, xmm2") FORM("vmovsd xmm0, qword ptr [rsi+1]") FORM("vmovsd qword ptr [rsi+2], xmm3")
#define VSTR(i) FORM("vpcmpistri xmm1, xmm2, " #i) FORM("vpcmpistrm xmm1, xmm2, " #i) FORM("vpcmpestri xmm1, xmm2, " #i) \
    FORM("vpcmpestrm xmm1, xmm2, " #i)
IMM_SET(VSTR) FORM("vpcmpestri xmm1, [rsi+3], 0x44") FORM("vpcmpistrm xmm1, [rsi+1], 0x40")
FORM("vstmxcsr dword ptr [rsi+1]") FORM("mov dword ptr [rsi], 0x3f80; vldmxcsr dword ptr [rsi]; vstmxcsr dword ptr [rdi+3]")
FORM("vmaskmovdqu xmm1, xmm2") FORM("vpcmpeqb xmm2, xmm2, xmm2; vmaskmovdqu xmm5, xmm2")
/* --- AVX2 gathers: indices are small (masked to 0..63) and scaled into the data area; random masks */
#define GATHER(op, d, m, ix, b, scale) FORM("mov eax, 0x3f; vmovd xmm15, eax; vpbroadcast" b " ymm15, xmm15; vpand ymm2, ymm2" \
    ", ymm15; " op " " d ", [rsi+" ix "*" #scale "+8], " m)
#define GATHERS(op, d, m, ix, b) GATHER(op, d, m, ix, b, 1) GATHER(op, d, m, ix, b, 4) GATHER(op, d, m, ix, b, 8)
GATHERS("vpgatherdd", "xmm0", "xmm1", "xmm2", "d") GATHERS("vpgatherdd", "ymm0", "ymm1", "ymm2", "d")
GATHERS("vpgatherdq", "xmm0", "xmm1", "xmm2", "d") GATHERS("vpgatherdq", "ymm0", "ymm1", "xmm2", "d")
GATHERS("vpgatherqd", "xmm0", "xmm1", "xmm2", "q") GATHERS("vpgatherqd", "xmm0", "xmm1", "ymm2", "q")
GATHERS("vpgatherqq", "xmm0", "xmm1", "xmm2", "q") GATHERS("vpgatherqq", "ymm0", "ymm1", "ymm2", "q")
GATHERS("vgatherdps", "ymm3", "ymm4", "ymm2", "d") GATHERS("vgatherdpd", "ymm3", "ymm4", "xmm2", "d")
GATHERS("vgatherqps", "xmm3", "xmm4", "ymm2", "q") GATHERS("vgatherqpd", "ymm3", "ymm4", "ymm2", "q")
GATHERS("vgatherdps", "xmm3", "xmm4", "xmm2", "d") GATHERS("vgatherdpd", "xmm3", "xmm4", "xmm2", "d")
GATHERS("vgatherqps", "xmm3", "xmm4", "xmm2", "q") GATHERS("vgatherqpd", "xmm3", "xmm4", "xmm2", "q")
/* encodings assemblers do not choose: VEX.W1 general-register forms, the F2 0F 11 register form of VMOVSD */
FORM(".byte 0xc5,0xf3,0x11,0xd0") /* vmovsd xmm0, xmm1, xmm2 (F2 0F 11) */
FORM("vmovntps [rdi], xmm2") FORM("vmovntpd [rdi], ymm3")
FORM(".byte 0xc4,0xe1,0xf8,0x50,0xc3") FORM(".byte 0xc4,0xe1,0xfc,0x50,0xc3") /* vmovmskps rax, xmm3 / ymm3 */
FORM(".byte 0xc4,0xe1,0xf9,0x50,0xc3") FORM(".byte 0xc4,0xe1,0xfd,0x50,0xc3") /* vmovmskpd rax, xmm3 / ymm3 */
FORM(".byte 0xc4,0xe1,0xf9,0xd7,0xc3") FORM(".byte 0xc4,0xe1,0xfd,0xd7,0xc3") /* vpmovmskb rax, xmm3 / ymm3 */
FORM(".byte 0xc4,0xe1,0xe9,0xc4,0xc8,0x03") /* vpinsrw xmm1, xmm2, rax, 3 */
FORM(".byte 0xc4,0xe1,0xf9,0xc5,0xc1,0x05") /* vpextrw rax, xmm1, 5 */
FORM(".byte 0xc4,0xe3,0xf9,0x14,0xc8,0x03") /* vpextrb rax, xmm1, 3 */
FORM(".byte 0xc4,0xe3,0xf9,0x15,0xc8,0x06") /* vpextrw rax, xmm1, 6 (0F 3A 15) */
FORM(".byte 0xc4,0xe3,0xf9,0x17,0xc8,0x02") /* vextractps rax, xmm1, 2 */
FORM(".byte 0xc4,0xe3,0xf1,0x20,0xc0,0x0b") /* vpinsrb xmm0, xmm1, rax, 11 */
FORM(".byte 0xc4,0xe3,0xf9,0x60,0xca,0x0c") /* vpcmpestrm xmm1, xmm2, 12 with RAX/RDX lengths */
FORM(".byte 0xc4,0xe3,0xf9,0x61,0xca,0x48") /* vpcmpestri xmm1, xmm2, 0x48 with RAX/RDX lengths */
FORM("vpcmpeqd ymm1, ymm1, ymm1; vpxor xmm2, xmm2, xmm2; vpgatherdd ymm0, [rsi+ymm2*4+0xfefc], ymm1") /* faults mid-way */
FORM("vpcmpeqd ymm1, ymm1, ymm1; vpxor xmm2, xmm2, xmm2; vpgatherdd ymm0, [rsi+ymm2*4], ymm1")

/* === XSAVE ================================================================= */
/* MXCSR_MASK is vendor-specific (the AMD reference host has bit 17): each saved image gets Intel's 0xFFFF, as x86vm reports. */
#define XS(op, m) FORM("mov eax, " #m "; xor edx, edx; " op " [rsi]; mov dword ptr [rsi+28], 0xffff")
#define XSAVES(op) XS(op, 7) XS(op, 1) XS(op, 2) XS(op, 3) XS(op, 4) XS(op, 6) XS(op, 0) FORM("mov eax, 7; xor edx, edx; " op " [rsi+0x20]")
XSAVES("xsave") XSAVES("xsave64") XSAVES("xsaveopt") XSAVES("xsaveopt64") XSAVES("xsavec") XSAVES("xsavec64")
FORM("mov eax, 7; xor edx, edx; vzeroupper; xsave [rsi]; mov dword ptr [rsi+28], 0xffff")
FORM("mov eax, 7; xor edx, edx; vzeroupper; xsavec [rsi]; mov dword ptr [rsi+28], 0xffff")
FORM("mov eax, 7; xor edx, edx; vzeroall; xsave [rsi]; mov dword ptr [rsi+28], 0xffff")
FORM("mov eax, 7; xor edx, edx; vzeroall; xsavec [rsi]; mov dword ptr [rsi+28], 0xffff")
FORM("fld1; fldpi; mov eax, 7; xor edx, edx; xsave [rsi]; mov dword ptr [rsi+28], 0xffff; fninit")
FORM("fld1; mov eax, 7; xor edx, edx; xsavec [rsi]; mov dword ptr [rsi+28], 0xffff; fninit")
/* XRSTOR after an XSAVE: the header's reserved bytes must be zero (the data area is random), then variations */
#define XR(setup) FORM("mov eax, 7; xor edx, edx; xsave [rdi]; mov dword ptr [rdi+28], 0xffff; mov qword ptr [rdi+520], 0; " \
    "mov qword ptr [rdi+528], 0; mov qword ptr [rdi+536], 0; vpxor xmm1, xmm1, xmm1; vpcmpeqd ymm9, ymm9, ymm9; " setup "; xrstor [rdi]")
XR("nop") XR("mov qword ptr [rdi+512], 0") XR("mov qword ptr [rdi+512], 4") XR("mov qword ptr [rdi+512], 2") XR("mov eax, 4")
XR("mov eax, 2") XR("mov qword ptr [rdi+512], 8") XR("mov qword ptr [rdi+520], 1") XR("mov dword ptr [rdi+24], 0xffffffff")
XR("mov byte ptr [rdi+540], 1") XR("mov eax, 1; mov qword ptr [rdi+512], 0")
FORM("mov eax, 7; xor edx, edx; xsavec [rdi]; mov dword ptr [rdi+28], 0xffff; vpxor xmm1, xmm1, xmm1; vpcmpeqd ymm9, ymm9, ymm9; xrstor [rdi]")
FORM("mov eax, 7; xor edx, edx; xsavec64 [rdi]; mov dword ptr [rdi+28], 0xffff; vzeroall; xrstor64 [rdi]")
FORM("mov eax, 3; xor edx, edx; xsavec [rdi]; mov dword ptr [rdi+28], 0xffff; vzeroall; mov eax, 7; xrstor [rdi]")
FORM("mov eax, 7; xor edx, edx; xrstor [rdi+0x40]") FORM("mov eax, 7; xor edx, edx; xrstor [rsi+0x10]")

extern const struct form __start_sse_forms[], __stop_sse_forms[];

/* ------------------------------------------------------------------ initial states (mirrored in C#) */

static void init_state(struct state *st, uint8_t *mem, const char *text, int k)
{
    uint64_t s = fnv1a(text) ^ ((uint64_t)(k + 1) * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 16; i++) st->gpr[i] = chunk(&s);
    st->gpr[4] = 0;
    st->gpr[6] = DATA + 0x100;
    st->gpr[7] = DATA + 0x200;
    st->rflags = 0x202 | (splitmix(&s) & 0x8d5);
    st->mxcsr = 0x1f80;
    st->pad = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t lo = chunk(&s), hi = chunk(&s);
        memcpy(st->xmm[i], &lo, 8);
        memcpy(st->xmm[i] + 8, &hi, 8);
    }
    memset(mem, 0, DATA_SIZE);
    for (int off = 0; off < DATA_INIT; off += 8) {
        uint64_t v = chunk(&s);
        memcpy(mem + off, &v, 8);
    }
    for (int i = 0; i < 16; i++) { /* YMM upper halves, drawn last so the legacy forms' states are unchanged */
        uint64_t lo = chunk(&s), hi = chunk(&s);
        memcpy(st->ymmh[i], &lo, 8);
        memcpy(st->ymmh[i] + 8, &hi, 8);
    }
}

int main(void)
{
    return oracle_main(__start_sse_forms, __stop_sse_forms, "sse_oracle.c", "SseOracleData", SEEDS, init_state);
}
