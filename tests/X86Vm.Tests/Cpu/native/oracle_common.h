/*
 * What the recorded instruction oracles (sse_oracle.c, ssefp_oracle.c) share: the machine state, the runner
 * that loads it, calls one stub and stores it back, the deterministic generator primitives (mirrored in
 * RecordedOracle.cs), the fault handler and the report loop. Each oracle defines ORACLE_SECTION (the name of
 * its form table's section) before including this file, lists its FORMs and calls oracle_main with its
 * initial-state function. The runner loads and stores whole YMM registers (the host needs AVX2); the report
 * prints an upper half (" y<n>=") only when it changed, so legacy-SSE forms report exactly what they did before.
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

struct state {
    uint64_t gpr[16];  /* 0x00 rax rcx rdx rbx rsp(unused) rbp rsi rdi r8..r15 */
    uint64_t rflags;   /* 0x80 */
    uint32_t mxcsr;    /* 0x88 */
    uint32_t pad;
    uint8_t xmm[16][16]; /* 0x90 */
    uint8_t ymmh[16][16]; /* 0x190: bits 255:128 of YMM0-15 */
};

/* ------------------------------------------------------------------ runner */

void run_stub(struct state *s, const void *fn);
extern const char fault_ret[];

__asm__(
    ".text\n.intel_syntax noprefix\n"
    ".globl run_stub\nrun_stub:\n"
    "push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\n"
    "push rdi\npush rsi\nsub rsp, 8\nstmxcsr [rsp]\n" /* [rsp]=host mxcsr [rsp+8]=fn [rsp+16]=state */
    "mov eax, 1\nxor edx, edx\nxrstor [rip+x87_init_area]\n" /* x87 in its initial configuration (XINUSE[0] = 0), as the emulator starts */
    "ldmxcsr [rdi+0x88]\n"
    "movdqu xmm0, [rdi+0x90]\nmovdqu xmm1, [rdi+0xa0]\nmovdqu xmm2, [rdi+0xb0]\nmovdqu xmm3, [rdi+0xc0]\n"
    "movdqu xmm4, [rdi+0xd0]\nmovdqu xmm5, [rdi+0xe0]\nmovdqu xmm6, [rdi+0xf0]\nmovdqu xmm7, [rdi+0x100]\n"
    "movdqu xmm8, [rdi+0x110]\nmovdqu xmm9, [rdi+0x120]\nmovdqu xmm10, [rdi+0x130]\nmovdqu xmm11, [rdi+0x140]\n"
    "movdqu xmm12, [rdi+0x150]\nmovdqu xmm13, [rdi+0x160]\nmovdqu xmm14, [rdi+0x170]\nmovdqu xmm15, [rdi+0x180]\n"
    "vinserti128 ymm0, ymm0, [rdi+0x190], 1\nvinserti128 ymm1, ymm1, [rdi+0x1a0], 1\nvinserti128 ymm2, ymm2, [rdi+0x1b0], 1\nvinserti128 ymm3, ymm3, [rdi+0x1c0], 1\n"
    "vinserti128 ymm4, ymm4, [rdi+0x1d0], 1\nvinserti128 ymm5, ymm5, [rdi+0x1e0], 1\nvinserti128 ymm6, ymm6, [rdi+0x1f0], 1\nvinserti128 ymm7, ymm7, [rdi+0x200], 1\n"
    "vinserti128 ymm8, ymm8, [rdi+0x210], 1\nvinserti128 ymm9, ymm9, [rdi+0x220], 1\nvinserti128 ymm10, ymm10, [rdi+0x230], 1\nvinserti128 ymm11, ymm11, [rdi+0x240], 1\n"
    "vinserti128 ymm12, ymm12, [rdi+0x250], 1\nvinserti128 ymm13, ymm13, [rdi+0x260], 1\nvinserti128 ymm14, ymm14, [rdi+0x270], 1\nvinserti128 ymm15, ymm15, [rdi+0x280], 1\n"
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
    "vextracti128 [rax+0x190], ymm0, 1\nvextracti128 [rax+0x1a0], ymm1, 1\nvextracti128 [rax+0x1b0], ymm2, 1\nvextracti128 [rax+0x1c0], ymm3, 1\n"
    "vextracti128 [rax+0x1d0], ymm4, 1\nvextracti128 [rax+0x1e0], ymm5, 1\nvextracti128 [rax+0x1f0], ymm6, 1\nvextracti128 [rax+0x200], ymm7, 1\n"
    "vextracti128 [rax+0x210], ymm8, 1\nvextracti128 [rax+0x220], ymm9, 1\nvextracti128 [rax+0x230], ymm10, 1\nvextracti128 [rax+0x240], ymm11, 1\n"
    "vextracti128 [rax+0x250], ymm12, 1\nvextracti128 [rax+0x260], ymm13, 1\nvextracti128 [rax+0x270], ymm14, 1\nvextracti128 [rax+0x280], ymm15, 1\n"
    "vzeroupper\n"
    "ldmxcsr [rsp]\nadd rsp, 24\ncld\n"
    "pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\nret\n"
    ".globl fault_ret\nfault_ret:\nret\n" /* a faulting stub resumes here: returns into run_stub */
    ".att_syntax prefix\n");

/* An XSAVE area whose header says every component is in its initial configuration. */
__attribute__((aligned(64), used)) uint8_t x87_init_area[576];

/* ------------------------------------------------------------------ forms */

struct form { const uint8_t *start, *end; const char *text; };

#define ORACLE_STR2(x) #x
#define ORACLE_STR(x) ORACLE_STR2(x)

/* One stub per form: "text; ret" in .text.<section>_stubs, a table entry (start, end, text) in section <section>. */
#define FORM(text)                                                                                   \
    __asm__(".pushsection .text." ORACLE_STR(ORACLE_SECTION) "_stubs,\"ax\",@progbits\n.intel_syntax noprefix\n" \
            "1:\n" text "\n2:\nret\n.att_syntax prefix\n.popsection\n"                                \
            ".pushsection " ORACLE_STR(ORACLE_SECTION) ",\"aw\",@progbits\n.quad 1b, 2b, 3f\n.popsection\n" \
            ".pushsection .rodata." ORACLE_STR(ORACLE_SECTION) "_text,\"a\",@progbits\n3: .asciz \"" text "\"\n" \
            ".popsection\n");

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

/*
 * Runs every form SEEDS times from init_state's machine states and prints the C# table class_name: per case,
 * what changed (XMM, general registers, flags, MXCSR, data bytes) or the signal raised. SIGFPE's si_addr is
 * printed relative to the stub when fpe_relative; a fault other than SIGFPE ends a form after its first case
 * (#GP and #PF do not depend on the data).
 */
static int oracle_main(const struct form *first, const struct form *last, const char *source, const char *class_name,
                       int seeds, void (*init_state)(struct state *, uint8_t *, const char *, int))
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

    printf("// <auto-generated>\n// Produced by native/%s on the real CPU; do not edit. See that file to regenerate.\n"
           "// </auto-generated>\n\nnamespace X86Vm.Tests.Cpu;\n\ninternal static class %s\n{\n"
           "    public const string Text = \"\"\"\n", source, class_name);
    int forms = 0, cases = 0;
    for (const struct form *f = first; f < last; f++) {
        printf("@%s\nb ", f->text);
        for (const uint8_t *p = f->start; p < f->end; p++) printf("%02x", *p);
        printf("\n");
        forms++;
        for (int k = 0; k < seeds; k++) {
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
                if (memcmp(in.ymmh[i], out.ymmh[i], 16)) { printf(" y%d=", i); hex128(out.ymmh[i]); }
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
            if (fault_sig && fault_sig != SIGFPE && k == 0) break;
        }
    }
    printf("\"\"\";\n}\n");
    fprintf(stderr, "%d forms, %d cases\n", forms, cases);
    return 0;
}
