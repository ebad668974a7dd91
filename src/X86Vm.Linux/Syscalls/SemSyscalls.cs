using System.Buffers.Binary;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Process.IpcObject;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// System V semaphores (semget(2), semop(2), semctl(2)): sets are VM state (<see cref="SemaphoreSets"/>). A semop that
/// cannot complete waits on a <see cref="SemaphoreWait"/> until all its operations can be done together, its timeout
/// passes (EAGAIN), the set is removed (EIDRM) or a signal arrives (EINTR, never restarted).
/// </summary>
[SyscallFamily]
static class SemSyscalls
{
    const int GETPID = 11, GETVAL = 12, GETALL = 13, GETNCNT = 14, GETZCNT = 15, SETVAL = 16, SETALL = 17,
        SEM_STAT = 18, SEM_INFO = 19, SEM_STAT_ANY = 20;

    [Syscall(64, "d,d,x")]
    static long Semget(GuestProcess p, in SyscallArgs a)
    {
        int key = (int)a.A0, count = (int)a.A1, flags = (int)a.A2;
        SemaphoreSets all = p.Kernel.Semaphores;
        if (count < 0 || count > SemaphoreSets.MaxPerSet) return -Errno.EINVAL;
        if (all.Registry.ByKey(key) is { } existing)
        {
            if ((flags & IPC_CREAT) != 0 && (flags & IPC_EXCL) != 0) return -Errno.EEXIST;
            if (!existing.Allowed(p, flags)) return -Errno.EACCES;
            if (count > existing.Count) return -Errno.EINVAL;
            return existing.Id;
        }
        if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
        if (count == 0) return -Errno.EINVAL;
        if (all.InUse + count > SemaphoreSets.MaxSemaphores || all.Registry.ById.Count >= SemaphoreSets.MaxSets) return -Errno.ENOSPC;
        var set = new SemaphoreSet(p, key, flags, count);
        if (!set.Held.TryCharge(p.Kernel, set.Bytes)) return -Errno.ENOMEM;
        if (all.Registry.Add(set) == null)
        {
            set.Held.Uncharge(p.Kernel);
            return -Errno.ENOSPC;
        }
        return set.Id;
    }

    [Syscall(65, "d,p,u")]
    static long Semop(GuestProcess p, in SyscallArgs a) => Operate(p, (int)a.A0, a.A1, a.A2, 0);

    [Syscall(220, "d,p,u,p")]
    static long Semtimedop(GuestProcess p, in SyscallArgs a) => Operate(p, (int)a.A0, a.A1, a.A2, a.A3);

    /// <summary>do_semtimedop: <paramref name="timeout"/> is a relative struct timespec, or 0 for none.</summary>
    static long Operate(GuestProcess p, int id, ulong sops, ulong count, ulong timeout)
    {
        Kernel k = p.Kernel;
        if (k.CurrentThread.Resumed is SemaphoreWait resumed) return Retry(p, resumed);
        if (count < 1 || id < 0) return -Errno.EINVAL;
        if (count > SemaphoreSets.MaxOperations) return -Errno.E2BIG;
        var raw = new byte[count * 6];
        if (!p.Memory.TryRead(sops, raw)) return -Errno.EFAULT;
        long? deadline = null;
        if (timeout != 0)
        {
            if (!GuestIo.ReadTimespec(p, timeout, out long ns, out bool valid)) return -Errno.EFAULT;
            if (!valid) return -Errno.EINVAL;
            deadline = k.Clock.MonotonicNanoseconds + ns;
        }
        SemaphoreSet.Operation[] ops = SemaphoreSet.Operation.Parse(raw);
        SemaphoreSet? set = k.Semaphores.Registry.Lookup(id, out int errno);
        if (set == null) return -errno;
        if (ops.Max(o => o.Number) >= set.Count) return -Errno.EFBIG;
        if (!set.Allowed(p, ops.Any(o => o.Delta != 0) ? S_IWUGO : S_IRUGO)) return -Errno.EACCES;
        return Attempt(p, set, ops, deadline);
    }

    /// <summary>The operations once more after a wait ended: done, still blocked (waits again unless timed out), or EIDRM.</summary>
    static long Retry(GuestProcess p, SemaphoreWait w)
    {
        if (w.Set.Removed) return -Errno.EIDRM;
        if (w.DeadlineNs is long d && p.Kernel.Clock.MonotonicNanoseconds >= d &&
            w.Set.Try(w.Ops, p.Pid, apply: false, out _) == SemaphoreSet.Outcome.WouldBlock) return -Errno.EAGAIN;
        return Attempt(p, w.Set, w.Ops, w.DeadlineNs);
    }

    static long Attempt(GuestProcess p, SemaphoreSet set, SemaphoreSet.Operation[] ops, long? deadline)
    {
        bool undo = ops.Any(o => o.Undo);
        if (undo && !set.ChargeUndo(p.Kernel, p.Pid, adding: true)) return -Errno.ENOMEM;
        SemaphoreSet.Outcome outcome = set.Try(ops, p.Pid, apply: true, out int blocking);
        if (undo) set.ChargeUndo(p.Kernel, p.Pid, adding: false); // what the records hold now (a call that waits made none)
        switch (outcome)
        {
            case SemaphoreSet.Outcome.Done:
                set.OperationTime = Now(p);
                return 0;
            case SemaphoreSet.Outcome.OutOfRange: return -Errno.ERANGE;
            case SemaphoreSet.Outcome.NoWait: return -Errno.EAGAIN;
            default: return p.Kernel.Block(new SemaphoreWait(set, ops, p.Pid, blocking, deadline));
        }
    }

    [Syscall(66, "d,d,d,x")]
    static long Semctl(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, number = (int)a.A1, cmd = (int)a.A2 & ~IPC_64;
        ulong arg = a.A3;
        SemaphoreSets all = p.Kernel.Semaphores;
        if (id < 0) return -Errno.EINVAL;
        switch (cmd)
        {
            case IPC_INFO or SEM_INFO:
            {
                // struct seminfo: semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem.
                int[] info = [(int)SemaphoreSets.MaxSemaphores, SemaphoreSets.MaxSets, (int)SemaphoreSets.MaxSemaphores,
                    (int)SemaphoreSets.MaxSemaphores, SemaphoreSets.MaxPerSet, SemaphoreSets.MaxOperations, SemaphoreSets.MaxOperations,
                    cmd == SEM_INFO ? all.Registry.ById.Count : 20, SemaphoreSet.MaxValue,
                    cmd == SEM_INFO ? (int)Math.Min(all.InUse, int.MaxValue) : SemaphoreSet.MaxAdjust];
                var bytes = new byte[40];
                for (int i = 0; i < info.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), info[i]);
                if (!p.Memory.TryWrite(arg, bytes)) return -Errno.EFAULT;
                return Math.Max(0, all.Registry.MaxIndex);
            }
            case IPC_STAT or SEM_STAT or SEM_STAT_ANY:
            {
                int errno = Errno.EINVAL;
                SemaphoreSet? s = cmd == IPC_STAT ? all.Registry.Lookup(id, out errno) : all.Registry.AtIndex(id);
                if (s == null) return -errno;
                if (cmd != SEM_STAT_ANY && !s.Allowed(p, S_IRUGO)) return -Errno.EACCES;
                // struct semid64_ds: ipc64_perm, sem_otime, sem_ctime, sem_nsems.
                var ds = new byte[104];
                s.WritePerm(ds);
                BinaryPrimitives.WriteInt64LittleEndian(ds.AsSpan(48), s.OperationTime);
                BinaryPrimitives.WriteInt64LittleEndian(ds.AsSpan(64), s.ChangeTime);
                BinaryPrimitives.WriteUInt64LittleEndian(ds.AsSpan(80), (ulong)s.Count);
                if (!p.Memory.TryWrite(arg, ds)) return -Errno.EFAULT;
                return cmd == IPC_STAT ? 0 : s.Id;
            }
            case SETVAL:
            {
                int value = (int)arg;
                if (value is < 0 or > SemaphoreSet.MaxValue) return -Errno.ERANGE;
                SemaphoreSet? s = all.Registry.Lookup(id, out int errno);
                if (s == null) return -errno;
                if (number < 0 || number >= s.Count) return -Errno.EINVAL;
                if (!s.Allowed(p, S_IWUGO)) return -Errno.EACCES;
                s.ClearUndo(number);
                s.Values[number] = value;
                s.Pids[number] = p.Pid;
                s.ChangeTime = Now(p);
                return 0;
            }
            case GETALL or GETVAL or GETPID or GETNCNT or GETZCNT or SETALL:
                return Values(p, id, number, cmd, arg);
            case IPC_SET or IPC_RMID:
            {
                var ds = new byte[IpcObject.PermSize];
                if (cmd == IPC_SET && !p.Memory.TryRead(arg, ds)) return -Errno.EFAULT;
                SemaphoreSet? s = all.Registry.Lookup(id, out int errno);
                if (s == null) return -errno;
                if (!s.IsOwner(p)) return -Errno.EPERM;
                if (cmd == IPC_SET) s.SetPerm(p, ds);
                else all.Remove(p.Kernel, s);
                return 0;
            }
            default:
                return -Errno.EINVAL;
        }
    }

    /// <summary>semctl_main: GETALL/SETALL over the whole set, GETVAL/GETPID/GETNCNT/GETZCNT of one semaphore.</summary>
    static long Values(GuestProcess p, int id, int number, int cmd, ulong arg)
    {
        SemaphoreSet? s = p.Kernel.Semaphores.Registry.Lookup(id, out int errno);
        if (s == null) return -errno;
        if (!s.Allowed(p, cmd == SETALL ? S_IWUGO : S_IRUGO)) return -Errno.EACCES;
        var array = new byte[s.Count * 2];
        switch (cmd)
        {
            case GETALL:
                for (int i = 0; i < s.Count; i++) BinaryPrimitives.WriteUInt16LittleEndian(array.AsSpan(i * 2), (ushort)s.Values[i]);
                return p.Memory.TryWrite(arg, array) ? 0 : -Errno.EFAULT;
            case SETALL:
            {
                if (!p.Memory.TryRead(arg, array)) return -Errno.EFAULT;
                var values = new int[s.Count];
                for (int i = 0; i < s.Count; i++) values[i] = BinaryPrimitives.ReadUInt16LittleEndian(array.AsSpan(i * 2));
                if (values.Any(v => v > SemaphoreSet.MaxValue)) return -Errno.ERANGE;
                s.ClearUndo(null);
                s.Values = values;
                Array.Fill(s.Pids, p.Pid);
                s.ChangeTime = Now(p);
                return 0;
            }
        }
        if (number < 0 || number >= s.Count) return -Errno.EINVAL;
        return cmd switch
        {
            GETVAL => s.Values[number],
            GETPID => s.Pids[number],
            _ => Waiting(p.Kernel, s, number, zero: cmd == GETZCNT),
        };
    }

    /// <summary>count_semcnt: threads whose blocking operation waits on semaphore <paramref name="number"/> for zero or to decrease.</summary>
    static int Waiting(Kernel k, SemaphoreSet s, int number, bool zero) =>
        k.Threads.Select(t => t.Waiting).OfType<SemaphoreWait>().Count(w =>
            w.Set == s && w.Ops[w.Blocking].Number == number && (zero ? w.Ops[w.Blocking].Delta == 0 : w.Ops[w.Blocking].Delta < 0));
}
