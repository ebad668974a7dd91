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
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define DATA 0x10000000ull
#define DATA_SIZE 0x10000ull
#define DATA_INIT 0x1000 /* bytes of random data; the rest is zero */
#define SEEDS 32

struct state {
    uint64_t gpr[16];  /* 0x00 rax rcx rdx rbx rsp(unused) rbp rsi rdi r8..r15 */
    uint64_t rflags;   /* 0x80 */
    uint32_t mxcsr;    /* 0x88 */
    uint32_t pad;
    uint8_t xmm[16][16]; /* 0x90 */
};

/* ------------------------------------------------------------------ runner */

void run_stub(struct state *s, const void *fn);
extern const char fault_ret[];

__asm__(
    ".text\n.intel_syntax noprefix\n"
    ".globl run_stub\nrun_stub:\n"
    "push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\n"
    "push rdi\npush rsi\nsub rsp, 8\nstmxcsr [rsp]\n" /* [rsp]=host mxcsr [rsp+8]=fn [rsp+16]=state */
    "ldmxcsr [rdi+0x88]\n"
    "movdqu xmm0, [rdi+0x90]\nmovdqu xmm1, [rdi+0xa0]\nmovdqu xmm2, [rdi+0xb0]\nmovdqu xmm3, [rdi+0xc0]\n"
    "movdqu xmm4, [rdi+0xd0]\nmovdqu xmm5, [rdi+0xe0]\nmovdqu xmm6, [rdi+0xf0]\nmovdqu xmm7, [rdi+0x100]\n"
    "movdqu xmm8, [rdi+0x110]\nmovdqu xmm9, [rdi+0x120]\nmovdqu xmm10, [rdi+0x130]\nmovdqu xmm11, [rdi+0x140]\n"
    "movdqu xmm12, [rdi+0x150]\nmovdqu xmm13, [rdi+0x160]\nmovdqu xmm14, [rdi+0x170]\nmovdqu xmm15, [rdi+0x180]\n"
    "push qword ptr [rdi+0x80]\npopfq\n"
    "mov rax, [rdi]\nmov rcx, [rdi+8]\nmov rdx, [rdi+16]\nmov rbx, [rdi+24]\nmov rbp, [rdi+40]\n"
    "mov r8, [rdi+64]\nmov r9, [rdi+72]\nmov r10, [rdi+80]\nmov r11, [rdi+88]\nmov r12, [rdi+96]\n"
    "mov r13, [rdi+104]\nmov r14, [rdi+112]\nmov r15, [rdi+120]\nmov rsi, [rdi+48]\nmov rdi, [rdi+56]\n"
    "call qword ptr [rsp+8]\n"
    "push rax\npushfq\n" /* [rsp]=flags [rsp+8]=rax [rsp+16]=host mxcsr [rsp+24]=fn [rsp+32]=state */
    "mov rax, [rsp+32]\n"
    "pop qword ptr [rax+0x80]\npop qword ptr [rax]\n"
    "mov [rax+8], rcx\nmov [rax+16], rdx\nmov [rax+24], rbx\nmov [rax+40], rbp\nmov [rax+48], rsi\nmov [rax+56], rdi\n"
    "mov [rax+64], r8\nmov [rax+72], r9\nmov [rax+80], r10\nmov [rax+88], r11\nmov [rax+96], r12\n"
    "mov [rax+104], r13\nmov [rax+112], r14\nmov [rax+120], r15\n"
    "stmxcsr [rax+0x88]\n"
    "movdqu [rax+0x90], xmm0\nmovdqu [rax+0xa0], xmm1\nmovdqu [rax+0xb0], xmm2\nmovdqu [rax+0xc0], xmm3\n"
    "movdqu [rax+0xd0], xmm4\nmovdqu [rax+0xe0], xmm5\nmovdqu [rax+0xf0], xmm6\nmovdqu [rax+0x100], xmm7\n"
    "movdqu [rax+0x110], xmm8\nmovdqu [rax+0x120], xmm9\nmovdqu [rax+0x130], xmm10\nmovdqu [rax+0x140], xmm11\n"
    "movdqu [rax+0x150], xmm12\nmovdqu [rax+0x160], xmm13\nmovdqu [rax+0x170], xmm14\nmovdqu [rax+0x180], xmm15\n"
    "ldmxcsr [rsp]\nadd rsp, 24\ncld\n"
    "pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\nret\n"
    ".globl fault_ret\nfault_ret:\nret\n" /* a faulting stub resumes here: returns into run_stub */
    ".att_syntax prefix\n");


/* ------------------------------------------------------------------ forms */

struct form { const uint8_t *start, *end; const char *text; };

/* One stub per form; a table entry (start, end, text) goes to section fp_forms. */
#define FORM(text)                                                                       \
    __asm__(".pushsection .text.fp_stubs,\"ax\",@progbits\n.intel_syntax noprefix\n"     \
            "1:\n" text "\n2:\nret\n.att_syntax prefix\n.popsection\n"                   \
            ".pushsection fp_forms,\"aw\",@progbits\n.quad 1b, 2b, 3f\n.popsection\n"    \
            ".pushsection .rodata.fp_text,\"a\",@progbits\n3: .asciz \"" text "\"\n"     \
            ".popsection\n");

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

/* --- MXCSR round trips */
FORM("stmxcsr dword ptr [rdi]; addss xmm0, xmm1; stmxcsr dword ptr [rdi+4]")
FORM("mov dword ptr [rsi], 0x1f80; ldmxcsr dword ptr [rsi]; divsd xmm0, xmm1; stmxcsr dword ptr [rdi]")

extern const struct form __start_fp_forms[], __stop_fp_forms[];

/* ------------------------------------------------------------------ deterministic inputs (mirrored in C#) */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A 64-bit value biased toward the boundaries integer SIMD instructions care about. */
static uint64_t chunk(uint64_t *s)
{
    static const uint8_t b8[7] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81};
    static const uint16_t b16[7] = {0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0x00ff, 0xff00};
    static const uint32_t b32[7] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0000ffff, 0xffff0000};
    static const uint64_t b64[7] = {0, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 1,
                                    0x8080808080808080ull, 0x0101010101010101ull};
    uint64_t r = splitmix(s), v, out = 0;
    switch (r & 7) {
    case 3: return (r >> 3) % 80;
    case 4:
        v = splitmix(s);
        for (int i = 0; i < 8; i++) {
            unsigned sel = (v >> (i * 8)) & 7;
            uint64_t e = sel < 7 ? b8[sel] : (v >> (i * 8 + 3)) & 0x1f;
            out |= e << (i * 8);
        }
        return out;
    case 5:
        v = splitmix(s);
        for (int i = 0; i < 4; i++) {
            unsigned sel = (v >> (i * 16)) & 7;
            uint64_t e = sel < 7 ? b16[sel] : (v >> (i * 16 + 3)) & 0x1fff;
            out |= e << (i * 16);
        }
        return out;
    case 6:
        v = splitmix(s);
        for (int i = 0; i < 2; i++) {
            unsigned sel = (v >> (i * 32)) & 7;
            uint64_t e = sel < 7 ? b32[sel] : (v >> (i * 32 + 3)) & 0x1fffffff;
            out |= e << (i * 32);
        }
        return out;
    case 7: return ((r >> 3) & 7) < 7 ? b64[(r >> 3) & 7] : r >> 6;
    default: return splitmix(s);
    }
}

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

static uint64_t fnv1a(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (*t) { h ^= (uint8_t)*t++; h *= 0x100000001b3ull; }
    return h;
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
}

/* ------------------------------------------------------------------ faults */

static volatile int fault_sig, fault_code;
static volatile uint64_t fault_addr, fault_rip;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = (uint64_t)si->si_addr;
    fault_rip = uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fault_ret;
}

/* ------------------------------------------------------------------ report */

static void hex128(const uint8_t *x)
{
    for (int i = 15; i >= 0; i--) printf("%02x", x[i]);
}

int main(void)
{
    uint8_t *mem = mmap((void *)DATA, DATA_SIZE * 2, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (mem != (uint8_t *)DATA) { perror("mmap"); return 1; }
    munmap((void *)(DATA + DATA_SIZE), DATA_SIZE); /* the page after the data area must fault */
    static uint8_t before[DATA_SIZE];

    struct sigaction sa = {0};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    sigaction(SIGILL, &sa, 0);
    sigaction(SIGFPE, &sa, 0);

    printf("// <auto-generated>\n// Produced by native/ssefp_oracle.c on the real CPU; do not edit. See that file to regenerate.\n"
           "// </auto-generated>\n\nnamespace X86Vm.Tests.Cpu;\n\ninternal static class SseFpOracleData\n{\n"
           "    public const string Text = \"\"\"\n");
    int forms = 0, cases = 0;
    for (const struct form *f = __start_fp_forms; f < __stop_fp_forms; f++) {
        printf("@%s\nb ", f->text);
        for (const uint8_t *p = f->start; p < f->end; p++) printf("%02x", *p);
        printf("\n");
        forms++;
        for (int k = 0; k < SEEDS; k++) {
            struct state in, out;
            init_state(&in, mem, f->text, k);
            memcpy(before, mem, DATA_SIZE);
            out = in;
            fault_sig = 0;
            run_stub(&out, f->start);
            printf("%d", k);
            if (fault_sig)
                printf(" fault=%d/%d/%llx@%llx", fault_sig, fault_code,
                       (unsigned long long)(fault_sig == SIGFPE ? fault_addr - (uint64_t)f->start : fault_addr),
                       (unsigned long long)(fault_rip - (uint64_t)f->start));
            for (int i = 0; i < 16; i++)
                if (memcmp(in.xmm[i], out.xmm[i], 16)) { printf(" x%d=", i); hex128(out.xmm[i]); }
            for (int i = 0; i < 16; i++)
                if (i != 4 && in.gpr[i] != out.gpr[i]) printf(" r%d=%llx", i, (unsigned long long)out.gpr[i]);
            if ((in.rflags ^ out.rflags) & 0x8d5) printf(" fl=%llx", (unsigned long long)(out.rflags & 0x8d5));
            if (in.mxcsr != out.mxcsr) printf(" mx=%x", out.mxcsr);
            for (unsigned i = 0; i < DATA_SIZE;) {
                if (before[i] == mem[i]) { i++; continue; }
                printf(" m%x=", i);
                while (i < DATA_SIZE && before[i] != mem[i]) printf("%02x", mem[i++]);
            }
            printf("\n");
            cases++;
            if (fault_sig && fault_sig != SIGFPE && k == 0) break; /* #GP and #PF do not depend on the data */
        }
    }
    printf("\"\"\";\n}\n");
    fprintf(stderr, "%d forms, %d cases\n", forms, cases);
    return 0;
}
