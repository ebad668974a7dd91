using System.Buffers.Binary;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Process.IpcObject;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// System V message queues (msgget(2), msgsnd(2), msgrcv(2), msgctl(2)): queues are VM state (<see cref="MessageQueues"/>).
/// A send to a full queue and a receive finding no message wait (<see cref="MessageSendWait"/>,
/// <see cref="MessageReceiveWait"/>) unless IPC_NOWAIT; IPC_RMID ends their waits with EIDRM, a signal with EINTR.
/// </summary>
[SyscallFamily]
static class MsgSyscalls
{
    const int MSG_STAT = 11, MSG_INFO = 12, MSG_STAT_ANY = 13;
    const int CAP_SYS_RESOURCE = 24;

    [Syscall(68, "d,x")]
    static long Msgget(GuestProcess p, in SyscallArgs a)
    {
        int key = (int)a.A0, flags = (int)a.A1;
        MessageQueues all = p.Kernel.MessageQueues;
        if (all.Registry.ByKey(key) is { } existing)
        {
            if ((flags & IPC_CREAT) != 0 && (flags & IPC_EXCL) != 0) return -Errno.EEXIST;
            return existing.Allowed(p, flags) ? existing.Id : -Errno.EACCES;
        }
        if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
        if (all.Registry.ById.Count >= MessageQueues.MaxQueues) return -Errno.ENOSPC;
        var queue = new MessageQueue(p, key, flags);
        if (!queue.Held.TryCharge(p.Kernel, queue.HeldBytes + 1)) return -Errno.ENOMEM;
        if (all.Registry.Add(queue) == null)
        {
            queue.Held.Uncharge(p.Kernel);
            return -Errno.ENOSPC;
        }
        return queue.Id;
    }

    /// <summary>The queue an id names, or the error; a wait that ended because its queue was removed is EIDRM.</summary>
    static MessageQueue? Find(GuestProcess p, int id, MessageQueue? waitedOn, out int errno)
    {
        errno = Errno.EIDRM;
        if (waitedOn is { Removed: true }) return null;
        return p.Kernel.MessageQueues.Registry.Lookup(id, out errno);
    }

    [Syscall(69, "d,p,u,x")]
    static long Msgsnd(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, flags = (int)a.A3;
        long size = (long)a.A2;
        var type = new byte[8];
        if (!p.Memory.TryRead(a.A1, type)) return -Errno.EFAULT;
        if (size > MessageQueues.MaxMessage || size < 0 || id < 0) return -Errno.EINVAL;
        long mtype = BinaryPrimitives.ReadInt64LittleEndian(type);
        if (mtype < 1) return -Errno.EINVAL;
        var text = new byte[size];
        if (!p.Memory.TryRead(a.A1 + 8, text)) return -Errno.EFAULT;
        MessageQueue? q = Find(p, id, (p.Kernel.CurrentThread.Resumed as MessageSendWait)?.Queue, out int errno);
        if (q == null) return -errno;
        if (!q.Allowed(p, S_IWUGO)) return -Errno.EACCES;
        if (!q.Fits(size))
            return (flags & IPC_NOWAIT) != 0 ? -Errno.EAGAIN : p.Kernel.Block(new MessageSendWait(q, size));
        if (!q.Held.TryCharge(p.Kernel, q.HeldBytes + size + 48)) return -Errno.ENOMEM;
        q.Messages.Add(new QueuedMessage(mtype, text));
        q.Bytes += size;
        q.LastSendPid = p.Pid;
        q.SendTime = Now(p);
        return 0;
    }

    [Syscall(70, "d,p,u,d,x")]
    static long Msgrcv(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, flags = (int)a.A4;
        long size = (long)a.A2, type = (long)a.A3;
        if (id < 0 || size < 0) return -Errno.EINVAL;
        bool copy = (flags & MessageQueue.MSG_COPY) != 0;
        if (copy && ((flags & MessageQueue.MSG_EXCEPT) != 0 || (flags & IPC_NOWAIT) == 0)) return -Errno.EINVAL;
        MessageQueue? q = Find(p, id, (p.Kernel.CurrentThread.Resumed as MessageReceiveWait)?.Queue, out int errno);
        if (q == null) return -errno;
        if (!q.Allowed(p, S_IRUGO)) return -Errno.EACCES;
        int index = q.Find(type, flags);
        if (index < 0)
            return (flags & IPC_NOWAIT) != 0 ? -Errno.ENOMSG : p.Kernel.Block(new MessageReceiveWait(q, type, flags));
        QueuedMessage m = q.Messages[index];
        if (size < m.Text.Length && (flags & MessageQueue.MSG_NOERROR) == 0) return -Errno.E2BIG;
        int n = (int)Math.Min(size, m.Text.Length);
        if (!copy)
        {
            // The message leaves the queue before it is copied out: a bad buffer loses it (EFAULT), as on Linux.
            q.Messages.RemoveAt(index);
            q.Bytes -= m.Text.Length;
            q.Held.TryCharge(p.Kernel, q.HeldBytes + 1);
            q.LastReceivePid = p.Pid;
            q.ReceiveTime = Now(p);
        }
        var record = new byte[8 + n];
        BinaryPrimitives.WriteInt64LittleEndian(record, m.Type);
        m.Text.AsSpan(0, n).CopyTo(record.AsSpan(8));
        return p.Memory.TryWrite(a.A1, record) ? n : -Errno.EFAULT;
    }

    [Syscall(71, "d,d,p")]
    static long Msgctl(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, cmd = (int)a.A1 & ~IPC_64;
        MessageQueues all = p.Kernel.MessageQueues;
        if (id < 0 || cmd < 0) return -Errno.EINVAL;
        switch (cmd)
        {
            case IPC_INFO or MSG_INFO:
            {
                // struct msginfo: msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql, msgseg.
                bool used = cmd == MSG_INFO;
                var queues = all.Registry.ById.Values;
                int[] info = [used ? queues.Count : MessageQueues.MaxQueues * MessageQueues.MaxQueueBytes / 1024,
                    used ? queues.Sum(q => q.Messages.Count) : MessageQueues.MaxQueueBytes, MessageQueues.MaxMessage,
                    MessageQueues.MaxQueueBytes, MessageQueues.MaxQueues, 16,
                    used ? (int)Math.Min(queues.Sum(q => q.Bytes), int.MaxValue) : MessageQueues.MaxQueueBytes];
                var bytes = new byte[32];
                for (int i = 0; i < info.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), info[i]);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), 0xFFFF);
                if (!p.Memory.TryWrite(a.A2, bytes)) return -Errno.EFAULT;
                return Math.Max(0, all.Registry.MaxIndex);
            }
            case IPC_STAT or MSG_STAT or MSG_STAT_ANY:
            {
                int errno = Errno.EINVAL;
                MessageQueue? q = cmd == IPC_STAT ? all.Registry.Lookup(id, out errno) : all.Registry.AtIndex(id);
                if (q == null) return -errno;
                if (cmd != MSG_STAT_ANY && !q.Allowed(p, S_IRUGO)) return -Errno.EACCES;
                // struct msqid64_ds: ipc64_perm, stime, rtime, ctime, cbytes, qnum, qbytes, lspid, lrpid.
                var ds = new byte[120];
                q.WritePerm(ds);
                Span<byte> d = ds.AsSpan(48);
                BinaryPrimitives.WriteInt64LittleEndian(d, q.SendTime);
                BinaryPrimitives.WriteInt64LittleEndian(d[8..], q.ReceiveTime);
                BinaryPrimitives.WriteInt64LittleEndian(d[16..], q.ChangeTime);
                BinaryPrimitives.WriteInt64LittleEndian(d[24..], q.Bytes);
                BinaryPrimitives.WriteInt64LittleEndian(d[32..], q.Messages.Count);
                BinaryPrimitives.WriteInt64LittleEndian(d[40..], q.MaxBytes);
                BinaryPrimitives.WriteInt32LittleEndian(d[48..], q.LastSendPid);
                BinaryPrimitives.WriteInt32LittleEndian(d[52..], q.LastReceivePid);
                if (!p.Memory.TryWrite(a.A2, ds)) return -Errno.EFAULT;
                return cmd == IPC_STAT ? 0 : q.Id;
            }
            case IPC_SET or IPC_RMID:
            {
                var ds = new byte[96];
                if (cmd == IPC_SET && !p.Memory.TryRead(a.A2, ds)) return -Errno.EFAULT;
                MessageQueue? q = all.Registry.Lookup(id, out int errno);
                if (q == null) return -errno;
                if (!q.IsOwner(p)) return -Errno.EPERM;
                if (cmd == IPC_RMID)
                {
                    all.Remove(p.Kernel, q);
                    return 0;
                }
                ulong limit = BinaryPrimitives.ReadUInt64LittleEndian(ds.AsSpan(88));
                if (limit > MessageQueues.MaxQueueBytes && !p.Credentials.Has(CAP_SYS_RESOURCE)) return -Errno.EPERM;
                q.SetPerm(p, ds);
                q.MaxBytes = (long)Math.Min(limit, long.MaxValue);
                return 0;
            }
            default:
                return -Errno.EINVAL;
        }
    }
}
