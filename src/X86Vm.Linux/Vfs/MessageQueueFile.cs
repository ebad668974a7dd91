using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A descriptor mq_open(3) returned: the queue, readable (the status line of mqueue_read_file), pollable (POLLIN with
/// a message, POLLOUT with room) and stat-able as a file of the mqueue file system. Closing it in the process that
/// registered for notification drops the registration (mqueue_flush_file).
/// </summary>
public sealed class MessageQueueFile : OpenFile
{
    const ulong MqueueDevice = 0x13;

    public PosixMessageQueue Queue { get; }
    readonly Kernel _kernel;

    /// <summary>A new open description of <paramref name="queue"/>: it counts as open until <see cref="Release"/>.</summary>
    public MessageQueueFile(Kernel kernel, PosixMessageQueue queue, int flags)
    {
        _kernel = kernel;
        Queue = queue;
        queue.Opened++;
        Path = "/" + queue.Name;
        StatusFlags = flags;
    }

    public override long ReadAt(Span<byte> buffer, long offset)
    {
        byte[] text = GuestNames.ToBytes(Queue.StatusText);
        if (offset >= text.Length) return 0;
        int n = (int)Math.Min(buffer.Length, text.Length - offset);
        text.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;

    public override FileStatus Status() => new()
    {
        Kind = FileKind.Regular, Permissions = Queue.Mode, Uid = Queue.Uid, Gid = Queue.Gid, Size = 80, Device = MqueueDevice,
        Inode = 0, AccessNs = Queue.AccessNs, ModifyNs = Queue.ModifyNs, ChangeNs = Queue.ChangeNs,
    };

    public override PollEvents Poll() =>
        (Queue.Messages.Count > 0 ? PollEvents.In | PollEvents.ReadNormal : 0) | (!Queue.Full ? PollEvents.Out | PollEvents.WriteNormal : 0);

    public override ulong ReadinessGeneration => Queue.Changes;

    public override void Flush(GuestProcess closer)
    {
        if (Queue.NotifyPid == closer.Pid) Queue.NotifyPid = 0;
    }

    /// <summary>The last descriptor closed: an unlinked queue no one else has open gives back its memory.</summary>
    public override void Release() => _kernel.PosixMessageQueues.Closed(_kernel, Queue);

    public override void WriteState(State.StateWriter w) => PosixMessageQueues.Hash(w, Queue);
}
