/* The auxiliary vector of a dynamic (PIE) program. Without arguments it prints only what is the same
 * natively and in the VM whatever the address-space layout; with "exact" it also prints absolute
 * addresses, which match native only when native runs without randomisation (setarch -R). */
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;
extern void _start(void);
extern char __executable_start[], _end[];

int main(int argc, char **argv) {
    int exact = argc > 1 && strcmp(argv[1], "exact") == 0;
    unsigned long base = getauxval(AT_BASE), phdr = getauxval(AT_PHDR), entry = getauxval(AT_ENTRY);
    unsigned long lo = (unsigned long)__executable_start, hi = (unsigned long)_end;
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PHNUM %lu\n", getauxval(AT_PHNUM));
    printf("AT_PHENT %lu\n", getauxval(AT_PHENT));
    printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
    printf("AT_FLAGS %lu\n", getauxval(AT_FLAGS));
    printf("AT_SECURE %lu\n", getauxval(AT_SECURE));
    printf("AT_BASE nonzero %d, page aligned %d, above program %d\n", base != 0, (base & 4095) == 0, base > hi);
    printf("AT_ENTRY is _start %d, inside program %d\n", entry == (unsigned long)&_start, entry >= lo && entry < hi);
    printf("AT_PHDR inside program %d\n", phdr >= lo && phdr < hi);
    ElfW(Phdr) *ph = (ElfW(Phdr) *)phdr;
    int loads = 0;
    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++) loads += ph[i].p_type == PT_LOAD;
    printf("PT_LOAD segments %d, first phdr type %u\n", loads, ph[0].p_type);
    printf("AT_EXECFN is argv[0] %d\n", execfn != NULL && strcmp(execfn, argv[0]) == 0);
    printf("AT_PLATFORM %s\n", platform ? platform : "(none)");
    printf("AT_RANDOM set %d\n", getauxval(AT_RANDOM) != 0);
    /* Where the dynamic loader says the main program and ld.so are. */
    struct link_map *map = _r_debug.r_map;
    printf("main program l_addr page aligned %d\n", map && (map->l_addr & 4095) == 0);
    if (exact) {
        printf("AT_BASE %#lx\n", base);
        printf("AT_PHDR %#lx\n", phdr);
        printf("AT_ENTRY %#lx\n", entry);
        printf("program %#lx-%#lx\n", lo, hi);
        printf("AT_EXECFN %p\n", (void *)execfn);
        printf("AT_PLATFORM %p\n", (void *)platform);
        printf("AT_RANDOM %#lx\n", getauxval(AT_RANDOM));
        printf("argv[0] %p environ[0] %p\n", (void *)argv[0], (void *)environ[0]);
        printf("l_addr %#lx\n", (unsigned long)map->l_addr);
    }
    return 0;
}
