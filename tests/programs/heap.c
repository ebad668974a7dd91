/* heap.c - dynamic memory.
 *
 * malloc/free of many sizes (brk-backed small chunks and mmap-backed chunks
 * above 128 KiB), calloc zeroing (small and large), realloc growth and
 * shrinking with content preservation, posix_memalign/aligned_alloc,
 * random alloc/free churn, a linked list and a binary search tree built
 * from heap nodes, and a 32 MiB sparse allocation. Addresses are never
 * printed, only contents, counts and alignment checks.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

static uint64_t rng_state = 0x4EA94EA9ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

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

/* Pattern byte for block `id` at offset `i`. */
static unsigned char pat(uint32_t id, size_t i)
{
    return (unsigned char)((id * 131u) ^ (uint32_t)(i * 7u) ^ (uint32_t)(i >> 8));
}
/* Large blocks are checked sparsely: dense at both ends, strided between. */
static size_t next_pos(size_t i, size_t n)
{
    if (n <= 8192 || i < 4096 || i + 4096 >= n)
        return i + 1;
    i += 509;
    return i + 4096 > n ? n - 4096 : i;
}
static void fill(unsigned char *p, size_t n, uint32_t id)
{
    size_t i;
    for (i = 0; i < n; i = next_pos(i, n))
        p[i] = pat(id, i);
}
/* verify the first n bytes of a block that was filled with length fn */
static int verify2(const unsigned char *p, size_t n, size_t fn, uint32_t id)
{
    size_t i;
    for (i = 0; i < n; i = next_pos(i, fn))
        if (p[i] != pat(id, i))
            return 0;
    return 1;
}
static int verify(const unsigned char *p, size_t n, uint32_t id)
{
    return verify2(p, n, n, id);
}
static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

static void test_sizes(void)
{
    static const size_t sizes[] = {0, 1, 2, 7, 8, 15, 16, 17, 24, 31, 32, 33, 63, 64, 100, 127,
                                   128, 255, 256, 512, 1000, 1024, 4095, 4096, 4097, 8192,
                                   65535, 65536, 100000, 131071, 131072, 131073, 200000,
                                   262144, 1000000, 4194304};
    unsigned i;
    void *blocks[sizeof(sizes) / sizeof(sizes[0])];
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        unsigned char *p = malloc(n);
        CHECK(p != NULL || n == 0);
        if (p) {
            CHECK(aligned(p, 16));
            fill(p, n, i);
        }
        blocks[i] = p;
    }
    /* verify all after everything was allocated (no overlap) */
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int ok = blocks[i] ? verify(blocks[i], sizes[i], i) : 1;
        CHECK(ok);
        printf("malloc(%zu) ok=%d aligned16=%d\n", sizes[i], ok,
               blocks[i] ? aligned(blocks[i], 16) : 1);
    }
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i += 2)
        free(blocks[i]);
    for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i += 2) {
        CHECK(!blocks[i] || verify(blocks[i], sizes[i], i));
        free(blocks[i]);
    }
}

static void test_calloc(void)
{
    static const size_t counts[] = {1, 3, 10, 100, 1000, 20000, 40000, 100000};
    unsigned i;
    /* dirty some memory first so that calloc must really zero reused chunks */
    for (i = 0; i < 20; i++) {
        size_t n = 1000 * (i + 1);
        unsigned char *p = malloc(n);
        memset(p, 0xCC, n);
        free(p);
    }
    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        size_t n = counts[i], k, nz = 0;
        uint64_t *p = calloc(n, sizeof(uint64_t));
        CHECK(p != NULL);
        if (!p)
            continue;
        for (k = 0; k < n; k++)
            nz += p[k] != 0;
        CHECK(nz == 0);
        for (k = 0; k < n; k++)
            p[k] = k * k;
        printf("calloc(%zu, 8) nonzero=%zu last=%llu\n", n, nz, (unsigned long long)p[n - 1]);
        mix(p[n - 1]);
        free(p);
    }
    {
        /* overflow in n*size must fail */
        volatile size_t huge = (size_t)1 << 62;
        void *p = calloc(huge, 16);
        CHECK(p == NULL);
        printf("calloc overflow -> %s\n", p ? "non-null" : "NULL");
        free(p);
    }
}

static void test_realloc(void)
{
    unsigned char *p = NULL;
    size_t n = 0, step;
    uint32_t id = 77;
    int ok = 1;
    /* grow from 0 to 2 MiB, then shrink; content must be preserved */
    for (step = 0; step < 40; step++) {
        size_t nn;
        unsigned char *q;
        if (step < 22)
            nn = (size_t)1 << step;                 /* grow: 1 B .. 2 MiB */
        else if (step < 28)
            nn = ((size_t)1 << (21 - (step - 22))) + step; /* shrink */
        else
            nn = n / 2 + 1;
        q = realloc(p, nn);
        CHECK(q != NULL);
        if (!q)
            break;
        ok &= verify2(q, n < nn ? n : nn, n, id);
        fill(q, nn, id);
        p = q;
        n = nn;
        printf("realloc step %2zu size %zu ok=%d\n", step, n, ok);
    }
    CHECK(ok);
    free(p);
    /* realloc(NULL, n) acts like malloc; many interleaved reallocs */
    {
        unsigned char *v[16] = {0};
        size_t vn[16] = {0};
        int i;
        for (i = 0; i < 2000; i++) {
            int j = (int)(rnd() % 16);
            size_t nn = (size_t)(rnd() % (i % 100 == 99 ? 300000 : 3000)) + 1;
            unsigned char *q = realloc(v[j], nn);
            CHECK(q != NULL);
            if (!q)
                continue;
            CHECK(verify2(q, vn[j] < nn ? vn[j] : nn, vn[j], (uint32_t)j));
            fill(q, nn, (uint32_t)j);
            v[j] = q;
            vn[j] = nn;
        }
        for (i = 0; i < 16; i++) {
            CHECK(verify(v[i], vn[i], (uint32_t)i));
            mix(vn[i]);
            free(v[i]);
        }
        printf("realloc churn sizes checksum %016" PRIx64 "\n", ck);
    }
}

static void test_aligned(void)
{
    static const size_t aligns[] = {16, 32, 64, 128, 256, 4096, 65536};
    unsigned i;
    for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        void *p = NULL, *q;
        int r = posix_memalign(&p, aligns[i], 1000 + i);
        CHECK(r == 0 && p && aligned(p, aligns[i]));
        q = aligned_alloc(aligns[i], aligns[i] * 4);
        CHECK(q && aligned(q, aligns[i]));
        if (p)
            fill(p, 1000 + i, i);
        if (q)
            fill(q, aligns[i] * 4, i + 100);
        CHECK(!p || verify(p, 1000 + i, i));
        CHECK(!q || verify(q, aligns[i] * 4, i + 100));
        printf("align %zu: posix_memalign=%d aligned=%d aligned_alloc aligned=%d\n", aligns[i],
               r, p ? aligned(p, aligns[i]) : -1, q ? aligned(q, aligns[i]) : -1);
        free(p);
        free(q);
    }
}

/* Random churn of many live blocks. */
static void test_churn(void)
{
    enum { SLOTS = 512 };
    static unsigned char *slot[SLOTS];
    static size_t slen[SLOTS];
    static uint32_t sid[SLOTS];
    uint32_t next_id = 1;
    size_t live_bytes = 0, peak = 0;
    long allocs = 0, frees = 0;
    int i;
    for (i = 0; i < 8000; i++) {
        int s = (int)(rnd() % SLOTS);
        if (slot[s]) {
            CHECK(verify(slot[s], slen[s], sid[s]));
            live_bytes -= slen[s];
            free(slot[s]);
            slot[s] = NULL;
            frees++;
        } else {
            uint64_t r = rnd();
            size_t n = (r & 0x3F) == 0 ? (size_t)(r >> 40) % 400000 : (size_t)(r >> 40) % 600;
            slot[s] = malloc(n + 1);
            CHECK(slot[s] != NULL);
            slen[s] = n + 1;
            sid[s] = next_id++;
            fill(slot[s], n + 1, sid[s]);
            live_bytes += n + 1;
            if (live_bytes > peak)
                peak = live_bytes;
            allocs++;
        }
    }
    for (i = 0; i < SLOTS; i++)
        if (slot[i]) {
            CHECK(verify(slot[i], slen[i], sid[i]));
            free(slot[i]);
            slot[i] = NULL;
        }
    printf("churn allocs=%ld frees=%ld peak=%zu\n", allocs, frees, peak);
    mix((uint64_t)allocs ^ (uint64_t)frees << 20 ^ (uint64_t)peak << 40);
}

/* A singly linked list and an unbalanced BST, both heap-allocated. */
struct lnode {
    struct lnode *next;
    int64_t v;
};
struct tnode {
    struct tnode *l, *r;
    uint64_t key;
    uint32_t count;
};

static struct tnode *tinsert(struct tnode *t, uint64_t k)
{
    struct tnode **pp = &t;
    while (*pp) {
        if (k == (*pp)->key) {
            (*pp)->count++;
            return t;
        }
        pp = k < (*pp)->key ? &(*pp)->l : &(*pp)->r;
    }
    *pp = calloc(1, sizeof(struct tnode));
    (*pp)->key = k;
    (*pp)->count = 1;
    return t;
}
static void twalk(const struct tnode *t, uint64_t *acc, size_t *n, int *depth, int d)
{
    if (!t)
        return;
    if (d > *depth)
        *depth = d;
    twalk(t->l, acc, n, depth, d + 1);
    *acc = *acc * 1000003 + t->key * t->count;
    (*n)++;
    twalk(t->r, acc, n, depth, d + 1);
}
static void tfree(struct tnode *t)
{
    if (!t)
        return;
    tfree(t->l);
    tfree(t->r);
    free(t);
}

static void test_structures(void)
{
    struct lnode *head = NULL, *p, *prev;
    struct tnode *root = NULL;
    int64_t sum = 0, sum2 = 0;
    int i, len = 0, depth = 0;
    uint64_t acc = 0;
    size_t nodes = 0;
    for (i = 0; i < 5000; i++) {
        p = malloc(sizeof *p);
        p->v = (int64_t)(rnd() % 2001) - 1000;
        p->next = head;
        head = p;
        sum += p->v;
    }
    /* reverse in place */
    prev = NULL;
    while (head) {
        p = head->next;
        head->next = prev;
        prev = head;
        head = p;
    }
    head = prev;
    /* delete negative entries */
    {
        struct lnode **pp = &head;
        while (*pp) {
            if ((*pp)->v < 0) {
                p = *pp;
                *pp = p->next;
                free(p);
            } else {
                pp = &(*pp)->next;
            }
        }
    }
    for (p = head; p; p = p->next) {
        sum2 += p->v;
        len++;
    }
    printf("list sum=%lld nonneg_sum=%lld nonneg_len=%d\n", (long long)sum, (long long)sum2, len);
    mix((uint64_t)sum ^ (uint64_t)sum2 << 16 ^ (uint64_t)len << 40);
    while (head) {
        p = head->next;
        free(head);
        head = p;
    }
    for (i = 0; i < 20000; i++)
        root = tinsert(root, rnd() % 5000);
    twalk(root, &acc, &nodes, &depth, 1);
    printf("tree nodes=%zu depth=%d acc=%016llx\n", nodes, depth, (unsigned long long)acc);
    mix(acc ^ nodes ^ (uint64_t)depth);
    tfree(root);
}

static void test_big(void)
{
    size_t n = (size_t)32 << 20, i;
    unsigned char *p = malloc(n);
    uint64_t h = 0;
    CHECK(p != NULL);
    if (!p)
        return;
    /* touch one byte per page, sparse */
    for (i = 0; i < n; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    for (i = 0; i < n; i += 4096 * 17)
        h = h * 31 + p[i];
    printf("big 32MiB sparse hash %016llx\n", (unsigned long long)h);
    mix(h);
    p = realloc(p, n * 2);
    CHECK(p != NULL);
    if (p) {
        CHECK(p[4096 * 5] == 5 && p[n - 4096] == (unsigned char)((n - 4096) >> 12));
        p[n * 2 - 1] = 1;
        free(p);
    }
}

int main(void)
{
    test_sizes();
    test_calloc();
    test_realloc();
    test_aligned();
    test_churn();
    test_structures();
    test_big();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
