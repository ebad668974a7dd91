using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// A connectionless socket inside the VM: AF_UNIX SOCK_DGRAM and UDP on the loopback network. Each socket has a
/// queue of whole messages with their source addresses; connect(2) only sets the default destination (and, for
/// Unix sockets, who may send to it).
/// </summary>
public sealed class DatagramSocket : LocalSocket
{
    /// <summary>Linux's net.unix.max_dgram_qlen: a Unix receiver holds at most this many messages (+1) from strangers.</summary>
    const int UnixQueueLength = 10;
    /// <summary>The largest UDP payload over IPv4 (65535 - IP and UDP headers).</summary>
    const int MaxUdpPayload = 65507;

    SocketAddress? _connected;
    /// <summary>The connected peer object, for Unix sockets (sends fail with ECONNREFUSED once it closes).</summary>
    DatagramSocket? _peer;
    bool _closed;

    public SocketQueue Incoming { get; }

    public DatagramSocket(Kernel kernel, int domain, int protocol) : base(kernel, domain, SOCK_DGRAM, protocol) =>
        Incoming = new SocketQueue(212992, Waiters);

    public override SocketAddress? PeerAddress => _connected;

    public override void WriteState(State.StateWriter w)
    {
        w.String(LocalAddress?.ToString() ?? "").String(_connected?.ToString() ?? "").Bool(_closed);
        Incoming.WriteState(w);
    }
    public override ulong ReadinessGeneration => Incoming.Generation + (_peer?.Incoming.Generation ?? 0);
    protected override int ReadableBytes => Incoming.First?.Data.Length ?? 0;

    public static (DatagramSocket, DatagramSocket) Pair(Kernel kernel)
    {
        var a = new DatagramSocket(kernel, AF_UNIX, 0);
        var b = new DatagramSocket(kernel, AF_UNIX, 0);
        (a._peer, a._connected) = (b, SocketAddress.UnnamedUnix);
        (b._peer, b._connected) = (a, SocketAddress.UnnamedUnix);
        a.Incoming.Writers = b.Waiters;
        b.Incoming.Writers = a.Waiters;
        return (a, b);
    }

    public override long Connect(SocketAddress address, GuestProcess caller)
    {
        if (!IsUnix && address.Family == AF_UNSPEC) { _connected = null; return 0; }
        SocketFile? target = Lookup(address, caller, out int errno);
        if (IsUnix)
        {
            if (target == null) return -errno;
            _peer = (DatagramSocket)target;
            _peer.Incoming.Writers = Waiters; // the latest sender connected to it hears when its queue drains
            _connected = ((DatagramSocket)target).LocalAddress;
            return 0;
        }
        if (errno == Errno.ENETUNREACH) return -errno;
        long err = EnsureBound();
        if (err != 0) return err;
        ShowSourceAddress(address);
        _connected = address;
        return 0;
    }

    public override long Send(ReadOnlySpan<byte> data, in SendRequest request)
    {
        if (WriteShutdown) return -Errno.EPIPE;
        SocketAddress? destination = request.Destination;
        DatagramSocket? target;
        if (destination == null)
        {
            if (_connected == null) return IsUnix ? -Errno.ENOTCONN : -Errno.EDESTADDRREQ;
            if (IsUnix)
            {
                if (_peer == null || _peer._closed) return -Errno.ECONNREFUSED;
                target = _peer;
            }
            else target = Find(_connected, out _);
        }
        else if (IsUnix)
        {
            if (_connected != null && _peer != null) return -Errno.EISCONN;
            target = Lookup(destination, Kernel.Current, out int errno) as DatagramSocket;
            if (target == null) return -errno;
        }
        else
        {
            if (!LoopbackNetwork.Reachable(destination.Ip!)) return -Errno.ENETUNREACH;
            target = Find(destination, out _);
        }
        if (!IsUnix)
        {
            if (data.Length > MaxUdpPayload) return -Errno.EMSGSIZE;
            long err = EnsureBound();
            if (err != 0) return err;
            // UDP: nobody bound there, or no room, and the datagram is silently lost (udp(7)).
            if (target == null || target._closed || target.ReadShutdown || target.Incoming.Space < data.Length) return data.Length;
            target.Incoming.Enqueue(new SocketSegment(data.ToArray(), target.AsSeenHere(SourceAddress(destination ?? _connected!))));
            return data.Length;
        }
        if (data.Length > Incoming.Capacity) return -Errno.EMSGSIZE;
        // Unix receivers connected elsewhere refuse strangers (unix(7)).
        if (target!._peer != null && target._peer != this && target._connected != null) return -Errno.EPERM;
        bool full = target._peer == this
            ? target.Incoming.Space < data.Length
            : target.Incoming.Count > UnixQueueLength || target.Incoming.Space < data.Length;
        if (full) return WouldBlockOr(request.Flags) ? -Errno.EAGAIN : WouldBlock;
        target.Incoming.Enqueue(new SocketSegment(data.ToArray(), Bound, request.Rights, request.Sender));
        return data.Length;
    }

    /// <summary>The address a datagram comes from: the bound one, or the loopback address when bound to a wildcard.</summary>
    SocketAddress SourceAddress(SocketAddress destination)
    {
        SocketAddress local = LocalAddress!;
        bool wildcard = local.Ip!.Equals(System.Net.IPAddress.Any) || local.Ip.Equals(System.Net.IPAddress.IPv6Any);
        if (!wildcard) return local;
        bool v4 = destination.Family == AF_INET || destination.Ip!.IsIPv4MappedToIPv6;
        return SocketAddress.Inet(v4 ? System.Net.IPAddress.Loopback : System.Net.IPAddress.IPv6Loopback, local.Port);
    }

    DatagramSocket? Find(SocketAddress address, out int errno)
    {
        SocketFile? found = Network.FindInet(false, address.Ip!, address.Port);
        errno = found == null ? Errno.ECONNREFUSED : 0;
        return found as DatagramSocket;
    }

    public override long Receive(Span<byte> buffer, int flags, ReceiveResult result)
    {
        if (Incoming.ReceiveMessage(buffer, flags, result) is long n) return n;
        if (ReadShutdown) return 0;
        return WouldBlockOr(flags) ? -Errno.EAGAIN : WouldBlock;
    }

    public override long Shutdown(int how)
    {
        if (how is < SHUT_RD or > SHUT_RDWR) return -Errno.EINVAL;
        if (!IsUnix && _connected == null) return -Errno.ENOTCONN;
        if (how != SHUT_WR) ReadShutdown = true;
        if (how != SHUT_RD) WriteShutdown = true;
        Incoming.Touch();
        return 0;
    }

    public override PollEvents Poll() => WithNormalBits(RawPoll());

    PollEvents RawPoll()
    {
        PollEvents ev = 0;
        if (Incoming.Count > 0 || ReadShutdown) ev |= PollEvents.In;
        if (ReadShutdown && WriteShutdown) ev |= PollEvents.HangUp;
        if (ReadShutdown) ev |= PollEvents.ReadHangUp;
        DatagramSocket? peer = _peer;
        bool writable = !IsUnix || peer == null || peer._closed
            || (peer._peer == this ? peer.Incoming.Space > 0 : peer.Incoming.Count <= UnixQueueLength);
        if (writable) ev |= PollEvents.Out;
        return ev;
    }

    public override void Release()
    {
        _closed = true;
        Incoming.Clear();
        base.Release();
    }
}
