using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// splice(2) and tee(2): moving (or, for tee, copying) bytes between a pipe and another file without a user buffer.
/// A pipe's bytes leave it only once the output took them, so a short write loses nothing; a file read at a position
/// moves its offset by what the pipe took. With nothing to move, a blocking call waits for the pipe (SPLICE_F_NONBLOCK
/// or O_NONBLOCK on a pipe end: EAGAIN) and runs again.
/// </summary>
[SyscallFamily]
static class SpliceSyscalls
{
    const uint SPLICE_F_MOVE = 1, SPLICE_F_NONBLOCK = 2, SPLICE_F_MORE = 4, SPLICE_F_GIFT = 8;
    const int Chunk = 1 << 16;

    static OpenFile? File(GuestProcess p, ulong fd) => p.Files.Get((int)fd) is { } f && f is not PathFile ? f : null;

    [Syscall(275, "d,p,d,p,u,x")]
    static long Splice(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? input = File(p, a.A0), output = File(p, a.A2);
        if (input == null || output == null) return -Errno.EBADF;
        if ((a.A5 & ~(ulong)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)) != 0) return -Errno.EINVAL;
        if (!input.CanRead || !output.CanWrite) return -Errno.EBADF;
        PipeEnd? inPipe = input as PipeEnd, outPipe = output as PipeEnd;
        if (inPipe == null && outPipe == null) return -Errno.EINVAL;
        if ((inPipe != null && a.A1 != 0) || (outPipe != null && a.A3 != 0)) return -Errno.ESPIPE;
        if (inPipe != null && outPipe != null && inPipe.Pipe == outPipe.Pipe) return -Errno.EINVAL;
        if ((output.StatusFlags & OpenFlags.Append) != 0 && outPipe == null) return -Errno.EINVAL;
        long count = (long)Math.Min(a.A4, 0x7ffff000UL);
        if (count == 0) return 0;
        bool nonBlock = (a.A5 & SPLICE_F_NONBLOCK) != 0;
        long? inPos = null, outPos = null;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong v)) return -Errno.EFAULT;
            if ((long)v < 0) return -Errno.EINVAL;
            inPos = (long)v;
        }
        if (a.A3 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A3, out ulong v)) return -Errno.EFAULT;
            if ((long)v < 0) return -Errno.EINVAL;
            outPos = (long)v;
        }
        long moved;
        if (inPipe != null)
        {
            Pipe pipe = inPipe.Pipe;
            if (pipe.Available == 0)
            {
                if (pipe.Writers == 0) return 0;
                return Wait(p, input, PollEvents.In, nonBlock);
            }
            if (outPipe != null && outPipe.Pipe.Readers == 0) return Broken(p);
            if (outPipe != null && outPipe.Pipe.Space == 0) return Wait(p, output, PollEvents.Out, nonBlock);
            var buffer = new byte[(int)Math.Min(count, Math.Min(pipe.Available, outPipe != null ? outPipe.Pipe.Space : Chunk))];
            int n = pipe.Peek(buffer);
            long w = outPos is long op ? output.WriteAt(buffer.AsSpan(0, n), op) : output.Write(buffer.AsSpan(0, n));
            if (w == OpenFile.WouldBlock) return Wait(p, output, PollEvents.Out, nonBlock);
            if (w < 0) return w == -Errno.EPIPE ? Broken(p) : w;
            pipe.Take(buffer.AsSpan(0, (int)w)); // only what the output took leaves the pipe
            moved = w;
        }
        else
        {
            Pipe pipe = outPipe!.Pipe;
            if (pipe.Readers == 0) return Broken(p);
            if (pipe.Space == 0) return Wait(p, output, PollEvents.Out, nonBlock);
            bool seekable = input.Status().Kind == FileKind.Regular;
            var buffer = new byte[(int)Math.Min(count, pipe.Space)];
            long start = inPos ?? input.Offset;
            long n = seekable ? input.ReadAt(buffer, start) : input.Read(buffer);
            if (n == OpenFile.WouldBlock) return Wait(p, input, PollEvents.In, nonBlock);
            if (n <= 0) return n;
            long w = output.Write(buffer.AsSpan(0, (int)n));
            if (w < 0) return w; // the pipe had room for all of it
            if (seekable && inPos == null) input.Offset += w;
            moved = w;
        }
        if (inPos != null && !GuestIo.WriteU64(p, a.A1, (ulong)(inPos.Value + moved))) return -Errno.EFAULT;
        if (outPos != null && !GuestIo.WriteU64(p, a.A3, (ulong)(outPos.Value + moved))) return -Errno.EFAULT;
        return moved;
    }

    /// <summary>tee: copies up to len bytes from one pipe into another, leaving them in the first.</summary>
    [Syscall(276, "d,d,u,x")]
    static long Tee(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? input = File(p, a.A0), output = File(p, a.A1);
        if (input == null || output == null) return -Errno.EBADF;
        if (input is not PipeEnd inPipe || output is not PipeEnd outPipe || inPipe.Pipe == outPipe.Pipe) return -Errno.EINVAL;
        if (!input.CanRead || !output.CanWrite) return -Errno.EBADF;
        if ((a.A3 & ~(ulong)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)) != 0) return -Errno.EINVAL;
        bool nonBlock = (a.A3 & SPLICE_F_NONBLOCK) != 0;
        long count = (long)Math.Min(a.A2, 0x7ffff000UL);
        if (count == 0) return 0;
        if (inPipe.Pipe.Available == 0) return inPipe.Pipe.Writers == 0 ? 0 : Wait(p, input, PollEvents.In, nonBlock);
        if (outPipe.Pipe.Readers == 0) return Broken(p);
        if (outPipe.Pipe.Space == 0) return Wait(p, output, PollEvents.Out, nonBlock);
        var buffer = new byte[(int)Math.Min(count, Math.Min(inPipe.Pipe.Available, outPipe.Pipe.Space))];
        int n = inPipe.Pipe.Peek(buffer);
        outPipe.Pipe.Put(buffer.AsSpan(0, n));
        return n;
    }

    static long Wait(GuestProcess p, OpenFile f, PollEvents events, bool nonBlock) =>
        nonBlock || (f.StatusFlags & OpenFlags.NonBlock) != 0 ? -Errno.EAGAIN : IoWait.Complete(p, f, OpenFile.WouldBlock, events);

    /// <summary>Writing into a pipe nobody reads: EPIPE and SIGPIPE.</summary>
    static long Broken(GuestProcess p)
    {
        p.Kernel.SendSignal(p.Kernel.CurrentThread, X86Vm.Cpu.Memory.Signals.SIGPIPE);
        return -Errno.EPIPE;
    }
}
