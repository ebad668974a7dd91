using X86Vm.Linux.Net;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// socket, socketpair, bind, listen, accept, accept4, connect, shutdown, getsockname, getpeername (socket(2) and
/// friends). Sending, receiving and options live in <see cref="SocketIoSyscalls"/> and <see cref="SocketOptionSyscalls"/>.
/// </summary>
[SyscallFamily]
static class SocketSyscalls
{
    [Syscall(41, "d,x,d")]
    static long Socket(GuestProcess p, in SyscallArgs a)
    {
        int domain = (int)a.A0, type = (int)a.A1 & SOCK_TYPE_MASK, flags = (int)a.A1 & ~SOCK_TYPE_MASK, protocol = (int)a.A2;
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        long created = Create(p.Kernel, domain, type, protocol, out SocketFile? socket);
        if (socket == null) return created;
        return Install(p, socket, flags);
    }

    /// <summary>A new socket of the given kind, or a negative errno (socket(2) ERRORS).</summary>
    static long Create(Kernel k, int domain, int type, int protocol, out SocketFile? socket)
    {
        socket = null;
        switch (domain)
        {
            case AF_UNIX:
                if (protocol is not (0 or AF_UNIX)) return -Errno.EPROTONOSUPPORT;
                socket = type switch
                {
                    SOCK_STREAM or SOCK_SEQPACKET => new StreamSocket(k, domain, type, 0),
                    SOCK_DGRAM => new DatagramSocket(k, domain, 0),
                    _ => null,
                };
                return socket == null ? -Errno.ESOCKTNOSUPPORT : 0;
            case AF_INET or AF_INET6:
                int expected = type switch { SOCK_STREAM => IPPROTO_TCP, SOCK_DGRAM => IPPROTO_UDP, _ => -1 };
                if (expected < 0) return type == SOCK_RAW ? -Errno.EPERM : -Errno.ESOCKTNOSUPPORT;
                if (protocol != 0 && protocol != expected) return -Errno.EPROTONOSUPPORT;
                if (k.Options.HostNetwork) socket = new HostSocket(k, domain, type, expected);
                else socket = type == SOCK_STREAM ? new StreamSocket(k, domain, type, expected) : new DatagramSocket(k, domain, expected);
                return 0;
            case AF_NETLINK:
                // netlink_create: SOCK_RAW and SOCK_DGRAM only; protocols without a kernel side are EPROTONOSUPPORT.
                if (type is not (SOCK_RAW or SOCK_DGRAM)) return -Errno.ESOCKTNOSUPPORT;
                if (protocol != NetlinkSocket.NETLINK_ROUTE)
                {
                    if (protocol is >= 0 and < 32) k.ReportUnsupportedNetlink(protocol);
                    return -Errno.EPROTONOSUPPORT;
                }
                socket = new NetlinkSocket(k, type);
                return 0;
            default:
                k.ReportUnsupportedFamily(domain);
                return -Errno.EAFNOSUPPORT;
        }
    }

    static long Install(GuestProcess p, SocketFile socket, int flags)
    {
        if ((flags & SOCK_NONBLOCK) != 0) socket.StatusFlags |= OpenFlags.NonBlock;
        int fd = p.Files.Add(socket, (flags & SOCK_CLOEXEC) != 0);
        if (fd < 0) socket.Release();
        return fd;
    }

    [Syscall(53, "d,x,d,p")]
    static long Socketpair(GuestProcess p, in SyscallArgs a)
    {
        int domain = (int)a.A0, type = (int)a.A1 & SOCK_TYPE_MASK, flags = (int)a.A1 & ~SOCK_TYPE_MASK, protocol = (int)a.A2;
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        if (domain is AF_INET or AF_INET6) return -Errno.EOPNOTSUPP;
        if (domain != AF_UNIX) { p.Kernel.ReportUnsupportedFamily(domain); return -Errno.EAFNOSUPPORT; }
        if (protocol is not (0 or AF_UNIX)) return -Errno.EPROTONOSUPPORT;
        (SocketFile, SocketFile) pair;
        switch (type)
        {
            case SOCK_STREAM or SOCK_SEQPACKET: pair = StreamSocket.Pair(p.Kernel, type, p.Kernel.CurrentCredentials()); break;
            case SOCK_DGRAM: pair = DatagramSocket.Pair(p.Kernel); break;
            default: return -Errno.ESOCKTNOSUPPORT;
        }
        long fd0 = Install(p, pair.Item1, flags);
        if (fd0 < 0) { pair.Item2.Release(); return fd0; }
        long fd1 = Install(p, pair.Item2, flags);
        if (fd1 < 0) { p.Files.Close((int)fd0); return fd1; }
        if (!GuestIo.WriteU32(p, a.A3, (uint)fd0) || !GuestIo.WriteU32(p, a.A3 + 4, (uint)fd1))
        {
            p.Files.Close((int)fd0);
            p.Files.Close((int)fd1);
            return -Errno.EFAULT;
        }
        return 0;
    }

    /// <summary>The socket a descriptor refers to; EBADF or ENOTSOCK otherwise.</summary>
    internal static SocketFile? Get(GuestProcess p, ulong fd, out long errno)
    {
        OpenFile? f = p.Files.Get((int)fd);
        errno = f == null ? -Errno.EBADF : f is SocketFile ? 0 : -Errno.ENOTSOCK;
        return f as SocketFile;
    }

    /// <summary>Reads a sockaddr argument of <paramref name="length"/> bytes for the socket's family.</summary>
    internal static SocketAddress? ReadAddress(GuestProcess p, SocketFile s, ulong address, ulong length, out long errno)
    {
        if ((int)length < 0 || length > 128) { errno = -Errno.EINVAL; return null; }
        var bytes = new byte[length];
        if (!p.Memory.TryRead(address, bytes)) { errno = -Errno.EFAULT; return null; }
        // An AF_UNSPEC address disconnects a datagram socket (connect(2)).
        if (length >= 2 && bytes[0] == AF_UNSPEC && bytes[1] == 0 && (s.Type == SOCK_DGRAM && s.Domain != AF_UNIX || s.Domain == AF_NETLINK))
        {
            errno = 0;
            return new SocketAddress(AF_UNSPEC);
        }
        SocketAddress? parsed = SocketAddress.Parse(bytes, s.Domain, out int e);
        errno = -e;
        return parsed;
    }

    /// <summary>
    /// Writes a sockaddr result: at most *lengthAddress bytes, then the real length there (accept(2), getsockname(2));
    /// no address (an unbound Unix sender) is length 0.
    /// </summary>
    internal static long WriteAddress(GuestProcess p, SocketAddress? address, ulong buffer, ulong lengthAddress)
    {
        if (buffer == 0 || lengthAddress == 0) return 0;
        byte[] lengthBytes = new byte[4];
        if (!p.Memory.TryRead(lengthAddress, lengthBytes)) return -Errno.EFAULT;
        int room = BitConverter.ToInt32(lengthBytes);
        if (room < 0) return -Errno.EINVAL;
        byte[] encoded = address?.Encode() ?? [];
        int n = Math.Min(room, encoded.Length);
        if (!p.Memory.TryWrite(buffer, encoded.AsSpan(0, n))) return -Errno.EFAULT;
        return GuestIo.WriteU32(p, lengthAddress, (uint)encoded.Length) ? 0 : -Errno.EFAULT;
    }

    [Syscall(49, "d,p,u")]
    static long Bind(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        if (s == null) return err;
        SocketAddress? address = ReadAddress(p, s, a.A1, a.A2, out err);
        if (address == null) return err;
        if (address.Family == AF_UNSPEC) return s.Domain == AF_NETLINK ? -Errno.EINVAL : -Errno.EAFNOSUPPORT;
        return s.Bind(address, p);
    }

    [Syscall(50, "d,d")]
    static long Listen(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        if (s == null) return err;
        return s.Type == SOCK_DGRAM ? -Errno.EOPNOTSUPP : s.Listen((int)a.A1);
    }

    [Syscall(43, "d,p,p")]
    static long Accept(GuestProcess p, in SyscallArgs a) => DoAccept(p, a.A0, a.A1, a.A2, 0);

    [Syscall(288, "d,p,p,x")]
    static long Accept4(GuestProcess p, in SyscallArgs a) => DoAccept(p, a.A0, a.A1, a.A2, (int)a.A3);

    static long DoAccept(GuestProcess p, ulong fd, ulong address, ulong lengthAddress, int flags)
    {
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        SocketFile? s = Get(p, fd, out long err);
        if (s == null) return err;
        if (s.Type == SOCK_DGRAM) return -Errno.EOPNOTSUPP;
        long result = s.Accept(out SocketFile? accepted);
        if (result == OpenFile.WouldBlock) return SocketIo.Wait(p, s, PollEvents.In, SocketOptions.SO_RCVTIMEO, "accept");
        if (accepted == null) return result;
        // Check the address buffer before installing, so a bad pointer does not leak a descriptor.
        long written = WriteAddress(p, accepted.PeerAddress, address, lengthAddress);
        if (written != 0) { accepted.Release(); return written; }
        return Install(p, accepted, flags);
    }

    [Syscall(42, "d,p,u")]
    static long Connect(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        if (s == null) return err;
        SocketAddress? address = ReadAddress(p, s, a.A1, a.A2, out err);
        if (address == null) return err;
        long result = s.Connect(address, p);
        return result == OpenFile.WouldBlock ? SocketIo.Wait(p, s, PollEvents.Out, SocketOptions.SO_SNDTIMEO, "connect") : result;
    }

    [Syscall(48, "d,d")]
    static long Shutdown(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        return s == null ? err : s.Shutdown((int)a.A1);
    }

    [Syscall(51, "d,p,p")]
    static long Getsockname(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        return s == null ? err : WriteAddressChecked(p, s.LocalAddress, a.A1, a.A2);
    }

    [Syscall(52, "d,p,p")]
    static long Getpeername(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = Get(p, a.A0, out long err);
        if (s == null) return err;
        SocketAddress? peer = s.PeerAddress;
        return peer == null ? -Errno.ENOTCONN : WriteAddressChecked(p, peer, a.A1, a.A2);
    }

    /// <summary>getsockname/getpeername fault on a null buffer, unlike accept.</summary>
    static long WriteAddressChecked(GuestProcess p, SocketAddress? address, ulong buffer, ulong lengthAddress) =>
        buffer == 0 || lengthAddress == 0 ? -Errno.EFAULT : WriteAddress(p, address, buffer, lengthAddress);
}
