using System.Buffers.Binary;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Advisory locks kept in VM state (<see cref="FileLocks"/>): fcntl record locks (POSIX, owned by the
/// process, and OFD, owned by the open file description) and flock(2). F_SETLKW, F_OFD_SETLKW and flock without
/// LOCK_NB wait on a <see cref="LockWait"/> until the conflict is gone; a POSIX wait that would close a cycle of
/// waiting processes fails with EDEADLK instead (fcntl(2) "Record locking").
/// </summary>
[SyscallFamily]
static class LockSyscalls
{
    const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

    /// <summary>fcntl F_GETLK/F_SETLK/F_SETLKW and their OFD forms; <paramref name="address"/> is a struct flock (32 bytes).</summary>
    public static long RecordLock(GuestProcess p, OpenFile f, int cmd, ulong address)
    {
        if (f is PathFile) return -Errno.EBADF;
        var buf = new byte[32];
        if (!p.Memory.TryRead(address, buf)) return -Errno.EFAULT;
        short type = BinaryPrimitives.ReadInt16LittleEndian(buf);
        short whence = BinaryPrimitives.ReadInt16LittleEndian(buf.AsSpan(2));
        long start = BinaryPrimitives.ReadInt64LittleEndian(buf.AsSpan(8));
        long len = BinaryPrimitives.ReadInt64LittleEndian(buf.AsSpan(16));
        int pid = BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(24));
        bool ofd = cmd is FileSyscalls.F_OFD_GETLK or FileSyscalls.F_OFD_SETLK or FileSyscalls.F_OFD_SETLKW;
        bool get = cmd is FileSyscalls.F_GETLK or FileSyscalls.F_OFD_GETLK;
        bool wait = cmd is FileSyscalls.F_SETLKW or FileSyscalls.F_OFD_SETLKW;
        if (ofd && pid != 0) return -Errno.EINVAL;
        if (type is not (F_RDLCK or F_WRLCK or F_UNLCK)) return -Errno.EINVAL;
        if (get && type == F_UNLCK) return -Errno.EINVAL;

        long origin = whence switch { 0 => 0, 1 => f.Offset, 2 => (long)f.Status().Size, _ => -1 };
        if (whence is < 0 or > 2) return -Errno.EINVAL;
        long from = origin + start, to;
        if (len > 0) to = from + len < from ? long.MaxValue : from + len;
        else if (len == 0) to = long.MaxValue;
        else { to = from; from += len; }
        if (from < 0) return -Errno.EINVAL;

        FileLocks locks = p.Kernel.Vfs.Locks;
        object owner = ofd ? f : p;
        if (get)
        {
            FileLocks.RecordLock? c = locks.FindConflict(f, owner, type == F_WRLCK, from, to);
            if (c == null) BinaryPrimitives.WriteInt16LittleEndian(buf, F_UNLCK);
            else
            {
                BinaryPrimitives.WriteInt16LittleEndian(buf, c.Write ? F_WRLCK : F_RDLCK);
                BinaryPrimitives.WriteInt16LittleEndian(buf.AsSpan(2), 0);
                BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(8), c.Start);
                BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(16), c.End == long.MaxValue ? 0 : c.End - c.Start);
                BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(24), c.Ofd ? -1 : c.Pid);
            }
            return p.Memory.TryWrite(address, buf) ? 0 : -Errno.EFAULT;
        }
        if (type == F_RDLCK && !f.CanRead) return -Errno.EBADF;
        if (type == F_WRLCK && !f.CanWrite) return -Errno.EBADF;
        if (locks.Set(f, owner, p.Pid, ofd, type == F_UNLCK, type == F_WRLCK, from, to)) return 0;
        if (!wait) return -Errno.EAGAIN;
        FileLocks.RecordLock blocker = locks.FindConflict(f, owner, type == F_WRLCK, from, to)!;
        if (!ofd && locks.WouldDeadlock(owner, blocker, Waiters(p.Kernel))) return -Errno.EDEADLK;
        return p.Kernel.Block(new LockWait(locks, ofd ? LockWaitKind.Ofd : LockWaitKind.Posix, f, owner, type == F_WRLCK, from, to));
    }

    /// <summary>Every thread's pending lock request (the kernel's blocked_hash).</summary>
    static IEnumerable<LockWait> Waiters(Kernel k) => k.Threads.Select(t => t.Waiting).OfType<LockWait>();

    [Syscall(73, "d,d")]
    static long Flock(GuestProcess p, in SyscallArgs a)
    {
        const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || f is PathFile) return -Errno.EBADF;
        int op = (int)a.A1 & ~LOCK_NB;
        if (op is not (LOCK_SH or LOCK_EX or LOCK_UN)) return -Errno.EINVAL;
        FileLocks locks = p.Kernel.Vfs.Locks;
        if (locks.Flock(f, op == LOCK_UN, op == LOCK_EX)) return 0;
        if (((int)a.A1 & LOCK_NB) != 0) return -Errno.EAGAIN;
        return p.Kernel.Block(new LockWait(locks, LockWaitKind.Flock, f, f, op == LOCK_EX, 0, long.MaxValue));
    }
}
