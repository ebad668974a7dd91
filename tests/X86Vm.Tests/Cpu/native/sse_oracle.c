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
#define SEEDS 8

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

/* One stub per form; a table entry (start, end, text) goes to section sse_forms. */
#define FORM(text)                                                                       \
    __asm__(".pushsection .text.sse_stubs,\"ax\",@progbits\n.intel_syntax noprefix\n"    \
            "1:\n" text "\n2:\nret\n.att_syntax prefix\n.popsection\n"                   \
            ".pushsection sse_forms,\"aw\",@progbits\n.quad 1b, 2b, 3f\n.popsection\n"   \
            ".pushsection .rodata.sse_text,\"a\",@progbits\n3: .asciz \"" text "\"\n"    \
            ".popsection\n");

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

extern const struct form __start_sse_forms[], __stop_sse_forms[];

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

static uint64_t fnv1a(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (*t) { h ^= (uint8_t)*t++; h *= 0x100000001b3ull; }
    return h;
}

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

    printf("// <auto-generated>\n// Produced by native/sse_oracle.c on the real CPU; do not edit. See that file to regenerate.\n"
           "// </auto-generated>\n\nnamespace X86Vm.Tests.Cpu;\n\ninternal static class SseOracleData\n{\n"
           "    public const string Text = \"\"\"\n");
    int forms = 0, cases = 0;
    for (const struct form *f = __start_sse_forms; f < __stop_sse_forms; f++) {
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
                printf(" fault=%d/%d/%llx@%llx", fault_sig, fault_code, (unsigned long long)fault_addr,
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
            if (fault_sig && k == 0) break; /* a fault does not depend on the data */
        }
    }
    printf("\"\"\";\n}\n");
    fprintf(stderr, "%d forms, %d cases\n", forms, cases);
    return 0;
}
