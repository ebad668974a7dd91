/* System V semaphores: semget (keys, IPC_CREAT/IPC_EXCL, sizes), semctl (GETVAL/SETVAL/GETALL/SETALL, GETPID,
 * GETNCNT/GETZCNT, IPC_STAT/IPC_SET, SEM_STAT, IPC_INFO, IPC_RMID), semop's all-or-nothing operations, IPC_NOWAIT,
 * semtimedop's timeout, waits across fork woken by another process, SEM_UNDO applied at exit, IPC_RMID waking a
 * waiter with EIDRM, a signal interrupting a wait (EINTR), permissions for another user, /proc/sysvipc/sem. */
#include "check.h"
#include <signal.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *info; };

static int op(int id, unsigned short num, short delta, short flags)
{
    struct sembuf b = {num, delta, flags};
    return semop(id, &b, 1);
}

static void values(int id, const char *when)
{
    unsigned short v[4] = {0};
    union semun u = {.array = v};
    semctl(id, 0, GETALL, u);
    printf("%s: %u %u %u\n", when, v[0], v[1], v[2]);
}

/* Waits (politely) until n threads wait on semaphore num (GETNCNT, or GETZCNT for zero waits). */
static void await_waiters(int id, int num, int cmd, int n)
{
    for (int i = 0; i < 2000 && semctl(id, num, cmd) != n; i++) usleep(1000);
    printf("%s(%d) = %d\n", cmd == GETNCNT ? "GETNCNT" : "GETZCNT", num, semctl(id, num, cmd));
    fflush(stdout);
}

static void on_usr1(int sig) { (void)sig; }

static void proc_line(int key)
{
    FILE *f = fopen("/proc/sysvipc/sem", "r");
    if (!f) { printf("/proc/sysvipc/sem: %s\n", errname(errno)); return; }
    char line[256];
    if (fgets(line, sizeof line, f)) printf("header: %s", line);
    while (fgets(line, sizeof line, f)) {
        int k, id; unsigned perms, nsems, uid, gid, cuid, cgid; long long otime, ctime;
        if (sscanf(line, "%d %d %o %u %u %u %u %u %lld %lld", &k, &id, &perms, &nsems, &uid, &gid, &cuid, &cgid, &otime, &ctime) == 10 && k == key)
            printf("/proc/sysvipc/sem: perms %o nsems %u uid %u gid %u cuid %u cgid %u otime set %d ctime set %d\n",
                perms, nsems, uid, gid, cuid, cgid, otime != 0, ctime != 0);
    }
    fclose(f);
}

int main(void)
{
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    TF(id);
    struct semid_ds ds;
    union semun u = {.buf = &ds};
    T(semctl(id, 0, IPC_STAT, u));
    printf("IPC_STAT: nsems %lu mode %04o otime %ld\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777, (long)ds.sem_otime);
    values(id, "fresh");
    T(semctl(id, 1, SETVAL, (union semun){.val = 7}));
    T(semctl(id, 1, GETVAL));
    T(semctl(id, 1, SETVAL, (union semun){.val = 32768}));
    T(semctl(id, 1, SETVAL, (union semun){.val = -1}));
    T(semctl(id, 3, SETVAL, (union semun){.val = 1}));
    T(semctl(id, 3, GETVAL));
    unsigned short all[3] = {1, 2, 3};
    T(semctl(id, 0, SETALL, (union semun){.array = all}));
    values(id, "after SETALL");
    SHOW("GETPID is me: %d", semctl(id, 2, GETPID) == getpid());

    /* semop: one op, several, all or nothing. */
    T(op(id, 0, 4, 0));
    T(op(id, 0, -5, 0));
    T(op(id, 0, -1, IPC_NOWAIT));
    values(id, "after ops");
    struct sembuf two[2] = {{1, -1, 0}, {2, -10, IPC_NOWAIT}};
    T(semop(id, two, 2));
    values(id, "after failed pair (unchanged)");
    struct sembuf zero_then[2] = {{0, 0, IPC_NOWAIT}, {1, 1, 0}};
    T(semop(id, zero_then, 2));
    values(id, "after zero wait and increment");
    T(op(id, 1, 32767, 0));
    T(op(id, 3, 1, 0));
    T(semop(id, two, 0));
    struct sembuf many[501];
    memset(many, 0, sizeof many);
    T(semop(id, many, 501));
    T(semop(id, NULL, 1));
    T(semop(-1, two, 1));
    T(semop(id + 1, two, 1));

    /* semtimedop: a timeout ends the wait with EAGAIN; a bad timeout is EINVAL. */
    struct sembuf dec = {0, -1, 0};
    struct timespec ts = {0, 20000000};
    T(semtimedop(id, &dec, 1, &ts));
    struct timespec bad = {0, 1000000000};
    T(semtimedop(id, &dec, 1, &bad));
    struct timespec none = {0, 0};
    T(semtimedop(id, &dec, 1, &none));

    /* A wait across fork: the child decrements, the parent increments when it sees the waiter. */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int r = op(id, 0, -2, 0);
        printf("child: semop after wait -> %d %s\n", r, r < 0 ? errname(errno) : "");
        fflush(stdout);
        _exit(0);
    }
    await_waiters(id, 0, GETNCNT, 1);
    T(op(id, 0, 2, 0));
    waitpid(child, NULL, 0);
    SHOW("GETPID is the child: %d", semctl(id, 0, GETPID) == child);
    values(id, "after child");

    /* A zero wait (GETZCNT). */
    T(semctl(id, 2, SETVAL, (union semun){.val = 1}));
    fflush(stdout);
    child = fork();
    if (child == 0) {
        int r = op(id, 2, 0, 0);
        printf("child: zero wait -> %d %s\n", r, r < 0 ? errname(errno) : "");
        fflush(stdout);
        _exit(0);
    }
    await_waiters(id, 2, GETZCNT, 1);
    T(op(id, 2, -1, 0));
    waitpid(child, NULL, 0);

    /* SEM_UNDO: the child's changes are undone when it exits. */
    T(semctl(id, 2, SETVAL, (union semun){.val = 5}));
    fflush(stdout);
    child = fork();
    if (child == 0) {
        op(id, 2, -2, SEM_UNDO);
        op(id, 1, 3, SEM_UNDO);
        values(id, "child with undo");
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    values(id, "after the child's exit (undone)");

    /* SETVAL clears pending adjustments: the child's undo does nothing after it. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        op(id, 2, -1, SEM_UNDO);
        semctl(id, 2, SETVAL, (union semun){.val = 9});
        _exit(0);
    }
    waitpid(child, NULL, 0);
    values(id, "after SETVAL in the child");

    /* A signal interrupts a wait with EINTR, even with SA_RESTART. */
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &sa, NULL);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        int r = op(id, 0, -100, 0);
        printf("child: interrupted -> %d %s\n", r, r < 0 ? errname(errno) : "");
        fflush(stdout);
        _exit(0);
    }
    await_waiters(id, 0, GETNCNT, 1);
    kill(child, SIGUSR1);
    waitpid(child, NULL, 0);

    /* Another user: no access to a 0600 set; IPC_SET to 0666 gives it. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        setuid(65534);
        T(op(id, 0, 1, 0));
        T(semctl(id, 0, GETVAL));
        T(semctl(id, 0, IPC_RMID));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    T(semctl(id, 0, IPC_STAT, u));
    ds.sem_perm.mode = 0666;
    T(semctl(id, 0, IPC_SET, u));
    fflush(stdout);
    child = fork();
    if (child == 0) {
        setuid(65534);
        T(op(id, 0, 1, 0));
        T(semctl(id, 0, IPC_RMID));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);

    /* IPC_RMID wakes a waiter with EIDRM; the id is gone. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        int r = op(id, 1, -30000, 0);
        printf("child: after removal -> %d %s\n", r, r < 0 ? errname(errno) : "");
        fflush(stdout);
        _exit(0);
    }
    await_waiters(id, 1, GETNCNT, 1);
    T(semctl(id, 0, IPC_RMID));
    waitpid(child, NULL, 0);
    T(semctl(id, 0, GETVAL));
    T(op(id, 0, 1, 0));

    /* Keys. */
    key_t key = 0x5e3a0000 + (getpid() & 0xffff);
    T(semget(key, 2, 0600));
    int k = semget(key, 2, IPC_CREAT | 0640);
    TF(k);
    T(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    T(semget(key, 1, 0) == k);
    T(semget(key, 0, 0) == k);
    T(semget(key, 3, 0));
    T(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    T(semget(IPC_PRIVATE, 32001, IPC_CREAT | 0600));
    T(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600));
    T(op(k, 1, 1, 0));
    proc_line(key);
    struct seminfo info;
    TF(semctl(0, 0, IPC_INFO, (union semun){.info = &info}));
    TF(semctl(0, 0, SEM_INFO, (union semun){.info = &info}));
    SHOW("SEM_STAT by index gives the id: %d", semctl(k % 32768, 0, SEM_STAT, (union semun){.buf = &ds}) == k);
    T(semctl(k, 0, 12345));
    T(semctl(-1, 0, GETVAL));
    T(semctl(k, 0, IPC_RMID));
    T(semget(key, 2, 0600));
    proc_line(key);
    return finish();
}
