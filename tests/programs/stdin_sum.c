/* stdin_sum.c - read all of standard input with read(2).
 *
 * Reads stdin to EOF with read() using a varying buffer size (1 byte up
 * to 64 KiB, so short reads and many syscalls are exercised), then prints
 * the byte count, line count, CRC-32, Adler-32, a byte histogram summary
 * and the first and last few bytes. Works with empty input.
 * Exit status: 0 on success, 1 if read() fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static uint32_t crc_table[256];

int main(void)
{
    static unsigned char buf[65536];
    static const size_t sizes[] = {1, 7, 64, 4096, 65536, 100, 3, 32768};
    uint32_t crc = 0xFFFFFFFFu, a = 1, b = 0;
    uint64_t total = 0, lines = 0, hist[256] = {0}, nreads = 0;
    unsigned char head[16], tail[16];
    size_t nhead = 0, i;
    unsigned k;
    for (k = 0; k < 256; k++) {
        uint32_t c = k;
        int j;
        for (j = 0; j < 8; j++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[k] = c;
    }
    for (;;) {
        size_t want = sizes[nreads % (sizeof sizes / sizeof sizes[0])];
        ssize_t n = read(0, buf, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("read");
            return 1;
        }
        if (n == 0)
            break;
        nreads++;
        for (i = 0; i < (size_t)n; i++) {
            unsigned char c = buf[i];
            crc = crc_table[(crc ^ c) & 0xFF] ^ (crc >> 8);
            a = (a + c) % 65521;
            b = (b + a) % 65521;
            hist[c]++;
            lines += c == '\n';
            if (nhead < sizeof head)
                head[nhead++] = c;
            tail[(total + i) % sizeof tail] = c;
        }
        total += (uint64_t)n;
    }
    crc = ~crc;
    printf("bytes %llu\n", (unsigned long long)total);
    printf("lines %llu\n", (unsigned long long)lines);
    printf("crc32 %08x\n", crc);
    printf("adler32 %08x\n", b << 16 | a);
    {
        unsigned distinct = 0, most = 0;
        for (k = 0; k < 256; k++) {
            distinct += hist[k] != 0;
            if (hist[k] > hist[most])
                most = k;
        }
        printf("distinct bytes %u, most common 0x%02x x%llu\n", distinct, most,
               (unsigned long long)hist[most]);
    }
    printf("head:");
    for (i = 0; i < nhead; i++)
        printf(" %02x", head[i]);
    printf("\ntail:");
    {
        size_t nt = total < sizeof tail ? (size_t)total : sizeof tail;
        for (i = 0; i < nt; i++)
            printf(" %02x", tail[(total - nt + i) % sizeof tail]);
    }
    printf("\n");
    return 0;
}
