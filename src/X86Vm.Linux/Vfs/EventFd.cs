using System.Buffers.Binary;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// eventfd(2): a 64-bit counter. write adds (waiting while the sum would reach 2^64-1), read takes the whole count —
/// or 1 with EFD_SEMAPHORE — waiting while it is zero. Both move exactly 8 bytes.
/// </summary>
public sealed class EventFd : OpenFile, IPollSource, IBlockingFile
{
    public const int EFD_SEMAPHORE = 1;
    const ulong Max = ulong.MaxValue; // ULLONG_MAX: never reached by a write
    readonly bool _semaphore;
    readonly PollWaitQueue _queue = new();
    ulong _wakes;
    ulong _blockedWrite;

    public EventFd(ulong initial, int flags)
    {
        Count = initial;
        _semaphore = (flags & EFD_SEMAPHORE) != 0;
        Path = "anon_inode:[eventfd]";
        StatusFlags = OpenFlags.ReadWrite | (flags & OpenFlags.NonBlock);
    }

    public ulong Count { get; private set; }

    public override void WriteState(State.StateWriter w) => w.U64(Count).Bool(_semaphore);

    bool NonBlocking => (StatusFlags & OpenFlags.NonBlock) != 0;

    public override long Read(Span<byte> buffer)
    {
        if (buffer.Length < 8) return -Errno.EINVAL;
        if (Count == 0) return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        ulong value = _semaphore ? 1 : Count;
        Count -= value;
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        Wake(PollEvents.Out);
        return 8;
    }

    public override long Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length != 8) return -Errno.EINVAL; // exactly 8 (a read only needs at least 8)
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        if (value == Max) return -Errno.EINVAL;
        if (Max - Count <= value)
        {
            _blockedWrite = value;
            return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        }
        Count += value;
        Wake(PollEvents.In);
        return 8;
    }

    void Wake(PollEvents key)
    {
        _wakes++;
        _queue.Wake(key);
    }

    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => Offset; // noop_llseek
    public override FileStatus Status() => AnonymousInode.Status;

    public override PollEvents Poll() =>
        (Count > 0 ? PollEvents.In : 0) | (Count == Max ? PollEvents.Error : 0) | (Count < Max - 1 ? PollEvents.Out : 0);

    /// <summary>Every read and write wakes pollers (readers with EPOLLIN, writers with EPOLLOUT).</summary>
    public override ulong ReadinessGeneration => _wakes;

    public PollWaitQueue PollQueue(GuestProcess poller) => _queue;

    /// <summary>A blocked write waits until its own value fits, not merely until EPOLLOUT (the counter may have some room).</summary>
    /// <summary>A write of <paramref name="value"/> would not block.</summary>
    public bool HasRoomFor(ulong value) => Max - Count > value;

    public IWaitCondition? WaitCondition(PollEvents waitFor)
    {
        if (waitFor != PollEvents.Out) return null;
        ulong value = _blockedWrite;
        return new EventFdWriteWait(this, value);
    }
}
