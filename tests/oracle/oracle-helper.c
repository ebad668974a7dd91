/*
 * oracle-helper.c -- x86-64 instruction oracle for the x86vm test suite.
 *
 * Runs single x86-64 instructions on the host CPU with a fully specified
 * register/memory state and reports the resulting state (or the signal the
 * instruction raised).  Driven over stdin/stdout by
 * tests/X86Vm.Tests/Oracle/NativeOracle.cs.  Build: gcc -O2 -fno-stack-protector
 *
 * ---------------------------------------------------------------------------
 * Protocol (all little-endian)
 *   request : u32 magic 0x3143524F ("ORC1"), u32 count, count * RECORD
 *   response: u32 magic 0x3143524F,          u32 count, then count * RECORD,
 *             each result written (and flushed) as soon as its case finished,
 *             so if the helper dies the client knows which case killed it.
 *   count 0 is a ping. EOF on stdin -> exit(0).
 *
 * RECORD layout (0x2400 = 9216 bytes; same layout for input and result):
 *   0x0000  u64[16] gpr       RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
 *   0x0080  u64     rflags    in: only CF PF AF ZF SF DF OF (0xCD5) are used
 *   0x0088  u64     fs_base   FS base while the instruction runs
 *   0x0090  u64     gs_base   GS base while the instruction runs
 *   0x0098  u32     code_len  0..15
 *   0x009C  u32     flags     in: reserved (0). out: bit0 = ymm_high valid
 *                             (host has AVX), bit1 = fs/gs base honoured
 *   0x00A0  u8[16]  code      instruction bytes (code_len used)
 *   0x00B0  i32     signal    out: 0 = completed, else signal number
 *   0x00B4  i32     si_code   out
 *   0x00B8  u64     si_addr   out
 *   0x00C0  i64     fault_rip out: RIP at signal minus INSN_ADDR
 *   0x00C8  u64     trapno    out: uc_mcontext REG_TRAPNO (signal only)
 *   0x00D0  u64     err       out: uc_mcontext REG_ERR (signal only)
 *   0x00D8  u64     stray     out: address of first nonzero byte of the data
 *                             region outside the two windows (0 = none)
 *   0x00E0  u8[32]  reserved  (0)
 *   0x0100  u8[512] fx        FXSAVE64 image: FCW@+0 FSW@+2 FTW(abridged)@+4
 *                             FOP@+6 FIP@+8 FDP@+16 MXCSR@+24 MXCSR_MASK@+28
 *                             ST0-7@+32 (16 each) XMM0-15@+160 (16 each)
 *                             in: MXCSR is masked with the host MXCSR_MASK,
 *                             MXCSR_MASK and bytes 416..511 are ignored.
 *   0x0300  u8[256] ymm_high  bits 255:128 of YMM0..15 (16 bytes each)
 *   0x0400  u8[4096] data     memory 0x10000000..0x10000FFF
 *   0x1400  u8[4096] stack    memory 0x1000F000..0x1000FFFF
 *
 * Address space used (all fixed):
 *   0x10000000..0x1000FFFF  data region, RW; bytes outside the two windows
 *                           are zero before every case.
 *   0x10200000..0x10201FFF  code; the instruction starts at INSN_ADDR
 *                           0x10201000 (page aligned), prologue right before
 *                           it, epilogue right after it.  RX while running.
 *   0x10300000..0x10300FFF  control page (save areas, scratch stack).
 * On a signal the result holds the state from the signal's ucontext
 * (registers at the faulting instruction; memory as it was at that point).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include <cpuid.h>

#define MAGIC 0x3143524Fu

#define DATA_ADDR 0x10000000ul
#define DATA_SIZE 0x10000ul
#define WIN_DATA_OFF 0x0000ul
#define WIN_STACK_OFF 0xF000ul
#define WIN_SIZE 0x1000ul

#define CODE_ADDR 0x10200000ul
#define CODE_SIZE 0x2000ul
#define INSN_ADDR 0x10201000ul

/* Control page; addresses are literal so the templates can use them as
 * absolute disp32 operands. */
#define CTL_ADDR        0x10300000ul
#define CTL_HOST_FX     0x10300000 /* 512 */
#define CTL_FX_IN       0x10300200 /* 512 */
#define CTL_FX_OUT      0x10300400 /* 512 */
#define CTL_GPR_IN      0x10300600 /* 128 */
#define CTL_GPR_OUT     0x10300680 /* 128 */
#define CTL_RFLAGS_IN   0x10300700
#define CTL_RFLAGS_OUT  0x10300708
#define CTL_HOST_RSP    0x10300710
#define CTL_HAVE_AVX    0x10300718 /* byte */
#define CTL_HAVE_FSGS   0x10300719 /* byte */
#define CTL_FS_IN       0x10300720
#define CTL_GS_IN       0x10300728
#define CTL_FS_OUT      0x10300730
#define CTL_GS_OUT      0x10300738
#define CTL_HOST_FS     0x10300740
#define CTL_HOST_GS     0x10300748
#define CTL_YMMH_IN     0x10300800 /* 256 */
#define CTL_YMMH_OUT    0x10300900 /* 256 */
#define CTL_SCRATCH_TOP 0x10301000 /* scratch stack grows down from here */

#define CTL(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define CTLB(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define CTLP(a) ((uint8_t *)(uintptr_t)(a))

struct rec {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t fs_base;
    uint64_t gs_base;
    uint32_t code_len;
    uint32_t flags;
    uint8_t code[16];
    int32_t signal;
    int32_t sicode;
    uint64_t siaddr;
    int64_t fault_rip;
    uint64_t trapno;
    uint64_t err;
    uint64_t stray;
    uint8_t reserved[32];
    uint8_t fx[512];
    uint8_t ymmh[256];
    uint8_t data[4096];
    uint8_t stack[4096];
};
_Static_assert(offsetof(struct rec, rflags) == 0x80, "layout");
_Static_assert(offsetof(struct rec, code_len) == 0x98, "layout");
_Static_assert(offsetof(struct rec, code) == 0xA0, "layout");
_Static_assert(offsetof(struct rec, signal) == 0xB0, "layout");
_Static_assert(offsetof(struct rec, fault_rip) == 0xC0, "layout");
_Static_assert(offsetof(struct rec, stray) == 0xD8, "layout");
_Static_assert(offsetof(struct rec, fx) == 0x100, "layout");
_Static_assert(offsetof(struct rec, ymmh) == 0x300, "layout");
_Static_assert(offsetof(struct rec, data) == 0x400, "layout");
_Static_assert(offsetof(struct rec, stack) == 0x1400, "layout");
_Static_assert(sizeof(struct rec) == 0x2400, "layout");

#define XS(x) S_(x)
#define S_(x) #x
#define M(a) "[" XS(a) "]"

/* ------------------------------------------------------------------------
 * Code templates.  Position independent (absolute disp32 operands and short
 * local jumps only); copied into the code page around the instruction.
 * ---------------------------------------------------------------------- */
#define YMM_IN(n, off) "vinsertf128 ymm" #n ", ymm" #n ", XMMWORD PTR [" XS(CTL_YMMH_IN) "+" #off "], 1\n"
#define YMM_OUT(n, off) "vextractf128 XMMWORD PTR [" XS(CTL_YMMH_OUT) "+" #off "], ymm" #n ", 1\n"

__asm__(
    ".intel_syntax noprefix\n"
    ".section .rodata.oracle_tpl,\"a\"\n"
    ".globl oracle_pro_start\n.globl oracle_pro_end\n"
    ".globl oracle_epi_start\n.globl oracle_epi_end\n"
    "oracle_pro_start:\n"
    "push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\n"
    "mov QWORD PTR " M(CTL_HOST_RSP) ", rsp\n"
    "fxsave64 " M(CTL_HOST_FX) "\n"
    "fxrstor64 " M(CTL_FX_IN) "\n"
    "cmp BYTE PTR " M(CTL_HAVE_AVX) ", 0\n"
    "je 1f\n"
    YMM_IN(0, 0x00) YMM_IN(1, 0x10) YMM_IN(2, 0x20) YMM_IN(3, 0x30)
    YMM_IN(4, 0x40) YMM_IN(5, 0x50) YMM_IN(6, 0x60) YMM_IN(7, 0x70)
    YMM_IN(8, 0x80) YMM_IN(9, 0x90) YMM_IN(10, 0xa0) YMM_IN(11, 0xb0)
    YMM_IN(12, 0xc0) YMM_IN(13, 0xd0) YMM_IN(14, 0xe0) YMM_IN(15, 0xf0)
    "1:\n"
    "cmp BYTE PTR " M(CTL_HAVE_FSGS) ", 0\n"
    "je 2f\n"
    "mov rax, QWORD PTR " M(CTL_FS_IN) "\nwrfsbase rax\n"
    "mov rax, QWORD PTR " M(CTL_GS_IN) "\nwrgsbase rax\n"
    "2:\n"
    "mov rsp, " XS(CTL_SCRATCH_TOP) "\n"
    "push QWORD PTR " M(CTL_RFLAGS_IN) "\n"
    "popfq\n"
    "mov rax, QWORD PTR [" XS(CTL_GPR_IN) "+0x00]\n"
    "mov rcx, QWORD PTR [" XS(CTL_GPR_IN) "+0x08]\n"
    "mov rdx, QWORD PTR [" XS(CTL_GPR_IN) "+0x10]\n"
    "mov rbx, QWORD PTR [" XS(CTL_GPR_IN) "+0x18]\n"
    "mov rsp, QWORD PTR [" XS(CTL_GPR_IN) "+0x20]\n"
    "mov rbp, QWORD PTR [" XS(CTL_GPR_IN) "+0x28]\n"
    "mov rsi, QWORD PTR [" XS(CTL_GPR_IN) "+0x30]\n"
    "mov rdi, QWORD PTR [" XS(CTL_GPR_IN) "+0x38]\n"
    "mov r8,  QWORD PTR [" XS(CTL_GPR_IN) "+0x40]\n"
    "mov r9,  QWORD PTR [" XS(CTL_GPR_IN) "+0x48]\n"
    "mov r10, QWORD PTR [" XS(CTL_GPR_IN) "+0x50]\n"
    "mov r11, QWORD PTR [" XS(CTL_GPR_IN) "+0x58]\n"
    "mov r12, QWORD PTR [" XS(CTL_GPR_IN) "+0x60]\n"
    "mov r13, QWORD PTR [" XS(CTL_GPR_IN) "+0x68]\n"
    "mov r14, QWORD PTR [" XS(CTL_GPR_IN) "+0x70]\n"
    "mov r15, QWORD PTR [" XS(CTL_GPR_IN) "+0x78]\n"
    "oracle_pro_end:\n"

    "oracle_epi_start:\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x00], rax\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x08], rcx\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x10], rdx\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x18], rbx\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x20], rsp\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x28], rbp\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x30], rsi\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x38], rdi\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x40], r8\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x48], r9\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x50], r10\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x58], r11\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x60], r12\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x68], r13\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x70], r14\n"
    "mov QWORD PTR [" XS(CTL_GPR_OUT) "+0x78], r15\n"
    "mov rsp, " XS(CTL_SCRATCH_TOP) "\n"
    "pushfq\n"
    "pop QWORD PTR " M(CTL_RFLAGS_OUT) "\n"
    "push 0x202\n"
    "popfq\n" /* clears DF, AC, TF for the host */
    "fxsave64 " M(CTL_FX_OUT) "\n"
    "cmp BYTE PTR " M(CTL_HAVE_AVX) ", 0\n"
    "je 1f\n"
    YMM_OUT(0, 0x00) YMM_OUT(1, 0x10) YMM_OUT(2, 0x20) YMM_OUT(3, 0x30)
    YMM_OUT(4, 0x40) YMM_OUT(5, 0x50) YMM_OUT(6, 0x60) YMM_OUT(7, 0x70)
    YMM_OUT(8, 0x80) YMM_OUT(9, 0x90) YMM_OUT(10, 0xa0) YMM_OUT(11, 0xb0)
    YMM_OUT(12, 0xc0) YMM_OUT(13, 0xd0) YMM_OUT(14, 0xe0) YMM_OUT(15, 0xf0)
    "vzeroupper\n"
    "1:\n"
    "fxrstor64 " M(CTL_HOST_FX) "\n"
    "cmp BYTE PTR " M(CTL_HAVE_FSGS) ", 0\n"
    "je 2f\n"
    "rdfsbase rax\nmov QWORD PTR " M(CTL_FS_OUT) ", rax\n"
    "rdgsbase rax\nmov QWORD PTR " M(CTL_GS_OUT) ", rax\n"
    "mov rax, QWORD PTR " M(CTL_HOST_FS) "\nwrfsbase rax\n"
    "mov rax, QWORD PTR " M(CTL_HOST_GS) "\nwrgsbase rax\n"
    "2:\n"
    "mov rsp, QWORD PTR " M(CTL_HOST_RSP) "\n"
    "pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\n"
    "ret\n"
    "oracle_epi_end:\n"
    ".text\n"
    ".att_syntax prefix\n");

extern const uint8_t oracle_pro_start[], oracle_pro_end[];
extern const uint8_t oracle_epi_start[], oracle_epi_end[];

/* ------------------------------------------------------------------------ */

static volatile sig_atomic_t in_guest;
static volatile uint8_t sud_selector; /* syscall user dispatch selector */
static int have_sud, have_avx, have_fsgs;
static unsigned avx_xsave_offset = 576;
static uint32_t mxcsr_mask = 0xFFBF;
static struct rec *cur_out;
static sigjmp_buf guest_jmp;
static uint64_t host_fs, host_gs; /* for the no-FSGSBASE fallback */
static uint8_t host_fx[512] __attribute__((aligned(64)));
static unsigned timeout_ms = 2000;

static void die(const char *msg)
{
    fprintf(stderr, "oracle-helper: %s (errno %d: %s)\n", msg, errno, strerror(errno));
    exit(2);
}

static inline long raw_syscall2(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}
#define SYS_ARCH_PRCTL 158
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* Put the host's FS/GS bases back; must run before anything touches TLS. */
static inline __attribute__((always_inline)) void restore_host_segs(uint64_t *fs_out, uint64_t *gs_out)
{
    if (have_fsgs) {
        uint64_t fs, gs;
        __asm__ volatile("rdfsbase %0\n\trdgsbase %1" : "=r"(fs), "=r"(gs));
        *fs_out = fs;
        *gs_out = gs;
        __asm__ volatile("wrfsbase %0\n\twrgsbase %1" ::"r"(CTL(CTL_HOST_FS)), "r"(CTL(CTL_HOST_GS)) : "memory");
    } else {
        uint64_t fs = 0, gs = 0;
        raw_syscall2(SYS_ARCH_PRCTL, ARCH_GET_FS, (long)&fs);
        raw_syscall2(SYS_ARCH_PRCTL, ARCH_GET_GS, (long)&gs);
        *fs_out = fs;
        *gs_out = gs;
        raw_syscall2(SYS_ARCH_PRCTL, ARCH_SET_FS, (long)host_fs);
        raw_syscall2(SYS_ARCH_PRCTL, ARCH_SET_GS, (long)host_gs);
    }
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
    /* The kernel does not clear EFLAGS.AC for the handler: do it before any
     * possibly misaligned access.  Then let syscalls through again. */
    __asm__ volatile("pushfq\n\tandl $0xFFFBFFFF, (%%rsp)\n\tpopfq" ::: "memory", "cc");
    sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    if (!in_guest) {
        if (sig == SIGALRM)
            return; /* stale timer */
        /* A fault in the helper itself: die loudly with the default action. */
        signal(sig, SIG_DFL);
        return; /* re-executes the faulting instruction -> default action */
    }
    in_guest = 0;
    uint64_t fs, gs;
    restore_host_segs(&fs, &gs);

    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    struct rec *o = cur_out;
    o->gpr[0] = g[REG_RAX];
    o->gpr[1] = g[REG_RCX];
    o->gpr[2] = g[REG_RDX];
    o->gpr[3] = g[REG_RBX];
    o->gpr[4] = g[REG_RSP];
    o->gpr[5] = g[REG_RBP];
    o->gpr[6] = g[REG_RSI];
    o->gpr[7] = g[REG_RDI];
    o->gpr[8] = g[REG_R8];
    o->gpr[9] = g[REG_R9];
    o->gpr[10] = g[REG_R10];
    o->gpr[11] = g[REG_R11];
    o->gpr[12] = g[REG_R12];
    o->gpr[13] = g[REG_R13];
    o->gpr[14] = g[REG_R14];
    o->gpr[15] = g[REG_R15];
    o->rflags = g[REG_EFL];
    o->fs_base = fs;
    o->gs_base = gs;
    o->signal = sig;
    o->sicode = si->si_code;
    o->siaddr = (uint64_t)(uintptr_t)si->si_addr;
    o->fault_rip = (int64_t)(g[REG_RIP] - INSN_ADDR);
    o->trapno = g[REG_TRAPNO];
    o->err = g[REG_ERR];
    memset(o->ymmh, 0, sizeof o->ymmh);
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    if (fp) {
        memcpy(o->fx, fp, 512);
        uint32_t magic1;
        memcpy(&magic1, fp + 464, 4);
        if (have_avx && magic1 == 0x46505853u /* FP_XSTATE_MAGIC1 */) {
            uint64_t xstate_bv;
            memcpy(&xstate_bv, fp + 512, 8);
            if (xstate_bv & 4)
                memcpy(o->ymmh, fp + avx_xsave_offset, 256);
        }
    }
    siglongjmp(guest_jmp, 1);
}

static void write_all(const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write(stdout)");
        p += w;
        n -= (size_t)w;
    }
}

/* Returns 0 on EOF before the first byte, 1 on success; dies on short read. */
static int read_all(void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(0, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read(stdin)");
        if (r == 0) {
            if (got == 0)
                return 0;
            errno = 0;
            die("truncated request on stdin");
        }
        got += (size_t)r;
    }
    return 1;
}

static void set_timer(unsigned ms)
{
    struct itimerval it = {0};
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

static void *map_fixed(uintptr_t addr, size_t size, int prot)
{
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        die("mmap fixed");
    if ((uintptr_t)p != addr) {
        errno = EEXIST;
        die("mmap fixed: kernel ignored MAP_FIXED_NOREPLACE");
    }
    return p;
}

static void detect_features(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
        if (osxsave && avx) {
            uint32_t lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            if ((lo & 6) == 6)
                have_avx = 1;
        }
    }
    if (have_avx && __get_cpuid_count(0xD, 2, &a, &b, &c, &d) && a == 256)
        avx_xsave_offset = b;
    unsigned long hwcap2 = getauxval(AT_HWCAP2);
    have_fsgs = (hwcap2 & 2) != 0; /* HWCAP2_FSGSBASE */

    __asm__ volatile("fxsave64 %0" : "=m"(host_fx));
    uint32_t mm;
    memcpy(&mm, host_fx + 28, 4);
    mxcsr_mask = mm ? mm : 0xFFBF;
}

static void run_case(const struct rec *in, struct rec *out)
{
    uint8_t *data = (uint8_t *)DATA_ADDR;
    uint8_t *code = (uint8_t *)CODE_ADDR;
    size_t pro_len = (size_t)(oracle_pro_end - oracle_pro_start);
    size_t epi_len = (size_t)(oracle_epi_end - oracle_epi_start);
    uint32_t len = in->code_len > 15 ? 15 : in->code_len;

    memset(out, 0, offsetof(struct rec, fx));
    out->code_len = len;
    memcpy(out->code, in->code, len);

    /* memory windows (the gap is kept zero by the scan below) */
    memcpy(data + WIN_DATA_OFF, in->data, WIN_SIZE);
    memcpy(data + WIN_STACK_OFF, in->stack, WIN_SIZE);

    /* code */
    uint8_t *insn = code + (INSN_ADDR - CODE_ADDR);
    memset(insn, 0xCC, 15 + epi_len + 16);
    memcpy(insn - pro_len, oracle_pro_start, pro_len);
    memcpy(insn, in->code, len);
    memcpy(insn + len, oracle_epi_start, epi_len);
    if (mprotect(code, CODE_SIZE, PROT_READ | PROT_EXEC))
        die("mprotect RX");

    /* control block */
    for (int i = 0; i < 16; i++)
        CTL(CTL_GPR_IN + 8 * i) = in->gpr[i];
    CTL(CTL_RFLAGS_IN) = (in->rflags & 0xCD5) | 2;
    CTL(CTL_FS_IN) = in->fs_base;
    CTL(CTL_GS_IN) = in->gs_base;
    uint8_t *fxin = CTLP(CTL_FX_IN);
    memcpy(fxin, in->fx, 416);
    memset(fxin + 416, 0, 96);
    uint32_t mx;
    memcpy(&mx, fxin + 24, 4);
    mx &= mxcsr_mask;
    memcpy(fxin + 24, &mx, 4);
    memset(fxin + 28, 0, 4);
    memcpy(CTLP(CTL_YMMH_IN), in->ymmh, 256);
    memset(CTLP(CTL_FX_OUT), 0, 512);
    memset(CTLP(CTL_YMMH_OUT), 0, 256);

    void (*entry)(void) = (void (*)(void))(uintptr_t)(insn - pro_len);
    cur_out = out;
    if (sigsetjmp(guest_jmp, 1) == 0) {
        set_timer(timeout_ms);
        if (!have_fsgs) {
            raw_syscall2(SYS_ARCH_PRCTL, ARCH_SET_GS, (long)in->gs_base);
            raw_syscall2(SYS_ARCH_PRCTL, ARCH_SET_FS, (long)in->fs_base);
        }
        in_guest = 1;
        if (have_sud)
            sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
        __asm__ volatile("" ::: "memory");
        entry();
        __asm__ volatile("" ::: "memory");
        sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
        in_guest = 0;
        if (!have_fsgs) {
            uint64_t fs, gs;
            restore_host_segs(&fs, &gs);
            CTL(CTL_FS_OUT) = fs;
            CTL(CTL_GS_OUT) = gs;
        }
        set_timer(0);
        for (int i = 0; i < 16; i++)
            out->gpr[i] = CTL(CTL_GPR_OUT + 8 * i);
        out->rflags = CTL(CTL_RFLAGS_OUT);
        out->fs_base = CTL(CTL_FS_OUT);
        out->gs_base = CTL(CTL_GS_OUT);
        memcpy(out->fx, CTLP(CTL_FX_OUT), 512);
        memcpy(out->ymmh, CTLP(CTL_YMMH_OUT), 256);
    } else {
        /* came back from the signal handler: out already filled */
        set_timer(0);
        __asm__ volatile("fxrstor64 %0\n\tcld" ::"m"(host_fx));
        if (have_avx)
            __asm__ volatile("vzeroupper");
    }
    out->flags = (have_avx ? 1u : 0u) | 2u;

    if (mprotect(code, CODE_SIZE, PROT_READ | PROT_WRITE))
        die("mprotect RW");

    memcpy(out->data, data + WIN_DATA_OFF, WIN_SIZE);
    memcpy(out->stack, data + WIN_STACK_OFF, WIN_SIZE);
    /* Scan the gap for stray writes, and re-zero it if dirty. */
    const uint64_t *gap = (const uint64_t *)(data + WIN_DATA_OFF + WIN_SIZE);
    size_t nq = (WIN_STACK_OFF - WIN_DATA_OFF - WIN_SIZE) / 8;
    for (size_t i = 0; i < nq; i++) {
        if (gap[i]) {
            const uint8_t *b = (const uint8_t *)&gap[i];
            int k = 0;
            while (!b[k])
                k++;
            out->stray = (uint64_t)(uintptr_t)(b + k);
            memset(data + WIN_DATA_OFF + WIN_SIZE, 0, WIN_STACK_OFF - WIN_DATA_OFF - WIN_SIZE);
            break;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        timeout_ms = (unsigned)strtoul(argv[1], NULL, 0);
    if (timeout_ms == 0)
        timeout_ms = 2000;

    detect_features();
    map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE);
    uint8_t *code = map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE);
    memset(code, 0xCC, CODE_SIZE);
    map_fixed(CTL_ADDR, 0x1000, PROT_READ | PROT_WRITE);
    CTLB(CTL_HAVE_AVX) = (uint8_t)have_avx;
    CTLB(CTL_HAVE_FSGS) = (uint8_t)have_fsgs;
    /* The host FS/GS bases never change (single thread): record them once. */
    raw_syscall2(SYS_ARCH_PRCTL, ARCH_GET_FS, (long)&host_fs);
    raw_syscall2(SYS_ARCH_PRCTL, ARCH_GET_GS, (long)&host_gs);
    CTL(CTL_HOST_FS) = host_fs;
    CTL(CTL_HOST_GS) = host_gs;

    stack_t ss;
    ss.ss_size = 256 * 1024;
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ss.ss_flags = 0;
    if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
        die("sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL))
            die("sigaction");

    /* Block syscalls made by guest code (SIGSYS instead), if the kernel can. */
    sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &sud_selector) == 0)
        have_sud = 1;

    struct rec *in = NULL, *out = NULL;
    size_t cap = 0;
    for (;;) {
        uint32_t hdr[2];
        if (!read_all(hdr, sizeof hdr))
            return 0;
        if (hdr[0] != MAGIC) {
            errno = 0;
            die("bad request magic");
        }
        uint32_t n = hdr[1];
        if (n > cap) {
            free(in);
            in = malloc((size_t)n * sizeof *in);
            free(out);
            out = malloc(sizeof *out);
            if (!in || !out)
                die("malloc");
            cap = n;
        }
        if (n && !read_all(in, (size_t)n * sizeof *in)) {
            errno = 0;
            die("truncated request on stdin");
        }
        write_all(hdr, sizeof hdr);
        for (uint32_t i = 0; i < n; i++) {
            run_case(&in[i], out);
            write_all(out, sizeof *out);
        }
    }
}
