using System.Net;
using System.Net.Sockets;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// An inet socket on the host's network (--net host): a non-blocking host socket the guest drives. Waiting works by
/// polling (the scheduler polls while <see cref="Kernel.ExternalEventSources"/> is non-zero), so no host thread ever
/// blocks on the guest's behalf. This is the only object through which a guest reaches the host's network.
/// </summary>
public sealed class HostSocket : SocketFile
{
    Socket? _socket;
    bool _listening, _connecting, _released;

    public HostSocket(Kernel kernel, int domain, int type, int protocol) : base(kernel, domain, type, protocol)
    {
        _socket = NewHostSocket();
        kernel.ExternalEventSources++;
    }

    HostSocket(Kernel kernel, SocketFile listener, Socket accepted) : base(kernel, listener.Domain, listener.Type, listener.Protocol)
    {
        _socket = accepted;
        _socket.Blocking = false;
        kernel.ExternalEventSources++;
    }

    Socket NewHostSocket()
    {
        var family = Domain == AF_INET6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var s = Type == SOCK_STREAM
            ? new Socket(family, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        s.Blocking = false;
        if (Domain == AF_INET6) s.DualMode = true;
        return s;
    }

    Socket Host => _socket ?? throw new ObjectDisposedException(nameof(HostSocket));

    public override bool Listening => _listening;
    public override SocketAddress? LocalAddress => ToGuest(Host.LocalEndPoint) ?? SocketAddress.Inet(Domain == AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
    public override SocketAddress? PeerAddress
    {
        get
        {
            try { return Host.Connected ? ToGuest(Host.RemoteEndPoint) : null; }
            catch (SocketException) { return null; }
        }
    }

    static SocketAddress? ToGuest(EndPoint? e) => e is IPEndPoint ip ? SocketAddress.Inet(ip.Address, ip.Port) : null;

    /// <summary>Runs a host socket operation, turning its failure into the guest errno.</summary>
    static long Try(Func<long> operation)
    {
        try { return operation(); }
        catch (SocketException e) { return -Errno.FromSocketError(e.SocketErrorCode); }
        catch (ObjectDisposedException) { return -Errno.EBADF; }
    }

    public override long Bind(SocketAddress address, GuestProcess caller) => Try(() =>
    {
        Host.Bind(new IPEndPoint(address.Ip!, address.Port));
        return 0;
    });

    public override long Listen(int backlog) => Try(() =>
    {
        Host.Listen(Math.Clamp(backlog, 1, 4096));
        _listening = true;
        return 0;
    });

    public override long Accept(out SocketFile? accepted)
    {
        accepted = null;
        if (!_listening) return -Errno.EINVAL;
        try
        {
            Socket s = Host.Accept();
            accepted = new HostSocket(Kernel, this, s);
            return 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        }
        catch (SocketException e) { return -Errno.FromSocketError(e.SocketErrorCode); }
    }

    public override long Connect(SocketAddress address, GuestProcess caller)
    {
        if (Type == SOCK_DGRAM) return Try(() => { Host.Connect(new IPEndPoint(address.Ip!, address.Port)); return 0; });
        if (_connecting)
        {
            // A blocking connect resumed after waiting, or a second connect call: report how the first ended.
            if (!Host.Poll(0, SelectMode.SelectWrite) && !Host.Poll(0, SelectMode.SelectError)) return NonBlocking ? -Errno.EALREADY : WouldBlock;
            _connecting = false;
            int error = (int)Host.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            return error == 0 ? (NonBlocking ? -Errno.EISCONN : 0) : -Errno.FromSocketError((SocketError)error);
        }
        if (Host.Connected) return -Errno.EISCONN;
        try
        {
            Host.Connect(new IPEndPoint(address.Ip!, address.Port));
            return 0;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            _connecting = true;
            return NonBlocking ? -Errno.EINPROGRESS : WouldBlock;
        }
        catch (SocketException e) { return -Errno.FromSocketError(e.SocketErrorCode); }
    }

    public override long Send(ReadOnlySpan<byte> data, in SendRequest request)
    {
        if (request.Rights != null) return -Errno.EINVAL;
        int flags = request.Flags;
        byte[] copy = data.ToArray();
        try
        {
            return request.Destination is { } d && Type == SOCK_DGRAM
                ? Host.SendTo(copy, new IPEndPoint(d.Ip!, d.Port))
                : Host.Send(copy);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return WouldBlockOr(flags) ? -Errno.EAGAIN : WouldBlock;
        }
        catch (SocketException e) { return -Errno.FromSocketError(e.SocketErrorCode); }
    }

    public override long Receive(Span<byte> buffer, int flags, ReceiveResult result)
    {
        var hostFlags = (flags & MSG_PEEK) != 0 ? SocketFlags.Peek : SocketFlags.None;
        var copy = new byte[buffer.Length];
        try
        {
            int n;
            if (Type == SOCK_DGRAM)
            {
                EndPoint from = new IPEndPoint(Domain == AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                n = Host.ReceiveFrom(copy, hostFlags, ref from);
                result.From = ToGuest(from);
            }
            else n = Host.Receive(copy, hostFlags);
            copy.AsSpan(0, n).CopyTo(buffer);
            result.Length = n;
            return n;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return WouldBlockOr(flags) ? -Errno.EAGAIN : WouldBlock;
        }
        catch (SocketException e) { return -Errno.FromSocketError(e.SocketErrorCode); }
    }

    public override long Shutdown(int how) => Try(() =>
    {
        Host.Shutdown(how switch { SHUT_RD => SocketShutdown.Receive, SHUT_WR => SocketShutdown.Send, _ => SocketShutdown.Both });
        if (how != SHUT_WR) ReadShutdown = true;
        if (how != SHUT_RD) WriteShutdown = true;
        return 0;
    });

    public override void OptionChanged(int level, int name)
    {
        byte[]? v = Options.Get(level, name);
        if (v == null) return;
        try { Host.SetRawSocketOption(level, name, v); }
        catch (SocketException) { } // the guest's stored value still reads back; the host keeps its own
    }

    public override PollEvents Poll()
    {
        if (_socket == null) return PollEvents.Invalid;
        PollEvents ev = 0;
        try
        {
            if (Host.Poll(0, SelectMode.SelectRead)) ev |= PollEvents.In;
            if (!_listening && Host.Poll(0, SelectMode.SelectWrite)) ev |= PollEvents.Out;
            if (Host.Poll(0, SelectMode.SelectError)) ev |= PollEvents.Error;
        }
        catch (SocketException) { ev |= PollEvents.Error; }
        return ev;
    }

    /// <summary>Host readiness can change at any time: every poll is a potential edge.</summary>
    public override ulong ReadinessGeneration => (ulong)Kernel.Clock.MonotonicNanoseconds;

    protected override int ReadableBytes => _socket?.Available ?? 0;

    public override void Release()
    {
        if (_released) return;
        _released = true;
        Kernel.ExternalEventSources--;
        _socket?.Dispose();
        _socket = null;
        base.Release();
    }
}
