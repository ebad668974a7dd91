using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// An AF_NETLINK socket of protocol NETLINK_ROUTE (netlink(7), rtnetlink(7)), SOCK_RAW or SOCK_DGRAM alike. Requests
/// sent to the kernel (port id 0) are answered at send time by <see cref="RouteNetlink"/>; the answers wait in the
/// receive queue as datagrams from port 0. The socket binds a port id (the process's pid first) explicitly or on its
/// first send. Not modelled: multicast groups (stored, never delivered) and messages between user-space ports.
/// </summary>
public sealed class NetlinkSocket : SocketFile, IPollSource
{
    public const int NETLINK_ROUTE = 0;
    const int ReceiveCapacity = 212992;

    uint? _portId;
    uint _groups;
    SocketAddress _destination = SocketAddress.Netlink(0);

    public NetlinkSocket(Kernel kernel, int type) : base(kernel, AF_NETLINK, type, NETLINK_ROUTE) =>
        Incoming = new SocketQueue(ReceiveCapacity, Waiters);

    public PollWaitQueue Waiters { get; } = new();
    public PollWaitQueue PollQueue(GuestProcess poller) => Waiters;
    public SocketQueue Incoming { get; }

    public override ulong ReadinessGeneration => Incoming.Generation;
    protected override int ReadableBytes => Incoming.First?.Data.Length ?? 0;

    /// <summary>getsockname: port id 0 until bound.</summary>
    public override SocketAddress? LocalAddress => SocketAddress.Netlink(_portId ?? 0, _groups);

    /// <summary>getpeername never fails on netlink: the default destination, the kernel unless connected elsewhere.</summary>
    public override SocketAddress? PeerAddress => _destination;

    public override long Bind(SocketAddress address, GuestProcess caller)
    {
        uint wanted = (uint)address.Port;
        // Rebinding may change only the groups (netlink_bind: a different port id is EINVAL).
        if (_portId is { } bound)
        {
            if (wanted != bound) return -Errno.EINVAL;
        }
        else if (wanted == 0) _portId = Kernel.Network.AutobindNetlink(caller.Pid, this);
        else if (Kernel.Network.BindNetlink(wanted, this)) _portId = wanted;
        else return -Errno.EADDRINUSE;
        _groups = address.Groups;
        return 0;
    }

    uint EnsureBound() => _portId ??= Kernel.Network.AutobindNetlink(Kernel.Current.Pid, this);

    public override long Connect(SocketAddress address, GuestProcess caller)
    {
        if (address.Family == AF_UNSPEC) { _destination = SocketAddress.Netlink(0); return 0; }
        EnsureBound();
        _destination = address;
        return 0;
    }

    public override long Send(ReadOnlySpan<byte> data, in SendRequest request)
    {
        SocketAddress destination = request.Destination ?? _destination;
        if (destination.Family != AF_NETLINK) return -Errno.EINVAL;
        uint portId = EnsureBound();
        // Only the kernel answers; other ports and multicast groups are not modelled.
        if (destination.Port != 0 || destination.Groups != 0) return -Errno.ECONNREFUSED;
        if (data.Length > ReceiveCapacity) return -Errno.EMSGSIZE;
        foreach (byte[] reply in RouteNetlink.Answer(data, portId))
            if (Incoming.Space >= reply.Length) Incoming.Enqueue(new SocketSegment(reply, SocketAddress.Netlink(0)));
            else PendingError = Errno.ENOBUFS; // an overrun receive queue drops the message (netlink(7), ENOBUFS)
        return data.Length;
    }

    public override long Receive(Span<byte> buffer, int flags, ReceiveResult result)
    {
        if (PendingError != 0)
        {
            int e = PendingError;
            PendingError = 0;
            return -e;
        }
        // A short read truncates and drops the rest of the message; MSG_TRUNC returns its real length (netlink_recvmsg).
        if (Incoming.ReceiveMessage(buffer, flags, result) is long n) return n;
        if (ReadShutdown) return 0;
        return WouldBlockOr(flags) ? -Errno.EAGAIN : WouldBlock;
    }

    public override long Shutdown(int how)
    {
        if (how is < SHUT_RD or > SHUT_RDWR) return -Errno.EINVAL;
        if (how != SHUT_WR) ReadShutdown = true;
        if (how != SHUT_RD) WriteShutdown = true;
        Incoming.Touch();
        return 0;
    }

    public override PollEvents Poll()
    {
        PollEvents ev = PollEvents.Out;
        if (Incoming.Count > 0 || ReadShutdown) ev |= PollEvents.In;
        if (ReadShutdown && WriteShutdown) ev |= PollEvents.HangUp;
        if (ReadShutdown) ev |= PollEvents.ReadHangUp;
        return WithNormalBits(ev);
    }

    public override void Release()
    {
        if (_portId is { } p) Kernel.Network.UnbindNetlink(p);
        Incoming.Clear();
        base.Release();
    }
}
