using X86Vm.Cpu.State;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A host stream the VM was given as the guest's stdin, stdout or stderr. It behaves as a character
/// device (no seeking); when the host side is a terminal it answers the terminal ioctls.
/// </summary>
public sealed class StreamFile : OpenFile
{
    [NotSnapshot] Stream _stream;
    readonly TerminalInfo? _terminal;
    ulong _transfers;

    public StreamFile(StandardStream binding, Stream stream, TerminalInfo? terminal)
    {
        Binding = binding;
        _stream = stream;
        _terminal = terminal;
    }

    /// <summary>The host stream this is (a snapshot saves which, and the restoring host supplies the stream).</summary>
    public StandardStream Binding { get; }

    /// <summary>After a restore: the host's stream for <see cref="Binding"/>.</summary>
    public void Rebind(Stream stream) => _stream = stream;

    /// <summary>
    /// Deterministic mode: a read returns the whole buffer unless the stream ends first, so what the guest sees
    /// depends on the bytes only, not on how the host delivered them (a pipe writer's timing, the terminal's lines).
    /// </summary>
    public bool FillReads { get; init; }

    public override long Read(Span<byte> buffer)
    {
        if (!_stream.CanRead) return -Errno.EBADF;
        _transfers++;
        try
        {
            if (!FillReads) return _stream.Read(buffer);
            int done = 0;
            while (done < buffer.Length)
            {
                int n = _stream.Read(buffer[done..]);
                if (n == 0) break;
                done += n;
            }
            return done;
        }
        catch (IOException) { return -Errno.EIO; }
    }

    public override long Write(ReadOnlySpan<byte> buffer)
    {
        if (!_stream.CanWrite) return -Errno.EBADF;
        _transfers++;
        try
        {
            _stream.Write(buffer);
            _stream.Flush();
            return buffer.Length;
        }
        catch (IOException) { return -Errno.EPIPE; }
    }

    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;

    /// <summary>
    /// A host stream is always ready: reads wait on the host, writes never wait. For a terminal both directions are
    /// ready (its descriptors are read-write); otherwise the direction the stream was opened for.
    /// </summary>
    public override PollEvents Poll() =>
        (_terminal != null || CanRead ? PollEvents.In | PollEvents.ReadNormal : 0) |
        (_terminal != null || CanWrite ? PollEvents.Out | PollEvents.WriteNormal : 0);

    /// <summary>
    /// The VM cannot see data arrive on a host stream, so every read and write counts as a readiness change:
    /// edge-triggered epoll reports the stream again after each transfer.
    /// </summary>
    public override ulong ReadinessGeneration => _transfers;

    public override FileStatus Status() => _terminal != null
        ? new FileStatus { Kind = FileKind.CharDevice, Permissions = 0x190 /* 0620 */, RDevice = 0x8800, Inode = 3, BlockSize = 1024 }
        : new FileStatus { Kind = FileKind.Fifo, Permissions = 0x180 /* 0600 */, Inode = 2 };

    public override long Ioctl(GuestProcess process, uint request, ulong argument) =>
        _terminal == null ? -Errno.ENOTTY : Terminal.Ioctl(process, _terminal, request, argument);
}

/// <summary>The host terminal a standard stream is connected to (window size at start).</summary>
public sealed record TerminalInfo(ushort Rows, ushort Columns);
