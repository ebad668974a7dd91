using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// A connection-oriented socket inside the VM: AF_UNIX SOCK_STREAM and SOCK_SEQPACKET, and TCP on the loopback
/// network. A connection is two <see cref="SocketQueue"/>s, each end reading its own and writing its peer's; the
/// handshake completes at connect time (the connection waits in the listener's backlog until accepted), like
/// Linux's loopback where the three-way handshake finishes before accept(2) returns.
/// </summary>
public sealed class StreamSocket : LocalSocket
{
    enum State { Unconnected, Listening, Connected, Closed }

    /// <summary>Linux's net.core.somaxconn: the cap on a listen backlog.</summary>
    const int MaxBacklog = 4096;

    State _state = State.Unconnected;
    StreamSocket? _peer;
    SocketAddress? _peerAddress;
    Credentials? _peerCredentials;
    readonly Queue<StreamSocket> _backlog = new();
    int _backlogLimit;
    /// <summary>Who called listen (what a client's SO_PEERCRED reports).</summary>
    Credentials _listenerCredentials;
    /// <summary>TCP: the peer vanished and our next write is answered with a reset (then writes fail with EPIPE).</summary>
    bool _resetPending, _reset;
    /// <summary>TCP: the peer aborted the connection (a reset); <see cref="SocketFile.PendingError"/> holds the error to report once.</summary>
    bool _aborted;
    /// <summary>TCP: a connection waiting in a listener's backlog, reset if the listener closes before accepting it.</summary>
    bool _unaccepted;

    public SocketQueue Incoming { get; }

    public StreamSocket(Kernel kernel, int domain, int type, int protocol) : base(kernel, domain, type, protocol) =>
        Incoming = new SocketQueue(domain == AF_UNIX ? 212992 : 131072 * 2, Waiters);

    bool IsMessages => Type == SOCK_SEQPACKET;

    public override void WriteState(X86Vm.Linux.State.StateWriter w)
    {
        w.U8((byte)_state).String(LocalAddress?.ToString() ?? "").String(_peerAddress?.ToString() ?? "");
        w.I32(_backlog.Count).I32(_backlogLimit).Bool(_resetPending).Bool(_reset).Bool(_aborted).Bool(_unaccepted);
        Incoming.WriteState(w);
    }
    public override bool Listening => _state == State.Listening;
    public override SocketAddress? PeerAddress => _state == State.Connected ? _peerAddress : null;
    public override Credentials? PeerCredentials => _peerCredentials;
    public override ulong ReadinessGeneration => Incoming.Generation + (_peer?.Incoming.Generation ?? 0) + (ulong)_backlog.Count;
    protected override int ReadableBytes => Incoming.Bytes;

    /// <summary>socketpair(2): two connected sockets.</summary>
    public static (StreamSocket, StreamSocket) Pair(Kernel kernel, int type, Credentials owner)
    {
        var a = new StreamSocket(kernel, AF_UNIX, type, 0);
        var b = new StreamSocket(kernel, AF_UNIX, type, 0);
        a.Join(b, SocketAddress.UnnamedUnix, owner);
        b.Join(a, SocketAddress.UnnamedUnix, owner);
        return (a, b);
    }

    void Join(StreamSocket peer, SocketAddress? peerAddress, Credentials peerCredentials)
    {
        _peer = peer;
        Incoming.Writers = peer.Waiters;
        _peerAddress = peerAddress;
        _peerCredentials = peerCredentials;
        _state = State.Connected;
        Waiters.Wake();
    }

    public override long Listen(int backlog)
    {
        if (_state == State.Connected) return -Errno.EINVAL;
        if (IsUnix && Bound == null) return -Errno.EINVAL;
        if (!IsUnix && Bound == null)
        {
            long err = EnsureBound();
            if (err != 0) return err;
        }
        _backlogLimit = Math.Clamp(backlog, 0, MaxBacklog);
        _listenerCredentials = Kernel.CurrentCredentials();
        _state = State.Listening;
        Incoming.Touch();
        return 0;
    }

    public override long Accept(out SocketFile? accepted)
    {
        accepted = null;
        if (_state != State.Listening) return -Errno.EINVAL;
        if (_backlog.Count == 0) return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        var next = _backlog.Dequeue();
        next._unaccepted = false;
        accepted = next;
        Incoming.Touch();
        return 0;
    }

    public override long Connect(SocketAddress address, GuestProcess caller)
    {
        if (_state == State.Connected) return -Errno.EISCONN;
        if (_state == State.Listening) return -Errno.EINVAL;
        if (_state == State.Closed) return -Errno.EINVAL;
        SocketFile? target = Lookup(address, caller, out int errno);
        if (target is not StreamSocket listener || !listener.Listening)
        {
            errno = errno == 0 ? Errno.ECONNREFUSED : errno;
            // A non-blocking TCP connect reports the refusal later, through poll and SO_ERROR (tcp(7)).
            if (IsTcp && NonBlocking && errno == Errno.ECONNREFUSED)
            {
                PendingError = errno;
                _state = State.Closed;
                return -Errno.EINPROGRESS;
            }
            return -errno;
        }
        // Linux lets backlog+1 connections wait; beyond that a Unix client waits, a TCP SYN is retried later.
        if (listener._backlog.Count > listener._backlogLimit) return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        long bound = EnsureBound();
        if (bound != 0) return bound;
        ShowSourceAddress(address);
        var server = new StreamSocket(Kernel, listener.Domain, Type, listener.Protocol);
        server.Options.CopyFrom(listener.Options);
        server.Bound = listener.IsUnix ? listener.Bound : listener.AsSeenHere(ConnectedDestination(address));
        server.Join(this, listener.AsSeenHere(LocalAddress), Kernel.CurrentCredentials());
        Join(server, listener.IsUnix ? listener.Bound : AsSeenHere(ConnectedDestination(address)), listener._listenerCredentials);
        server._unaccepted = true;
        listener._backlog.Enqueue(server);
        listener.Incoming.Touch();
        return IsTcp && NonBlocking ? -Errno.EINPROGRESS : 0;
    }

    /// <summary>A connection to a wildcard address arrives at the loopback address.</summary>
    static SocketAddress ConnectedDestination(SocketAddress address) =>
        address.Ip!.Equals(System.Net.IPAddress.Any) ? SocketAddress.Inet(System.Net.IPAddress.Loopback, address.Port)
        : address.Ip.Equals(System.Net.IPAddress.IPv6Any) ? SocketAddress.Inet(System.Net.IPAddress.IPv6Loopback, address.Port)
        : address;

    public override long Send(ReadOnlySpan<byte> data, in SendRequest request)
    {
        if (_aborted && TakeError() is int error and not 0) return -error;
        if (_state != State.Connected)
            return IsTcp ? -Errno.EPIPE : -Errno.ENOTCONN;
        if (WriteShutdown || _reset) return -Errno.EPIPE;
        StreamSocket? peer = _peer;
        if (peer == null || peer._state == State.Closed || peer.ReadShutdown && !IsTcp)
        {
            if (IsTcp && _resetPending)
            {
                // The first write after the peer closed is answered with a reset; later ones fail (tcp(7)).
                _resetPending = false;
                _reset = true;
                return data.Length;
            }
            return -Errno.EPIPE;
        }
        SocketQueue q = peer.Incoming;
        if (IsMessages)
        {
            if (data.Length > q.Capacity) return -Errno.EMSGSIZE;
            if (q.Space < data.Length) return WouldBlockOr(request.Flags) ? -Errno.EAGAIN : WouldBlock;
            q.Enqueue(new SocketSegment(data.ToArray(), null, request.Rights, request.Sender));
            return data.Length;
        }
        if (data.Length == 0) return 0;
        if (q.Space == 0) return WouldBlockOr(request.Flags) ? -Errno.EAGAIN : WouldBlock;
        int n = Math.Min(data.Length, q.Space);
        q.Enqueue(new SocketSegment(data[..n].ToArray(), null, request.Rights, request.Sender));
        return n;
    }

    public override long Receive(Span<byte> buffer, int flags, ReceiveResult result)
    {
        if (_state is State.Listening or State.Unconnected) return IsTcp || IsMessages ? -Errno.ENOTCONN : -Errno.EINVAL;
        bool peek = (flags & MSG_PEEK) != 0;
        // A Unix peer's reset: seqpacket reports it before queued messages (__skb_try_recv_datagram), a stream after
        // its queued bytes (unix_stream_read_generic).
        if (!IsTcp && IsMessages && TakeError() is int unixError and not 0) return -unixError;
        if (Incoming.Count == 0)
        {
            // After a reset: the error once, then end of file; a reset after the peer's FIN reads as EOF (tcp_recvmsg).
            if (_aborted && !_finReceived && TakeError() is int error and not 0) return -error;
            if (!IsTcp && TakeError() is int streamError and not 0) return -streamError;
            if (ReadShutdown || Incoming.Finished || _state == State.Closed) return 0;
            return WouldBlockOr(flags) ? -Errno.EAGAIN : WouldBlock;
        }
        if (IsMessages) return Incoming.ReceiveMessage(buffer, flags, result)!.Value; // a message is queued (checked above)
        // MSG_WAITALL: wait until the whole request can be satisfied (or the stream ends).
        if ((flags & MSG_WAITALL) != 0 && !peek && Incoming.Bytes < Math.Min(buffer.Length, Incoming.Capacity)
            && !Incoming.Finished && !ReadShutdown && !WouldBlockOr(flags))
            return WouldBlock;
        int read = Incoming.ReadStream(buffer, peek, result.Rights, out result.Credentials);
        result.Length = read;
        return read;
    }

    public override long Shutdown(int how)
    {
        if (how is < SHUT_RD or > SHUT_RDWR) return -Errno.EINVAL;
        if (_state != State.Connected) return _state == State.Listening && !IsTcp ? 0 : -Errno.ENOTCONN;
        if (how != SHUT_WR)
        {
            ReadShutdown = true;
            Incoming.Touch();
        }
        if (how != SHUT_RD && !WriteShutdown)
        {
            WriteShutdown = true;
            _peer?.Incoming.Finish();
        }
        return 0;
    }

    public override PollEvents Poll() => WithNormalBits(RawPoll());

    PollEvents RawPoll()
    {
        switch (_state)
        {
            case State.Listening:
                return _backlog.Count > 0 ? PollEvents.In : 0;
            case State.Unconnected:
                return PollEvents.Out | PollEvents.HangUp;
            case State.Closed:
                PollEvents closed = PollEvents.Out | PollEvents.HangUp | (PendingError != 0 ? PollEvents.Error : 0);
                return _aborted ? closed | PollEvents.In | PollEvents.ReadHangUp : closed;
        }
        PollEvents ev = 0;
        bool readEnd = Incoming.Finished || ReadShutdown;
        if (Incoming.Count > 0 || readEnd) ev |= PollEvents.In;
        if (Incoming.Finished) ev |= PollEvents.ReadHangUp;
        StreamSocket? peer = _peer;
        bool peerGone = peer == null || peer._state == State.Closed;
        if (peerGone || WriteShutdown || peer!.Incoming.Space > 0) ev |= PollEvents.Out;
        if ((readEnd && (WriteShutdown || _reset)) || (!IsTcp && peerGone)) ev |= PollEvents.HangUp;
        if (PendingError != 0) ev |= PollEvents.Error;
        return ev;
    }

    /// <summary>SO_ERROR's value, cleared (sock_error).</summary>
    int TakeError()
    {
        int e = PendingError;
        PendingError = 0;
        return e;
    }

    /// <summary>Closing aborts a connection instead of ending it when data is left unread or a listener closes before
    /// accepting it (TCP: tcp(7), RFC 2525 2.17; Unix: unix_release_sock), and for TCP also when SO_LINGER is on with a
    /// zero timeout.</summary>
    bool AbortsOnClose()
    {
        if (_state != State.Connected) return false;
        if (Incoming.Count > 0 || _unaccepted) return true;
        if (!IsTcp) return false;
        byte[]? linger = Options.Get(SocketOptions.SOL_SOCKET, SocketOptions.SO_LINGER);
        return linger is { Length: >= 8 } && BitConverter.ToInt32(linger, 0) != 0 && BitConverter.ToInt32(linger, 4) == 0;
    }

    /// <summary>The peer's reset arrives (tcp_reset): ECONNRESET, or EPIPE once our side had its FIN (CLOSE_WAIT); the
    /// connection is closed but bytes already received stay readable.</summary>
    void ReceiveReset()
    {
        _finReceived = Incoming.Finished;
        PendingError = _finReceived ? Errno.EPIPE : Errno.ECONNRESET;
        _aborted = true;
        _state = State.Closed;
        _peer = null;
        Incoming.Finish();
    }

    /// <summary>Whether the peer's FIN had arrived before its reset.</summary>
    bool _finReceived;

    public override void Release()
    {
        if (_state == State.Listening)
        {
            // Connections nobody accepted are reset.
            while (_backlog.Count > 0) _backlog.Dequeue().Release();
        }
        StreamSocket? peer = _peer;
        bool abort = AbortsOnClose();
        _state = State.Closed;
        _peer = null;
        Incoming.Clear();
        if (peer != null && abort && IsTcp) peer.ReceiveReset();
        // A Unix socket closed with unread data (or unaccepted connections) leaves its peer ECONNRESET (unix_release_sock).
        else if (peer != null && abort) peer.PendingError = Errno.ECONNRESET;
        if (peer != null && !(abort && IsTcp))
        {
            peer._resetPending = true;
            peer.Incoming.Finish();
        }
        base.Release();
    }
}
