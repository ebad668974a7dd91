namespace X86Vm.Linux.Process;

/// <summary>One message of a POSIX queue: its priority and bytes.</summary>
public sealed record PosixMessage(uint Priority, byte[] Text);

/// <summary>
/// One POSIX message queue (mq_overview(7)): its attributes, messages in priority order (FIFO within a priority),
/// owner and mode, and the process registered by mq_notify with how to notify it.
/// </summary>
public sealed class PosixMessageQueue(string name, uint uid, uint gid, uint mode, long maxMessages, long messageSize)
{
    public const int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2;

    /// <summary>The name without its slash (bytes, one char each); the queue outlives it once unlinked while open.</summary>
    public string Name = name;
    public bool Unlinked;
    /// <summary>Open descriptions of the queue (mq_open's, shared by dup and fork): an unlinked queue lives while any is.</summary>
    public int Opened;
    public uint Uid = uid, Gid = gid, Mode = mode;
    public long MaxMessages = maxMessages, MessageSize = messageSize;
    public List<PosixMessage> Messages = new();
    /// <summary>Bytes of all queued messages (QSIZE).</summary>
    public long Bytes;
    public long AccessNs, ModifyNs, ChangeNs;

    /// <summary>mq_notify's registration: the owner's pid (0: none), the sigev_notify kind, signal and value.</summary>
    public int NotifyPid, NotifyKind, NotifySignal;
    public ulong NotifyValue;

    /// <summary>Sends and receives so far (edge-triggered epoll's readiness generation).</summary>
    public ulong Changes;

    public KernelCharge Held = new();

    public bool Full => Messages.Count >= MaxMessages;

    /// <summary>The bytes an open queue counts against its user's RLIMIT_MSGQUEUE (mqueue_get_inode's mq_bytes).</summary>
    public long LimitBytes => MaxMessages * 48 + Math.Min(MaxMessages, PosixMessageQueues.HardMaxMessages) * 48 + MaxMessages * MessageSize;

    /// <summary>msg_insert: after the last message of the same or a higher priority.</summary>
    public void Insert(PosixMessage m)
    {
        int at = Messages.FindIndex(x => x.Priority < m.Priority);
        Messages.Insert(at < 0 ? Messages.Count : at, m);
        Bytes += m.Text.Length;
        Changes++;
    }

    public PosixMessage Take()
    {
        PosixMessage m = Messages[0];
        Messages.RemoveAt(0);
        Bytes -= m.Text.Length;
        Changes++;
        return m;
    }

    /// <summary>What reading the queue's descriptor shows (mqueue_read_file).</summary>
    public string StatusText => $"QSIZE:{Bytes,-10} NOTIFY:{(NotifyPid != 0 ? NotifyKind : 0),-5} SIGNO:{(NotifyPid != 0 ? NotifySignal : 0),-5} NOTIFY_PID:{NotifyPid,-6}\n";
}

/// <summary>
/// The VM's POSIX message queues by name, with Linux's defaults (/proc/sys/fs/mqueue: queues_max 256, msg_max 10,
/// msgsize_max 8192; the hard limits for CAP_SYS_RESOURCE, 65536 messages of 16 MiB) and RLIMIT_MSGQUEUE per user.
/// Queued messages are charged to the VM's memory account.
/// </summary>
public sealed class PosixMessageQueues
{
    public const int MaxQueues = 256, MaxMessages = 10, MaxMessageSize = 8192, HardMaxMessages = 65536,
        HardMaxMessageSize = 16 << 20, MaxPriority = 32768;

    /// <summary>The named queues in creation order (a handful: found by a scan, hashed in name order).</summary>
    public List<PosixMessageQueue> Named { get; } = new();

    /// <summary>
    /// Queues unlinked while open, in unlink order: nameless, but until their last close they still hold their memory
    /// and count against queues_max and their owner's RLIMIT_MSGQUEUE (mqueue_evict_inode gives them back).
    /// </summary>
    public List<PosixMessageQueue> Lingering { get; } = new();

    /// <summary>Queues that exist (named or lingering): what queues_max counts.</summary>
    public int Count => Named.Count + Lingering.Count;

    public PosixMessageQueue? Find(string name) => Named.FirstOrDefault(q => q.Name == name);

    /// <summary>A queue's state for the state hash (with the registry, and with each descriptor of an unlinked one).</summary>
    public static void Hash(State.StateWriter w, PosixMessageQueue q)
    {
        w.String(q.Name).Bool(q.Unlinked).U32(q.Uid).U32(q.Gid).U32(q.Mode).I64(q.MaxMessages).I64(q.MessageSize).I64(q.Bytes);
        w.I64(q.AccessNs).I64(q.ModifyNs).I64(q.ChangeNs).I32(q.NotifyPid).I32(q.NotifyKind).I32(q.NotifySignal).U64(q.NotifyValue);
        w.U64(q.Changes).I64(q.Held.Pages).I32(q.Opened).U64((ulong)q.Messages.Count);
        foreach (PosixMessage m in q.Messages) w.U32(m.Priority).Bytes(m.Text);
    }

    /// <summary>What the queues of <paramref name="uid"/> count against its RLIMIT_MSGQUEUE.</summary>
    public long BytesOf(uint uid) => Named.Concat(Lingering).Where(q => q.Uid == uid).Sum(q => q.LimitBytes);

    /// <summary>
    /// mq_unlink: the name goes at once; the queue and its memory go now when no descriptor has it open, else at the
    /// last close (<see cref="Closed"/>).
    /// </summary>
    public void Unlink(Kernel kernel, PosixMessageQueue q)
    {
        Named.Remove(q);
        q.Unlinked = true;
        if (q.Opened > 0) Lingering.Add(q);
        else Free(kernel, q);
    }

    /// <summary>An open description of <paramref name="q"/> is gone (its last descriptor closed): an unlinked queue no one has open is freed.</summary>
    public void Closed(Kernel kernel, PosixMessageQueue q)
    {
        q.Opened--;
        if (q.Opened == 0 && q.Unlinked)
        {
            Lingering.Remove(q);
            Free(kernel, q);
        }
    }

    /// <summary>
    /// A queue that was never reachable after all (its creating mq_open failed for want of a descriptor): it goes
    /// with its name and memory, as if it had never been made.
    /// </summary>
    public void Discard(Kernel kernel, PosixMessageQueue q)
    {
        Named.Remove(q);
        Free(kernel, q);
    }

    static void Free(Kernel kernel, PosixMessageQueue q)
    {
        q.Messages.Clear();
        q.Bytes = 0;
        q.Held.Uncharge(kernel);
    }
}
