using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// The kernel side of NETLINK_ROUTE (rtnetlink(7)): answers the requests in one sent buffer with the datagrams the
/// requester will receive. Supported: RTM_GETLINK (dump, or one interface by index or IFLA_IFNAME) and RTM_GETADDR
/// dumps filtered by family. Everything else that asks for an answer gets NLMSG_ERROR -EOPNOTSUPP; nothing changes
/// the network (no RTM_NEW*/RTM_DEL*/RTM_SET*). Dumps come as one datagram of NLM_F_MULTI messages, then NLMSG_DONE
/// in a datagram of its own, as Linux delivers a dump that fits in one buffer.
/// </summary>
public static class RouteNetlink
{
    // netlink(7) message types and flags
    const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_MIN_TYPE = 0x10;
    const ushort NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_DUMP = 0x300, NLM_F_CAPPED = 0x100;
    // rtnetlink(7) types and attributes
    const ushort RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22;
    const ushort IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_QDISC = 6, IFLA_STATS = 7,
        IFLA_TXQLEN = 13, IFLA_OPERSTATE = 16, IFLA_LINKMODE = 17, IFLA_STATS64 = 23, IFLA_GROUP = 27, IFLA_PROMISCUITY = 30,
        IFLA_NUM_TX_QUEUES = 31, IFLA_NUM_RX_QUEUES = 32, IFLA_CARRIER = 33, IFLA_MIN_MTU = 50, IFLA_MAX_MTU = 51;
    const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_CACHEINFO = 6, IFA_FLAGS = 8;
    const byte IFA_F_PERMANENT = 0x80;
    const int HeaderSize = 16;

    /// <summary>The datagrams that answer <paramref name="data"/> sent by port <paramref name="portId"/>.</summary>
    public static List<byte[]> Answer(ReadOnlySpan<byte> data, uint portId)
    {
        var replies = new List<byte[]>();
        // netlink_rcv_skb: every complete message in the buffer, in order; a malformed length ends the walk.
        while (data.Length >= HeaderSize)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length < HeaderSize || length > data.Length) break;
            ReadOnlySpan<byte> message = data[..length];
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]), flags = BinaryPrimitives.ReadUInt16LittleEndian(message[6..]);
            int error = 0;
            bool dumped = false;
            // Only requests reach rtnetlink; control messages and non-requests are acknowledged when asked.
            if ((flags & NLM_F_REQUEST) != 0 && type >= NLMSG_MIN_TYPE) error = Request(message, type, flags, portId, replies, out dumped);
            if (!dumped && (error != 0 || (flags & NLM_F_ACK) != 0)) replies.Add(Error(message, error, portId));
            int aligned = Align(length);
            data = aligned >= data.Length ? [] : data[aligned..];
        }
        return replies;
    }

    /// <summary>rtnetlink_rcv_msg: 0, or a negative errno for NLMSG_ERROR; <paramref name="dumped"/> when a dump answered.</summary>
    static int Request(ReadOnlySpan<byte> message, ushort type, ushort flags, uint portId, List<byte[]> replies, out bool dumped)
    {
        dumped = false;
        // Shorter than a struct rtgenmsg: silently ignored.
        if (message.Length < HeaderSize + 1) return 0;
        ReadOnlySpan<byte> body = message[HeaderSize..];
        uint seq = BinaryPrimitives.ReadUInt32LittleEndian(message[8..]);
        byte family = body[0];
        if (type == RTM_GETLINK && (flags & NLM_F_DUMP) == NLM_F_DUMP)
        {
            Dump(replies, seq, portId, NetworkInterface.All.Select(i => Link(i, NLM_F_MULTI, seq, portId)));
            dumped = true;
            return 0;
        }
        if (type == RTM_GETADDR && (flags & NLM_F_DUMP) == NLM_F_DUMP)
        {
            // Families without a handler of their own fall back to rtnl_dump_all: every family.
            var addresses = new List<byte[]>();
            foreach (int f in new[] { AF_INET, AF_INET6 })
                if (family == f || family is not (AF_INET or AF_INET6))
                    foreach (NetworkInterface i in NetworkInterface.All)
                        foreach (InterfaceAddress a in i.Addresses.Where(a => FamilyOf(a) == f))
                            addresses.Add(Address(i, a, NLM_F_MULTI, seq, portId));
            Dump(replies, seq, portId, addresses);
            dumped = true;
            return 0;
        }
        if (type == RTM_GETLINK)
        {
            // rtnl_getlink: by ifi_index, else by IFLA_IFNAME; neither is EINVAL.
            int index = body.Length >= 16 ? BinaryPrimitives.ReadInt32LittleEndian(body[4..]) : 0;
            string? name = body.Length >= 16 ? FindString(body[16..], IFLA_IFNAME) : null;
            NetworkInterface? found = index > 0 ? NetworkInterface.ByIndex(index) : name != null ? NetworkInterface.ByName(name) : null;
            if (index <= 0 && name == null) return -Errno.EINVAL;
            if (found == null) return -Errno.ENODEV;
            replies.Add(Link(found, 0, seq, portId));
            return 0;
        }
        return -Errno.EOPNOTSUPP;
    }

    static int FamilyOf(InterfaceAddress a) => a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET;

    /// <summary>A dump: the entries in one datagram (when there are any), then NLMSG_DONE carrying the int 0.</summary>
    static void Dump(List<byte[]> replies, uint seq, uint portId, IEnumerable<byte[]> entries)
    {
        byte[] all = [.. entries.SelectMany(e => e)];
        if (all.Length > 0) replies.Add(all);
        var done = new MessageBuilder(NLMSG_DONE, NLM_F_MULTI, seq, portId);
        done.Int32(0);
        replies.Add(done.Finish());
    }

    /// <summary>NLMSG_ERROR: the errno and the request's header, with its payload unless it is an acknowledgement (NLM_F_CAPPED).</summary>
    static byte[] Error(ReadOnlySpan<byte> request, int error, uint portId)
    {
        uint seq = BinaryPrimitives.ReadUInt32LittleEndian(request[8..]);
        var m = new MessageBuilder(NLMSG_ERROR, error == 0 ? NLM_F_CAPPED : (ushort)0, seq, portId);
        m.Int32(error);
        m.Bytes(error == 0 ? request[..HeaderSize] : request);
        return m.Finish();
    }

    /// <summary>RTM_NEWLINK: struct ifinfomsg and the attributes glibc, Go and iproute2 read.</summary>
    static byte[] Link(NetworkInterface i, ushort flags, uint seq, uint portId)
    {
        var m = new MessageBuilder(RTM_NEWLINK, flags, seq, portId);
        m.Byte(AF_UNSPEC); m.Byte(0); m.UInt16(i.HardwareType); m.Int32(i.Index); m.UInt32(i.Flags); m.UInt32(0);
        m.Attribute(IFLA_IFNAME, [.. Encoding.ASCII.GetBytes(i.Name), 0]);
        m.AttributeU32(IFLA_TXQLEN, (uint)i.TxQueueLength);
        m.Attribute(IFLA_OPERSTATE, [0]); // IF_OPER_UNKNOWN, as Linux reports lo
        m.Attribute(IFLA_LINKMODE, [0]);
        m.AttributeU32(IFLA_MTU, (uint)i.Mtu);
        m.AttributeU32(IFLA_MIN_MTU, 0);
        m.AttributeU32(IFLA_MAX_MTU, 0);
        m.AttributeU32(IFLA_GROUP, 0);
        m.AttributeU32(IFLA_PROMISCUITY, 0);
        m.AttributeU32(IFLA_NUM_TX_QUEUES, 1);
        m.AttributeU32(IFLA_NUM_RX_QUEUES, 1);
        m.Attribute(IFLA_CARRIER, [1]);
        m.Attribute(IFLA_QDISC, "noqueue\0"u8);
        m.Attribute(IFLA_ADDRESS, i.HardwareAddress);
        m.Attribute(IFLA_BROADCAST, i.HardwareAddress);
        m.Attribute(IFLA_STATS64, new byte[25 * 8]); // struct rtnl_link_stats64: no traffic is counted
        m.Attribute(IFLA_STATS, new byte[24 * 4]);   // struct rtnl_link_stats (getifaddrs' ifa_data)
        return m.Finish();
    }

    /// <summary>RTM_NEWADDR: struct ifaddrmsg; IPv4 adds IFA_LOCAL and IFA_LABEL (inet_fill_ifaddr, inet6_fill_ifaddr).</summary>
    static byte[] Address(NetworkInterface i, InterfaceAddress a, ushort flags, uint seq, uint portId)
    {
        int family = FamilyOf(a);
        var m = new MessageBuilder(RTM_NEWADDR, flags, seq, portId);
        m.Byte((byte)family); m.Byte((byte)a.PrefixLength); m.Byte(IFA_F_PERMANENT); m.Byte(a.Scope); m.Int32(i.Index);
        byte[] address = a.Address.GetAddressBytes();
        m.Attribute(IFA_ADDRESS, address);
        if (family == AF_INET)
        {
            m.Attribute(IFA_LOCAL, address);
            m.Attribute(IFA_LABEL, [.. Encoding.ASCII.GetBytes(i.Name), 0]);
        }
        m.AttributeU32(IFA_FLAGS, IFA_F_PERMANENT);
        // struct ifa_cacheinfo: preferred and valid lifetimes forever (INFINITY_LIFE_TIME), no timestamps.
        var cache = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(cache, uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(cache.AsSpan(4), uint.MaxValue);
        m.Attribute(IFA_CACHEINFO, cache);
        return m.Finish();
    }

    /// <summary>A NUL-terminated string attribute of the given type among <paramref name="attributes"/>.</summary>
    static string? FindString(ReadOnlySpan<byte> attributes, ushort type)
    {
        while (attributes.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length) return null;
            if ((BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3FFF) == type)
            {
                ReadOnlySpan<byte> value = attributes[4..length];
                int nul = value.IndexOf((byte)0);
                return Encoding.ASCII.GetString(nul >= 0 ? value[..nul] : value);
            }
            int aligned = Align(length);
            attributes = aligned >= attributes.Length ? [] : attributes[aligned..];
        }
        return null;
    }

    static int Align(int n) => (n + 3) & ~3;

    /// <summary>One netlink message being built: struct nlmsghdr, the body, then 4-byte aligned struct rtattr attributes.</summary>
    sealed class MessageBuilder
    {
        readonly List<byte> _bytes = new();

        public MessageBuilder(ushort type, ushort flags, uint seq, uint portId)
        {
            UInt32(0); UInt16(type); UInt16(flags); UInt32(seq); UInt32(portId);
        }

        public void Byte(byte b) => _bytes.Add(b);
        public void Bytes(ReadOnlySpan<byte> b) { foreach (byte x in b) _bytes.Add(x); }
        public void UInt16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); Bytes(b); }
        public void UInt32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); Bytes(b); }
        public void Int32(int v) => UInt32((uint)v);

        public void Attribute(ushort type, ReadOnlySpan<byte> value)
        {
            UInt16((ushort)(4 + value.Length));
            UInt16(type);
            Bytes(value);
            while (_bytes.Count % 4 != 0) _bytes.Add(0);
        }

        public void AttributeU32(ushort type, uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            Attribute(type, b);
        }

        public byte[] Finish()
        {
            byte[] result = [.. _bytes];
            BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)result.Length);
            return result;
        }
    }
}
