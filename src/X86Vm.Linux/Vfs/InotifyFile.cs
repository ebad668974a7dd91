using System.Buffers.Binary;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>One queued inotify event (inotify(7) struct inotify_event): a watch, what happened, a rename's cookie, a name.</summary>
public sealed record InotifyEvent(int Wd, uint Mask, uint Cookie, string? Name)
{
    /// <summary>The record's size: 16 bytes and the name padded with NULs to a multiple of 16 (with at least one NUL).</summary>
    public int Size => 16 + NameLength;
    public int NameLength => Name == null ? 0 : (GuestNames.ByteCount(Name) + 16) / 16 * 16;

    public void Write(Span<byte> to)
    {
        BinaryPrimitives.WriteInt32LittleEndian(to, Wd);
        BinaryPrimitives.WriteUInt32LittleEndian(to[4..], Mask);
        BinaryPrimitives.WriteUInt32LittleEndian(to[8..], Cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(to[12..], (uint)NameLength);
        to[16..Size].Clear();
        if (Name != null) GuestNames.ToBytes(Name).CopyTo(to[16..]);
    }
}

/// <summary>
/// An inotify instance (inotify_init1(2)): its watches live in the VM's <see cref="FileWatches"/>; events queue here
/// (at most max_queued_events, then one IN_Q_OVERFLOW; an event equal to the last queued one is merged) and read(2)
/// takes whole events. Its queued events are charged to the VM's memory account.
/// </summary>
public sealed class InotifyFile : OpenFile
{
    public const uint IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000;
    public const int MaxQueued = 16384;
    const uint FIONREAD = 0x541B;

    public FileWatches Registry { get; }
    public List<InotifyEvent> Queue { get; } = new();
    public int NextWd { get; set; } = 1;
    public KernelCharge Held { get; } = new();
    /// <summary>The uid that made it (max_user_watches and max_user_instances count per user).</summary>
    public uint Owner { get; init; }
    readonly Kernel _kernel;
    long _bytes;
    ulong _changes;

    public InotifyFile(Kernel kernel, int flags)
    {
        _kernel = kernel;
        Registry = kernel.Vfs.Watches;
        Path = "anon_inode:inotify";
        StatusFlags = OpenFlags.ReadOnly | (flags & OpenFlags.NonBlock);
    }

    /// <summary>Queues an event (inotify_handle_inode_event), merging it with an equal last one; overflow past the limit.</summary>
    public void Add(InotifyEvent e)
    {
        if (Queue.Count > 0 && Queue[^1] == e) return;
        if (Queue.Count >= MaxQueued)
        {
            if (Queue[^1].Mask != IN_Q_OVERFLOW) Append(new InotifyEvent(-1, IN_Q_OVERFLOW, 0, null));
            return;
        }
        if (Queue.Count == MaxQueued - 1 || !Held.TryCharge(_kernel, _bytes + e.Size + 32))
        {
            Append(new InotifyEvent(-1, IN_Q_OVERFLOW, 0, null));
            return;
        }
        Append(e);
    }

    void Append(InotifyEvent e)
    {
        Queue.Add(e);
        _bytes += e.Size;
        _changes++;
    }

    public override long Read(Span<byte> buffer)
    {
        if (Queue.Count == 0) return (StatusFlags & OpenFlags.NonBlock) != 0 ? -Errno.EAGAIN : WouldBlock;
        if (buffer.Length < Queue[0].Size) return -Errno.EINVAL;
        int n = 0, taken = 0;
        while (taken < Queue.Count && n + Queue[taken].Size <= buffer.Length)
        {
            Queue[taken].Write(buffer[n..]);
            n += Queue[taken].Size;
            taken++;
        }
        Queue.RemoveRange(0, taken);
        _bytes -= n;
        _changes++;
        Held.TryCharge(_kernel, _bytes);
        return n;
    }

    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;
    public override FileStatus Status() => AnonymousInode.Status;
    public override PollEvents Poll() => Queue.Count > 0 ? PollEvents.In | PollEvents.ReadNormal : 0;
    public override ulong ReadinessGeneration => _changes;

    public override long Ioctl(GuestProcess process, uint request, ulong argument)
    {
        if (request != FIONREAD) return -Errno.ENOTTY;
        return Syscalls.GuestIo.WriteU32(process, argument, (uint)_bytes) ? 0 : -Errno.EFAULT;
    }

    /// <summary>Closing the instance removes its watches.</summary>
    public override void Release()
    {
        Registry.RemoveInstance(this);
        Queue.Clear();
        Held.Uncharge(_kernel);
    }

    public override void WriteState(State.StateWriter w)
    {
        w.I32(NextWd).U64(_changes).I64(Held.Pages).U64((ulong)Queue.Count);
        foreach (InotifyEvent e in Queue) w.I32(e.Wd).U32(e.Mask).U32(e.Cookie).String(e.Name ?? "\0");
        Registry.WriteState(w, this);
    }
}
