using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// preadv/pwritev and their "2" forms (preadv(2)): scatter/gather I/O at a position, leaving the file offset alone;
/// the "2" forms take offset -1 to mean the file offset (readv/writev) and per-call RWF_* flags.
/// </summary>
[SyscallFamily]
static class VectorIoSyscalls
{
    /// <summary>RWF_HIPRI, DSYNC, SYNC, NOWAIT, APPEND, NOAPPEND, ATOMIC, DONTCACHE: known and (in memory) without effect,
    /// except APPEND.</summary>
    const ulong KnownFlags = 0xFF, RWF_APPEND = 0x10;

    static OpenFile? File(GuestProcess p, ulong fd) => p.Files.Get((int)fd) is { } f && f is not PathFile ? f : null;

    [Syscall(295, "d,p,u,d")]
    static long Preadv(GuestProcess p, in SyscallArgs a) => ReadAt(p, a.A0, a.A1, a.A2, (long)a.A3);

    [Syscall(296, "d,p,u,d")]
    static long Pwritev(GuestProcess p, in SyscallArgs a) => WriteAt(p, a.A0, a.A1, a.A2, (long)a.A3, 0);

    [Syscall(327, "d,p,u,d,d,x")]
    static long Preadv2(GuestProcess p, in SyscallArgs a)
    {
        if ((a.A5 & ~KnownFlags) != 0) return -Errno.EOPNOTSUPP;
        return (long)a.A3 == -1 ? FileSyscalls.Readv(p, a) : ReadAt(p, a.A0, a.A1, a.A2, (long)a.A3);
    }

    [Syscall(328, "d,p,u,d,d,x")]
    static long Pwritev2(GuestProcess p, in SyscallArgs a)
    {
        if ((a.A5 & ~KnownFlags) != 0) return -Errno.EOPNOTSUPP;
        return (long)a.A3 == -1 ? FileSyscalls.Writev(p, a) : WriteAt(p, a.A0, a.A1, a.A2, (long)a.A3, a.A5);
    }

    /// <summary>Positional calls need a file that can seek: a pipe, FIFO or socket is ESPIPE.</summary>
    static long Check(OpenFile f, long position, bool write)
    {
        if (write ? !f.CanWrite : !f.CanRead) return -Errno.EBADF;
        if (position < 0) return -Errno.EINVAL;
        if (f is PipeEnd || f is Net.SocketFile || f.Status().Kind is FileKind.Fifo or FileKind.Socket) return -Errno.ESPIPE;
        if (!write && f.Status().Kind == FileKind.Directory) return -Errno.EISDIR;
        return 0;
    }

    static long ReadAt(GuestProcess p, ulong fd, ulong iovAddress, ulong count, long position)
    {
        OpenFile? f = File(p, fd);
        if (f == null) return -Errno.EBADF;
        var iov = GuestIo.ReadCheckedIovec(p, iovAddress, count, out long error);
        if (iov == null) return error;
        long check = Check(f, position, write: false);
        if (check != 0) return check;
        long total = 0;
        foreach (var (b, len) in iov)
        {
            ulong done = 0;
            while (done < len)
            {
                var buffer = new byte[(int)Math.Min(len - done, IoWait.Chunk)];
                long n = f.ReadAt(buffer, position + total);
                if (n < 0) return total > 0 ? total : n;
                int stored = GuestIo.WritePrefix(p, b + done, buffer.AsSpan(0, (int)n));
                total += stored;
                done += (ulong)stored;
                if (stored < n) return total > 0 ? total : -Errno.EFAULT;
                if (n < buffer.Length) return total; // end of file
            }
        }
        return total;
    }

    static long WriteAt(GuestProcess p, ulong fd, ulong iovAddress, ulong count, long position, ulong flags)
    {
        OpenFile? f = File(p, fd);
        if (f == null) return -Errno.EBADF;
        var iov = GuestIo.ReadCheckedIovec(p, iovAddress, count, out long error);
        if (iov == null) return error;
        long check = Check(f, position, write: true);
        if (check != 0) return check;
        // O_APPEND files (and RWF_APPEND) write at the end whatever the position (pwrite(2) BUGS).
        bool append = (f.StatusFlags & OpenFlags.Append) != 0 || (flags & RWF_APPEND) != 0;
        long total = 0;
        foreach (var (b, len) in iov)
        {
            ulong done = 0;
            while (done < len)
            {
                var buffer = new byte[(int)Math.Min(len - done, IoWait.Chunk)];
                int fetched = GuestIo.ReadPrefix(p, b + done, buffer);
                if (fetched == 0) return total > 0 ? total : -Errno.EFAULT;
                long at = append ? (long)f.Status().Size : position + total;
                long n = f.WriteAt(buffer.AsSpan(0, fetched), at);
                if (n <= 0) return total > 0 ? total : n;
                total += n;
                done += (ulong)n;
                if (n < fetched || fetched < buffer.Length) return total;
            }
        }
        return total;
    }
}
