/* control.c - control flow.
 *
 * setjmp/longjmp (nested, from deep recursion, longjmp(env, 0) -> 1,
 * volatile locals preserved, repeated re-entry), function pointer tables
 * and callbacks, a dense 64-case switch (jump table) and a sparse switch,
 * recursion (Ackermann, naive Fibonacci, mutual recursion, Hanoi, a
 * recursive-descent expression parser), computed loop exits and goto.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <setjmp.h>
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

static inline uint64_t opq(uint64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* ---------------- setjmp / longjmp ---------------- */
static jmp_buf env_outer, env_inner;
static int depth_reached;

static void dive(int depth, int target, jmp_buf *env, int val)
{
    char pad[64]; /* make the stack frames non-trivial */
    memset(pad, depth & 0xFF, sizeof pad);
    depth_reached = depth;
    if (depth == target)
        longjmp(*env, val);
    if (depth > 100000)
        return; /* never happens */
    dive(depth + 1, target, env, val + pad[depth % 64] - pad[(depth + 1) % 64]);
}

static void test_setjmp(void)
{
    volatile int counter = 0;
    volatile uint64_t acc = 1;
    volatile int i;
    int r;

    /* basic: returns 0 first, then the longjmp value */
    r = setjmp(env_outer);
    if (r == 0) {
        counter++;
        longjmp(env_outer, 7);
    }
    printf("setjmp returned %d counter=%d\n", r, counter);
    CHECK(r == 7 && counter == 1);

    /* longjmp with 0 must make setjmp return 1 */
    r = setjmp(env_outer);
    if (r == 0)
        longjmp(env_outer, 0);
    printf("longjmp(0) -> setjmp returned %d\n", r);
    CHECK(r == 1);

    /* loop by re-entering the same setjmp many times */
    counter = 0;
    r = setjmp(env_outer);
    acc = acc * 3 + (uint64_t)r;
    if (counter < 100) {
        counter++;
        longjmp(env_outer, counter);
    }
    printf("re-entered %d times, acc=%llu\n", counter, (unsigned long long)acc);
    CHECK(counter == 100);
    mix(acc);

    /* from deep recursion, various depths */
    for (i = 0; i < 12; i++) {
        volatile int target = i * i * 17 + 1;
        r = setjmp(env_outer);
        if (r == 0)
            dive(0, target, &env_outer, 1000 + i);
        printf("dive target=%d reached=%d r=%d\n", target, depth_reached, r);
        CHECK(depth_reached == target && r == 1000 + i);
        mix((uint64_t)r);
    }

    /* nested jmp_bufs: inner handler rethrows to the outer one */
    counter = 0;
    if ((r = setjmp(env_outer)) == 0) {
        int r2;
        if ((r2 = setjmp(env_inner)) == 0) {
            counter = 10;
            dive(0, 50, &env_inner, 5);
        }
        counter += r2;
        printf("inner caught %d, rethrowing\n", r2);
        dive(0, 20, &env_outer, r2 * 2);
    }
    printf("outer caught %d counter=%d\n", r, counter);
    CHECK(r == 10 && counter == 15);
    mix((uint64_t)(r * 100 + counter));
}

/* ---------------- function pointers ---------------- */
typedef int64_t (*binop)(int64_t, int64_t);
static int64_t f_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t f_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t f_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static int64_t f_and(int64_t a, int64_t b) { return a & b; }
static int64_t f_or(int64_t a, int64_t b) { return a | b; }
static int64_t f_xor(int64_t a, int64_t b) { return a ^ b; }
static int64_t f_max(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t f_min(int64_t a, int64_t b) { return a < b ? a : b; }

static const struct {
    const char *name;
    binop fn;
} optab[] = {{"add", f_add}, {"sub", f_sub}, {"mul", f_mul}, {"and", f_and},
             {"or", f_or},   {"xor", f_xor}, {"max", f_max}, {"min", f_min}};

static int64_t fold(const int64_t *v, int n, binop f, int64_t init)
{
    int i;
    for (i = 0; i < n; i++)
        init = f(init, v[i]);
    return init;
}

static void apply_n(void (*cb)(int, void *), int n, void *ctx)
{
    int i;
    for (i = 0; i < n; i++)
        cb(i, ctx);
}
static void cb_sum_squares(int i, void *ctx) { *(int64_t *)ctx += (int64_t)i * i; }
static void cb_collatz(int i, void *ctx)
{
    uint64_t x = (uint64_t)i + 1;
    int steps = 0;
    while (x != 1) {
        x = (x & 1) ? 3 * x + 1 : x / 2;
        steps++;
    }
    *(int64_t *)ctx += steps;
}

static void test_function_pointers(void)
{
    int64_t v[32];
    int i, j;
    binop chosen[16];
    for (i = 0; i < 32; i++)
        v[i] = (int64_t)(i * 2654435761u % 1000) - 500;
    for (i = 0; i < 8; i++) {
        int64_t r = fold(v, 32, optab[i].fn, i == 2 ? 1 : 0);
        printf("fold %-3s = %lld\n", optab[i].name, (long long)r);
        mix((uint64_t)r);
    }
    /* indirect calls through a table indexed by data */
    for (i = 0; i < 16; i++)
        chosen[i] = optab[(i * 5 + 3) % 8].fn;
    {
        int64_t acc = 12345;
        for (j = 0; j < 1000; j++)
            acc = chosen[j % 16](acc, v[j % 32] + j);
        printf("indirect chain = %lld\n", (long long)acc);
        mix((uint64_t)acc);
    }
    {
        int64_t s = 0, c = 0;
        apply_n(cb_sum_squares, 1000, &s);
        apply_n(cb_collatz, 3000, &c);
        printf("sum squares = %lld collatz steps = %lld\n", (long long)s, (long long)c);
        CHECK(s == 332833500);
        mix((uint64_t)s ^ (uint64_t)c);
    }
}

/* ---------------- switch statements ---------------- */
static uint64_t dense_switch(unsigned op, uint64_t x)
{
    switch (op) {
    case 0: return x + 1;
    case 1: return x - 1;
    case 2: return x * 3;
    case 3: return x >> 1;
    case 4: return x << 2;
    case 5: return ~x;
    case 6: return x ^ 0x5555;
    case 7: return x | 0x100;
    case 8: return x & 0xFFFF0000FFFFull;
    case 9: return x + 0x1234567;
    case 10: return x * 0x9E3779B9ull;
    case 11: return (x << 13) | (x >> 51);
    case 12: return x / 7;
    case 13: return x % 1000003;
    case 14: return x ^ (x >> 17);
    case 15: return 0 - x;
    case 16: return x + 16;
    case 17: return x - 17;
    case 18: return x * 18;
    case 19: return x ^ 19;
    case 20: return x + (x >> 3);
    case 21: return x - (x >> 5);
    case 22: return x * 22 + 1;
    case 23: return x ^ (x << 7);
    case 24: return x + 24;
    case 25: return x ^ 0xFF00FF00FF00FF00ull;
    case 26: return x * 26;
    case 27: return x >> 27 | x << 37;
    case 28: return x + 28 * 28;
    case 29: return x - 29 * 29;
    case 30: return x * 30 + 30;
    case 31: return x ^ 31 ^ (x >> 31);
    case 32: return x + 0x32;
    case 33: return x / 33 + x;
    case 34: return x % 34 + x;
    case 35: return x * 35;
    case 36: return x ^ 0x3636363636363636ull;
    case 37: return x + 37;
    case 38: return x * 38 - 1;
    case 39: return (x >> 39) ^ x;
    case 40: return x + 40;
    case 41: return x - 41;
    case 42: return x * 42;
    case 43: return x ^ 43;
    case 44: return x | 44;
    case 45: return x & ~45ull;
    case 46: return x + (x << 46);
    case 47: return x * 47;
    case 48: return x + 48;
    case 49: return x ^ (x >> 49);
    case 50: return x * 50 + 50;
    case 51: return x - 51;
    case 52: return x / 52 * 53;
    case 53: return x + 53;
    case 54: return x ^ 54;
    case 55: return x * 55;
    case 56: return x >> 56 | x << 8;
    case 57: return x + 57;
    case 58: return x - 58;
    case 59: return x * 59;
    case 60: return x ^ 60;
    case 61: return x + 61;
    case 62: return x * 62;
    case 63: return x - 63;
    default: return x;
    }
}

static int sparse_switch(int64_t k)
{
    switch (k) {
    case -1000000: return 1;
    case -77: return 2;
    case 0: return 3;
    case 5: return 4;
    case 1000: return 5;
    case 1001: return 6;
    case 65536: return 7;
    case 1000000007: return 8;
    case 4294967296LL: return 9;
    case 0x7FFFFFFFFFFFFFFFLL: return 10;
    default: return 0;
    }
}

static const char *char_class(int c)
{
    switch (c) {
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return "digit";
    case 'a': case 'e': case 'i': case 'o': case 'u':
        return "vowel";
    case ' ': case '\t': case '\n':
        return "space";
    case '+': case '-': case '*': case '/':
        return "op";
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return "letter";
        return "other";
    }
}

static void test_switch(void)
{
    uint64_t x = opq(0x0123456789ABCDEFull);
    unsigned i;
    int hist[11] = {0};
    static const int64_t keys[] = {-1000000, -77, 0, 5, 1000, 1001, 65536, 1000000007,
                                   4294967296LL, 0x7FFFFFFFFFFFFFFFLL, 1, -1, 999, 4294967295LL};
    const char *text = "Hello, world 42 + x*7 / tab\there!";
    for (i = 0; i < 20000; i++) {
        x = dense_switch((unsigned)(x % 67), x);
        if (i % 2000 == 0)
            printf("dense switch step %u x=%016llx\n", i, (unsigned long long)x);
    }
    printf("dense switch final %016llx\n", (unsigned long long)x);
    mix(x);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        int r = sparse_switch((int64_t)opq((uint64_t)keys[i]));
        hist[r]++;
        printf("sparse(%lld) = %d\n", (long long)keys[i], r);
        mix((uint64_t)r);
    }
    CHECK(hist[0] == 4);
    for (i = 0; text[i]; i++) {
        printf("%s%s", char_class(text[i]), text[i + 1] ? "," : "\n");
        mix((uint64_t)char_class(text[i])[0]);
    }
}

/* ---------------- recursion ---------------- */
static uint64_t ack_calls;
static uint64_t ack(uint64_t m, uint64_t n)
{
    ack_calls++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static uint64_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static uint64_t hanoi_moves;
static uint64_t hanoi_sig;
static void hanoi(int n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    hanoi_moves++;
    hanoi_sig = hanoi_sig * 7 + (uint64_t)(from * 3 + to);
    hanoi(n - 1, via, to, from);
}

/* recursive-descent parser for + - * / % ( ) and integers */
static const char *pp;
static int64_t parse_expr(void);
static void skip_ws(void)
{
    while (*pp == ' ')
        pp++;
}
static int64_t parse_atom(void)
{
    int64_t v = 0;
    skip_ws();
    if (*pp == '(') {
        pp++;
        v = parse_expr();
        skip_ws();
        if (*pp == ')')
            pp++;
        return v;
    }
    if (*pp == '-') {
        pp++;
        return -parse_atom();
    }
    while (*pp >= '0' && *pp <= '9')
        v = v * 10 + (*pp++ - '0');
    return v;
}
static int64_t parse_term(void)
{
    int64_t v = parse_atom();
    for (;;) {
        skip_ws();
        if (*pp == '*') {
            pp++;
            v *= parse_atom();
        } else if (*pp == '/') {
            int64_t d;
            pp++;
            d = parse_atom();
            v = d ? v / d : 0;
        } else if (*pp == '%') {
            int64_t d;
            pp++;
            d = parse_atom();
            v = d ? v % d : 0;
        } else {
            return v;
        }
    }
}
static int64_t parse_expr(void)
{
    int64_t v = parse_term();
    for (;;) {
        skip_ws();
        if (*pp == '+') {
            pp++;
            v += parse_term();
        } else if (*pp == '-') {
            pp++;
            v -= parse_term();
        } else {
            return v;
        }
    }
}

static void test_recursion(void)
{
    uint64_t m, n;
    unsigned i;
    static const char *exprs[] = {"1+2*3", "(1+2)*3", "100/7%4", "-(3-10)*-(2+2)",
                                  "((((((((((1))))))))))+((2*3)*(4*5))", "2*3*4*5*6*7*8*9*10",
                                  "1000000007 % 97 * 13 - 5", "7/0+1", "-5/2", "-5%2",
                                  "((12+34)*(56-78)/(9+1))%1000"};
    static const int64_t expect[] = {7, 9, 2, -28, 121, 3628800, 1000000007 % 97 * 13 - 5,
                                     1, -2, -1, ((12 + 34) * (56 - 78) / (9 + 1)) % 1000};
    for (m = 0; m <= 3; m++)
        for (n = 0; n <= (m < 3 ? 5 : 6); n++) {
            uint64_t r;
            ack_calls = 0;
            r = ack(m, n);
            printf("ack(%llu,%llu) = %llu calls=%llu\n", (unsigned long long)m,
                   (unsigned long long)n, (unsigned long long)r, (unsigned long long)ack_calls);
            mix(r ^ ack_calls << 20);
        }
    CHECK(ack(2, 3) == 9 && ack(3, 3) == 61 && ack(3, 6) == 509);
    for (i = 0; i <= 24; i += 3) {
        uint64_t f = fib(i);
        printf("fib(%u) = %llu\n", i, (unsigned long long)f);
        mix(f);
    }
    CHECK(fib(24) == 46368);
    printf("is_even(10001)=%d is_odd(10001)=%d\n", is_even(10001), is_odd(10001));
    CHECK(!is_even(10001) && is_odd(10001));
    hanoi(16, 1, 3, 2);
    printf("hanoi(16) moves=%llu sig=%016llx\n", (unsigned long long)hanoi_moves,
           (unsigned long long)hanoi_sig);
    CHECK(hanoi_moves == 65535);
    mix(hanoi_sig);
    for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        int64_t v;
        pp = exprs[i];
        v = parse_expr();
        printf("eval \"%s\" = %lld\n", exprs[i], (long long)v);
        CHECK(v == expect[i]);
        mix((uint64_t)v);
    }
}

/* ---------------- goto and loop exits ---------------- */
static int find_pair(const int *a, int n, int target, int *oi, int *oj)
{
    int i, j;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (a[i] + a[j] == target)
                goto found;
    return 0;
found:
    *oi = i;
    *oj = j;
    return 1;
}

static void test_goto(void)
{
    int a[50], i, t, hits = 0;
    for (i = 0; i < 50; i++)
        a[i] = (i * 37 + 11) % 101;
    for (t = 0; t < 220; t += 7) {
        int x = -1, y = -1;
        int ok = find_pair(a, 50, t, &x, &y);
        hits += ok;
        if (t % 35 == 0)
            printf("pair sum %d: %d (%d,%d)\n", t, ok, x, y);
        mix((uint64_t)(ok * 10000 + x * 100 + y));
    }
    printf("pair hits %d\n", hits);
}

int main(void)
{
    test_setjmp();
    test_function_pointers();
    test_switch();
    test_recursion();
    test_goto();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
