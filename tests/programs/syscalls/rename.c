/* rename, renameat, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE) and their errors. */
#include "check.h"
#include <linux/fs.h>

static long rn2(const char *a, const char *b, unsigned flags) { return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags); }

int main(void)
{
    write_file("a", "A");
    write_file("b", "B");
    T(mkdir("d", 0755));
    T(mkdir("e", 0755));
    write_file("e/inside", "I");
    T(mkdir("empty", 0755));

    T(rename("a", "a2"));
    show_file("a2");
    T(rename("a", "x"));
    T(rename("a2", "b"));
    show_file("b");
    show_stat("a2", 1);
    T(rename("b", "b"));
    T(rename("b", "d"));
    T(rename("d", "b"));
    T(rename("d", "e"));
    T(rename("d", "empty"));
    show_stat("d", 1);
    show_stat("empty", 1);
    T(rename("empty", "empty/sub"));
    T(rename(".", "z"));
    T(rename("empty", "."));
    T(rename("b/", "c"));
    T(rename("empty/", "moved/"));
    show_stat("moved", 1);
    T(rename("missing", "x"));
    T(rename("b", "missing/x"));

    /* renameat2 flags. */
    write_file("p", "P");
    write_file("q", "Q");
    T(rn2("p", "q", RENAME_NOREPLACE));
    T(rn2("p", "r", RENAME_NOREPLACE));
    T(rn2("r", "q", RENAME_EXCHANGE));
    show_file("r");
    show_file("q");
    T(rn2("r", "nothere", RENAME_EXCHANGE));
    T(rn2("r", "e", RENAME_EXCHANGE));
    show_stat("r", 1);
    show_file("e");
    show_file("r/inside");
    T(rn2("r", "e", RENAME_EXCHANGE | RENAME_NOREPLACE));
    T(rn2("r", "e", 0x100));

    /* Open files follow their renamed names; directories move with their contents. */
    int fd = open("q", O_RDWR);
    T(rename("q", "r/q"));
    T(write(fd, "+", 1));
    close(fd);
    show_file("r/q");
    T(rename("r", "moved/r"));
    show_file("moved/r/q");
    show_file("moved/r/inside");

    /* renameat relative to descriptors. */
    int d1 = open("moved", O_RDONLY | O_DIRECTORY), d2 = open(".", O_RDONLY | O_DIRECTORY);
    T(renameat(d1, "r", d2, "back"));
    T(renameat(d1, "r", d2, "back"));
    close(d1);
    close(d2);
    show_dir(".");
    show_dir("back");
    return finish();
}
