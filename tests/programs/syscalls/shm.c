/* System V shared memory: a private segment shared with a forked child, keyed segments (IPC_CREAT, IPC_EXCL, sizes),
 * IPC_STAT (size, mode, attach counts), IPC_SET, SHM_RDONLY, shmdt, IPC_RMID while attached, and the errors. */
#include "check.h"
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

static void stat_of(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) { printf("IPC_STAT: %s\n", errname(errno)); return; }
    printf("IPC_STAT: size %zu mode %04o nattch %lu cpid ok %d\n", ds.shm_segsz, ds.shm_perm.mode & 0777,
        (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid());
}

int main(void)
{
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    TF(id);
    stat_of(id);
    char *mem = shmat(id, NULL, 0);
    T(mem == (void *)-1);
    strcpy(mem, "parent wrote");
    stat_of(id);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        printf("child sees: %s\n", mem);
        char *again = shmat(id, NULL, 0);
        strcpy(again + 5000, "child wrote");
        stat_of(id);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("parent sees: %s\n", mem + 5000);
    stat_of(id);

    char *ro = shmat(id, NULL, SHM_RDONLY);
    T(ro == (void *)-1);
    printf("read-only view: %s\n", ro);
    T(shmdt(ro));
    T(shmdt(ro));
    T(shmdt(mem + 1));

    struct shmid_ds ds;
    shmctl(id, IPC_STAT, &ds);
    ds.shm_perm.mode = 0640;
    T(shmctl(id, IPC_SET, &ds));
    stat_of(id);
    T(shmctl(id, IPC_RMID, NULL));
    printf("after RMID still attached: %s\n", mem);
    T(shmdt(mem));
    T(shmctl(id, IPC_STAT, &ds));
    T(shmat(id, NULL, 0) == (void *)-1);

    /* Keyed segments. */
    key_t key = 0x5eed0000 + (getpid() & 0xffff);
    T(shmget(key, 4096, 0600));
    int k = shmget(key, 4096, IPC_CREAT | 0600);
    TF(k);
    T(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
    T(shmget(key, 2048, 0600) == k);
    T(shmget(key, 8192, 0600));
    T(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    T(shmctl(k, 12345, NULL));
    T(shmctl(-1, IPC_STAT, &ds));
    T(shmat(k, (void *)12345, 0));
    char *r = shmat(k, (void *)(0x7f0000001234UL), SHM_RND);
    SHOW("SHM_RND rounds: %d", r == (void *)0x7f0000001000UL);
    r[0] = 1;
    FILE *f = fopen("/proc/sysvipc/shm", "r");
    char line[512];
    if (f && fgets(line, sizeof line, f)) printf("header: %s", line);
    while (f && fgets(line, sizeof line, f)) {
        int kk, sid; unsigned perms, uid, gid, cuid, cgid; unsigned long size, nattch, rss, swap; int cpid, lpid;
        long long at, dt, ct;
        if (sscanf(line, "%d %d %o %lu %d %d %lu %u %u %u %u %lld %lld %lld %lu %lu", &kk, &sid, &perms, &size, &cpid, &lpid,
                &nattch, &uid, &gid, &cuid, &cgid, &at, &dt, &ct, &rss, &swap) == 16 && kk == key)
            printf("/proc/sysvipc/shm: perms %o size %lu cpid me %d lpid me %d nattch %lu uid %u rss %lu swap %lu\n", perms, size,
                cpid == getpid(), lpid == getpid(), nattch, uid, rss, swap);
    }
    if (f) fclose(f);
    T(shmdt(r));
    T(shmctl(k, IPC_RMID, NULL));
    T(shmget(key, 4096, 0600));
    return finish();
}
