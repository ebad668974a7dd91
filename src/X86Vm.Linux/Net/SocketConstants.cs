namespace X86Vm.Linux.Net;

/// <summary>Address families and socket types as Linux numbers them (socket(2), address_families(7)).</summary>
public static class SocketConstants
{
    public const int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
    public const int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5, SOCK_TYPE_MASK = 0xF;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_IPV6 = 41;
    public const int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    // send/recv flags (send(2), recv(2))
    public const int MSG_OOB = 1, MSG_PEEK = 2, MSG_DONTROUTE = 4, MSG_CTRUNC = 8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40,
        MSG_EOR = 0x80, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000, MSG_CMSG_CLOEXEC = 0x40000000;
}
