using System.Net;

namespace X86Vm.Linux.Net;

/// <summary>One address of an interface: the address, its prefix length and scope (rtnetlink(7) struct ifaddrmsg).</summary>
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength, byte Scope);

/// <summary>
/// A network interface as netlink and the interface ioctls describe it (netdevice(7), rtnetlink(7)). The VM's private
/// network has exactly one: the loopback interface "lo" (index 1, 127.0.0.1/8 and ::1/128), as a fresh Linux network
/// namespace does. With --net host the guest sees the same single interface.
/// </summary>
public sealed record NetworkInterface(string Name, int Index, uint Flags, int Mtu, ushort HardwareType, int TxQueueLength,
    IReadOnlyList<InterfaceAddress> Addresses)
{
    // netdevice(7) flags; IFF_LOWER_UP is only visible through netlink (ifi_flags), the ioctl's short drops it.
    public const uint IFF_UP = 0x1, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000;
    /// <summary>ARPHRD_LOOPBACK (if_arp.h).</summary>
    public const ushort ARPHRD_LOOPBACK = 772;
    /// <summary>RT_SCOPE_HOST (rtnetlink(7)).</summary>
    public const byte ScopeHost = 254;

    public static readonly NetworkInterface Loopback = new("lo", 1, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, 65536,
        ARPHRD_LOOPBACK, 1000, [new(IPAddress.Loopback, 8, ScopeHost), new(IPAddress.IPv6Loopback, 128, ScopeHost)]);

    /// <summary>Every interface of the VM's network, in index order.</summary>
    public static IReadOnlyList<NetworkInterface> All { get; } = [Loopback];

    public static NetworkInterface? ByName(string name) => All.FirstOrDefault(i => i.Name == name);
    public static NetworkInterface? ByIndex(int index) => All.FirstOrDefault(i => i.Index == index);

    /// <summary>The hardware address: six zero bytes for loopback.</summary>
    public byte[] HardwareAddress => new byte[6];
}
