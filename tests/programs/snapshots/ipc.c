/* IPC state across snapshots: a parent and a child pass a token back and forth through System V semaphores (with
 * SEM_UNDO) and a System V message queue, so that cuts land while one of them waits in semop or msgrcv. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>

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
    return 0;
}
