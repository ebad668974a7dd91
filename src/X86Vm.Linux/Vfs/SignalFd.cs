using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// signalfd(2): reading takes pending signals in <see cref="Mask"/> (the reader's own, then its process's) as
/// 128-byte struct signalfd_siginfo records, whether or not they are blocked; readable while one is pending.
/// </summary>
public sealed class SignalFd : OpenFile, IPollSource
{
    const int RecordSize = 128;
    readonly Kernel _kernel;
    /// <summary>The process whose signals readiness reports: the creator, then the last reader.</summary>
    GuestProcess _owner;

    public ulong Mask { get; set; }

    public SignalFd(Kernel kernel, GuestProcess owner, ulong mask)
    {
        _kernel = kernel;
        _owner = owner;
        Mask = mask;
        Path = "anon_inode:[signalfd]";
    }

    public override long Read(Span<byte> buffer)
    {
        if (buffer.Length < RecordSize) return -Errno.EINVAL;
        GuestThread t = _kernel.CurrentThread;
        _owner = t.Process;
        int n = 0;
        while (n + RecordSize <= buffer.Length)
        {
            SigInfo? info = _kernel.DequeueSignal(t, Mask);
            if (info == null) break;
            info.ToSignalfdSiginfo().CopyTo(buffer[n..]);
            n += RecordSize;
        }
        if (n > 0) return n;
        return (StatusFlags & OpenFlags.NonBlock) != 0 ? -Errno.EAGAIN : WouldBlock;
    }

    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => Offset; // noop_llseek

    public override PollEvents Poll()
    {
        ulong pending = _owner.SharedPending.Mask;
        foreach (GuestThread t in _owner.Threads) pending |= t.Pending.Mask;
        return (pending & Mask) != 0 ? PollEvents.In : 0;
    }

    /// <summary>Signals queued for the process whose signals it reports (each wakes pollers, wanted or not, as in Linux).</summary>
    public override ulong ReadinessGeneration => _owner.SignalsQueued;

    /// <summary>A poll waits for the poller's own signals (signalfd_poll waits on current->sighand).</summary>
    public PollWaitQueue PollQueue(GuestProcess poller) => poller.SignalPollers;

    public override FileStatus Status() => new() { Kind = 0, Permissions = 0x180, Inode = 0, Device = 0xE, BlockSize = 4096 };
}
