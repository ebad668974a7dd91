/*
 * Native oracle for the differential CPU tests (ShiftTests, BitTests, MulDivTests).
 *
 * Each forms_*.S file lists instruction forms (assembled by gas, so the bytes are what a real
 * toolchain emits). For every form this program runs the instruction natively many times with
 * random and edge-case register values, flags and memory, and prints one row per run:
 *
 *   F <code hex> <used-register mask hex> <memory form 0/1> <assembly text>
 *   <flags in> <used regs in…> [<memory seed> <qword at MEMBASE>] : <flags out> <used regs out…> [i=v…]
 *   <flags in> <used regs in…> [<memory seed> <qword at MEMBASE>] : DE
 *
 * All numbers are hex. Registers outside the used mask hold UnusedValue(r) (RBX = MEMBASE in memory
 * forms) and are verified unchanged. The memory window is 16 qwords at MEMBASE-64; qword i holds
 * Mix(seed + i), except qword 8 (MEMBASE itself), which is given explicitly. "i=v" lists the window
 * qwords that changed. "DE" means the instruction raised #DE (SIGFPE); then nothing changed.
 * Only the six status flags are compared (flags in: 0x202 | random status bits).
 *
 * Build and regenerate (on the reference host, an AMD EPYC):  ./generate.sh
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct form {
    const uint8_t *start, *end;
    const char *text;
    uint64_t mask;      /* registers the instruction reads or writes (bit = register number) */
    uint64_t mem;       /* 1: memory form, RBX = MEMBASE */
    uint64_t rows;      /* how many non-faulting rows to produce */
    uint64_t spec;      /* special value kind for register spec_reg (see Special) */
    uint64_t spec_reg;
    uint64_t spec_arg;
};
extern struct form forms_start[], forms_end[];
extern const uint8_t prologue_start[], prologue_end[], epilogue_start[], epilogue_end[];

#define STATE 0x20000000UL /* in regs [16] at +0, out regs [16] at +0x80, flags in +0x100, out +0x108 */
#define DATA 0x10000000UL
#define MEMBASE (DATA + 0x840)
#define WINDOW (MEMBASE - 64)
#define STATUS 0x8D5UL

enum { SPEC_NONE = 0, SPEC_COUNT = 1, SPEC_BITOFF = 2 };

static uint64_t rng = 0x243F6A8885A308D3ULL;
static uint64_t Mix(uint64_t x)
{
    uint64_t z = x + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint64_t Rnd(void) { return Mix(rng++); }

static uint64_t UnusedValue(int r) { return 0xC0DE000000000000ULL + (uint64_t)r * 0x0101010101ULL; }

static const uint64_t edges[] = { 0, 1, 2, 3, 0x7F, 0x80, 0x81, 0xFF, 0x7FFF, 0x8000, 0x8001, 0xFFFF,
    0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL,
    0x8000000000000001ULL, 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL, 0x5555555555555555ULL,
    0xAAAAAAAAAAAAAAAAULL, 0x0123456789ABCDEFULL };

/* A value whose low 8/16/32/64 bits (random choice) are interesting; the bits above are random. */
static uint64_t Pick(void)
{
    int bits = 8 << (Rnd() % 4);
    uint64_t low = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    uint64_t v;
    switch (Rnd() % 9) {
    case 0: v = edges[Rnd() % (sizeof edges / sizeof edges[0])]; break;
    case 1: v = Rnd() % 72; break;
    case 2: v = -(Rnd() % 72); break;
    case 3: v = Rnd() >> (Rnd() % 64); break;
    case 4: v = 1ULL << (Rnd() % 64); break;
    case 5: v = 0; break;
    case 6: v = ((1ULL << (Rnd() % 64)) - 1) ^ (Rnd() % 2 ? ~0ULL : 0); break;
    default: return Rnd();
    }
    return (Rnd() & ~low) | (v & low);
}

static uint64_t Special(const struct form *f)
{
    switch (f->spec) {
    case SPEC_COUNT: /* shift count in CL, random bits above */
        return (Rnd() & ~0xFFULL) | (Rnd() % 4 ? Rnd() % 72 : Rnd() % 256);
    case SPEC_BITOFF: /* signed bit offset in [-arg, arg) */
        return (uint64_t)((int64_t)(Rnd() % (2 * f->spec_arg)) - (int64_t)f->spec_arg);
    }
    abort();
}

static sigjmp_buf jump;
static volatile int faulted;
static void OnFpe(int sig) { (void)sig; faulted = 1; siglongjmp(jump, 1); }

static void Hex(uint64_t v) { printf("%llx", (unsigned long long)v); }

int main(void)
{
    if (mmap((void *)STATE, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)STATE ||
        mmap((void *)DATA, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)DATA) {
        perror("mmap");
        return 1;
    }
    uint8_t *code = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap code"); return 1; }
    volatile uint64_t *in = (uint64_t *)STATE, *out = (uint64_t *)(STATE + 0x80);
    volatile uint64_t *flin = (uint64_t *)(STATE + 0x100), *flout = (uint64_t *)(STATE + 0x108);
    volatile uint64_t *win = (uint64_t *)WINDOW;
    struct sigaction sa = { 0 };
    sa.sa_handler = OnFpe;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);

    for (struct form *f = forms_start; f < forms_end; f++) {
        size_t n = 0, len = f->end - f->start;
        memcpy(code + n, prologue_start, prologue_end - prologue_start); n += prologue_end - prologue_start;
        memcpy(code + n, f->start, len); n += len;
        memcpy(code + n, epilogue_start, epilogue_end - epilogue_start);
        void (*run)(void) = (void (*)(void))code;

        printf("F ");
        for (size_t i = 0; i < len; i++) printf("%02x", f->start[i]);
        printf(" %llx %d %s\n", (unsigned long long)f->mask, (int)f->mem, f->text);

        uint64_t good = 0, bad = 0;
        for (uint64_t attempt = 0; good < f->rows && attempt < 200 * f->rows; attempt++) {
            uint64_t regs[16], flags = 0x202 | (Rnd() & STATUS), seed = Rnd(), m8 = Pick(), before[16];
            for (int r = 0; r < 16; r++)
                regs[r] = (f->mask >> r & 1) ? (f->spec && (int)f->spec_reg == r ? Special(f) : Pick()) : UnusedValue(r);
            if (f->mem) regs[3] = MEMBASE;
            for (int r = 0; r < 16; r++) in[r] = regs[r];
            *flin = flags;
            for (int i = 0; i < 16; i++) win[i] = before[i] = i == 8 ? m8 : Mix(seed + i);
            faulted = 0;
            if (sigsetjmp(jump, 1) == 0) run();
            if (faulted && bad * 8 >= f->rows) continue; /* keep at most rows/8 faulting rows */
            Hex(flags);
            for (int r = 0; r < 16; r++)
                if (f->mask >> r & 1) { putchar(' '); Hex(regs[r]); }
            if (f->mem) { putchar(' '); Hex(seed); putchar(' '); Hex(m8); }
            if (faulted) {
                for (int i = 0; i < 16; i++)
                    if (win[i] != before[i]) { fprintf(stderr, "%s: memory changed by a faulting instruction\n", f->text); return 1; }
                printf(" : DE\n");
                bad++;
                continue;
            }
            printf(" : ");
            Hex(*flout & STATUS);
            for (int r = 0; r < 16; r++) {
                if (r == 4) continue;
                if (f->mask >> r & 1) { putchar(' '); Hex(out[r]); }
                else if (out[r] != regs[r]) { fprintf(stderr, "%s: register %d changed but is not in the mask\n", f->text, r); return 1; }
            }
            for (int i = 0; i < 16; i++)
                if (win[i] != before[i]) printf(" %d=%llx", i, (unsigned long long)win[i]);
            putchar('\n');
            good++;
        }
        if (good < f->rows) { fprintf(stderr, "%s: only %llu good rows\n", f->text, (unsigned long long)good); return 1; }
    }
    return 0;
}
