using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>Moving and syncing file data: fsync family, fallocate, sendfile, copy_file_range.</summary>
[SyscallFamily]
static class DataSyscalls
{
    const int Chunk = 1 << 16;
    const long MaxIo = 0x7ffff000;

    static OpenFile? File(GuestProcess p, ulong fd) => p.Files.Get((int)fd) is { } f && f is not PathFile ? f : null;

    [Syscall(74, "d")]
    static long Fsync(GuestProcess p, in SyscallArgs a) => Sync(File(p, a.A0));

    [Syscall(75, "d")]
    static long Fdatasync(GuestProcess p, in SyscallArgs a) => Sync(File(p, a.A0));

    /// <summary>Only files with a backing store sync (vfs_fsync: no ->fsync is EINVAL): pipes, sockets, character
    /// devices and /proc files are EINVAL.</summary>
    static long Sync(OpenFile? f)
    {
        if (f == null) return -Errno.EBADF;
        if (f is PipeEnd or Net.SocketFile or SyntheticFile or ProcSettingFile) return -Errno.EINVAL;
        return f.Status().Kind is FileKind.Regular or FileKind.Directory or FileKind.BlockDevice ? f.Sync() : -Errno.EINVAL;
    }

    [Syscall(162)]
    static long Sync(GuestProcess p, in SyscallArgs a) => 0;

    [Syscall(306, "d")]
    static long Syncfs(GuestProcess p, in SyscallArgs a) => File(p, a.A0) == null ? -Errno.EBADF : 0;

    [Syscall(277, "d,d,d,x")]
    static long SyncFileRange(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = File(p, a.A0);
        if (f == null) return -Errno.EBADF;
        if ((long)a.A1 < 0 || (long)a.A2 < 0 || (a.A3 & ~7UL) != 0) return -Errno.EINVAL;
        FileKind k = f.Status().Kind;
        return k is FileKind.Regular or FileKind.Directory or FileKind.BlockDevice or FileKind.Symlink ? 0 : -Errno.ESPIPE;
    }

    [Syscall(285, "d,x,d,d")]
    static long Fallocate(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = File(p, a.A0);
        if (f == null) return -Errno.EBADF;
        long offset = (long)a.A2, length = (long)a.A3;
        if (offset < 0 || length <= 0) return -Errno.EINVAL;
        if (!f.CanWrite) return -Errno.EBADF;
        FileKind k = f.Status().Kind;
        if (k == FileKind.Directory) return -Errno.EISDIR;
        if (k is FileKind.Fifo or FileKind.Socket) return -Errno.ESPIPE;
        if (k != FileKind.Regular) return -Errno.ENODEV;
        if (offset + length < 0) return -Errno.EFBIG;
        return f.Allocate((int)a.A1, offset, length);
    }

    [Syscall(40, "d,d,p,u")]
    static long Sendfile(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? output = File(p, a.A0), input = File(p, a.A1);
        if (output == null || input == null || !input.CanRead || !output.CanWrite) return -Errno.EBADF;
        if ((output.StatusFlags & OpenFlags.Append) != 0) return -Errno.EINVAL;
        if (input.Status().Kind == FileKind.Directory) return -Errno.EINVAL;
        long count = (long)Math.Min(a.A3, (ulong)MaxIo);
        long? position = null;
        if (a.A2 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A2, out ulong pos)) return -Errno.EFAULT;
            if ((long)pos < 0) return -Errno.EINVAL;
            position = (long)pos;
        }
        long total = Copy(p, input, position, output, null, count, out long error);
        if (position != null && !GuestIo.WriteU64(p, a.A2, (ulong)(position.Value + total))) return -Errno.EFAULT;
        return total > 0 ? total : error;
    }

    [Syscall(326, "d,p,d,p,u,x")]
    static long CopyFileRange(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? input = File(p, a.A0), output = File(p, a.A2);
        if (input == null || output == null) return -Errno.EBADF;
        if (a.A5 != 0) return -Errno.EINVAL;
        FileStatus si = input.Status(), so = output.Status();
        if (si.Kind == FileKind.Directory || so.Kind == FileKind.Directory) return -Errno.EISDIR;
        if (si.Kind != FileKind.Regular || so.Kind != FileKind.Regular) return -Errno.EINVAL;
        if (!input.CanRead || !output.CanWrite || (output.StatusFlags & OpenFlags.Append) != 0) return -Errno.EBADF;
        long? inPos = null, outPos = null;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong v)) return -Errno.EFAULT;
            inPos = (long)v;
        }
        if (a.A3 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A3, out ulong v)) return -Errno.EFAULT;
            outPos = (long)v;
        }
        if (inPos < 0 || outPos < 0) return -Errno.EINVAL;
        long count = (long)Math.Min(a.A4, (ulong)MaxIo);
        long inStart = inPos ?? input.Offset, outStart = outPos ?? output.Offset;
        if (si.Device == so.Device && si.Inode == so.Inode && inStart < outStart + count && outStart < inStart + count)
            return -Errno.EINVAL;
        long total = Copy(p, input, inPos, output, outPos, count, out long error);
        if (inPos != null && !GuestIo.WriteU64(p, a.A1, (ulong)(inPos.Value + total))) return -Errno.EFAULT;
        if (outPos != null && !GuestIo.WriteU64(p, a.A3, (ulong)(outPos.Value + total))) return -Errno.EFAULT;
        return total > 0 ? total : error;
    }

    /// <summary>
    /// Copies up to <paramref name="count"/> bytes; a null position means the file's own offset. The input's position
    /// moves only by what the output took (sendfile(2): "the file offset is updated to the byte following the last byte
    /// that was read" — i.e. sent), so a short write into a pipe or socket loses nothing: a regular input is read at an
    /// explicit position, and a stream input is read no further than a pipe output has room for. When nothing moved,
    /// a full blocking output (or an empty blocking input) waits, and the call runs again from the same state.
    /// </summary>
    static long Copy(GuestProcess p, OpenFile input, long? inPos, OpenFile output, long? outPos, long count, out long error)
    {
        error = 0;
        long total = 0;
        bool seekable = input.Status().Kind == FileKind.Regular;
        var buffer = new byte[(int)Math.Min(Chunk, Math.Max(count, 1))];
        while (total < count)
        {
            int want = (int)Math.Min(buffer.Length, count - total);
            if (!seekable && output is PipeEnd { IsReadEnd: false } pipe && pipe.Pipe.Space > 0)
                want = Math.Min(want, pipe.Pipe.Space);
            long start = inPos ?? input.Offset;
            long n = seekable ? input.ReadAt(buffer.AsSpan(0, want), start + total) : input.Read(buffer.AsSpan(0, want));
            if (n == OpenFile.WouldBlock && total == 0) { error = IoWait.Complete(p, input, n, PollEvents.In); break; }
            if (n <= 0 || n == OpenFile.WouldBlock) { error = n == OpenFile.WouldBlock ? -Errno.EAGAIN : n; break; }
            long w = outPos is long op ? output.WriteAt(buffer.AsSpan(0, (int)n), op + total) : output.Write(buffer.AsSpan(0, (int)n));
            if (w < 0 && total == 0 && (seekable || w != OpenFile.WouldBlock)) { error = IoWait.Complete(p, output, w, PollEvents.Out); break; }
            if (w < 0) { error = w == OpenFile.WouldBlock ? -Errno.EAGAIN : w; break; }
            total += w;
            if (seekable && inPos == null) input.Offset += w;
            if (w < n || n < want) break;
        }
        return total;
    }
}
