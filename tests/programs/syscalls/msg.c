/* System V message queues: msgget (keys, IPC_CREAT/IPC_EXCL), msgsnd/msgrcv by type (0, exact, MSG_EXCEPT, lowest
 * at most -type), E2BIG and MSG_NOERROR, MSG_COPY, IPC_NOWAIT (EAGAIN when full, ENOMSG when empty), waits across
 * fork for a message and for room, IPC_STAT/IPC_SET (msg_qbytes), IPC_RMID waking a waiter with EIDRM, a signal
 * interrupting a wait (EINTR), another user's access, /proc/sysvipc/msg. */
#include "check.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <linux/capability.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct message { long type; char text[9000]; };

static int send(int id, long type, const char *text, int flags)
{
    struct message m = {.type = type};
    strcpy(m.text, text);
    return msgsnd(id, &m, strlen(text), flags);
}

static void receive(int id, size_t size, long type, int flags)
{
    struct message m;
    memset(&m, 0, sizeof m);
    errno = 0;
    ssize_t n = msgrcv(id, &m, size, type, flags);
    if (n < 0) printf("msgrcv(size %zu, type %ld, flags %#x) -> %s\n", size, type, flags, errname(errno));
    else printf("msgrcv(size %zu, type %ld, flags %#x) -> %zd: type %ld \"%.*s\"\n", size, type, flags, n, m.type, (int)n, m.text);
}

static void stat_of(int id)
{
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) { printf("IPC_STAT: %s\n", errname(errno)); return; }
    printf("IPC_STAT: qnum %lu cbytes %lu qbytes %lu mode %04o lspid me %d lrpid me %d\n", (unsigned long)ds.msg_qnum,
        (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_perm.mode & 0777, ds.msg_lspid == getpid(),
        ds.msg_lrpid == getpid());
}

static void on_usr1(int sig) { (void)sig; }

/* Waits until the child sleeps in its call (state S in /proc/PID/stat). */
static void await_sleeping(pid_t child)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    for (int i = 0; i < 5000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0) close(fd);
        buf[n < 0 ? 0 : n] = 0;
        char *paren = strrchr(buf, ')');
        if (paren && paren[1] == ' ' && paren[2] == 'S') return;
        usleep(1000);
    }
    printf("child %s never slept\n", "");
}

static void proc_line(int key)
{
    FILE *f = fopen("/proc/sysvipc/msg", "r");
    if (!f) { printf("/proc/sysvipc/msg: %s\n", errname(errno)); return; }
    char line[256];
    if (fgets(line, sizeof line, f)) printf("header: %s", line);
    while (fgets(line, sizeof line, f)) {
        int k, id; unsigned perms; unsigned long cbytes, qnum; int lspid, lrpid; unsigned uid, gid, cuid, cgid;
        if (sscanf(line, "%d %d %o %lu %lu %d %d %u %u %u %u", &k, &id, &perms, &cbytes, &qnum, &lspid, &lrpid, &uid, &gid, &cuid, &cgid) == 11 && k == key)
            printf("/proc/sysvipc/msg: perms %o cbytes %lu qnum %lu lspid me %d uid %u cgid %u\n", perms, cbytes, qnum, lspid == getpid(), uid, cgid);
    }
    fclose(f);
}

int main(void)
{
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    TF(id);
    stat_of(id);
    T(send(id, 3, "three", 0));
    T(send(id, 1, "one", 0));
    T(send(id, 2, "two", 0));
    T(send(id, 1, "one again", 0));
    T(send(id, 0, "type zero", 0));
    T(send(id, -1, "negative", 0));
    struct message big = {.type = 1};
    T(msgsnd(id, &big, 8193, 0));
    T(msgsnd(id, NULL, 4, 0));
    T(msgsnd(-1, &big, 4, 0));
    stat_of(id);
    receive(id, 100, 0, MSG_COPY | IPC_NOWAIT);
    receive(id, 100, 3, MSG_COPY | IPC_NOWAIT);
    receive(id, 100, 9, MSG_COPY | IPC_NOWAIT);
    receive(id, 100, 0, MSG_COPY);
    receive(id, 100, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT);
    receive(id, 2, 2, 0);
    receive(id, 2, 2, MSG_NOERROR);
    receive(id, 100, -2, 0);
    receive(id, 100, 1, MSG_EXCEPT);
    receive(id, 100, 0, 0);
    receive(id, 100, 0, IPC_NOWAIT);
    receive(id, 100, 5, IPC_NOWAIT);
    receive(id, (size_t)-1, 0, IPC_NOWAIT);
    stat_of(id);

    /* A full queue: IPC_NOWAIT fails, a waiting sender goes on when a receiver makes room. */
    static struct message full = {.type = 7};
    memset(full.text, 'x', 8192);
    T(msgsnd(id, &full, 8192, 0));
    T(msgsnd(id, &full, 8192, 0));
    T(msgsnd(id, &full, 1, IPC_NOWAIT));
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int r = send(id, 8, "after room", 0);
        printf("child: send after wait -> %d %s\n", r, r < 0 ? errname(errno) : "");
        fflush(stdout);
        _exit(0);
    }
    await_sleeping(child);
    stat_of(id);
    receive(id, 10, 7, MSG_NOERROR);
    waitpid(child, NULL, 0);
    receive(id, 10, 7, MSG_NOERROR);
    receive(id, 100, 8, 0);
    stat_of(id);

    /* A waiting receiver gets the message another process sends. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        receive(id, 100, 42, 0);
        fflush(stdout);
        _exit(0);
    }
    await_sleeping(child);
    T(send(id, 41, "not this", 0));
    T(send(id, 42, "this one", 0));
    waitpid(child, NULL, 0);
    receive(id, 100, 0, IPC_NOWAIT);

    /* IPC_SET: a smaller msg_qbytes; only a privileged process may raise it past MSGMNB. */
    struct msqid_ds ds;
    T(msgctl(id, IPC_STAT, &ds));
    ds.msg_qbytes = 10;
    ds.msg_perm.mode = 0644;
    T(msgctl(id, IPC_SET, &ds));
    stat_of(id);
    T(send(id, 1, "12345678901", IPC_NOWAIT));
    T(send(id, 1, "1234567890", IPC_NOWAIT));
    receive(id, 100, 0, 0);
    /* Without CAP_SYS_RESOURCE (containers seldom give it to root) msg_qbytes stays at most MSGMNB. */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[2];
    syscall(SYS_capget, &h, caps);
    caps[0].effective &= ~(1u << CAP_SYS_RESOURCE);
    T(syscall(SYS_capset, &h, caps));
    ds.msg_qbytes = 100000;
    T(msgctl(id, IPC_SET, &ds));
    ds.msg_qbytes = 16384;
    T(msgctl(id, IPC_SET, &ds));
    ds.msg_qbytes = 100000;
    fflush(stdout);
    child = fork();
    if (child == 0) {
        setuid(65534);
        T(msgctl(id, IPC_SET, &ds));
        T(send(id, 1, "other user", IPC_NOWAIT));
        receive(id, 100, 0, IPC_NOWAIT);
        T(msgctl(id, IPC_STAT, &ds));
        T(msgctl(id, IPC_RMID, NULL));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    stat_of(id);

    /* A signal interrupts a wait with EINTR, even with SA_RESTART. */
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &sa, NULL);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        receive(id, 100, 0, 0);
        fflush(stdout);
        _exit(0);
    }
    await_sleeping(child);
    kill(child, SIGUSR1);
    waitpid(child, NULL, 0);

    /* IPC_RMID wakes a waiting receiver with EIDRM; the queue is gone. */
    fflush(stdout);
    child = fork();
    if (child == 0) {
        receive(id, 100, 0, 0);
        fflush(stdout);
        _exit(0);
    }
    await_sleeping(child);
    T(msgctl(id, IPC_RMID, NULL));
    waitpid(child, NULL, 0);
    T(send(id, 1, "gone", 0));
    T(msgctl(id, IPC_STAT, &ds));

    /* Keys. */
    key_t key = 0x5e3b0000 + (getpid() & 0xffff);
    T(msgget(key, 0600));
    int k = msgget(key, IPC_CREAT | 0640);
    TF(k);
    T(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
    T(msgget(key, 0) == k);
    T(send(k, 5, "in proc", 0));
    proc_line(key);
    struct msginfo info;
    TF(msgctl(0, IPC_INFO, (struct msqid_ds *)&info));
    TF(msgctl(0, MSG_INFO, (struct msqid_ds *)&info));
    SHOW("MSG_STAT by index gives the id: %d", msgctl(k % 32768, MSG_STAT, &ds) == k);
    T(msgctl(k, 12345, &ds));
    T(msgctl(k, IPC_STAT, NULL));
    T(msgctl(k, IPC_RMID, NULL));
    T(msgget(key, 0600));
    return finish();
}
