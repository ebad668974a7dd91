using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>Turns an <see cref="OpenFile"/> result into a syscall result: waiting when it would block, SIGPIPE on EPIPE.</summary>
static class IoWait
{
    public delegate long Transfer(ReadOnlySpan<byte> data);

    /// <summary>
    /// Writes <paramref name="data"/> with <paramref name="write"/>. On a file that completes writes (a blocking pipe or
    /// stream socket) the call waits until everything is written, keeping its progress across the waits in a
    /// <see cref="PartialWrite"/>; otherwise one write happens and <paramref name="complete"/> finishes it.
    /// </summary>
    public static long WriteAll(GuestProcess p, OpenFile f, ReadOnlySpan<byte> data, Transfer write, Func<long, long> complete)
    {
        Kernel k = p.Kernel;
        long done = k.CurrentThread.Resumed is PartialWrite w ? w.Done : 0;
        long n = write(data[(int)done..]);
        if (n > 0) done += n;
        bool waitForRest = done > 0 && done < data.Length && f.CompletesWrites && (n > 0 || n == OpenFile.WouldBlock);
        if (waitForRest)
            return k.Block(new PartialWrite(done, () => (f.Poll() & (PollEvents.Out | PollEvents.HangUp | PollEvents.Error)) != 0, $"write on {f.Path}"));
        if (done > 0) return done; // an error after some data: the count written so far
        return complete(n);
    }

    public static long Complete(GuestProcess p, OpenFile f, long result, PollEvents waitFor)
    {
        if (result == OpenFile.WouldBlock && f is Net.SocketFile socket)
            return SocketIo.Wait(p, socket, waitFor, waitFor == PollEvents.In ? Net.SocketOptions.SO_RCVTIMEO : Net.SocketOptions.SO_SNDTIMEO, "io");
        if (result == OpenFile.WouldBlock && f is IBlockingFile b && b.WaitCondition(waitFor) is { } condition)
            return p.Kernel.Block(condition);
        if (result == OpenFile.WouldBlock)
            return p.Kernel.Block(new WaitFor(_ => (f.Poll() & (waitFor | PollEvents.HangUp | PollEvents.Error)) != 0, null, $"io on {f.Path}"));
        if (result == -Errno.EPIPE) p.Kernel.SendSignal(p.Kernel.CurrentThread, X86Vm.Cpu.Memory.Signals.SIGPIPE);
        return result;
    }
}
