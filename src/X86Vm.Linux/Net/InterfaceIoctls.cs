using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// The interface ioctls of netdevice(7) on any socket, answered from <see cref="NetworkInterface.All"/>: each takes a
/// struct ifreq (the name in the first 16 bytes, the union after it) or, for SIOCGIFCONF, a struct ifconf. Only the
/// "get" requests exist; the IPv4 address ones (SIOCGIFADDR, SIOCGIFNETMASK) only on AF_INET sockets, as Linux
/// routes them through inet_ioctl.
/// </summary>
public static class InterfaceIoctls
{
    const uint SIOCGIFNAME = 0x8910, SIOCGIFCONF = 0x8912, SIOCGIFFLAGS = 0x8913, SIOCGIFADDR = 0x8915, SIOCGIFNETMASK = 0x891B,
        SIOCGIFMETRIC = 0x891D, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927, SIOCGIFINDEX = 0x8933, SIOCGIFTXQLEN = 0x8942;
    const int IfreqSize = 40, NameSize = 16;

    /// <summary>The result of an interface ioctl, or null when <paramref name="request"/> is not one.</summary>
    public static long? Handle(GuestProcess process, int domain, uint request, ulong argument)
    {
        switch (request)
        {
            case SIOCGIFCONF: return InterfaceList(process, argument);
            case SIOCGIFNAME or SIOCGIFFLAGS or SIOCGIFMETRIC or SIOCGIFMTU or SIOCGIFHWADDR or SIOCGIFINDEX or SIOCGIFTXQLEN:
                break;
            case SIOCGIFADDR or SIOCGIFNETMASK:
                if (domain != AF_INET) return -Errno.ENOTTY;
                break;
            default: return null;
        }
        var ifr = new byte[IfreqSize];
        if (!process.Memory.TryRead(argument, ifr)) return -Errno.EFAULT;
        Span<byte> data = ifr.AsSpan(NameSize);
        NetworkInterface? i;
        if (request == SIOCGIFNAME)
        {
            i = NetworkInterface.ByIndex(BinaryPrimitives.ReadInt32LittleEndian(data));
            if (i == null) return -Errno.ENODEV;
            ifr.AsSpan(0, NameSize).Clear();
            Encoding.ASCII.GetBytes(i.Name).CopyTo(ifr, 0);
            return process.Memory.TryWrite(argument, ifr) ? 0 : -Errno.EFAULT;
        }
        int nul = Array.IndexOf(ifr, (byte)0, 0, NameSize);
        i = NetworkInterface.ByName(Encoding.ASCII.GetString(ifr, 0, nul < 0 ? NameSize - 1 : nul));
        if (i == null) return -Errno.ENODEV;
        switch (request)
        {
            case SIOCGIFFLAGS: BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)i.Flags); break; // a short: IFF_LOWER_UP is dropped
            case SIOCGIFMETRIC: BinaryPrimitives.WriteInt32LittleEndian(data, 0); break;
            case SIOCGIFMTU: BinaryPrimitives.WriteInt32LittleEndian(data, i.Mtu); break;
            case SIOCGIFINDEX: BinaryPrimitives.WriteInt32LittleEndian(data, i.Index); break;
            case SIOCGIFTXQLEN: BinaryPrimitives.WriteInt32LittleEndian(data, i.TxQueueLength); break;
            case SIOCGIFHWADDR:
                data.Clear();
                BinaryPrimitives.WriteUInt16LittleEndian(data, i.HardwareType);
                i.HardwareAddress.CopyTo(data[2..]);
                break;
            case SIOCGIFADDR or SIOCGIFNETMASK:
                InterfaceAddress? a = Ipv4(i);
                if (a == null) return -Errno.EADDRNOTAVAIL;
                data.Clear();
                byte[] bytes = request == SIOCGIFADDR ? a.Address.GetAddressBytes() : Netmask(a.PrefixLength);
                SocketAddress.Inet(new System.Net.IPAddress(bytes), 0).Encode().CopyTo(data);
                break;
        }
        return process.Memory.TryWrite(argument, ifr) ? 0 : -Errno.EFAULT;
    }

    static InterfaceAddress? Ipv4(NetworkInterface i) => i.Addresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork);

    static byte[] Netmask(int prefix)
    {
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, mask);
        return b;
    }

    /// <summary>
    /// SIOCGIFCONF: one struct ifreq (name and IPv4 address) per interface with an IPv4 address, as many as fit in
    /// ifc_len; ifc_len becomes the bytes written, or the bytes needed when ifc_buf is NULL.
    /// </summary>
    static long InterfaceList(GuestProcess process, ulong argument)
    {
        var ifc = new byte[16];
        if (!process.Memory.TryRead(argument, ifc)) return -Errno.EFAULT;
        int room = BinaryPrimitives.ReadInt32LittleEndian(ifc);
        ulong buffer = BinaryPrimitives.ReadUInt64LittleEndian(ifc.AsSpan(8));
        var entries = new List<byte[]>();
        foreach (NetworkInterface i in NetworkInterface.All)
            if (Ipv4(i) is { } a)
            {
                var ifr = new byte[IfreqSize];
                Encoding.ASCII.GetBytes(i.Name).CopyTo(ifr, 0);
                SocketAddress.Inet(a.Address, 0).Encode().CopyTo(ifr, NameSize);
                entries.Add(ifr);
            }
        int written = 0;
        if (buffer == 0) written = entries.Count * IfreqSize;
        else
            foreach (byte[] ifr in entries)
            {
                if (room - written < IfreqSize) break;
                if (!process.Memory.TryWrite(buffer + (ulong)written, ifr)) return -Errno.EFAULT;
                written += IfreqSize;
            }
        return process.Memory.TryWrite(argument, BitConverter.GetBytes(written)) ? 0 : -Errno.EFAULT;
    }
}
