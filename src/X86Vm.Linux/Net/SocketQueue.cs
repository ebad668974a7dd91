using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Net;

/// <summary>One unit queued on a socket: bytes, the sender's address (datagrams) and passed descriptors (SCM_RIGHTS).</summary>
public sealed class SocketSegment(byte[] data, SocketAddress? from = null, OpenFile[]? rights = null, Credentials? credentials = null)
{
    public byte[] Data { get; } = data;
    /// <summary>Bytes of <see cref="Data"/> already consumed by stream reads.</summary>
    public int Consumed { get; set; }
    public SocketAddress? From { get; } = from;
    /// <summary>Open files in flight (each holds one reference until received or dropped).</summary>
    public OpenFile[]? Rights { get; set; } = rights;
    public Credentials? Credentials { get; } = credentials;
    public int Remaining => Data.Length - Consumed;
}

/// <summary>struct ucred: who sent a message or connected (SO_PEERCRED, SCM_CREDENTIALS).</summary>
public readonly record struct Credentials(int Pid, uint Uid, uint Gid);

/// <summary>
/// The receive queue of a socket: segments in arrival order, bounded by <see cref="Capacity"/> bytes. Streams read
/// across segments, message sockets take one segment per receive. <see cref="Generation"/> counts every change that
/// can make a waiter proceed (for edge-triggered epoll).
/// </summary>
public sealed class SocketQueue(int capacity, PollWaitQueue readers)
{
    readonly LinkedList<SocketSegment> _segments = new();

    /// <summary>Pollers of the receiving socket: woken when data arrives or the stream ends.</summary>
    public PollWaitQueue Readers { get; } = readers;
    /// <summary>Pollers of the sending socket (its peer): woken when reading makes room.</summary>
    public PollWaitQueue? Writers { get; set; }

    public int Capacity { get; set; } = capacity;
    /// <summary>Unread bytes queued.</summary>
    public int Bytes { get; private set; }
    public int Count => _segments.Count;
    public ulong Generation { get; private set; }
    /// <summary>No more data will arrive (the sender shut down or closed): reads return 0 once it is empty.</summary>
    public bool Finished { get; private set; }

    public int Space => Math.Max(0, Capacity - Bytes);
    public SocketSegment? First => _segments.First?.Value;

    /// <summary>The queue's part of the state hash: limits, then each segment's unread bytes, sender and passed files.</summary>
    public void WriteState(State.StateWriter w)
    {
        w.I32(Capacity).I32(Bytes).Bool(Finished).U64((ulong)_segments.Count);
        foreach (SocketSegment s in _segments)
        {
            w.Bytes(s.Data.AsSpan(s.Consumed)).String(s.From?.ToString() ?? "").I32(s.Rights?.Length ?? 0);
            w.I32(s.Credentials?.Pid ?? 0).U32(s.Credentials?.Uid ?? 0).U32(s.Credentials?.Gid ?? 0);
        }
    }

    public void Enqueue(SocketSegment segment)
    {
        _segments.AddLast(segment);
        Bytes += segment.Remaining;
        Generation++;
        Readers.Wake(PollEvents.In | PollEvents.ReadNormal);
    }

    void Drained()
    {
        Generation++;
        Writers?.Wake(PollEvents.Out | PollEvents.WriteNormal);
    }

    public void Finish()
    {
        Finished = true;
        Generation++;
        Readers.Wake();
    }

    /// <summary>Something else about the receiver changed (a connection queued, a shutdown): wake its pollers.</summary>
    public void Touch()
    {
        Generation++;
        Readers.Wake();
    }

    /// <summary>Stream read: copies up to <paramref name="buffer"/>.Length bytes across segments. Descriptors ride on their
    /// segment; a read that takes descriptors ends with that segment (unix_stream_read_generic), so they arrive with
    /// the bytes sent alongside them and never merge with a later message's.</summary>
    public int ReadStream(Span<byte> buffer, bool peek, List<OpenFile>? rights, out Credentials? credentials)
    {
        int n = 0;
        credentials = null;
        for (var node = _segments.First; node != null && n < buffer.Length;)
        {
            SocketSegment s = node.Value;
            credentials ??= s.Credentials;
            bool tookRights = false;
            if (s.Rights != null && rights != null && !peek)
            {
                rights.AddRange(s.Rights);
                s.Rights = null;
                tookRights = true;
            }
            int take = Math.Min(buffer.Length - n, s.Remaining);
            s.Data.AsSpan(s.Consumed, take).CopyTo(buffer[n..]);
            n += take;
            var next = node.Next;
            if (!peek)
            {
                s.Consumed += take;
                Bytes -= take;
                if (s.Remaining == 0) _segments.Remove(node);
            }
            if (tookRights) break;
            node = next;
        }
        if (n > 0 && !peek) Drained();
        return n;
    }

    /// <summary>Message read: removes (unless peeking) and returns the first segment.</summary>
    public SocketSegment? TakeMessage(bool peek)
    {
        var node = _segments.First;
        if (node == null) return null;
        if (!peek)
        {
            _segments.RemoveFirst();
            Bytes -= node.Value.Remaining;
            Drained();
        }
        return node.Value;
    }

    /// <summary>
    /// Message receive (datagram, seqpacket, netlink): takes the first message (unless peeking) and copies what fits;
    /// the rest of a longer message is lost and MSG_TRUNC flags it, and with MSG_TRUNC in <paramref name="flags"/> the
    /// call returns the real length (recv(2)). Null when no message is queued.
    /// </summary>
    public long? ReceiveMessage(Span<byte> buffer, int flags, ReceiveResult result)
    {
        bool peek = (flags & SocketConstants.MSG_PEEK) != 0;
        SocketSegment? m = TakeMessage(peek);
        if (m == null) return null;
        int n = Math.Min(buffer.Length, m.Data.Length);
        m.Data.AsSpan(0, n).CopyTo(buffer);
        if (n < m.Data.Length) result.MessageFlags |= SocketConstants.MSG_TRUNC;
        if (!peek && m.Rights != null) { result.Rights.AddRange(m.Rights); m.Rights = null; }
        result.From = m.From;
        result.Credentials = m.Credentials;
        result.Length = (flags & SocketConstants.MSG_TRUNC) != 0 ? m.Data.Length : n;
        return result.Length;
    }

    /// <summary>Drops everything queued, releasing descriptors in flight (the socket closed).</summary>
    public void Clear()
    {
        foreach (SocketSegment s in _segments) ReleaseRights(s);
        _segments.Clear();
        Bytes = 0;
        Drained();
    }

    public static void ReleaseRights(SocketSegment s)
    {
        if (s.Rights == null) return;
        foreach (OpenFile f in s.Rights)
            if (--f.References == 0) f.Release();
        s.Rights = null;
    }
}
