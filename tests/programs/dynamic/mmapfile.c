/* File mappings the way ld.so makes them, on the program's own file (argv[0]): a PROT_NONE reservation,
 * MAP_FIXED|MAP_PRIVATE file maps at page offsets over it, MAP_DENYWRITE (ignored), mprotect of parts,
 * private writes not reaching the file, and the partial last page reading as zero past EOF.
 * Prints checksums and results only, never addresses. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long sum(const unsigned char *p, size_t n) {
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211UL;
    return h;
}

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); failures++; } } while (0)

int main(int argc, char **argv) {
    (void)argc;
    int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    size_t size = (size_t)st.st_size, pages = (size + 4095) / 4096;
    static unsigned char file[1 << 20];
    CHECK(size <= sizeof file);
    CHECK(pread(fd, file, size, 0) == (ssize_t)size);

    /* Reserve the whole span plus two pages, as ld.so does with the first segment's mapping. */
    size_t span = (pages + 2) * 4096;
    unsigned char *base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(base != MAP_FAILED);
    /* Page 1 of the file at page 0 of the reservation, read-only, MAP_DENYWRITE. */
    unsigned char *a = mmap(base, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, fd, 4096);
    CHECK(a == base);
    CHECK(memcmp(a, file + 4096, 4096) == 0);
    /* The rest of the file from offset 0 at page 1, writable (private copy). */
    unsigned char *b = mmap(base + 4096, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    CHECK(b == base + 4096);
    CHECK(memcmp(b, file, size) == 0);
    /* Past EOF inside the last page: zero. */
    int zero = 1;
    for (size_t i = size; i < pages * 4096; i++) zero &= b[i] == 0;
    CHECK(zero);
    printf("file pages %zu, tail of last page zero: %d\n", pages, zero);
    /* Private writes stay private. */
    b[0] = 'X';
    b[size - 1] ^= 0xFF;
    unsigned char check[4];
    CHECK(pread(fd, check, 4, 0) == 4 && check[0] == 0x7F);
    /* mprotect the first half read-only, the rest stays writable. */
    CHECK(mprotect(b, 4096, PROT_READ) == 0);
    b[4096] = 'Y';
    CHECK(b[4096] == 'Y');
    /* The last reserved page is still PROT_NONE; mapping anonymous memory over it works. */
    unsigned char *c = mmap(base + (pages + 1) * 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
    CHECK(c == base + (pages + 1) * 4096 && c[0] == 0 && c[4095] == 0);
    /* A second, independent mapping of the same file sees the file, not our private writes. */
    unsigned char *d = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(d != MAP_FAILED && memcmp(d, file, size) == 0);
    printf("checksums: file %016lx page1 %016lx\n", sum(file, size), sum(a, 4096));
    CHECK(munmap(base, span) == 0 && munmap(d, size) == 0);
    close(fd);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
