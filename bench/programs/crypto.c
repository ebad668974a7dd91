/* bench: crypto kernels - SHA-256, ChaCha20 and a schoolbook bignum multiply.
 * Integer only, deterministic. Usage: crypto [scale-percent] (default 100).
 * Prints checksums of each kernel.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- SHA-256 ---------------- */
static const uint32_t K[64] = {
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
#define ROR(x, r) (((x) >> (r)) | ((x) << (32 - (r))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++)
        w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
               w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const unsigned char *msg, size_t n, uint32_t out[8])
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char tail[128];
    size_t full = n / 64 * 64, rem = n - full, tl, i;
    uint64_t bits = (uint64_t)n * 8;
    memcpy(out, iv, sizeof iv);
    for (i = 0; i < full; i += 64)
        sha256_block(out, msg + i);
    memset(tail, 0, sizeof tail);
    memcpy(tail, msg + full, rem);
    tail[rem] = 0x80;
    tl = rem < 56 ? 64 : 128;
    for (i = 0; i < 8; i++)
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (i = 0; i < tl; i += 64)
        sha256_block(out, tail + i);
}

/* ---------------- ChaCha20 ---------------- */
#define ROTL(x, r) (((x) << (r)) | ((x) >> (32 - (r))))
#define QR(a, b, c, d)                                                  \
    a += b; d ^= a; d = ROTL(d, 16);                                    \
    c += d; b ^= c; b = ROTL(b, 12);                                    \
    a += b; d ^= a; d = ROTL(d, 8);                                     \
    c += d; b ^= c; b = ROTL(b, 7)

static void chacha20_block(const uint32_t in[16], uint32_t out[16])
{
    uint32_t x[16];
    int i;
    memcpy(x, in, sizeof x);
    for (i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (i = 0; i < 16; i++)
        out[i] = x[i] + in[i];
}

static void chacha20_xor(unsigned char *buf, size_t n, const uint32_t key[8], uint32_t nonce)
{
    uint32_t st[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    uint32_t ks[16];
    size_t off = 0;
    int i;
    for (i = 0; i < 8; i++)
        st[4 + i] = key[i];
    st[12] = 0;
    st[13] = nonce;
    st[14] = 0x4a000000;
    st[15] = 0;
    while (off < n) {
        size_t k, m = n - off < 64 ? n - off : 64;
        chacha20_block(st, ks);
        for (k = 0; k < m; k++)
            buf[off + k] ^= (unsigned char)(ks[k / 4] >> (8 * (k % 4)));
        off += m;
        st[12]++;
    }
}

/* ---------------- bignum: schoolbook multiply on 32-bit limbs ---------------- */
static void bn_mul(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *r)
{
    size_t i, j;
    memset(r, 0, (na + nb) * sizeof(uint32_t));
    for (i = 0; i < na; i++) {
        uint64_t carry = 0, ai = a[i];
        for (j = 0; j < nb; j++) {
            uint64_t t = ai * b[j] + r[i + j] + carry;
            r[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        r[i + nb] = (uint32_t)carry;
    }
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 100;
    size_t n;
    unsigned char *buf;
    uint32_t key[8], h[8];
    uint64_t sum = 0;
    size_t i;
    int round;
    if (scale < 1)
        scale = 1;
    n = (size_t)(12 << 20) * (size_t)scale / 100;
    if (n < 4096)
        n = 4096;
    buf = malloc(n);
    for (i = 0; i < n; i++)
        buf[i] = (unsigned char)rnd32();
    for (i = 0; i < 8; i++)
        key[i] = rnd32();

    /* SHA-256 over the buffer, several passes */
    for (round = 0; round < 3; round++) {
        sha256(buf, n - (size_t)round * 7, h);
        buf[round] ^= (unsigned char)h[0];
        printf("sha256 pass %d: %08x%08x%08x%08x...\n", round, h[0], h[1], h[2], h[3]);
        sum = sum * 31 + h[7];
    }

    /* ChaCha20: encrypt, checksum, decrypt, verify */
    for (round = 0; round < 2; round++) {
        uint64_t cs = 0;
        chacha20_xor(buf, n, key, (uint32_t)round);
        for (i = 0; i < n; i += 8)
            cs = cs * 1000003 + buf[i];
        chacha20_xor(buf, n, key, (uint32_t)round);
        printf("chacha20 pass %d: %016llx\n", round, (unsigned long long)cs);
        sum = sum * 31 + cs;
    }
    sha256(buf, n, h);
    printf("sha256 after chacha round-trip: %08x%08x\n", h[0], h[1]);

    /* bignum: repeated squaring-like products of 1024-limb numbers */
    {
        size_t nl = 1500;
        uint32_t *a, *b, *r;
        uint64_t bs = 0;
        int reps = (int)(16 * scale / 100);
        if (reps < 1)
            reps = 1;
        a = malloc(nl * 4);
        b = malloc(nl * 4);
        r = malloc(nl * 8);
        for (i = 0; i < nl; i++) {
            a[i] = rnd32();
            b[i] = rnd32();
        }
        for (round = 0; round < reps; round++) {
            bn_mul(a, nl, b, nl, r);
            /* feed the high half back in */
            memcpy(a, r + nl, nl * 4);
            memcpy(b, r, nl * 4);
            bs = bs * 31 + r[0] + r[nl] + r[2 * nl - 1];
        }
        printf("bignum %zu limbs x%d: %016llx\n", nl, reps, (unsigned long long)bs);
        sum = sum * 31 + bs;
        free(a);
        free(b);
        free(r);
    }
    printf("checksum %016llx\n", (unsigned long long)sum);
    free(buf);
    return 0;
}
