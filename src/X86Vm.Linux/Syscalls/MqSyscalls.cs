using System.Buffers.Binary;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// POSIX message queues (mq_overview(7)): mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify and
/// mq_getsetattr on VM-held queues (<see cref="PosixMessageQueues"/>) behind <see cref="MessageQueueFile"/>
/// descriptors. A full send or an empty receive waits (or EAGAIN with O_NONBLOCK) until its absolute CLOCK_REALTIME
/// timeout (ETIMEDOUT); a signal handler with SA_RESTART restarts it. mq_notify supports SIGEV_SIGNAL and SIGEV_NONE.
/// </summary>
[SyscallFamily]
static class MqSyscalls
{
    const int CAP_SYS_RESOURCE = 24, CAP_FOWNER = 3, RLIMIT_MSGQUEUE = 12, AttrSize = 64;

    /// <summary>The queue behind a descriptor: EBADF for none or for another kind of file.</summary>
    static MessageQueueFile? Descriptor(GuestProcess p, ulong fd) => p.Files.Get((int)fd) as MessageQueueFile;

    /// <summary>The name glibc passes (without its slash): a single path component.</summary>
    static string? Name(GuestProcess p, ulong address, out int errno)
    {
        string? name = GuestIo.ReadPath(p, address, out errno);
        if (name == null) return null;
        if (name.Length == 0) errno = Errno.ENOENT;
        else if (name.Length > 255) errno = Errno.ENAMETOOLONG;
        else if (name.Contains('/') || name is "." or "..") errno = Errno.EACCES;
        return errno == 0 ? name : null;
    }

    [Syscall(240, "s,o,m,p")]
    static long MqOpen(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A1;
        string? name = Name(p, a.A0, out int errno);
        if (name == null) return -errno;
        int access = flags & OpenFlags.AccessMode;
        if (access == OpenFlags.AccessMode) return -Errno.EINVAL;
        PosixMessageQueues all = p.Kernel.PosixMessageQueues;
        PosixMessageQueue? q = all.Find(name);
        Credentials c = p.Credentials;
        bool created = q == null;
        if (q != null)
        {
            if ((flags & (OpenFlags.Create | OpenFlags.Exclusive)) == (OpenFlags.Create | OpenFlags.Exclusive)) return -Errno.EEXIST;
            int want = access switch { OpenFlags.ReadOnly => 4, OpenFlags.WriteOnly => 2, _ => 6 };
            var st = new FileStatus { Kind = FileKind.Regular, Permissions = q.Mode, Uid = q.Uid, Gid = q.Gid };
            if (!c.MayAccess(st, want)) return -Errno.EACCES;
        }
        else
        {
            if ((flags & OpenFlags.Create) == 0) return -Errno.ENOENT;
            long max = PosixMessageQueues.MaxMessages, size = PosixMessageQueues.MaxMessageSize;
            bool privileged = c.Has(CAP_SYS_RESOURCE);
            if (a.A3 != 0)
            {
                var attr = new byte[AttrSize];
                if (!p.Memory.TryRead(a.A3, attr)) return -Errno.EFAULT;
                max = BinaryPrimitives.ReadInt64LittleEndian(attr.AsSpan(8));
                size = BinaryPrimitives.ReadInt64LittleEndian(attr.AsSpan(16));
                if (max <= 0 || size <= 0) return -Errno.EINVAL;
                if (privileged ? max > PosixMessageQueues.HardMaxMessages || size > PosixMessageQueues.HardMaxMessageSize
                    : max > PosixMessageQueues.MaxMessages || size > PosixMessageQueues.MaxMessageSize) return -Errno.EINVAL;
            }
            if (all.Count >= PosixMessageQueues.MaxQueues && !privileged) return -Errno.ENOSPC;
            long now = p.Kernel.Clock.RealtimeNanoseconds;
            q = new PosixMessageQueue(name, c.Fsuid, c.Fsgid, (uint)a.A2 & 0x1FF & ~p.Umask, max, size)
            {
                AccessNs = now, ModifyNs = now, ChangeNs = now,
            };
            if (all.BytesOf(q.Uid) + q.LimitBytes > (long)Math.Min(p.ResourceLimits[RLIMIT_MSGQUEUE].Soft, long.MaxValue)) return -Errno.EMFILE;
            if (!q.Held.TryCharge(p.Kernel, 1)) return -Errno.ENOMEM;
            all.Named.Add(q);
        }
        var file = new MessageQueueFile(p.Kernel, q, flags & (OpenFlags.AccessMode | OpenFlags.NonBlock));
        int fd = p.Files.Add(file, (flags & OpenFlags.CloseOnExec) != 0);
        if (fd < 0)
        {
            // No descriptor (EMFILE): Linux takes the descriptor before it makes the queue, so a failed call leaves none.
            file.Release();
            if (created) all.Discard(p.Kernel, q);
        }
        return fd;
    }

    [Syscall(241, "s")]
    static long MqUnlink(GuestProcess p, in SyscallArgs a)
    {
        string? name = Name(p, a.A0, out int errno);
        if (name == null) return -errno;
        PosixMessageQueues all = p.Kernel.PosixMessageQueues;
        PosixMessageQueue? q = all.Find(name);
        if (q == null) return -Errno.ENOENT;
        // The mqueue root is mode 1777, owned by root: the sticky bit lets only the owner (or CAP_FOWNER) remove.
        Credentials c = p.Credentials;
        if (c.Fsuid != q.Uid && c.Fsuid != 0 && !c.Has(CAP_FOWNER)) return -Errno.EPERM;
        all.Unlink(p.Kernel, q);
        return 0;
    }

    /// <summary>An absolute CLOCK_REALTIME timeout as a CLOCK_MONOTONIC deadline; EFAULT or EINVAL for a bad one.</summary>
    static long Deadline(GuestProcess p, ulong address, out long? deadline)
    {
        deadline = null;
        if (address == 0) return 0;
        if (!GuestIo.ReadTimespec(p, address, out long ns, out bool valid)) return -Errno.EFAULT;
        if (!valid) return -Errno.EINVAL;
        deadline = p.Kernel.Clock.MonotonicNanoseconds + (ns - p.Kernel.Clock.RealtimeNanoseconds);
        return 0;
    }

    /// <summary>Still unable after a wait whose timeout passed: ETIMEDOUT.</summary>
    static bool TimedOut(GuestProcess p, ConditionWait? resumed) =>
        resumed?.DeadlineNs is long d && p.Kernel.Clock.MonotonicNanoseconds >= d;

    [Syscall(242, "d,w2,u,u,p")]
    static long MqTimedsend(GuestProcess p, in SyscallArgs a)
    {
        long bad = Deadline(p, a.A4, out long? deadline);
        if (bad != 0) return bad;
        if (a.A3 >= PosixMessageQueues.MaxPriority) return -Errno.EINVAL;
        MessageQueueFile? f = Descriptor(p, a.A0);
        if (f == null || !f.CanWrite) return -Errno.EBADF;
        PosixMessageQueue q = f.Queue;
        if (a.A2 > (ulong)q.MessageSize) return -Errno.EMSGSIZE;
        var text = new byte[a.A2];
        if (!p.Memory.TryRead(a.A1, text)) return -Errno.EFAULT;
        if (q.Full)
        {
            if ((f.StatusFlags & OpenFlags.NonBlock) != 0) return -Errno.EAGAIN;
            if (TimedOut(p, p.Kernel.CurrentThread.Resumed as PosixSendWait)) return -Errno.ETIMEDOUT;
            return p.Kernel.Block(new PosixSendWait(q, deadline));
        }
        if (!q.Held.TryCharge(p.Kernel, q.Bytes + q.Messages.Count * 48L + text.Length + 48)) return -Errno.ENOMEM;
        bool receiverWaits = p.Kernel.Threads.Any(t => t.Waiting is PosixReceiveWait w && w.Queue == q);
        q.Insert(new PosixMessage((uint)a.A3, text));
        q.ModifyNs = q.ChangeNs = p.Kernel.Clock.RealtimeNanoseconds;
        if (q.Messages.Count == 1 && !receiverWaits) Notify(p, q);
        return 0;
    }

    /// <summary>__do_notify: a message reached an empty queue no one waits on; the registration is used up.</summary>
    static void Notify(GuestProcess sender, PosixMessageQueue q)
    {
        if (q.NotifyPid == 0) return;
        if (q.NotifyKind == PosixMessageQueue.SIGEV_SIGNAL && q.NotifySignal != 0 && sender.Kernel.FindProcess(q.NotifyPid) is { Exited: false } owner)
        {
            SigInfo info = SigInfo.FromProcess(q.NotifySignal, SignalNumbers.SI_MESGQ, sender.Pid, (int)sender.Credentials.Uid);
            info.SetU64(24, q.NotifyValue);
            sender.Kernel.SendSignal(owner, q.NotifySignal, info);
        }
        q.NotifyPid = 0;
    }

    [Syscall(243, "d,p,u,p,p")]
    static long MqTimedreceive(GuestProcess p, in SyscallArgs a)
    {
        long bad = Deadline(p, a.A4, out long? deadline);
        if (bad != 0) return bad;
        MessageQueueFile? f = Descriptor(p, a.A0);
        if (f == null || !f.CanRead) return -Errno.EBADF;
        PosixMessageQueue q = f.Queue;
        if (a.A2 < (ulong)q.MessageSize) return -Errno.EMSGSIZE;
        if (q.Messages.Count == 0)
        {
            if ((f.StatusFlags & OpenFlags.NonBlock) != 0) return -Errno.EAGAIN;
            if (TimedOut(p, p.Kernel.CurrentThread.Resumed as PosixReceiveWait)) return -Errno.ETIMEDOUT;
            return p.Kernel.Block(new PosixReceiveWait(q, deadline));
        }
        // The message leaves the queue before it is copied out: a bad buffer loses it (EFAULT), as on Linux.
        PosixMessage m = q.Take();
        q.Held.TryCharge(p.Kernel, q.Bytes + q.Messages.Count * 48L + 1);
        q.AccessNs = q.ChangeNs = p.Kernel.Clock.RealtimeNanoseconds;
        if (a.A3 != 0 && !GuestIo.WriteU32(p, a.A3, m.Priority)) return -Errno.EFAULT;
        return p.Memory.TryWrite(a.A1, m.Text) ? m.Text.Length : -Errno.EFAULT;
    }

    [Syscall(244, "d,p", Partial = "SIGEV_SIGNAL and SIGEV_NONE; SIGEV_THREAD (glibc's NETLINK_NOTIFY helper) answers ENOSYS")]
    static long MqNotify(GuestProcess p, in SyscallArgs a)
    {
        int kind = 0, signal = 0;
        ulong value = 0;
        if (a.A1 != 0)
        {
            var ev = new byte[64];
            if (!p.Memory.TryRead(a.A1, ev)) return -Errno.EFAULT;
            value = BinaryPrimitives.ReadUInt64LittleEndian(ev);
            signal = BinaryPrimitives.ReadInt32LittleEndian(ev.AsSpan(8));
            kind = BinaryPrimitives.ReadInt32LittleEndian(ev.AsSpan(12));
            if (kind is not (PosixMessageQueue.SIGEV_SIGNAL or PosixMessageQueue.SIGEV_NONE or PosixMessageQueue.SIGEV_THREAD)) return -Errno.EINVAL;
            if (kind == PosixMessageQueue.SIGEV_SIGNAL && (uint)signal > 64) return -Errno.EINVAL;
            // SIGEV_THREAD goes through a netlink socket glibc makes (NETLINK_NOTIFY cookies): not provided.
            if (kind == PosixMessageQueue.SIGEV_THREAD) return -Errno.ENOSYS;
        }
        MessageQueueFile? f = Descriptor(p, a.A0);
        if (f == null) return -Errno.EBADF;
        PosixMessageQueue q = f.Queue;
        if (a.A1 == 0)
        {
            if (q.NotifyPid == p.Pid) q.NotifyPid = 0;
            return 0;
        }
        if (q.NotifyPid != 0) return -Errno.EBUSY;
        (q.NotifyPid, q.NotifyKind, q.NotifySignal, q.NotifyValue) = (p.Pid, kind, signal, value);
        return 0;
    }

    [Syscall(245, "d,p,p")]
    static long MqGetsetattr(GuestProcess p, in SyscallArgs a)
    {
        var attr = new byte[AttrSize];
        long newFlags = 0;
        if (a.A1 != 0)
        {
            if (!p.Memory.TryRead(a.A1, attr)) return -Errno.EFAULT;
            newFlags = BinaryPrimitives.ReadInt64LittleEndian(attr);
            if ((newFlags & ~OpenFlags.NonBlock) != 0) return -Errno.EINVAL;
        }
        MessageQueueFile? f = Descriptor(p, a.A0);
        if (f == null) return -Errno.EBADF;
        PosixMessageQueue q = f.Queue;
        var old = new byte[AttrSize];
        BinaryPrimitives.WriteInt64LittleEndian(old, f.StatusFlags & OpenFlags.NonBlock);
        BinaryPrimitives.WriteInt64LittleEndian(old.AsSpan(8), q.MaxMessages);
        BinaryPrimitives.WriteInt64LittleEndian(old.AsSpan(16), q.MessageSize);
        BinaryPrimitives.WriteInt64LittleEndian(old.AsSpan(24), q.Messages.Count);
        if (a.A1 != 0) f.StatusFlags = f.StatusFlags & ~OpenFlags.NonBlock | (int)newFlags;
        if (a.A2 != 0 && !p.Memory.TryWrite(a.A2, old)) return -Errno.EFAULT;
        return 0;
    }
}
