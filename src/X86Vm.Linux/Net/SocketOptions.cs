namespace X86Vm.Linux.Net;

/// <summary>
/// setsockopt/getsockopt values that only need storing (socket(7), tcp(7), ip(7), ipv6(7)): each known option has a
/// size and a default; options with behaviour (SO_ERROR, SO_TYPE, buffer sizes…) are handled by the syscall layer
/// and read their values from here. Unknown options are ENOPROTOOPT, like Linux.
/// </summary>
public sealed class SocketOptions
{
    public const int SOL_SOCKET = 1;
    public const int SO_DEBUG = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_DONTROUTE = 5, SO_BROADCAST = 6,
        SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_OOBINLINE = 10, SO_NO_CHECK = 11, SO_PRIORITY = 12, SO_LINGER = 13,
        SO_BSDCOMPAT = 14, SO_REUSEPORT = 15, SO_PASSCRED = 16, SO_PEERCRED = 17, SO_RCVLOWAT = 18, SO_SNDLOWAT = 19,
        SO_RCVTIMEO = 20, SO_SNDTIMEO = 21, SO_TIMESTAMP = 29, SO_ACCEPTCONN = 30, SO_PEERSEC = 31, SO_SNDBUFFORCE = 32,
        SO_RCVBUFFORCE = 33, SO_PASSSEC = 34, SO_MARK = 36, SO_PROTOCOL = 38, SO_DOMAIN = 39, SO_BUSY_POLL = 46,
        SO_INCOMING_CPU = 49, SO_ZEROCOPY = 60;
    public const int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
        TCP_SYNCNT = 7, TCP_LINGER2 = 8, TCP_DEFER_ACCEPT = 9, TCP_WINDOW_CLAMP = 10, TCP_INFO = 11, TCP_QUICKACK = 12,
        TCP_CONGESTION = 13, TCP_USER_TIMEOUT = 18, TCP_FASTOPEN = 23, TCP_NOTSENT_LOWAT = 25;
    public const int IP_TOS = 1, IP_TTL = 2, IP_RECVERR = 11, IP_MTU_DISCOVER = 10, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34,
        IP_BIND_ADDRESS_NO_PORT = 24, IP_FREEBIND = 15, IP_PKTINFO = 8;
    public const int IPV6_UNICAST_HOPS = 16, IPV6_MULTICAST_LOOP = 19, IPV6_V6ONLY = 26, IPV6_RECVPKTINFO = 49, IPV6_TCLASS = 67,
        IPV6_RECVERR = 25;

    /// <summary>Storable options per level: name → (size in bytes, default value for int-sized ones).</summary>
    static readonly Dictionary<(int Level, int Name), (int Size, int Default)> Known = new()
    {
        [(SOL_SOCKET, SO_DEBUG)] = (4, 0), [(SOL_SOCKET, SO_REUSEADDR)] = (4, 0), [(SOL_SOCKET, SO_DONTROUTE)] = (4, 0),
        [(SOL_SOCKET, SO_BROADCAST)] = (4, 0), [(SOL_SOCKET, SO_KEEPALIVE)] = (4, 0), [(SOL_SOCKET, SO_OOBINLINE)] = (4, 0),
        [(SOL_SOCKET, SO_NO_CHECK)] = (4, 0), [(SOL_SOCKET, SO_PRIORITY)] = (4, 0), [(SOL_SOCKET, SO_LINGER)] = (8, 0),
        [(SOL_SOCKET, SO_REUSEPORT)] = (4, 0), [(SOL_SOCKET, SO_PASSCRED)] = (4, 0), [(SOL_SOCKET, SO_RCVLOWAT)] = (4, 1),
        [(SOL_SOCKET, SO_SNDLOWAT)] = (4, 1), [(SOL_SOCKET, SO_RCVTIMEO)] = (16, 0), [(SOL_SOCKET, SO_SNDTIMEO)] = (16, 0),
        [(SOL_SOCKET, SO_TIMESTAMP)] = (4, 0), [(SOL_SOCKET, SO_PASSSEC)] = (4, 0), [(SOL_SOCKET, SO_MARK)] = (4, 0),
        [(SOL_SOCKET, SO_BUSY_POLL)] = (4, 0), [(SOL_SOCKET, SO_INCOMING_CPU)] = (4, -1), [(SOL_SOCKET, SO_ZEROCOPY)] = (4, 0),
        [(SocketConstants.IPPROTO_TCP, TCP_NODELAY)] = (4, 0), [(SocketConstants.IPPROTO_TCP, TCP_MAXSEG)] = (4, 536),
        [(SocketConstants.IPPROTO_TCP, TCP_CORK)] = (4, 0), [(SocketConstants.IPPROTO_TCP, TCP_KEEPIDLE)] = (4, 7200),
        [(SocketConstants.IPPROTO_TCP, TCP_KEEPINTVL)] = (4, 75), [(SocketConstants.IPPROTO_TCP, TCP_KEEPCNT)] = (4, 9),
        [(SocketConstants.IPPROTO_TCP, TCP_SYNCNT)] = (4, 6), [(SocketConstants.IPPROTO_TCP, TCP_LINGER2)] = (4, 60),
        [(SocketConstants.IPPROTO_TCP, TCP_DEFER_ACCEPT)] = (4, 0), [(SocketConstants.IPPROTO_TCP, TCP_WINDOW_CLAMP)] = (4, 0),
        [(SocketConstants.IPPROTO_TCP, TCP_QUICKACK)] = (4, 1), [(SocketConstants.IPPROTO_TCP, TCP_USER_TIMEOUT)] = (4, 0),
        [(SocketConstants.IPPROTO_TCP, TCP_FASTOPEN)] = (4, 0), [(SocketConstants.IPPROTO_TCP, TCP_NOTSENT_LOWAT)] = (4, 0),
        [(SocketConstants.IPPROTO_IP, IP_TOS)] = (4, 0), [(SocketConstants.IPPROTO_IP, IP_TTL)] = (4, 64),
        [(SocketConstants.IPPROTO_IP, IP_RECVERR)] = (4, 0), [(SocketConstants.IPPROTO_IP, IP_MTU_DISCOVER)] = (4, 1),
        [(SocketConstants.IPPROTO_IP, IP_MULTICAST_TTL)] = (4, 1), [(SocketConstants.IPPROTO_IP, IP_MULTICAST_LOOP)] = (4, 1),
        [(SocketConstants.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT)] = (4, 0), [(SocketConstants.IPPROTO_IP, IP_FREEBIND)] = (4, 0),
        [(SocketConstants.IPPROTO_IP, IP_PKTINFO)] = (4, 0),
        [(SocketConstants.IPPROTO_IPV6, IPV6_UNICAST_HOPS)] = (4, 64), [(SocketConstants.IPPROTO_IPV6, IPV6_MULTICAST_LOOP)] = (4, 1),
        [(SocketConstants.IPPROTO_IPV6, IPV6_V6ONLY)] = (4, 0), [(SocketConstants.IPPROTO_IPV6, IPV6_RECVPKTINFO)] = (4, 0),
        [(SocketConstants.IPPROTO_IPV6, IPV6_TCLASS)] = (4, 0), [(SocketConstants.IPPROTO_IPV6, IPV6_RECVERR)] = (4, 0),
    };

    readonly Dictionary<(int, int), byte[]> _values = new();

    /// <summary>An accepted socket starts with its listener's options.</summary>
    public void CopyFrom(SocketOptions other)
    {
        foreach (var (key, value) in other._values) _values[key] = (byte[])value.Clone();
    }

    public static bool IsKnown(int level, int name) => Known.ContainsKey((level, name));

    /// <summary>Stores a value; ENOPROTOOPT for unknown options, EINVAL when too short.</summary>
    public int Set(int level, int name, ReadOnlySpan<byte> value)
    {
        if (!Known.TryGetValue((level, name), out var info)) return Errno.ENOPROTOOPT;
        if (value.Length < Math.Min(info.Size, 4)) return Errno.EINVAL;
        var stored = new byte[info.Size];
        value[..Math.Min(value.Length, info.Size)].CopyTo(stored);
        // Boolean-like int options read back as 0 or 1 (sock_setsockopt's valbool).
        if (info.Size == 4 && info.Default is 0 or 1 && IsBoolean(level, name)) stored = BitConverter.GetBytes(BitConverter.ToInt32(stored) != 0 ? 1 : 0);
        _values[(level, name)] = stored;
        return 0;
    }

    static bool IsBoolean(int level, int name) => (level, name) is (SOL_SOCKET, SO_REUSEADDR or SO_KEEPALIVE or SO_BROADCAST
        or SO_DONTROUTE or SO_OOBINLINE or SO_REUSEPORT or SO_PASSCRED or SO_TIMESTAMP or SO_DEBUG)
        or (SocketConstants.IPPROTO_TCP, TCP_NODELAY or TCP_CORK or TCP_QUICKACK) or (SocketConstants.IPPROTO_IPV6, IPV6_V6ONLY);

    /// <summary>The stored or default value; null for unknown options.</summary>
    public byte[]? Get(int level, int name)
    {
        if (_values.TryGetValue((level, name), out byte[]? v)) return v;
        if (!Known.TryGetValue((level, name), out var info)) return null;
        var d = new byte[info.Size];
        if (info.Size == 4) BitConverter.TryWriteBytes(d, info.Default);
        return d;
    }

    public int GetInt(int level, int name) => BitConverter.ToInt32(Get(level, name) ?? new byte[4]);

    public bool GetFlag(int level, int name) => GetInt(level, name) != 0;

    /// <summary>SO_RCVTIMEO/SO_SNDTIMEO as nanoseconds; 0 = wait forever.</summary>
    public long Timeout(int name)
    {
        byte[] v = Get(SOL_SOCKET, name)!;
        long sec = BitConverter.ToInt64(v, 0), usec = BitConverter.ToInt64(v, 8);
        return sec * 1_000_000_000 + usec * 1000;
    }
}
