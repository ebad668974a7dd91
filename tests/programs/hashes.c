/* hashes.c - checksums, a cryptographic hash and hash tables.
 *
 * CRC-32 (table-driven and bitwise, cross-checked), Adler-32, FNV-1a,
 * SHA-256 (FIPS 180-2 test vectors, including one million 'a', plus
 * generated data of every length 0..200 hashed both in one go and in odd
 * sized pieces), an open-addressing hash table with tombstones and
 * resizing checked against a presence array, and a chained string table.
 * Exit status: 0 if all self-checks pass, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

static uint64_t rng_state = 0x4A54AB1Eull;
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

/* ---------------- CRC-32 / Adler-32 / FNV ---------------- */
static uint32_t crc_table[256];
static void crc_init(void)
{
    uint32_t i, j;
    for (i = 0; i < 256; i++) {
        uint32_t c = i;
        for (j = 0; j < 8; j++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}
static uint32_t adler32(const unsigned char *p, size_t n)
{
    uint32_t a = 1, b = 0;
    while (n--) {
        a = (a + *p++) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001B3ull;
    return h;
}

/* ---------------- SHA-256 ---------------- */
typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} sha256_ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t ror32(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (i = 0; i < 64; i++) {
        uint32_t S1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
        uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
        uint32_t t2 = S0 + maj;
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->nbuf = 0;
}
static void sha256_update(sha256_ctx *c, const unsigned char *p, size_t n)
{
    c->len += n;
    while (n) {
        size_t take = 64 - c->nbuf;
        if (take > n)
            take = n;
        if (c->nbuf == 0 && n >= 64) {
            sha256_block(c, p);
            p += 64;
            n -= 64;
            continue;
        }
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take;
        p += take;
        n -= take;
        if (c->nbuf == 64) {
            sha256_block(c, c->buf);
            c->nbuf = 0;
        }
    }
}
static void sha256_final(sha256_ctx *c, unsigned char out[32])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, z = 0, lenb[8];
    int i;
    sha256_update(c, &pad, 1);
    while (c->nbuf != 56)
        sha256_update(c, &z, 1);
    for (i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, lenb, 8);
    for (i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}
static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}
static void sha256_hex(const void *p, size_t n, char out[65])
{
    sha256_ctx c;
    unsigned char d[32];
    sha256_init(&c);
    sha256_update(&c, p, n);
    sha256_final(&c, d);
    hex(d, 32, out);
}

static void test_checksums(void)
{
    static unsigned char data[70000];
    size_t i;
    const unsigned char *s = (const unsigned char *)"123456789";
    char hx[65];
    CHECK(crc32_update(0, s, 9) == 0xCBF43926u);
    CHECK(crc32_bitwise(s, 9) == 0xCBF43926u);
    CHECK(adler32((const unsigned char *)"Wikipedia", 9) == 0x11E60398u);
    printf("crc32(123456789)=%08x adler32(Wikipedia)=%08x fnv1a(abc)=%016llx\n",
           crc32_update(0, s, 9), adler32((const unsigned char *)"Wikipedia", 9),
           (unsigned long long)fnv1a((const unsigned char *)"abc", 3));
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(rnd() >> 56);
    for (i = 0; i <= 64; i++) {
        uint32_t a = crc32_update(0, data, i), b = crc32_bitwise(data, i);
        CHECK(a == b);
        mix(a);
    }
    {
        /* incremental CRC over uneven pieces */
        uint32_t whole = crc32_update(0, data, sizeof data), inc = 0;
        size_t pos = 0, step = 1;
        while (pos < sizeof data) {
            size_t n = step < sizeof data - pos ? step : sizeof data - pos;
            inc = crc32_update(inc, data + pos, n);
            pos += n;
            step = step * 3 % 1000 + 1;
        }
        CHECK(whole == inc);
        CHECK(whole == crc32_bitwise(data, sizeof data));
        printf("crc32(data)=%08x adler32=%08x fnv1a=%016llx\n", whole,
               adler32(data, sizeof data), (unsigned long long)fnv1a(data, sizeof data));
        mix(whole);
        mix(adler32(data, sizeof data));
    }
    for (i = 0; i < 8; i++) {
        size_t n = (size_t)1 << (2 * i);
        if (n > sizeof data)
            n = sizeof data;
        sha256_hex(data, n, hx);
        printf("crc/adler/sha256 of %zu bytes: %08x %08x %s\n", n, crc32_update(0, data, n),
               adler32(data, n), hx);
        mix(fnv1a((unsigned char *)hx, 64));
    }
}

static void test_sha256(void)
{
    static const struct {
        const char *msg;
        const char *digest;
    } vec[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"The quick brown fox jumps over the lazy dog",
         "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
    };
    char hx[65];
    unsigned i;
    for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        sha256_hex(vec[i].msg, strlen(vec[i].msg), hx);
        printf("sha256(\"%s\") = %s\n", vec[i].msg, hx);
        CHECK(strcmp(hx, vec[i].digest) == 0);
    }
    {
        /* one million 'a', fed in 1000-byte pieces */
        static unsigned char a1000[1000];
        sha256_ctx c;
        unsigned char d[32];
        memset(a1000, 'a', sizeof a1000);
        sha256_init(&c);
        for (i = 0; i < 1000; i++)
            sha256_update(&c, a1000, sizeof a1000);
        sha256_final(&c, d);
        hex(d, 32, hx);
        printf("sha256(1M x 'a') = %s\n", hx);
        CHECK(strcmp(hx, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    }
    {
        /* every length 0..200: one-shot vs byte-at-a-time must agree */
        unsigned char msg[201];
        size_t n, k;
        for (n = 0; n <= 200; n++) {
            sha256_ctx c;
            unsigned char d[32];
            char hx2[65];
            for (k = 0; k < n; k++)
                msg[k] = (unsigned char)(n * 31 + k * 7);
            sha256_hex(msg, n, hx);
            sha256_init(&c);
            for (k = 0; k < n; k++)
                sha256_update(&c, msg + k, 1);
            sha256_final(&c, d);
            hex(d, 32, hx2);
            CHECK(strcmp(hx, hx2) == 0);
            if (n % 8 == 0 || (n >= 54 && n <= 66))
                printf("sha256 len %3zu %s\n", n, hx);
            mix(fnv1a((unsigned char *)hx, 64));
        }
    }
    {
        /* hash chain */
        unsigned char d[32];
        sha256_ctx c;
        memset(d, 0, sizeof d);
        for (i = 0; i < 1000; i++) {
            sha256_init(&c);
            sha256_update(&c, d, 32);
            sha256_final(&c, d);
        }
        hex(d, 32, hx);
        printf("sha256 chain x1000 = %s\n", hx);
        mix(fnv1a(d, 32));
    }
}

/* ---------------- open addressing hash table ---------------- */
#define EMPTY 0
#define TOMB 1
typedef struct {
    uint64_t *keys; /* 0 = empty, 1 = tombstone, otherwise key (key >= 2) */
    uint64_t *vals;
    size_t cap, used, live;
    uint64_t probes;
} table;

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}
static void t_init(table *t, size_t cap)
{
    t->keys = calloc(cap, sizeof(uint64_t));
    t->vals = calloc(cap, sizeof(uint64_t));
    t->cap = cap;
    t->used = t->live = 0;
}
static void t_put(table *t, uint64_t k, uint64_t v);
static void t_grow(table *t)
{
    table n;
    size_t i;
    t_init(&n, t->cap * 2);
    n.probes = t->probes;
    for (i = 0; i < t->cap; i++)
        if (t->keys[i] > TOMB)
            t_put(&n, t->keys[i], t->vals[i]);
    free(t->keys);
    free(t->vals);
    *t = n;
}
static void t_put(table *t, uint64_t k, uint64_t v)
{
    size_t i, tomb = (size_t)-1;
    if ((t->used + 1) * 4 > t->cap * 3)
        t_grow(t);
    i = hash64(k) & (t->cap - 1);
    for (;;) {
        t->probes++;
        if (t->keys[i] == EMPTY) {
            if (tomb != (size_t)-1)
                i = tomb;
            else
                t->used++;
            t->keys[i] = k;
            t->vals[i] = v;
            t->live++;
            return;
        }
        if (t->keys[i] == TOMB) {
            if (tomb == (size_t)-1)
                tomb = i;
        } else if (t->keys[i] == k) {
            t->vals[i] = v;
            return;
        }
        i = (i + 1) & (t->cap - 1);
    }
}
static uint64_t *t_get(table *t, uint64_t k)
{
    size_t i = hash64(k) & (t->cap - 1);
    for (;;) {
        t->probes++;
        if (t->keys[i] == EMPTY)
            return NULL;
        if (t->keys[i] == k)
            return &t->vals[i];
        i = (i + 1) & (t->cap - 1);
    }
}
static int t_del(table *t, uint64_t k)
{
    size_t i = hash64(k) & (t->cap - 1);
    for (;;) {
        if (t->keys[i] == EMPTY)
            return 0;
        if (t->keys[i] == k) {
            t->keys[i] = TOMB;
            t->live--;
            return 1;
        }
        i = (i + 1) & (t->cap - 1);
    }
}

#define DOMAIN 20000
static uint64_t key_of(unsigned i) { return hash64(i + 12345) | 2; }

static void test_table(void)
{
    static unsigned char present[DOMAIN];
    static uint64_t value[DOMAIN];
    table t;
    int op;
    size_t nlive = 0, i;
    uint64_t sum = 0;
    t_init(&t, 16);
    t.probes = 0;
    for (op = 0; op < 60000; op++) {
        unsigned k = (unsigned)(rnd() % DOMAIN);
        unsigned what = (unsigned)(rnd() % 10);
        uint64_t key = key_of(k);
        if (what < 5) {
            uint64_t v = rnd();
            if (!present[k])
                nlive++;
            present[k] = 1;
            value[k] = v;
            t_put(&t, key, v);
        } else if (what < 8) {
            uint64_t *p = t_get(&t, key);
            CHECK((p != NULL) == present[k]);
            if (p && present[k])
                CHECK(*p == value[k]);
        } else {
            int r = t_del(&t, key);
            CHECK(r == present[k]);
            if (present[k])
                nlive--;
            present[k] = 0;
        }
        if (op % 10000 == 9999)
            printf("table op %d: live=%zu cap=%zu used=%zu probes=%llu\n", op + 1, t.live,
                   t.cap, t.used, (unsigned long long)t.probes);
    }
    CHECK(t.live == nlive);
    for (i = 0; i < DOMAIN; i++) {
        uint64_t *p = t_get(&t, key_of((unsigned)i));
        CHECK((p != NULL) == present[i]);
        if (p)
            sum += *p ^ i;
    }
    printf("table final live=%zu sum=%016llx\n", t.live, (unsigned long long)sum);
    mix(sum);
    mix(t.live);
    mix(t.probes);
    free(t.keys);
    free(t.vals);
}

/* ---------------- chained string table (word counting) ---------------- */
struct entry {
    struct entry *next;
    char *word;
    unsigned count;
};

static void test_word_count(void)
{
    enum { NB = 257 };
    struct entry *buckets[NB] = {0};
    static const char *syll[] = {"ba", "ko", "ri", "tu", "me", "sa", "ne", "lo", "pi", "da"};
    int i, distinct = 0;
    unsigned maxc = 0, total = 0;
    char best[32] = "";
    for (i = 0; i < 20000; i++) {
        char w[32];
        int ns = 1 + (int)(rnd() % 3), k;
        unsigned h;
        struct entry *e;
        w[0] = 0;
        for (k = 0; k < ns; k++)
            strcat(w, syll[rnd() % 10]);
        h = (unsigned)(fnv1a((const unsigned char *)w, strlen(w)) % NB);
        for (e = buckets[h]; e; e = e->next)
            if (strcmp(e->word, w) == 0)
                break;
        if (!e) {
            e = malloc(sizeof *e);
            e->word = strdup(w);
            e->count = 0;
            e->next = buckets[h];
            buckets[h] = e;
            distinct++;
        }
        e->count++;
    }
    for (i = 0; i < NB; i++) {
        struct entry *e = buckets[i], *n;
        for (; e; e = n) {
            n = e->next;
            total += e->count;
            if (e->count > maxc || (e->count == maxc && strcmp(e->word, best) < 0)) {
                maxc = e->count;
                strcpy(best, e->word);
            }
            mix(fnv1a((const unsigned char *)e->word, strlen(e->word)) * e->count);
            free(e->word);
            free(e);
        }
    }
    printf("words total=%u distinct=%d most frequent=%s x%u\n", total, distinct, best, maxc);
    CHECK(total == 20000 && distinct <= 10 + 100 + 1000 && distinct > 1000);
}

int main(void)
{
    crc_init();
    test_checksums();
    test_sha256();
    test_table();
    test_word_count();
    printf("checksum %016" PRIx64 "\n", ck);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}
