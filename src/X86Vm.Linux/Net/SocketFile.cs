using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>What a send carries besides the bytes: a destination (sendto), descriptors and credentials (sendmsg).</summary>
public readonly record struct SendRequest(SocketAddress? Destination, OpenFile[]? Rights, Credentials Sender, int Flags);

/// <summary>What a receive returns besides the bytes copied: the full message length, its source and ancillary data.</summary>
public sealed class ReceiveResult
{
    public long Length;
    public int MessageFlags;
    public SocketAddress? From;
    public List<OpenFile> Rights { get; } = new();
    public Credentials? Credentials;
}

/// <summary>
/// A socket as an open file (socket(7)). Subclasses implement one kind of transport; this class holds what every
/// socket has — its domain, type and protocol, the options store, shutdown state — and maps read/write to recv/send.
/// Methods return a value or a negative errno; <see cref="OpenFile.WouldBlock"/> means "park and retry".
/// </summary>
public abstract class SocketFile : OpenFile
{
    /// <summary>Socket poll masks carry the "normal data" bits with In and Out (tcp_poll, unix_poll, datagram_poll).</summary>
    protected PollEvents WithNormalBits(PollEvents ev)
    {
        if ((ev & PollEvents.In) != 0) ev |= PollEvents.ReadNormal;
        if ((ev & PollEvents.Out) != 0) ev |= PollEvents.WriteNormal | (Domain == AF_UNIX || Type == SOCK_DGRAM ? PollEvents.WriteBand : 0);
        return ev;
    }

    protected SocketFile(Kernel kernel, int domain, int type, int protocol)
    {
        Kernel = kernel;
        Domain = domain;
        Type = type;
        Protocol = protocol;
        Inode = kernel.NextAnonymousInode();
        Path = $"socket:[{Inode}]";
        StatusFlags = OpenFlags.ReadWrite;
    }

    public Kernel Kernel { get; }
    public int Domain { get; }
    public int Type { get; }
    public int Protocol { get; }
    public ulong Inode { get; }
    public SocketOptions Options { get; } = new();
    public bool ReadShutdown { get; protected set; }
    public bool WriteShutdown { get; protected set; }
    public bool NonBlocking => (StatusFlags & OpenFlags.NonBlock) != 0;
    public bool IsStream => Type == SOCK_STREAM;
    public override bool CompletesWrites => IsStream && !NonBlocking;

    public abstract SocketAddress? LocalAddress { get; }
    public abstract SocketAddress? PeerAddress { get; }

    public abstract long Bind(SocketAddress address, GuestProcess caller);
    public virtual long Listen(int backlog) => -Errno.EOPNOTSUPP;
    public virtual long Accept(out SocketFile? accepted) { accepted = null; return -Errno.EOPNOTSUPP; }
    public abstract long Connect(SocketAddress address, GuestProcess caller);
    public abstract long Send(ReadOnlySpan<byte> data, in SendRequest request);
    public abstract long Receive(Span<byte> buffer, int flags, ReceiveResult result);
    public abstract long Shutdown(int how);

    /// <summary>SO_RCVBUF and SO_SNDBUF as set (already doubled); 0 = the default. Reported only: queues keep their own sizes.</summary>
    public int[] Buffers { get; } = new int[2];

    /// <summary>Called after setsockopt stored a value (a host socket forwards it).</summary>
    public virtual void OptionChanged(int level, int name) { }

    /// <summary>A pending error (SO_ERROR), cleared when read.</summary>
    public int PendingError { get; set; }

    /// <summary>SO_ACCEPTCONN.</summary>
    public virtual bool Listening => false;

    /// <summary>SO_PEERCRED: the peer's credentials at connect time.</summary>
    public virtual Credentials? PeerCredentials => null;

    protected bool WouldBlockOr(int flags) => NonBlocking || (flags & MSG_DONTWAIT) != 0;

    public override long Read(Span<byte> buffer) => Receive(buffer, 0, new ReceiveResult());

    public override long Write(ReadOnlySpan<byte> buffer) =>
        Send(buffer, new SendRequest(null, null, Kernel.CurrentCredentials(), 0));

    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;

    public override FileStatus Status() => new()
    {
        Kind = FileKind.Socket, Permissions = 0x1FF, Inode = Inode, Device = 0x8, BlockSize = 4096,
    };

    public override long Ioctl(GuestProcess process, uint request, ulong argument)
    {
        const uint FIONREAD = 0x541B, SIOCOUTQ = 0x5411;
        if (request is FIONREAD or SIOCOUTQ)
        {
            int value = request == FIONREAD ? ReadableBytes : 0;
            return process.Memory.TryWrite(argument, BitConverter.GetBytes(value)) ? 0 : -Errno.EFAULT;
        }
        return InterfaceIoctls.Handle(process, Domain, request, argument) ?? -Errno.ENOTTY;
    }

    /// <summary>FIONREAD: bytes a stream read would return now (a datagram socket: the next message's size).</summary>
    protected virtual int ReadableBytes => 0;
}
