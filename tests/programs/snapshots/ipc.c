/* IPC state across snapshots: a parent and a child pass a token back and forth through System V semaphores (with
 * SEM_UNDO) and a System V message queue, then through two POSIX message queues, so that cuts land while one of them
 * waits in semop, msgrcv or mq_timedreceive; last an inotify instance whose blocking reads see the child's files. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sys/inotify.h>
#include <sys/stat.h>

struct message { long type; char text[64]; };

static void sem_add(int id, int num, int delta, int flags)
{
    struct sembuf b = {num, delta, flags};
    if (semop(id, &b, 1) < 0) perror("semop");
}

int main(void)
{
    int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (sem < 0 || msq < 0) { perror("get"); return 1; }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < 20; i++) {
            sem_add(sem, 0, -1, SEM_UNDO); /* wait for the parent's turn to end; undone at exit */
            struct message m;
            if (msgrcv(msq, &m, sizeof m.text, 1, 0) < 0) perror("msgrcv");
            m.type = 2;
            size_t n = strlen(m.text);
            m.text[n] = 'a' + i % 26;
            m.text[n + 1] = 0;
            if (n > 40) memmove(m.text, m.text + 20, n - 18);
            if (msgsnd(msq, &m, strlen(m.text) + 1, 0) < 0) perror("msgsnd");
            sem_add(sem, 1, 1, 0);
        }
        _exit(0);
    }
    struct message m = {1, "x"};
    for (int i = 0; i < 20; i++) {
        if (msgsnd(msq, &m, strlen(m.text) + 1, 0) < 0) perror("msgsnd");
        sem_add(sem, 0, 1, 0);
        if (msgrcv(msq, &m, sizeof m.text, 2, 0) < 0) perror("msgrcv");
        printf("round %d: %s\n", i, m.text);
        m.type = 1;
    }
    int status;
    waitpid(child, &status, 0);
    printf("child status %d, semaphores %d %d\n", status, semctl(sem, 0, GETVAL), semctl(sem, 1, GETVAL));
    semctl(sem, 0, IPC_RMID);
    msgctl(msq, IPC_RMID, NULL);

    /* POSIX queues: "ping" carries a number to the child, "pong" brings it back doubled. */
    mqd_t ping = mq_open("/x86vm-ping", O_RDWR | O_CREAT, 0600, NULL), pong = mq_open("/x86vm-pong", O_RDWR | O_CREAT, 0600, NULL);
    if (ping < 0 || pong < 0) { perror("mq_open"); return 1; }
    mq_unlink("/x86vm-ping");
    fflush(stdout);
    child = fork();
    if (child == 0) {
        char buf[8192];
        for (int i = 0; i < 12; i++) {
            unsigned prio;
            if (mq_receive(ping, buf, sizeof buf, &prio) < 0) perror("mq_receive");
            snprintf(buf, sizeof buf, "%ld", 2 * atol(buf) + prio);
            if (mq_send(pong, buf, strlen(buf) + 1, 0) < 0) perror("mq_send");
        }
        _exit(0);
    }
    long v = 1;
    for (int i = 0; i < 12; i++) {
        char buf[8192];
        snprintf(buf, sizeof buf, "%ld", v);
        if (mq_send(ping, buf, strlen(buf) + 1, i % 2) < 0) perror("mq_send");
        if (mq_receive(pong, buf, sizeof buf, NULL) < 0) perror("mq_receive");
        v = atol(buf);
        printf("mq round %d: %ld\n", i, v);
    }
    waitpid(child, &status, 0);
    mq_unlink("/x86vm-pong");

    mkdir("/tmp/x86vm-watched", 0755);
    int in = inotify_init1(IN_CLOEXEC);
    inotify_add_watch(in, "/tmp/x86vm-watched", IN_CREATE | IN_CLOSE_WRITE | IN_DELETE);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        for (int i = 0; i < 6; i++) {
            char path[64];
            snprintf(path, sizeof path, "/tmp/x86vm-watched/f%d", i);
            FILE *f = fopen(path, "w");
            fprintf(f, "%d\n", i);
            fclose(f);
            unlink(path);
            usleep(1000);
        }
        _exit(0);
    }
    for (int got = 0; got < 18;) {
        char buf[4096] __attribute__((aligned(8)));
        ssize_t n = read(in, buf, sizeof buf);
        for (char *p = buf; p < buf + n; got++) {
            struct inotify_event *e = (struct inotify_event *)p;
            printf("inotify %#x %s\n", e->mask, e->name);
            p += sizeof *e + e->len;
        }
    }
    waitpid(child, &status, 0);
    rmdir("/tmp/x86vm-watched");
    return 0;
}
