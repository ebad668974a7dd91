/* interp.c - a small stack-based bytecode interpreter.
 *
 * A runtime assembler builds several bytecode programs (prime sieve by
 * trial division, recursive Fibonacci via CALL/RET, Collatz, GCD, bubble
 * sort over VM memory, a nested-loop checksum). Each program is executed by
 * two dispatchers - a switch (jump table) and GNU computed goto (indirect
 * jumps through a label table) - whose outputs and step counts must agree.
 * Exit status: the final checksum & 0x7f if all self-checks pass (printed
 * on the last line), 255 if any self-check fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int failures;
static uint64_t ck = 0xCBF29CE484222325ull;
static void mix(uint64_t v)
{
    ck = (ck ^ v) * 0x100000001B3ull;
    ck ^= ck >> 29;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

enum op {
    OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_OVER, OP_SWAP, OP_ADD, OP_SUB, OP_MUL,
    OP_DIV, OP_MOD, OP_NEG, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_LE,
    OP_EQ, OP_NE, OP_GT, OP_JMP, OP_JZ, OP_JNZ, OP_LOAD, OP_STORE, OP_INC,
    OP_GLOAD, OP_GSTORE, OP_CALL, OP_RET, OP_PRINT, OP_NOP, NOPS
};
static const char *const opnames[NOPS] = {
    "halt", "push", "pop", "dup", "over", "swap", "add", "sub", "mul", "div", "mod",
    "neg", "and", "or", "xor", "shl", "shr", "lt", "le", "eq", "ne", "gt", "jmp", "jz",
    "jnz", "load", "store", "inc", "gload", "gstore", "call", "ret", "print", "nop"};

/* ---------------- assembler ---------------- */
#define MAXCODE 4096
#define MAXLABELS 64
static int64_t code[MAXCODE];
static int ncode;
static int label_at[MAXLABELS];
static struct {
    int pos, label;
} fixups[512];
static int nfix;

static void asm_reset(void)
{
    ncode = 0;
    nfix = 0;
    memset(label_at, -1, sizeof label_at);
}
static void E(enum op o) { code[ncode++] = o; }
static void EI(enum op o, int64_t imm)
{
    code[ncode++] = o;
    code[ncode++] = imm;
}
static void EJ(enum op o, int label)
{
    code[ncode++] = o;
    fixups[nfix].pos = ncode;
    fixups[nfix++].label = label;
    code[ncode++] = -1;
}
static void ECALL(int label, int nargs)
{
    EJ(OP_CALL, label);
    code[ncode++] = nargs;
}
static void L(int label) { label_at[label] = ncode; }
static void asm_link(void)
{
    int i;
    for (i = 0; i < nfix; i++) {
        CHECK(label_at[fixups[i].label] >= 0);
        code[fixups[i].pos] = label_at[fixups[i].label];
    }
}

/* ---------------- VM state ---------------- */
#define STACK 1024
#define FRAMES 256
#define NLOCALS 8
#define MEM 1024

struct vm {
    int64_t stack[STACK];
    int sp;
    int64_t locals[FRAMES][NLOCALS];
    int retpc[FRAMES];
    int fp;
    int64_t mem[MEM];
    uint64_t steps;
    uint64_t out_hash;
    int nout;
    int print;
};

static void vm_init(struct vm *m, int print)
{
    memset(m, 0, sizeof *m);
    m->print = print;
    m->out_hash = 1;
}

static void vm_out(struct vm *m, int64_t v)
{
    m->out_hash = m->out_hash * 1000003 ^ (uint64_t)v;
    m->nout++;
    if (m->print)
        printf("%lld%c", (long long)v, m->nout % 16 ? ' ' : '\n');
}

/* Arithmetic helpers with defined wraparound and no traps. */
static int64_t wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wsub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static int64_t sdiv(int64_t a, int64_t b) { return (b == 0 || (b == -1 && a == INT64_MIN)) ? 0 : a / b; }
static int64_t smod(int64_t a, int64_t b) { return (b == 0 || b == -1) ? 0 : a % b; }

/* Dispatcher 1: switch */
static int64_t run_switch(struct vm *m)
{
    int pc = 0;
    int64_t *st = m->stack;
    int sp = 0;
    for (;;) {
        int64_t a, b;
        m->steps++;
        switch ((enum op)code[pc++]) {
        case OP_HALT: m->sp = sp; return sp ? st[sp - 1] : 0;
        case OP_PUSH: st[sp++] = code[pc++]; break;
        case OP_POP: sp--; break;
        case OP_DUP: st[sp] = st[sp - 1]; sp++; break;
        case OP_OVER: st[sp] = st[sp - 2]; sp++; break;
        case OP_SWAP: a = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = a; break;
        case OP_ADD: b = st[--sp]; st[sp - 1] = wadd(st[sp - 1], b); break;
        case OP_SUB: b = st[--sp]; st[sp - 1] = wsub(st[sp - 1], b); break;
        case OP_MUL: b = st[--sp]; st[sp - 1] = wmul(st[sp - 1], b); break;
        case OP_DIV: b = st[--sp]; st[sp - 1] = sdiv(st[sp - 1], b); break;
        case OP_MOD: b = st[--sp]; st[sp - 1] = smod(st[sp - 1], b); break;
        case OP_NEG: st[sp - 1] = wsub(0, st[sp - 1]); break;
        case OP_AND: b = st[--sp]; st[sp - 1] &= b; break;
        case OP_OR: b = st[--sp]; st[sp - 1] |= b; break;
        case OP_XOR: b = st[--sp]; st[sp - 1] ^= b; break;
        case OP_SHL: b = st[--sp]; st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] << (b & 63)); break;
        case OP_SHR: b = st[--sp]; st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] >> (b & 63)); break;
        case OP_LT: b = st[--sp]; st[sp - 1] = st[sp - 1] < b; break;
        case OP_LE: b = st[--sp]; st[sp - 1] = st[sp - 1] <= b; break;
        case OP_EQ: b = st[--sp]; st[sp - 1] = st[sp - 1] == b; break;
        case OP_NE: b = st[--sp]; st[sp - 1] = st[sp - 1] != b; break;
        case OP_GT: b = st[--sp]; st[sp - 1] = st[sp - 1] > b; break;
        case OP_JMP: pc = (int)code[pc]; break;
        case OP_JZ: a = st[--sp]; pc = a ? pc + 1 : (int)code[pc]; break;
        case OP_JNZ: a = st[--sp]; pc = a ? (int)code[pc] : pc + 1; break;
        case OP_LOAD: st[sp++] = m->locals[m->fp][code[pc++]]; break;
        case OP_STORE: m->locals[m->fp][code[pc++]] = st[--sp]; break;
        case OP_INC: m->locals[m->fp][code[pc]] = wadd(m->locals[m->fp][code[pc]], 1); pc++; break;
        case OP_GLOAD: st[sp - 1] = m->mem[(uint64_t)st[sp - 1] % MEM]; break;
        case OP_GSTORE: b = st[--sp]; a = st[--sp]; m->mem[(uint64_t)a % MEM] = b; break;
        case OP_CALL: {
            int target = (int)code[pc], nargs = (int)code[pc + 1], i;
            m->retpc[m->fp] = pc + 2;
            m->fp++;
            memset(m->locals[m->fp], 0, sizeof m->locals[0]);
            for (i = nargs - 1; i >= 0; i--)
                m->locals[m->fp][i] = st[--sp];
            pc = target;
            break;
        }
        case OP_RET:
            m->fp--;
            pc = m->retpc[m->fp];
            break;
        case OP_PRINT: vm_out(m, st[--sp]); break;
        case OP_NOP: break;
        default:
            printf("bad opcode %lld at %d\n", (long long)code[pc - 1], pc - 1);
            failures++;
            return -1;
        }
    }
}

/* Dispatcher 2: computed goto (direct threading via a label table) */
static int64_t run_goto(struct vm *m)
{
    static const void *const tbl[NOPS] = {
        &&l_halt, &&l_push, &&l_pop, &&l_dup, &&l_over, &&l_swap, &&l_add, &&l_sub,
        &&l_mul, &&l_div, &&l_mod, &&l_neg, &&l_and, &&l_or, &&l_xor, &&l_shl, &&l_shr,
        &&l_lt, &&l_le, &&l_eq, &&l_ne, &&l_gt, &&l_jmp, &&l_jz, &&l_jnz, &&l_load,
        &&l_store, &&l_inc, &&l_gload, &&l_gstore, &&l_call, &&l_ret, &&l_print, &&l_nop};
    int pc = 0;
    int64_t *st = m->stack;
    int sp = 0;
    int64_t a, b;
#define NEXT                                                            \
    do {                                                                \
        m->steps++;                                                     \
        goto *tbl[code[pc++]];                                          \
    } while (0)
    NEXT;
l_halt: m->sp = sp; return sp ? st[sp - 1] : 0;
l_push: st[sp++] = code[pc++]; NEXT;
l_pop: sp--; NEXT;
l_dup: st[sp] = st[sp - 1]; sp++; NEXT;
l_over: st[sp] = st[sp - 2]; sp++; NEXT;
l_swap: a = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = a; NEXT;
l_add: b = st[--sp]; st[sp - 1] = wadd(st[sp - 1], b); NEXT;
l_sub: b = st[--sp]; st[sp - 1] = wsub(st[sp - 1], b); NEXT;
l_mul: b = st[--sp]; st[sp - 1] = wmul(st[sp - 1], b); NEXT;
l_div: b = st[--sp]; st[sp - 1] = sdiv(st[sp - 1], b); NEXT;
l_mod: b = st[--sp]; st[sp - 1] = smod(st[sp - 1], b); NEXT;
l_neg: st[sp - 1] = wsub(0, st[sp - 1]); NEXT;
l_and: b = st[--sp]; st[sp - 1] &= b; NEXT;
l_or: b = st[--sp]; st[sp - 1] |= b; NEXT;
l_xor: b = st[--sp]; st[sp - 1] ^= b; NEXT;
l_shl: b = st[--sp]; st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] << (b & 63)); NEXT;
l_shr: b = st[--sp]; st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] >> (b & 63)); NEXT;
l_lt: b = st[--sp]; st[sp - 1] = st[sp - 1] < b; NEXT;
l_le: b = st[--sp]; st[sp - 1] = st[sp - 1] <= b; NEXT;
l_eq: b = st[--sp]; st[sp - 1] = st[sp - 1] == b; NEXT;
l_ne: b = st[--sp]; st[sp - 1] = st[sp - 1] != b; NEXT;
l_gt: b = st[--sp]; st[sp - 1] = st[sp - 1] > b; NEXT;
l_jmp: pc = (int)code[pc]; NEXT;
l_jz: a = st[--sp]; pc = a ? pc + 1 : (int)code[pc]; NEXT;
l_jnz: a = st[--sp]; pc = a ? (int)code[pc] : pc + 1; NEXT;
l_load: st[sp++] = m->locals[m->fp][code[pc++]]; NEXT;
l_store: m->locals[m->fp][code[pc++]] = st[--sp]; NEXT;
l_inc: m->locals[m->fp][code[pc]] = wadd(m->locals[m->fp][code[pc]], 1); pc++; NEXT;
l_gload: st[sp - 1] = m->mem[(uint64_t)st[sp - 1] % MEM]; NEXT;
l_gstore: b = st[--sp]; a = st[--sp]; m->mem[(uint64_t)a % MEM] = b; NEXT;
l_call: {
        int target = (int)code[pc], nargs = (int)code[pc + 1], i;
        m->retpc[m->fp] = pc + 2;
        m->fp++;
        memset(m->locals[m->fp], 0, sizeof m->locals[0]);
        for (i = nargs - 1; i >= 0; i--)
            m->locals[m->fp][i] = st[--sp];
        pc = target;
        NEXT;
    }
l_ret: m->fp--; pc = m->retpc[m->fp]; NEXT;
l_print: vm_out(m, st[--sp]); NEXT;
l_nop: NEXT;
#undef NEXT
}

/* ---------------- programs ---------------- */
/* for (n = 2; n < limit; n++) { is prime by trial division? print; count++ } */
static void prog_primes(int64_t limit)
{
    enum { N = 0, D = 1, CNT = 2 };
    asm_reset();
    EI(OP_PUSH, 2); EI(OP_STORE, N);
    L(1); /* outer loop */
    EI(OP_LOAD, N); EI(OP_PUSH, limit); E(OP_LT); EJ(OP_JZ, 9);
    EI(OP_PUSH, 2); EI(OP_STORE, D);
    L(2); /* inner: while d*d <= n */
    EI(OP_LOAD, D); EI(OP_LOAD, D); E(OP_MUL); EI(OP_LOAD, N); E(OP_LE); EJ(OP_JZ, 4);
    EI(OP_LOAD, N); EI(OP_LOAD, D); E(OP_MOD); EJ(OP_JZ, 5); /* divisible -> not prime */
    EI(OP_INC, D); EJ(OP_JMP, 2);
    L(4); /* prime */
    EI(OP_LOAD, N); EI(OP_PUSH, 300); E(OP_LT); EJ(OP_JZ, 6);
    EI(OP_LOAD, N); E(OP_PRINT);
    L(6);
    EI(OP_INC, CNT);
    L(5);
    EI(OP_INC, N); EJ(OP_JMP, 1);
    L(9);
    EI(OP_LOAD, CNT); E(OP_HALT);
    asm_link();
}

/* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2), via CALL/RET; print fib(0..n) */
static void prog_fib(int64_t n)
{
    asm_reset();
    /* main: for i in 0..n: print fib(i) */
    EI(OP_PUSH, 0); EI(OP_STORE, 0);
    L(1);
    EI(OP_LOAD, 0); EI(OP_PUSH, n); E(OP_LE); EJ(OP_JZ, 2);
    EI(OP_LOAD, 0); ECALL(10, 1); E(OP_DUP); E(OP_PRINT); EI(OP_STORE, 1);
    EI(OP_INC, 0); EJ(OP_JMP, 1);
    L(2);
    EI(OP_LOAD, 1); E(OP_HALT);
    /* fib */
    L(10);
    EI(OP_LOAD, 0); EI(OP_PUSH, 2); E(OP_LT); EJ(OP_JZ, 11);
    EI(OP_LOAD, 0); E(OP_RET);
    L(11);
    EI(OP_LOAD, 0); EI(OP_PUSH, 1); E(OP_SUB); ECALL(10, 1);
    EI(OP_LOAD, 0); EI(OP_PUSH, 2); E(OP_SUB); ECALL(10, 1);
    E(OP_ADD); E(OP_RET);
    asm_link();
}

/* longest Collatz chain for start < limit; prints new records */
static void prog_collatz(int64_t limit)
{
    enum { S = 0, X = 1, LEN = 2, BEST = 3, ARG = 4 };
    asm_reset();
    EI(OP_PUSH, 1); EI(OP_STORE, S);
    L(1);
    EI(OP_LOAD, S); EI(OP_PUSH, limit); E(OP_LT); EJ(OP_JZ, 9);
    EI(OP_LOAD, S); EI(OP_STORE, X); EI(OP_PUSH, 0); EI(OP_STORE, LEN);
    L(2);
    EI(OP_LOAD, X); EI(OP_PUSH, 1); E(OP_NE); EJ(OP_JZ, 5);
    EI(OP_LOAD, X); EI(OP_PUSH, 1); E(OP_AND); EJ(OP_JZ, 3);
    EI(OP_LOAD, X); EI(OP_PUSH, 3); E(OP_MUL); EI(OP_PUSH, 1); E(OP_ADD); EI(OP_STORE, X);
    EJ(OP_JMP, 4);
    L(3);
    EI(OP_LOAD, X); EI(OP_PUSH, 1); E(OP_SHR); EI(OP_STORE, X);
    L(4);
    EI(OP_INC, LEN); EJ(OP_JMP, 2);
    L(5);
    EI(OP_LOAD, LEN); EI(OP_LOAD, BEST); E(OP_GT); EJ(OP_JZ, 6);
    EI(OP_LOAD, LEN); EI(OP_STORE, BEST); EI(OP_LOAD, S); EI(OP_STORE, ARG);
    EI(OP_LOAD, S); E(OP_PRINT); EI(OP_LOAD, LEN); E(OP_PRINT);
    L(6);
    EI(OP_INC, S); EJ(OP_JMP, 1);
    L(9);
    EI(OP_LOAD, ARG); E(OP_HALT);
    asm_link();
}

/* gcd(a, b) by Euclid (a function); sum gcd(i, j) for 1 <= i, j <= n */
static void prog_gcd(int64_t n)
{
    enum { I = 0, J = 1, SUM = 2 };
    asm_reset();
    EI(OP_PUSH, 1); EI(OP_STORE, I);
    L(1);
    EI(OP_LOAD, I); EI(OP_PUSH, n); E(OP_LE); EJ(OP_JZ, 9);
    EI(OP_PUSH, 1); EI(OP_STORE, J);
    L(2);
    EI(OP_LOAD, J); EI(OP_PUSH, n); E(OP_LE); EJ(OP_JZ, 3);
    EI(OP_LOAD, I); EI(OP_LOAD, J); ECALL(20, 2);
    EI(OP_LOAD, SUM); E(OP_ADD); EI(OP_STORE, SUM);
    EI(OP_INC, J); EJ(OP_JMP, 2);
    L(3);
    EI(OP_LOAD, SUM); E(OP_PRINT);
    EI(OP_INC, I); EJ(OP_JMP, 1);
    L(9);
    EI(OP_LOAD, SUM); E(OP_HALT);
    /* gcd(a=0, b=1) */
    L(20);
    EI(OP_LOAD, 1); EJ(OP_JZ, 21);
    EI(OP_LOAD, 0); EI(OP_LOAD, 1); E(OP_MOD); /* a % b */
    EI(OP_LOAD, 1); EI(OP_STORE, 0); EI(OP_STORE, 1);
    EJ(OP_JMP, 20);
    L(21);
    EI(OP_LOAD, 0); E(OP_RET);
    asm_link();
}

/* fill mem[0..n) with an LCG, bubble sort it, print every 16th element */
static void prog_bubble(int64_t n)
{
    enum { I = 0, J = 1, X = 2, SWAPS = 3 };
    asm_reset();
    EI(OP_PUSH, 12345); EI(OP_STORE, X);
    EI(OP_PUSH, 0); EI(OP_STORE, I);
    L(1);
    EI(OP_LOAD, I); EI(OP_PUSH, n); E(OP_LT); EJ(OP_JZ, 2);
    EI(OP_LOAD, X); EI(OP_PUSH, 1103515245); E(OP_MUL); EI(OP_PUSH, 12345); E(OP_ADD);
    EI(OP_PUSH, 0x7FFFFFFF); E(OP_AND); EI(OP_STORE, X);
    EI(OP_LOAD, I); EI(OP_LOAD, X); EI(OP_PUSH, 10000); E(OP_MOD); E(OP_GSTORE);
    EI(OP_INC, I); EJ(OP_JMP, 1);
    L(2);
    EI(OP_PUSH, 0); EI(OP_STORE, I);
    L(3); /* for i in 0..n-1 */
    EI(OP_LOAD, I); EI(OP_PUSH, n - 1); E(OP_LT); EJ(OP_JZ, 8);
    EI(OP_PUSH, 0); EI(OP_STORE, J);
    L(4); /* for j in 0..n-1-i */
    EI(OP_LOAD, J); EI(OP_PUSH, n - 1); EI(OP_LOAD, I); E(OP_SUB); E(OP_LT); EJ(OP_JZ, 7);
    EI(OP_LOAD, J); E(OP_GLOAD); EI(OP_LOAD, J); EI(OP_PUSH, 1); E(OP_ADD); E(OP_GLOAD);
    E(OP_GT); EJ(OP_JZ, 6);
    /* swap mem[j], mem[j+1] */
    EI(OP_LOAD, J); E(OP_GLOAD); EI(OP_STORE, X);
    EI(OP_LOAD, J); EI(OP_LOAD, J); EI(OP_PUSH, 1); E(OP_ADD); E(OP_GLOAD); E(OP_GSTORE);
    EI(OP_LOAD, J); EI(OP_PUSH, 1); E(OP_ADD); EI(OP_LOAD, X); E(OP_GSTORE);
    EI(OP_INC, SWAPS);
    L(6);
    EI(OP_INC, J); EJ(OP_JMP, 4);
    L(7);
    EI(OP_INC, I); EJ(OP_JMP, 3);
    L(8);
    EI(OP_PUSH, 0); EI(OP_STORE, I);
    L(10);
    EI(OP_LOAD, I); EI(OP_PUSH, n); E(OP_LT); EJ(OP_JZ, 11);
    EI(OP_LOAD, I); E(OP_GLOAD); E(OP_PRINT);
    EI(OP_LOAD, I); EI(OP_PUSH, 16); E(OP_ADD); EI(OP_STORE, I);
    EJ(OP_JMP, 10);
    L(11);
    EI(OP_LOAD, SWAPS); E(OP_HALT);
    asm_link();
}

/* mixes all the remaining ops: xor-shift hashing in nested loops */
static void prog_hash(int64_t n)
{
    enum { I = 0, J = 1, H = 2 };
    asm_reset();
    EI(OP_PUSH, 0x12345); EI(OP_STORE, H);
    EI(OP_PUSH, 0); EI(OP_STORE, I);
    L(1);
    EI(OP_LOAD, I); EI(OP_PUSH, n); E(OP_LT); EJ(OP_JZ, 9);
    EI(OP_PUSH, 0); EI(OP_STORE, J);
    L(2);
    EI(OP_LOAD, J); EI(OP_PUSH, 8); E(OP_LT); EJ(OP_JZ, 3);
    EI(OP_LOAD, H); E(OP_DUP); EI(OP_PUSH, 13); E(OP_SHL); E(OP_XOR);
    E(OP_DUP); EI(OP_PUSH, 7); E(OP_SHR); E(OP_XOR);
    E(OP_DUP); EI(OP_PUSH, 17); E(OP_SHL); E(OP_XOR);
    EI(OP_LOAD, I); E(OP_OVER); E(OP_SWAP); E(OP_POP); E(OP_NOP);
    EI(OP_LOAD, J); E(OP_OR); E(OP_ADD);
    E(OP_DUP); EI(OP_PUSH, -7); E(OP_DIV); E(OP_SUB);
    E(OP_NEG); E(OP_NEG);
    EI(OP_STORE, H);
    EI(OP_INC, J); EJ(OP_JMP, 2);
    L(3);
    EI(OP_LOAD, I); EI(OP_PUSH, 100); E(OP_MOD); EI(OP_PUSH, 0); E(OP_EQ); EJ(OP_JNZ, 4);
    EJ(OP_JMP, 5);
    L(4);
    EI(OP_LOAD, H); E(OP_PRINT);
    L(5);
    EI(OP_INC, I); EJ(OP_JMP, 1);
    L(9);
    EI(OP_LOAD, H); E(OP_HALT);
    asm_link();
}

static void disassemble_head(int n)
{
    int pc = 0, k = 0;
    while (pc < ncode && k < n) {
        int64_t o = code[pc];
        printf("  %4d: %s", pc, o >= 0 && o < NOPS ? opnames[o] : "?");
        pc++;
        if (o == OP_PUSH || o == OP_LOAD || o == OP_STORE || o == OP_INC || o == OP_JMP ||
            o == OP_JZ || o == OP_JNZ)
            printf(" %lld", (long long)code[pc++]);
        else if (o == OP_CALL) {
            printf(" %lld %lld", (long long)code[pc], (long long)code[pc + 1]);
            pc += 2;
        }
        printf("\n");
        k++;
    }
}

static struct vm vm1, vm2;

static void run_both(const char *name, void (*build)(int64_t), int64_t arg)
{
    int64_t r1, r2;
    build(arg);
    printf("== %s(%lld): %d words\n", name, (long long)arg, ncode);
    disassemble_head(6);
    vm_init(&vm1, 1);
    r1 = run_switch(&vm1);
    if (vm1.nout % 16)
        printf("\n");
    vm_init(&vm2, 0);
    r2 = run_goto(&vm2);
    printf("result=%lld steps=%llu outputs=%d out_hash=%016llx\n", (long long)r1,
           (unsigned long long)vm1.steps, vm1.nout, (unsigned long long)vm1.out_hash);
    CHECK(r1 == r2);
    CHECK(vm1.steps == vm2.steps);
    CHECK(vm1.out_hash == vm2.out_hash && vm1.nout == vm2.nout);
    CHECK(vm1.fp == 0 && vm2.fp == 0);
    CHECK(memcmp(vm1.mem, vm2.mem, sizeof vm1.mem) == 0);
    mix((uint64_t)r1);
    mix(vm1.steps);
    mix(vm1.out_hash);
}

int main(void)
{
    run_both("primes", prog_primes, 3000);
    run_both("fib", prog_fib, 18);
    run_both("collatz", prog_collatz, 1000);
    run_both("gcd", prog_gcd, 40);
    run_both("bubble", prog_bubble, 200);
    run_both("hash", prog_hash, 2000);
    CHECK(vm1.sp == 1);
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    printf("exit status %d\n", failures ? 255 : (int)(ck & 0x7f));
    return failures ? 255 : (int)(ck & 0x7f);
}
