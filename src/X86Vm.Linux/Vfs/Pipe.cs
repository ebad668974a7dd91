using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A pipe (pipe(7)): a bounded byte queue with a read end and a write end. Reads wait while it is empty
/// and a writer exists; writes wait while it is full; writing with no reader is EPIPE (and SIGPIPE).
/// </summary>
public sealed class Pipe
{
    public const int Capacity = 65536;
    /// <summary>PIPE_BUF: writes up to this size are atomic, and the pipe counts as writable while this much room is free.</summary>
    public const int AtomicSize = 4096;

    readonly Queue<byte> _buffer = new();
    public int Readers { get; internal set; }
    public int Writers { get; internal set; }
    public int Available => _buffer.Count;
    /// <summary>The bytes waiting to be read, oldest first (state hash, snapshots).</summary>
    public byte[] Contents => _buffer.ToArray();
    public int Space => Capacity - _buffer.Count;
    public ulong Inode { get; }
    /// <summary>Bumped by every transfer and every close of an end (see <see cref="OpenFile.ReadinessGeneration"/>).</summary>
    public ulong Generation { get; internal set; }
    /// <summary>
    /// Pollers of both ends (pipe_poll waits on rd_wait and wr_wait): woken with EPOLLIN by every write, with EPOLLOUT by a
    /// read that makes a full pipe writable again, and unkeyed when an end is closed.
    /// </summary>
    public PollWaitQueue Waiters { get; } = new();
    /// <summary>Room for an atomic write (the kernel's "not full": a free buffer slot).</summary>
    public bool Writable => Space >= AtomicSize;

    /// <summary>Opens of a read (or write) end so far: a FIFO opener waiting for its partner waits for this to move.</summary>
    public ulong ReaderOpens { get; internal set; }
    public ulong WriterOpens { get; internal set; }

    /// <summary>A FIFO nobody has open loses what was left in it (the kernel frees the pipe at the last close).</summary>
    internal void Discard() => _buffer.Clear();

    /// <summary>A pipe whose pipefs inode number is <paramref name="inode"/> (from <see cref="Kernel.NextAnonymousInode"/>).</summary>
    public Pipe(ulong inode) => Inode = inode;

    public (PipeEnd Read, PipeEnd Write) Open(int flags)
    {
        var r = new PipeEnd(this, reading: true) { StatusFlags = OpenFlags.ReadOnly | (flags & OpenFlags.NonBlock), Path = $"pipe:[{Inode}]" };
        var w = new PipeEnd(this, reading: false) { StatusFlags = OpenFlags.WriteOnly | (flags & OpenFlags.NonBlock), Path = $"pipe:[{Inode}]" };
        Readers++;
        Writers++;
        return (r, w);
    }

    /// <summary>Copies the oldest bytes without taking them (tee, and splice before it knows how much the output takes).</summary>
    internal int Peek(Span<byte> destination)
    {
        int n = 0;
        foreach (byte b in _buffer)
        {
            if (n == destination.Length) break;
            destination[n++] = b;
        }
        return n;
    }

    internal int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _buffer.Count);
        Generation++;
        bool wasFull = !Writable;
        for (int i = 0; i < n; i++) destination[i] = _buffer.Dequeue();
        if (wasFull && Writable) Waiters.Wake(PollEvents.Out | PollEvents.WriteNormal);
        return n;
    }

    internal void Put(ReadOnlySpan<byte> source)
    {
        Generation++;
        foreach (byte b in source) _buffer.Enqueue(b);
        Waiters.Wake(PollEvents.In | PollEvents.ReadNormal);
    }
}

/// <summary>One end of a <see cref="Pipe"/>.</summary>
public sealed class PipeEnd(Pipe pipe, bool reading) : OpenFile, IPollSource
{
    public Pipe Pipe { get; } = pipe;
    public bool IsReadEnd { get; } = reading;
    /// <summary>A FIFO opened O_RDWR: one description that reads and writes.</summary>
    public bool Both { get; init; }
    /// <summary>The FIFO's node as its file system reported it when opened (fstat of a FIFO shows the node, not pipefs).</summary>
    public FileStatus? Node { get; init; }
    bool Reads => IsReadEnd || Both;
    bool Writes => !IsReadEnd || Both;

    public override void WriteState(State.StateWriter w) =>
        w.Bool(IsReadEnd).Bool(Both).U64(Pipe.Inode).I32(Pipe.Readers).I32(Pipe.Writers).Bytes(Pipe.Contents);

    bool NonBlocking => (StatusFlags & OpenFlags.NonBlock) != 0;
    public override bool CompletesWrites => !NonBlocking;

    public override long Read(Span<byte> buffer)
    {
        if (!Reads) return -Errno.EBADF;
        if (buffer.Length == 0) return 0;
        if (Pipe.Available == 0)
        {
            if (Pipe.Writers == 0) return 0; // end of file
            return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        }
        return Pipe.Take(buffer);
    }

    public override long Write(ReadOnlySpan<byte> buffer)
    {
        if (!Writes) return -Errno.EBADF;
        if (Pipe.Readers == 0) return -Errno.EPIPE;
        if (buffer.Length == 0) return 0;
        // Writes of up to PIPE_BUF (4096) bytes are atomic: they wait for room for all of it.
        int needed = buffer.Length <= 4096 ? buffer.Length : 1;
        if (Pipe.Space < needed) return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        int n = Math.Min(buffer.Length, Pipe.Space);
        Pipe.Put(buffer[..n]);
        return n;
    }

    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;

    public override FileStatus Status() => Node is { } node ? node with { Size = 0 } : new()
    {
        Kind = FileKind.Fifo, Permissions = 0x180, Inode = Pipe.Inode, Device = 0xC, BlockSize = 4096, Size = (ulong)Pipe.Available,
    };

    public override PollEvents Poll() =>
        (Reads ? (Pipe.Available > 0 ? PollEvents.In | PollEvents.ReadNormal : 0) | (Pipe.Writers == 0 ? PollEvents.HangUp : 0) : 0) |
        (Writes ? (Pipe.Writable ? PollEvents.Out | PollEvents.WriteNormal : 0) | (Pipe.Readers == 0 ? PollEvents.Error : 0) : 0);

    public PollWaitQueue PollQueue(GuestProcess poller) => Pipe.Waiters;

    public override long Ioctl(GuestProcess process, uint request, ulong argument)
    {
        const uint FIONREAD = 0x541B;
        if (request == FIONREAD)
            return process.Memory.TryWrite(argument, BitConverter.GetBytes(Reads ? Pipe.Available : 0)) ? 0 : -Errno.EFAULT;
        return -Errno.ENOTTY;
    }

    public override ulong ReadinessGeneration => Pipe.Generation;

    public override void Release()
    {
        Pipe.Generation++;
        if (Reads) Pipe.Readers--;
        if (Writes) Pipe.Writers--;
        Pipe.Waiters.Wake();
    }
}
