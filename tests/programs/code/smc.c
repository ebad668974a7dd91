/* Self-modifying code: stores into code that has already run (and been decoded, maybe compiled) take effect before
 * the changed bytes run again — in another function, in the same straight-line block right after the store, inside a
 * hot loop, and from another thread. Output must equal the native run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static uint8_t *page;

typedef int (*fn)(void);

/* mov eax, imm32 ; ret */
static fn emit_const(uint8_t *at, uint32_t value) {
    at[0] = 0xB8;
    memcpy(at + 1, &value, 4);
    at[5] = 0xC3;
    return (fn)at;
}

/* A function that patches its own next instruction's immediate, then runs it:
 *   lea rcx, [rip + 0]        ; rcx = address of the next instruction (the store)
 *   mov byte [rcx + 5], sil   ; the low immediate byte of "mov eax, imm32" below (store 4 bytes, opcode 1)
 *   mov eax, 0x00000001       ; executes with the byte just stored
 *   ret
 * Called as int f(int, int value) so the new byte arrives in sil (esi, the second argument). */
typedef int (*fn2)(int, int);

static fn2 emit_self_patch(uint8_t *at) {
    static const uint8_t code[] = {
        0x48, 0x8D, 0x0D, 0x00, 0x00, 0x00, 0x00, /* lea rcx, [rip+0] */
        0x40, 0x88, 0x71, 0x05,                   /* mov [rcx+5], sil */
        0xB8, 0x01, 0x00, 0x00, 0x00,             /* mov eax, 1 (opcode at rcx+4, immediate from rcx+5) */
        0xC3,                                     /* ret */
    };
    memcpy(at, code, sizeof code);
    return (fn2)at;
}

static volatile int patched;

static void *patcher(void *arg) {
    (void)arg;
    for (volatile int i = 0; i < 100000; i++) {}
    uint32_t v = 99;
    memcpy(page + 0x201, &v, 4); /* the thread's spinning function now returns 99 */
    __atomic_store_n(&patched, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void) {
    page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return 1;

    /* 1. Rewriting a function between calls, in a hot loop. */
    long sum = 0;
    for (int i = 0; i < 3000; i++) {
        fn f = emit_const(page, (uint32_t)i);
        sum += f();
    }
    printf("rewrite between calls: sum %ld\n", sum);

    /* 2. A store into the same block, to the very next instruction. */
    fn2 g = emit_self_patch(page + 0x100);
    long patch_sum = 0;
    for (int i = 0; i < 3000; i++) patch_sum += g(0, i & 0x7F);
    printf("patch next instruction: sum %ld\n", patch_sum);

    /* 3. One hot loop alternating two callees whose code is rewritten every 100 iterations. */
    fn a = emit_const(page + 0x180, 1), b = emit_const(page + 0x190, 2);
    long mix = 0;
    for (int i = 0; i < 5000; i++) {
        if (i % 100 == 0) { emit_const(page + 0x180, (uint32_t)i); emit_const(page + 0x190, (uint32_t)(i * 3)); }
        mix += (i & 1) ? a() : b();
    }
    printf("alternating rewritten callees: sum %ld\n", mix);

    /* 4. Another thread rewrites the code this thread is spinning in. */
    fn spin = emit_const(page + 0x200, 7);
    pthread_t t;
    pthread_create(&t, NULL, patcher, NULL);
    long calls = 0;
    int r;
    while ((r = spin()) != 99) {
        calls++;
        if (r != 7) { printf("unexpected %d\n", r); return 1; }
    }
    pthread_join(t, NULL);
    printf("cross-thread patch seen: %d (patched=%d)\n", r, patched);
    return 0;
}
