using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace X86Vm.Linux.Net;

/// <summary>
/// A socket address (sockaddr_un, sockaddr_in or sockaddr_in6) as plain data. A Unix address is a path, an
/// abstract name (first byte NUL, kept in <see cref="Path"/> with a leading '\0') or unnamed (null path).
/// </summary>
/// <remarks>A netlink address (sockaddr_nl) keeps its port id in <see cref="Port"/> and its multicast groups in <see cref="Groups"/>.</remarks>
public sealed record SocketAddress(int Family, string? Path = null, IPAddress? Ip = null, int Port = 0, uint Groups = 0)
{
    /// <summary>sockaddr_nl of a port id and groups (netlink(7)); port 0 is the kernel.</summary>
    public static SocketAddress Netlink(uint portId, uint groups = 0) => new(SocketConstants.AF_NETLINK, null, null, (int)portId, groups);

    public static readonly SocketAddress UnnamedUnix = new(SocketConstants.AF_UNIX);

    public bool IsAbstract => Path is ['\0', ..];

    public static SocketAddress Inet(IPAddress ip, int port) =>
        new(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? SocketConstants.AF_INET6 : SocketConstants.AF_INET, null, ip, port);

    /// <summary>Parses a guest sockaddr of <paramref name="bytes"/>.Length bytes; null and an errno when malformed.</summary>
    public static SocketAddress? Parse(ReadOnlySpan<byte> bytes, int expectedFamily, out int errno)
    {
        errno = Errno.EINVAL;
        if (bytes.Length < 2) return null;
        int family = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        if (family != expectedFamily)
        {
            errno = family == SocketConstants.AF_UNSPEC && expectedFamily != SocketConstants.AF_NETLINK ? Errno.EAFNOSUPPORT
                : expectedFamily is SocketConstants.AF_UNIX or SocketConstants.AF_NETLINK ? Errno.EINVAL : Errno.EAFNOSUPPORT;
            return null;
        }
        switch (family)
        {
            case SocketConstants.AF_UNIX:
                if (bytes.Length > 110) return null;
                ReadOnlySpan<byte> path = bytes[2..];
                if (path.Length == 0) { errno = 0; return UnnamedUnix; }
                if (path[0] == 0) { errno = 0; return new(family, "\0" + Encoding.Latin1.GetString(path[1..])); }
                int nul = path.IndexOf((byte)0);
                if (nul >= 0) path = path[..nul];
                errno = 0;
                return new(family, Vfs.GuestNames.FromBytes(path));
            case SocketConstants.AF_INET:
                if (bytes.Length < 16) return null;
                errno = 0;
                return new(family, null, new IPAddress(bytes.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
            case SocketConstants.AF_INET6:
                if (bytes.Length < 24) return null;
                errno = 0;
                return new(family, null, new IPAddress(bytes.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..])),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
            case SocketConstants.AF_NETLINK:
                if (bytes.Length < 12) return null;
                errno = 0;
                return Netlink(BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
        }
        errno = Errno.EAFNOSUPPORT;
        return null;
    }

    /// <summary>The guest's sockaddr bytes (the length getsockname/accept report).</summary>
    public byte[] Encode()
    {
        switch (Family)
        {
            case SocketConstants.AF_UNIX:
            {
                // Named: family + path + NUL; abstract: family + exactly the name; unnamed: family alone (unix(7)).
                byte[] name = Path == null ? [] : IsAbstract ? [0, .. Encoding.Latin1.GetBytes(Path[1..])] : [.. Vfs.GuestNames.ToBytes(Path), 0];
                var b = new byte[2 + name.Length];
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)Family);
                name.CopyTo(b, 2);
                return b;
            }
            case SocketConstants.AF_INET:
            {
                var b = new byte[16];
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)Family);
                BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)Port);
                Ip!.TryWriteBytes(b.AsSpan(4), out _);
                return b;
            }
            case SocketConstants.AF_NETLINK:
            {
                var b = new byte[12];
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)Family);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)Port);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), Groups);
                return b;
            }
            default:
            {
                var b = new byte[28];
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)Family);
                BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)Port);
                Ip!.TryWriteBytes(b.AsSpan(8), out _);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), (uint)Ip.ScopeId);
                return b;
            }
        }
    }

    public override string ToString() => Family switch
    {
        SocketConstants.AF_UNIX => Path == null ? "unix:(unnamed)" : IsAbstract ? $"unix:@{Path[1..]}" : $"unix:{Path}",
        SocketConstants.AF_INET => $"{Ip}:{Port}",
        SocketConstants.AF_NETLINK => $"netlink:{(uint)Port}",
        _ => $"[{Ip}]:{Port}",
    };
}
