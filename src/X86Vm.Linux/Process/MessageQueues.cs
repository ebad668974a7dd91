namespace X86Vm.Linux.Process;

/// <summary>One message of a System V queue: its type (mtype, at least 1) and text.</summary>
public sealed record QueuedMessage(long Type, byte[] Text);

/// <summary>
/// One System V message queue (msgget(2)): its messages in arrival order, their byte count against msg_qbytes, the
/// pids and times of the last send and receive.
/// </summary>
public sealed class MessageQueue(GuestProcess creator, int key, int flags) : IpcObject(creator, key, flags)
{
    public const int MSG_NOERROR = 0x1000, MSG_EXCEPT = 0x2000, MSG_COPY = 0x4000;

    public List<QueuedMessage> Messages = new();
    public long Bytes, MaxBytes = MessageQueues.MaxQueueBytes;
    public int LastSendPid, LastReceivePid;
    public long SendTime, ReceiveTime;

    /// <summary>msg_fits: the text fits in msg_qbytes beside what is queued, and so does one more message.</summary>
    public bool Fits(long size) => size + Bytes <= MaxBytes && Messages.Count + 1 <= MaxBytes;

    /// <summary>
    /// find_msg: the index of the message msgrcv(2) takes for <paramref name="type"/>: the first (0), the first of that
    /// type (or, with MSG_EXCEPT, of another), or the first of the lowest type at most -type; -1 when none.
    /// </summary>
    public int Find(long type, int flags)
    {
        if ((flags & MSG_COPY) != 0) return type >= 0 && type < Messages.Count ? (int)type : -1;
        int found = -1;
        long most = type == long.MinValue ? long.MaxValue : -type;
        for (int i = 0; i < Messages.Count; i++)
        {
            long t = Messages[i].Type;
            if (type == 0) return i;
            if (type > 0 && ((flags & MSG_EXCEPT) != 0 ? t != type : t == type)) return i;
            if (type < 0 && t <= most && (found < 0 || t < Messages[found].Type))
            {
                found = i;
                if (t == 1) break; // no lower type exists
            }
        }
        return found;
    }

    /// <summary>Kernel memory the queue holds: the texts and a header per message (struct msg_msg).</summary>
    public long HeldBytes => Bytes + Messages.Count * 48L;
}

/// <summary>
/// The VM's System V message queues, with Linux's default limits (/proc/sys/kernel/msg*: MSGMAX 8192 bytes a message,
/// MSGMNB 16384 bytes a queue, MSGMNI 32000 queues); queued messages are charged to the VM's memory account, so a
/// queue whose limit root raised is still bounded by the VM's memory.
/// </summary>
public sealed class MessageQueues
{
    public const int MaxMessage = 8192, MaxQueueBytes = 16384, MaxQueues = 32000;

    public IpcRegistry<MessageQueue> Registry { get; } = new();

    /// <summary>IPC_RMID: the queue and its messages are gone at once; its waiters find it removed (EIDRM).</summary>
    public void Remove(Kernel kernel, MessageQueue queue)
    {
        queue.Removed = true;
        Registry.Remove(queue);
        queue.Messages.Clear();
        queue.Bytes = 0;
        queue.Held.Uncharge(kernel);
    }
}
