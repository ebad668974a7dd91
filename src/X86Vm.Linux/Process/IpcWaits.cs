namespace X86Vm.Linux.Process;

/// <summary>
/// semop/semtimedop waiting until its operations can all be done (or the set is removed: EIDRM). <paramref name="Blocking"/>
/// is the operation that waits, which GETNCNT and GETZCNT count (semctl(2)).
/// </summary>
public sealed record SemaphoreWait(SemaphoreSet Set, SemaphoreSet.Operation[] Ops, int Pid, int Blocking, long? DeadlineNs)
    : ConditionWait(DeadlineNs, $"semop on semaphore set {Set.Id}")
{
    protected override bool Ready(Kernel kernel) =>
        Set.Removed || Set.Try(Ops, Pid, apply: false, out _) != SemaphoreSet.Outcome.WouldBlock;
}

/// <summary>msgsnd waiting for room for <paramref name="Size"/> bytes in the queue (or its removal: EIDRM).</summary>
public sealed record MessageSendWait(MessageQueue Queue, long Size) : ConditionWait(null, $"msgsnd on queue {Queue.Id}")
{
    protected override bool Ready(Kernel kernel) => Queue.Removed || Queue.Fits(Size);
}

/// <summary>msgrcv waiting for a message of <paramref name="Type"/> (or the queue's removal: EIDRM).</summary>
public sealed record MessageReceiveWait(MessageQueue Queue, long Type, int Flags) : ConditionWait(null, $"msgrcv on queue {Queue.Id}")
{
    protected override bool Ready(Kernel kernel) => Queue.Removed || Queue.Find(Type, Flags) >= 0;
}

/// <summary>mq_timedsend waiting for room in a full queue, until its absolute timeout (ETIMEDOUT).</summary>
public sealed record PosixSendWait(PosixMessageQueue Queue, long? DeadlineNs) : ConditionWait(DeadlineNs, $"mq_timedsend on /{Queue.Name}")
{
    protected override bool Ready(Kernel kernel) => !Queue.Full;
}

/// <summary>mq_timedreceive waiting for a message, until its absolute timeout (ETIMEDOUT).</summary>
public sealed record PosixReceiveWait(PosixMessageQueue Queue, long? DeadlineNs) : ConditionWait(DeadlineNs, $"mq_timedreceive on /{Queue.Name}")
{
    protected override bool Ready(Kernel kernel) => Queue.Messages.Count > 0;
}
