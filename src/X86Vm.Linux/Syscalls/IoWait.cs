using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>Turns an <see cref="OpenFile"/> result into a syscall result: waiting when it would block, SIGPIPE on EPIPE.</summary>
static class IoWait
{
    public delegate long Transfer(ReadOnlySpan<byte> data);

    /// <summary>Copies the request's bytes at <paramref name="offset"/> into <paramref name="destination"/>; returns how many
    /// were accessible from the start (fewer at a bad address).</summary>
    public delegate int Fetch(long offset, Span<byte> destination);

    /// <summary>
    /// The largest host buffer one call uses. A guest may ask for gigabytes in one read or write: the data moves in
    /// chunks of this size (regular files) or as a short transfer (streams), never through a host allocation of the
    /// requested size.
    /// </summary>
    public const int Chunk = 1 << 20;

    /// <summary>
    /// Writes <paramref name="length"/> bytes fetched chunk by chunk with <paramref name="fetch"/>. On a file that
    /// completes writes (a blocking pipe or stream socket) the call waits until everything is written, keeping its
    /// progress across the waits in a <see cref="PartialWrite"/>; a short write elsewhere (a full disk, a non-blocking
    /// stream) ends the call with the count; when nothing was written <paramref name="complete"/> finishes it.
    /// A bad address after some data ends the call with the count so far, as Linux does.
    /// </summary>
    public static long WriteAll(GuestProcess p, OpenFile f, long length, Fetch fetch, Transfer write, Func<long, long> complete,
        bool mayWait = true) =>
        p.Kernel.Vfs.Watches.Then(WriteAllOf(p, f, length, fetch, write, complete, mayWait), f, FileWatches.IN_MODIFY);

    static long WriteAllOf(GuestProcess p, OpenFile f, long length, Fetch fetch, Transfer write, Func<long, long> complete, bool mayWait)
    {
        Kernel k = p.Kernel;
        long done = k.CurrentThread.Resumed is PartialWrite w ? w.Done : 0;
        if (length == 0) return complete(write([]));
        while (true)
        {
            var data = new byte[(int)Math.Min(length - done, Chunk)];
            int fetched = fetch(done, data);
            if (fetched == 0) return done > 0 ? done : -Errno.EFAULT;
            long n = write(data.AsSpan(0, fetched));
            if (n > 0) done += n;
            if (done == length) return done;
            if (n == fetched && fetched < data.Length) return done; // the bytes up to a bad address went out
            if (n == data.Length) continue;
            if (done > 0 && mayWait && f.CompletesWrites && (n > 0 || n == OpenFile.WouldBlock))
                return k.Block(new PartialWrite(done, f, $"write on {f.Path}"));
            if (done > 0) return done;
            return complete(n);
        }
    }

    /// <summary>Writes bytes already gathered in host memory (sendmsg, writev).</summary>
    public static long WriteAll(GuestProcess p, OpenFile f, byte[] data, Transfer write, Func<long, long> complete) =>
        WriteAll(p, f, data.Length, (offset, destination) => { data.AsSpan((int)offset, destination.Length).CopyTo(destination); return destination.Length; },
            write, complete);

    /// <summary>Writes the guest bytes at <paramref name="address"/>.</summary>
    public static long WriteAll(GuestProcess p, OpenFile f, ulong address, long length, Transfer write, Func<long, long> complete) =>
        WriteAll(p, f, length, (offset, destination) => GuestIo.ReadPrefix(p, address + (ulong)offset, destination), write, complete);

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes into guest memory at <paramref name="address"/> with
    /// <paramref name="read"/> (given a chunk buffer and the bytes done so far). Only the first chunk may wait; further
    /// chunks are read only from regular files and only while full chunks come back.
    /// </summary>
    public static long ReadInto(GuestProcess p, OpenFile f, ulong address, long length, Func<byte[], long, long> read, bool mayWait)
    {
        long n = ReadIntoOf(p, f, address, length, read, mayWait);
        return n > 0 ? p.Kernel.Vfs.Watches.Then(n, f, FileWatches.IN_ACCESS) : n;
    }

    static long ReadIntoOf(GuestProcess p, OpenFile f, ulong address, long length, Func<byte[], long, long> read, bool mayWait)
    {
        long total = 0;
        while (true)
        {
            var buffer = new byte[(int)Math.Min(length - total, Chunk)];
            long n = read(buffer, total);
            if (total == 0 && mayWait) n = Complete(p, f, n, PollEvents.In);
            if (n <= 0 || n == OpenFile.WouldBlock) return total > 0 ? total : n;
            // Bytes that fit before a bad address are delivered (the rest of what was read is lost, as with Linux's copy_to_user).
            int stored = GuestIo.WritePrefix(p, address + (ulong)total, buffer.AsSpan(0, (int)n));
            if (stored == 0) return total > 0 ? total : -Errno.EFAULT;
            total += stored;
            if (stored < n) return total;
            if (total == length || n < buffer.Length || f.Status().Kind != FileKind.Regular) return total;
        }
    }

    public static long Complete(GuestProcess p, OpenFile f, long result, PollEvents waitFor)
    {
        if (result == OpenFile.WouldBlock && f is Net.SocketFile socket)
            return SocketIo.Wait(p, socket, waitFor, waitFor == PollEvents.In ? Net.SocketOptions.SO_RCVTIMEO : Net.SocketOptions.SO_SNDTIMEO, "io");
        if (result == OpenFile.WouldBlock && f is IBlockingFile b && b.WaitCondition(waitFor) is { } condition)
            return p.Kernel.Block(condition);
        if (result == OpenFile.WouldBlock)
            return p.Kernel.Block(new FileReadyWait(f, waitFor | PollEvents.HangUp | PollEvents.Error, null, $"io on {f.Path}"));
        if (result == -Errno.EPIPE) p.Kernel.SendSignal(p.Kernel.CurrentThread, X86Vm.Cpu.Memory.Signals.SIGPIPE);
        return result;
    }
}
