using System.Buffers.Binary;
using X86Vm.Linux.Net;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Net.SocketConstants;
using static X86Vm.Linux.Net.SocketOptions;

namespace X86Vm.Linux.Syscalls;

/// <summary>setsockopt and getsockopt (socket(7), tcp(7), udp(7), ip(7), ipv6(7), unix(7)).</summary>
[SyscallFamily]
static class SocketOptionSyscalls
{
    /// <summary>Linux's default buffer sizes (net.core.[rw]mem_default, net.ipv4.tcp_[rw]mem) and the maximum a set may reach.</summary>
    const int DefaultBuffer = 212992, TcpReceiveBuffer = 131072, TcpSendBuffer = 16384, MaxBuffer = 212992;

    [Syscall(54, "d,d,d,p,u")]
    static long Setsockopt(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = SocketSyscalls.Get(p, a.A0, out long err);
        if (s == null) return err;
        int level = (int)a.A1, name = (int)a.A2;
        if ((int)a.A4 < 0) return -Errno.EINVAL;
        var value = new byte[Math.Min(a.A4, 256)];
        if (!p.Memory.TryRead(a.A3, value)) return -Errno.EFAULT;
        long check = CheckLevel(s, level);
        if (check != 0) return check;
        if (level == SOL_SOCKET)
        {
            switch (name)
            {
                case SO_TYPE or SO_DOMAIN or SO_PROTOCOL or SO_ERROR or SO_ACCEPTCONN or SO_PEERCRED:
                    return -Errno.ENOPROTOOPT;
                case SO_RCVBUF or SO_SNDBUF or SO_RCVBUFFORCE or SO_SNDBUFFORCE:
                {
                    if (value.Length < 4) return -Errno.EINVAL;
                    // The kernel doubles the value for its bookkeeping and getsockopt reports the doubled value (socket(7)).
                    bool receive = name is SO_RCVBUF or SO_RCVBUFFORCE;
                    long requested = Math.Min((long)Math.Max(0, BinaryPrimitives.ReadInt32LittleEndian(value)), MaxBuffer) * 2;
                    int stored = (int)Math.Max(requested, receive ? 2304 : 4608);
                    s.Buffers[receive ? 0 : 1] = stored;
                    return 0;
                }
                case SO_RCVTIMEO or SO_SNDTIMEO:
                {
                    if (value.Length < 16) return -Errno.EINVAL;
                    long usec = BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(8));
                    if (usec < 0 || usec >= 1_000_000) return -Errno.EDOM;
                    break;
                }
            }
        }
        if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s.LocalAddress is { Port: not 0 }) return -Errno.EINVAL;
        int e = s.Options.Set(level, name, value);
        if (e == 0) s.OptionChanged(level, name);
        return -e;
    }

    /// <summary>Options of a level the socket does not have: Unix sockets take only SOL_SOCKET; IPv4 sockets no IPv6 options; UDP no TCP ones.</summary>
    static long CheckLevel(SocketFile s, int level)
    {
        if (level == SOL_SOCKET) return 0;
        if (s.Domain == AF_UNIX) return -Errno.EOPNOTSUPP;
        if (level == IPPROTO_IPV6 && s.Domain != AF_INET6) return -Errno.ENOPROTOOPT;
        if (level == IPPROTO_TCP && s.Type != SOCK_STREAM) return -Errno.ENOPROTOOPT;
        if (level == IPPROTO_UDP && s.Type != SOCK_DGRAM) return -Errno.ENOPROTOOPT;
        return level is IPPROTO_IP or IPPROTO_IPV6 or IPPROTO_TCP or IPPROTO_UDP ? 0 : -Errno.ENOPROTOOPT;
    }

    [Syscall(55, "d,d,d,p,p")]
    static long Getsockopt(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = SocketSyscalls.Get(p, a.A0, out long err);
        if (s == null) return err;
        int level = (int)a.A1, name = (int)a.A2;
        var lengthBytes = new byte[4];
        if (!p.Memory.TryRead(a.A4, lengthBytes)) return -Errno.EFAULT;
        int room = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
        if (room < 0) return -Errno.EINVAL;
        long check = CheckLevel(s, level);
        if (check != 0) return check;
        byte[]? value = level == SOL_SOCKET ? SocketLevelValue(s, name) : null;
        value ??= s.Options.Get(level, name);
        if (value == null) return -Errno.ENOPROTOOPT;
        int n = Math.Min(room, value.Length);
        if (!p.Memory.TryWrite(a.A3, value.AsSpan(0, n))) return -Errno.EFAULT;
        return GuestIo.WriteU32(p, a.A4, (uint)n) ? 0 : -Errno.EFAULT;
    }

    /// <summary>SOL_SOCKET options computed from the socket's state rather than stored.</summary>
    static byte[]? SocketLevelValue(SocketFile s, int name)
    {
        static byte[] Int(int v) => BitConverter.GetBytes(v);
        switch (name)
        {
            case SO_TYPE: return Int(s.Type);
            case SO_DOMAIN: return Int(s.Domain);
            case SO_PROTOCOL: return Int(s.Protocol);
            case SO_ACCEPTCONN: return Int(s.Listening ? 1 : 0);
            case SO_ERROR:
                int pending = s.PendingError;
                s.PendingError = 0;
                return Int(pending);
            case SO_RCVBUF: return Int(s.Buffers[0] != 0 ? s.Buffers[0] : DefaultBufferSize(s, receive: true));
            case SO_SNDBUF: return Int(s.Buffers[1] != 0 ? s.Buffers[1] : DefaultBufferSize(s, receive: false));
            case SO_PEERCRED:
            {
                // An unconnected socket reports pid 0 and uid/gid -1 (the overflow ids).
                Net.Credentials c = s.PeerCredentials ?? new Net.Credentials(0, uint.MaxValue, uint.MaxValue);
                var b = new byte[12];
                BinaryPrimitives.WriteInt32LittleEndian(b, c.Pid);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), c.Uid);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), c.Gid);
                return b;
            }
        }
        return null;
    }

    public static int DefaultBufferSize(SocketFile s, bool receive) =>
        s.Domain != AF_UNIX && s.Type == SOCK_STREAM ? (receive ? TcpReceiveBuffer : TcpSendBuffer) : DefaultBuffer;
}
