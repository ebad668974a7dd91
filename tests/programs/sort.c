/* sort.c - sorting and searching.
 *
 * qsort on element sizes 1, 2, 4, 8, 12, 24 and 40 bytes (all comparators
 * define a total order, so glibc's mergesort and musl's smoothsort give
 * identical results), a hand-written top-down mergesort, an in-place
 * heapsort and insertion sort, sorting of strings, bsearch for present and
 * absent keys, and a sort-stability check done with an explicit tiebreak.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

static uint64_t rng_state = 0x50F750F7ull;
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
    ck ^= ck >> 33;
}

#define CHECK(c)                                                        \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            if (failures < 50)                                          \
                printf("FAIL line %d: %s\n", __LINE__, #c);             \
        }                                                               \
    } while (0)

static long ncompares;

static int cmp_u8(const void *a, const void *b)
{
    ncompares++;
    return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}
static int cmp_i16(const void *a, const void *b)
{
    int16_t x = *(const int16_t *)a, y = *(const int16_t *)b;
    ncompares++;
    return (x > y) - (x < y);
}
static int cmp_i32_desc(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    ncompares++;
    return (x < y) - (x > y);
}
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    ncompares++;
    return (x > y) - (x < y);
}

struct rec12 {
    int32_t key;
    uint32_t id;
    uint16_t a;
    uint16_t b;
};
static int cmp_rec12(const void *pa, const void *pb)
{
    const struct rec12 *a = pa, *b = pb;
    ncompares++;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id); /* ids are unique: total order */
}

struct rec24 {
    uint64_t hi;
    uint64_t lo;
    char tag[8];
};
static int cmp_rec24(const void *pa, const void *pb)
{
    const struct rec24 *a = pa, *b = pb;
    ncompares++;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return memcmp(a->tag, b->tag, 8);
}

struct rec40 {
    char name[32];
    int64_t n;
};
static int cmp_rec40(const void *pa, const void *pb)
{
    const struct rec40 *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    ncompares++;
    if (c)
        return c;
    return (a->n > b->n) - (a->n < b->n);
}

static int cmp_str(const void *a, const void *b)
{
    ncompares++;
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* generic sortedness check */
static int is_sorted(const void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    const char *p = base;
    size_t i;
    for (i = 1; i < n; i++)
        if (cmp(p + (i - 1) * sz, p + i * sz) > 0)
            return 0;
    return 1;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xCBF29CE484222325ull;
    while (n--)
        h = (h ^ *s++) * 0x100000001B3ull;
    return h;
}

/* ---- hand-written sorts on uint64 keys ---- */
static void merge_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
    size_t mid, i, j, k;
    if (n < 2)
        return;
    mid = n / 2;
    merge_sort(a, tmp, mid);
    merge_sort(a + mid, tmp, n - mid);
    i = 0;
    j = mid;
    k = 0;
    while (i < mid && j < n)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof(*a));
}

static void sift_down(uint64_t *a, size_t start, size_t end)
{
    size_t root = start;
    while (2 * root + 1 < end) {
        size_t child = 2 * root + 1, sw = root;
        if (a[sw] < a[child])
            sw = child;
        if (child + 1 < end && a[sw] < a[child + 1])
            sw = child + 1;
        if (sw == root)
            return;
        {
            uint64_t t = a[root];
            a[root] = a[sw];
            a[sw] = t;
        }
        root = sw;
    }
}
static void heap_sort(uint64_t *a, size_t n)
{
    size_t i;
    if (n < 2)
        return;
    for (i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (i = n - 1; i > 0; i--) {
        uint64_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        sift_down(a, 0, i);
    }
}
static void insertion_sort(uint64_t *a, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        uint64_t v = a[i];
        for (j = i; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

#define N 3000

static void test_u64_sorts(void)
{
    static uint64_t a[N], b[N], c[N], d[N], tmp[N];
    size_t sizes[] = {0, 1, 2, 3, 7, 16, 100, 1000, N};
    unsigned si;
    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t n = sizes[si], i;
        int pattern;
        for (pattern = 0; pattern < 5; pattern++) {
            for (i = 0; i < n; i++) {
                switch (pattern) {
                case 0: a[i] = rnd(); break;                    /* random */
                case 1: a[i] = i; break;                        /* sorted */
                case 2: a[i] = n - i; break;                    /* reversed */
                case 3: a[i] = rnd() % 5; break;                /* many dups */
                default: a[i] = (i % 2) ? i : n * 2 - i; break; /* organ pipe */
                }
            }
            memcpy(b, a, n * sizeof(*a));
            memcpy(c, a, n * sizeof(*a));
            memcpy(d, a, n * sizeof(*a));
            ncompares = 0;
            qsort(a, n, sizeof(*a), cmp_u64);
            merge_sort(b, tmp, n);
            heap_sort(c, n);
            if (n <= 1000)
                insertion_sort(d, n);
            else
                memcpy(d, a, n * sizeof(*a));
            CHECK(is_sorted(a, n, sizeof(*a), cmp_u64));
            CHECK(memcmp(a, b, n * sizeof(*a)) == 0);
            CHECK(memcmp(a, c, n * sizeof(*a)) == 0);
            CHECK(memcmp(a, d, n * sizeof(*a)) == 0);
            printf("u64 n=%zu pattern=%d min=%llu max=%llu hash=%016llx\n", n, pattern,
                   n ? (unsigned long long)a[0] : 0ull, n ? (unsigned long long)a[n - 1] : 0ull,
                   (unsigned long long)hash_bytes(a, n * sizeof(*a)));
            mix(hash_bytes(a, n * sizeof(*a)));
        }
    }
}

static void test_small_elems(void)
{
    static uint8_t u8[N];
    static int16_t i16[N];
    static int32_t i32[N];
    size_t i;
    unsigned hist[256] = {0};
    for (i = 0; i < N; i++) {
        u8[i] = (uint8_t)rnd();
        hist[u8[i]]++;
        i16[i] = (int16_t)rnd();
        i32[i] = (int32_t)rnd();
    }
    qsort(u8, N, 1, cmp_u8);
    qsort(i16, N, 2, cmp_i16);
    qsort(i32, N, 4, cmp_i32_desc);
    CHECK(is_sorted(u8, N, 1, cmp_u8));
    CHECK(is_sorted(i16, N, 2, cmp_i16));
    CHECK(is_sorted(i32, N, 4, cmp_i32_desc));
    /* sorting keeps the multiset */
    for (i = 0; i < N; i++)
        hist[u8[i]]--;
    for (i = 0; i < 256; i++)
        CHECK(hist[i] == 0);
    printf("u8 first/last %u %u median %u hash %016llx\n", u8[0], u8[N - 1], u8[N / 2],
           (unsigned long long)hash_bytes(u8, N));
    printf("i16 first/last %d %d median %d hash %016llx\n", i16[0], i16[N - 1], i16[N / 2],
           (unsigned long long)hash_bytes(i16, sizeof i16));
    printf("i32 desc first/last %d %d median %d hash %016llx\n", i32[0], i32[N - 1], i32[N / 2],
           (unsigned long long)hash_bytes(i32, sizeof i32));
    mix(hash_bytes(u8, N) ^ hash_bytes(i16, sizeof i16) ^ hash_bytes(i32, sizeof i32));
}

static void test_records(void)
{
    static struct rec12 r12[N];
    static struct rec24 r24[N];
    static struct rec40 r40[500];
    size_t i;
    for (i = 0; i < N; i++) {
        r12[i].key = (int32_t)(rnd() % 50) - 25; /* many equal keys */
        r12[i].id = (uint32_t)i;
        r12[i].a = (uint16_t)rnd();
        r12[i].b = (uint16_t)i;
        r24[i].hi = rnd() % 10;
        r24[i].lo = rnd() % 10;
        memset(r24[i].tag, 0, 8);
        snprintf(r24[i].tag, 8, "t%05zu", i);
    }
    for (i = 0; i < 500; i++) {
        static const char *syll[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po"};
        int k, nsyl = 1 + (int)(rnd() % 4);
        memset(r40[i].name, 0, sizeof r40[i].name);
        for (k = 0; k < nsyl; k++)
            strcat(r40[i].name, syll[rnd() % 8]);
        r40[i].n = (int64_t)(rnd() % 1000) - 500;
    }
    qsort(r12, N, sizeof r12[0], cmp_rec12);
    qsort(r24, N, sizeof r24[0], cmp_rec24);
    qsort(r40, 500, sizeof r40[0], cmp_rec40);
    CHECK(is_sorted(r12, N, sizeof r12[0], cmp_rec12));
    CHECK(is_sorted(r24, N, sizeof r24[0], cmp_rec24));
    CHECK(is_sorted(r40, 500, sizeof r40[0], cmp_rec40));
    /* stability via tiebreak: equal keys come out in id order */
    for (i = 1; i < N; i++)
        if (r12[i].key == r12[i - 1].key)
            CHECK(r12[i].id > r12[i - 1].id);
    for (i = 0; i < N; i += 150)
        printf("r12[%zu] key=%d id=%u a=%u b=%u\n", i, r12[i].key, r12[i].id, r12[i].a, r12[i].b);
    for (i = 0; i < N; i += 150)
        printf("r24[%zu] %llu %llu %s\n", i, (unsigned long long)r24[i].hi,
               (unsigned long long)r24[i].lo, r24[i].tag);
    for (i = 0; i < 500; i += 10)
        printf("r40[%zu] %s %lld\n", i, r40[i].name, (long long)r40[i].n);
    mix(hash_bytes(r12, sizeof r12));
    mix(hash_bytes(r24, sizeof r24));
    mix(hash_bytes(r40, sizeof r40));
}

static void test_strings_and_bsearch(void)
{
    static char storage[2000][16];
    static char *ptrs[2000];
    static uint64_t keys[2000];
    size_t i, n = 0;
    int found = 0, absent = 0;
    for (i = 0; i < 2000; i++) {
        int len = 1 + (int)(rnd() % 12), k;
        for (k = 0; k < len; k++)
            storage[i][k] = (char)('a' + rnd() % 6);
        storage[i][len] = 0;
        ptrs[i] = storage[i];
    }
    qsort(ptrs, 2000, sizeof ptrs[0], cmp_str);
    CHECK(is_sorted(ptrs, 2000, sizeof ptrs[0], cmp_str));
    for (i = 0; i < 2000; i += 100)
        printf("str[%zu] = %s\n", i, ptrs[i]);
    /* unique even keys, then search for evens (present) and odds (absent) */
    for (i = 0; i < 2000; i++) {
        uint64_t k = (rnd() % 100000) * 2;
        keys[n++] = k;
    }
    qsort(keys, n, sizeof keys[0], cmp_u64);
    {
        size_t w = 0;
        for (i = 0; i < n; i++)
            if (w == 0 || keys[w - 1] != keys[i])
                keys[w++] = keys[i];
        n = w;
    }
    printf("unique keys %zu\n", n);
    for (i = 0; i < 4000; i++) {
        uint64_t probe = rnd() % 200000;
        uint64_t *hit = bsearch(&probe, keys, n, sizeof keys[0], cmp_u64);
        if (hit) {
            CHECK(*hit == probe && !(probe & 1));
            found++;
            mix((uint64_t)(hit - keys));
        } else {
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (keys[mid] < probe)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            CHECK(lo == n || keys[lo] != probe);
            absent++;
        }
    }
    {
        uint64_t first = keys[0], last = keys[n - 1], below = 0, above = 400000;
        CHECK(bsearch(&first, keys, n, sizeof keys[0], cmp_u64) == &keys[0]);
        CHECK(bsearch(&last, keys, n, sizeof keys[0], cmp_u64) == &keys[n - 1]);
        CHECK(first == 0 || bsearch(&below, keys, n, sizeof keys[0], cmp_u64) == NULL);
        CHECK(bsearch(&above, keys, n, sizeof keys[0], cmp_u64) == NULL);
        CHECK(bsearch(&above, keys, 0, sizeof keys[0], cmp_u64) == NULL);
    }
    printf("bsearch found=%d absent=%d\n", found, absent);
    mix((uint64_t)found << 32 | (uint64_t)absent);
}

int main(void)
{
    test_u64_sorts();
    test_small_elems();
    test_records();
    test_strings_and_bsearch();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
