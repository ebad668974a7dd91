/* dlopen/dlsym/dlclose at run time: libm.so.6 is loaded by the dynamic loader after start-up
 * (open, mmap of its segments over a reservation, mprotect, relocation), then integer functions are
 * called through dlsym'd pointers. Integers only. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    void *m = dlopen("libm.so.6", RTLD_NOW);
    if (!m) { printf("dlopen failed: %s\n", dlerror()); return 1; }
    long (*my_labs)(long) = (long (*)(long))dlsym(m, "labs");
    long long (*my_llabs)(long long) = (long long (*)(long long))dlsym(m, "llabs");
    long (*my_lrint)(double) = (long (*)(double))dlsym(m, "lrint");
    printf("labs %s llabs %s lrint %s\n", my_labs ? "found" : "missing", my_llabs ? "found" : "missing",
           my_lrint ? "found" : "missing");
    if (!my_labs) return 2;
    long total = 0;
    for (long i = -5; i <= 5; i++) total += my_labs(i * 1000003);
    printf("sum of labs: %ld\n", total);
    if (my_llabs) printf("llabs: %lld\n", my_llabs(-1234567890123LL));
    if (dlsym(m, "no_such_symbol_xyz") == NULL) printf("missing symbol: ok\n");
    void *again = dlopen("libm.so.6", RTLD_NOW | RTLD_NOLOAD);
    printf("reopen same handle: %d\n", again == m);
    if (again) dlclose(again);
    void *bad = dlopen("libdoesnotexist.so.9", RTLD_NOW);
    printf("bad dlopen: %s\n", bad ? "loaded?!" : "NULL");
    printf("dlclose: %d\n", dlclose(m));
    return 0;
}
