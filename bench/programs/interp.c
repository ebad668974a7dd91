/* bench: a register-machine bytecode interpreter (switch dispatch).
 * Runs three VM programs: an LCG/xorshift mixing loop, a prime sieve in VM
 * memory and a nested-loop matrix-like accumulation.
 * Integer only, deterministic. Usage: interp [scale-percent] (default 100).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    LI,   /* r[a] = imm */
    MOV,  /* r[a] = r[b] */
    ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, /* r[a] = r[b] op r[c] */
    ADDI, /* r[a] = r[b] + imm */
    LOAD, /* r[a] = mem[r[b]] */
    STORE,/* mem[r[b]] = r[a] */
    BLT,  /* if r[a] < r[b] goto imm */
    BNE,  /* if r[a] != r[b] goto imm */
    JMP,  /* goto imm */
    REM,  /* r[a] = r[b] % r[c] (unsigned, c != 0) */
    HALT
};

typedef struct {
    uint8_t op, a, b, c;
    int32_t imm;
} insn;

#define MEMW (1 << 20)
static uint64_t mem[MEMW];

static uint64_t run(const insn *code, uint64_t *r, uint64_t *steps)
{
    const insn *pc = code;
    uint64_t n = 0;
    for (;;) {
        const insn *i = pc++;
        n++;
        switch (i->op) {
        case LI: r[i->a] = (uint64_t)(int64_t)i->imm; break;
        case MOV: r[i->a] = r[i->b]; break;
        case ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case SUB: r[i->a] = r[i->b] - r[i->c]; break;
        case MUL: r[i->a] = r[i->b] * r[i->c]; break;
        case AND: r[i->a] = r[i->b] & r[i->c]; break;
        case OR: r[i->a] = r[i->b] | r[i->c]; break;
        case XOR: r[i->a] = r[i->b] ^ r[i->c]; break;
        case SHL: r[i->a] = r[i->b] << (r[i->c] & 63); break;
        case SHR: r[i->a] = r[i->b] >> (r[i->c] & 63); break;
        case ADDI: r[i->a] = r[i->b] + (uint64_t)(int64_t)i->imm; break;
        case LOAD: r[i->a] = mem[r[i->b] & (MEMW - 1)]; break;
        case STORE: mem[r[i->b] & (MEMW - 1)] = r[i->a]; break;
        case BLT: if (r[i->a] < r[i->b]) pc = code + i->imm; break;
        case BNE: if (r[i->a] != r[i->b]) pc = code + i->imm; break;
        case JMP: pc = code + i->imm; break;
        case REM: r[i->a] = r[i->b] % r[i->c]; break;
        case HALT: *steps += n; return r[0];
        default: *steps += n; return ~0ull;
        }
    }
}

#define I(op, a, b, c, imm) {op, a, b, c, imm}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 100;
    uint64_t r[16], steps = 0, res, total = 0;
    int32_t iters, sieve_n, mat_n;
    if (scale < 1)
        scale = 1;
    iters = (int32_t)(7000000 * scale / 100);
    sieve_n = (int32_t)(MEMW * scale / 100);
    if (sieve_n > MEMW)
        sieve_n = MEMW;
    if (sieve_n < 1000)
        sieve_n = 1000;
    mat_n = (int32_t)(170 * scale / 100);
    if (mat_n < 20)
        mat_n = 20;

    /* program 1: x = lcg(x); h ^= x >> 17; h = h * 31 + (x & 255); iters times */
    {
        const insn p[] = {
            I(LI, 1, 0, 0, 0),          /* 0: i = 0 */
            I(LI, 2, 0, 0, iters),      /* 1: n */
            I(LI, 3, 0, 0, 12345),      /* 2: x */
            I(LI, 4, 0, 0, 0),          /* 3: h */
            I(LI, 5, 0, 0, 1103515245), /* 4: A */
            I(LI, 6, 0, 0, 17),         /* 5: 17 */
            I(LI, 7, 0, 0, 31),         /* 6: 31 */
            I(LI, 8, 0, 0, 255),        /* 7: 255 */
            I(MUL, 3, 3, 5, 0),         /* 8: x *= A */
            I(ADDI, 3, 3, 0, 12345),    /* 9: x += 12345 */
            I(SHR, 9, 3, 6, 0),         /* 10: t = x >> 17 */
            I(XOR, 4, 4, 9, 0),         /* 11: h ^= t */
            I(MUL, 4, 4, 7, 0),         /* 12: h *= 31 */
            I(AND, 9, 3, 8, 0),         /* 13: t = x & 255 */
            I(ADD, 4, 4, 9, 0),         /* 14: h += t */
            I(ADDI, 1, 1, 0, 1),        /* 15: i++ */
            I(BLT, 1, 2, 0, 8),         /* 16: if i < n goto 8 */
            I(MOV, 0, 4, 0, 0),         /* 17: r0 = h */
            I(HALT, 0, 0, 0, 0),
        };
        memset(r, 0, sizeof r);
        res = run(p, r, &steps);
        printf("mix loop (%d iters): %016llx\n", iters, (unsigned long long)res);
        total = total * 31 + res;
    }
    /* program 2: sieve of Eratosthenes over mem[0..n), count primes */
    {
        const insn p[] = {
            I(LI, 1, 0, 0, 2),        /* 0: i = 2 */
            I(LI, 2, 0, 0, sieve_n),  /* 1: n */
            I(LI, 10, 0, 0, 0),       /* 2: zero */
            I(LI, 11, 0, 0, 1),       /* 3: one */
            I(LI, 0, 0, 0, 0),        /* 4: count = 0 */
            I(LI, 3, 0, 0, 0),        /* 5: j = 0 */
            I(STORE, 10, 3, 0, 0),    /* 6: mem[j] = 0 */
            I(ADDI, 3, 3, 0, 1),      /* 7: j++ */
            I(BLT, 3, 2, 0, 6),       /* 8: if j < n goto 6 */
            I(LOAD, 4, 1, 0, 0),      /* 9: v = mem[i] */
            I(BNE, 4, 10, 0, 18),     /* 10: composite -> next i */
            I(ADDI, 0, 0, 0, 1),      /* 11: count++ */
            I(ADD, 3, 1, 1, 0),       /* 12: j = 2i */
            I(BLT, 3, 2, 0, 15),      /* 13: if j < n goto mark */
            I(JMP, 0, 0, 0, 18),      /* 14 */
            I(STORE, 11, 3, 0, 0),    /* 15: mark: mem[j] = 1 */
            I(ADD, 3, 3, 1, 0),       /* 16: j += i */
            I(BLT, 3, 2, 0, 15),      /* 17: if j < n goto mark */
            I(ADDI, 1, 1, 0, 1),      /* 18: i++ */
            I(BLT, 1, 2, 0, 9),       /* 19: if i < n goto 9 */
            I(HALT, 0, 0, 0, 0),      /* 20 */
        };
        int pass;
        for (pass = 0; pass < 2; pass++) {
            memset(r, 0, sizeof r);
            res = run(p, r, &steps);
            printf("sieve (%d) pass %d: %llu primes\n", sieve_n, pass, (unsigned long long)res);
            total = total * 31 + res;
        }
    }
    /* program 3: acc += (i*j) % (k+7) ^ (i+j) for i, j, k < m */
    {
        const insn p[] = {
            I(LI, 0, 0, 0, 0),      /* 0: acc */
            I(LI, 2, 0, 0, mat_n),  /* 1: m */
            I(LI, 1, 0, 0, 0),      /* 2: i = 0 */
            I(LI, 3, 0, 0, 0),      /* 3: j = 0 */
            I(LI, 4, 0, 0, 0),      /* 4: k = 0 */
            I(MUL, 5, 1, 3, 0),     /* 5: t = i*j */
            I(ADDI, 6, 4, 0, 7),    /* 6: d = k + 7 */
            I(REM, 5, 5, 6, 0),     /* 7: t %= d */
            I(ADD, 6, 1, 3, 0),     /* 8: u = i + j */
            I(XOR, 5, 5, 6, 0),     /* 9: t ^= u */
            I(ADD, 0, 0, 5, 0),     /* 10: acc += t */
            I(ADDI, 4, 4, 0, 1),    /* 11: k++ */
            I(BLT, 4, 2, 0, 5),     /* 12 */
            I(ADDI, 3, 3, 0, 1),    /* 13: j++ */
            I(BLT, 3, 2, 0, 4),     /* 14 */
            I(ADDI, 1, 1, 0, 1),    /* 15: i++ */
            I(BLT, 1, 2, 0, 3),     /* 16 */
            I(HALT, 0, 0, 0, 0),
        };
        memset(r, 0, sizeof r);
        res = run(p, r, &steps);
        printf("nested loops (%d^3): %llu\n", mat_n, (unsigned long long)res);
        total = total * 31 + res;
    }
    printf("vm steps %llu\n", (unsigned long long)steps);
    printf("checksum %016llx\n", (unsigned long long)total);
    return 0;
}
