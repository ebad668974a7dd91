using System.Net;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Net;

/// <summary>
/// The VM's private network namespace: a loopback interface (127.0.0.0/8 and ::1) and the Unix socket namespaces.
/// It maps addresses to the guest sockets bound to them; nothing here touches the host, so it is deterministic
/// (ephemeral ports are handed out in order, not at random as Linux does).
/// </summary>
public sealed class LoopbackNetwork
{
    /// <summary>An inet socket's binding: its protocol's port space, address (Any for wildcard) and port.</summary>
    sealed record InetBinding(SocketFile Socket, IPAddress Address, int Port, bool V6Only);

    public const int EphemeralFirst = 32768, EphemeralLast = 60999;

    readonly Dictionary<(IFileSystem, ulong), SocketFile> _unixPaths = new();
    readonly Dictionary<string, SocketFile> _abstractNames = new();
    readonly List<InetBinding> _tcp = new(), _udp = new();
    int _nextEphemeral = EphemeralFirst;
    int _nextAutobind;
    readonly Dictionary<uint, SocketFile> _netlinkPorts = new();
    /// <summary>netlink_autobind's rover: port ids after the first of a process count down from -4096.</summary>
    int _netlinkRover = -4096;

    List<InetBinding> Space(bool tcp) => tcp ? _tcp : _udp;

    // ------------------------------------------------------------------ Unix namespace

    /// <summary>Registers a socket bound at a file (identified by its mount and inode, so renames keep it reachable).</summary>
    public void BindUnixPath(IFileSystem fs, ulong inode, SocketFile socket) => _unixPaths[(fs, inode)] = socket;

    public SocketFile? FindUnixPath(IFileSystem fs, ulong inode) => _unixPaths.GetValueOrDefault((fs, inode));

    /// <summary>Binds an abstract name; false when taken.</summary>
    public bool BindAbstract(string name, SocketFile socket) => _abstractNames.TryAdd(name, socket);

    public SocketFile? FindAbstract(string name) => _abstractNames.GetValueOrDefault(name);

    /// <summary>An unused autobind name: five hex digits in the abstract namespace (unix(7), "Autobind feature").</summary>
    public string AutobindName(SocketFile socket)
    {
        while (true)
        {
            string name = "\0" + (_nextAutobind++ & 0xFFFFF).ToString("x5");
            if (BindAbstract(name, socket)) return name;
        }
    }

    // ------------------------------------------------------------------ netlink

    /// <summary>Binds a NETLINK_ROUTE port id; false when taken (EADDRINUSE).</summary>
    public bool BindNetlink(uint portId, SocketFile socket) => _netlinkPorts.TryAdd(portId, socket);

    /// <summary>
    /// An unused port id for an unbound netlink socket (netlink(7)): the process's pid if free, else -4096, -4097, ...
    /// (Linux takes a random negative number there; counting down keeps the VM deterministic).
    /// </summary>
    public uint AutobindNetlink(int pid, SocketFile socket)
    {
        if (BindNetlink((uint)pid, socket)) return (uint)pid;
        while (true)
        {
            uint candidate = (uint)_netlinkRover--;
            if (_netlinkRover > -4096) _netlinkRover = -4096;
            if (BindNetlink(candidate, socket)) return candidate;
        }
    }

    public void UnbindNetlink(uint portId) => _netlinkPorts.Remove(portId);

    // ------------------------------------------------------------------ inet

    /// <summary>True for an address of the loopback interface or a wildcard (what a guest may bind).</summary>
    public static bool IsLocal(IPAddress a)
    {
        a = Normalize(a);
        return a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(a);
    }

    /// <summary>IPv4-mapped IPv6 addresses act as their IPv4 address.</summary>
    static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    static bool IsWildcard(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    /// <summary>Whether a binding receives traffic for <paramref name="destination"/> (a normalised address).</summary>
    static bool Covers(InetBinding b, IPAddress destination)
    {
        IPAddress bound = Normalize(b.Address);
        bool destV4 = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        if (bound.Equals(IPAddress.IPv6Any)) return !destV4 || !b.V6Only;
        if (bound.Equals(IPAddress.Any)) return destV4;
        return bound.Equals(destination);
    }

    static bool Overlaps(InetBinding a, InetBinding b)
    {
        IPAddress x = Normalize(a.Address), y = Normalize(b.Address);
        if (IsWildcard(x) || IsWildcard(y))
        {
            bool xv4 = x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork, yv4 = y.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
            if (xv4 == yv4) return true;
            // An IPv6 wildcard covers IPv4 unless IPV6_V6ONLY.
            InetBinding v6 = xv4 ? b : a;
            return Normalize(v6.Address).Equals(IPAddress.IPv6Any) && !v6.V6Only;
        }
        return x.Equals(y);
    }

    /// <summary>
    /// Binds <paramref name="socket"/> to an address and port (0 = pick an ephemeral port); returns the port or a
    /// negative errno (EADDRINUSE, EADDRNOTAVAIL). SO_REUSEADDR lets sockets share a port while none listens,
    /// SO_REUSEPORT lets them share it always (socket(7)).
    /// </summary>
    public int BindInet(SocketFile socket, bool tcp, IPAddress address, int port, bool v6Only)
    {
        if (!IsLocal(address)) return -Errno.EADDRNOTAVAIL;
        List<InetBinding> space = Space(tcp);
        if (port == 0)
        {
            for (int tries = 0; tries <= EphemeralLast - EphemeralFirst; tries++)
            {
                int candidate = _nextEphemeral;
                _nextEphemeral = candidate == EphemeralLast ? EphemeralFirst : candidate + 1;
                var trial = new InetBinding(socket, address, candidate, v6Only);
                if (!space.Any(b => b.Port == candidate && Overlaps(b, trial)))
                {
                    space.Add(trial);
                    return candidate;
                }
            }
            return -Errno.EADDRINUSE;
        }
        var binding = new InetBinding(socket, address, port, v6Only);
        foreach (InetBinding b in space)
        {
            if (b.Port != port || !Overlaps(b, binding)) continue;
            bool reusePort = Flag(b.Socket, SocketOptions.SO_REUSEPORT) && Flag(socket, SocketOptions.SO_REUSEPORT);
            bool reuseAddr = Flag(b.Socket, SocketOptions.SO_REUSEADDR) && Flag(socket, SocketOptions.SO_REUSEADDR) && !b.Socket.Listening;
            if (!reusePort && !(tcp && reuseAddr)) return -Errno.EADDRINUSE;
        }
        space.Add(binding);
        return port;
    }

    static bool Flag(SocketFile s, int option) => s.Options.GetFlag(SocketOptions.SOL_SOCKET, option);

    /// <summary>The socket that receives traffic for an address and port: a listener (TCP) or a bound socket (UDP).</summary>
    public SocketFile? FindInet(bool tcp, IPAddress address, int port)
    {
        IPAddress destination = Normalize(address);
        if (destination.Equals(IPAddress.Any)) destination = IPAddress.Loopback; // connecting to 0.0.0.0 reaches the local host
        if (destination.Equals(IPAddress.IPv6Any)) destination = IPAddress.IPv6Loopback;
        InetBinding? best = null;
        foreach (InetBinding b in Space(tcp))
        {
            if (b.Port != port || (tcp && !b.Socket.Listening) || !Covers(b, destination)) continue;
            // A specific address wins over a wildcard.
            if (best == null || (IsWildcard(Normalize(best.Address)) && !IsWildcard(Normalize(b.Address)))) best = b;
        }
        return best?.Socket;
    }

    /// <summary>Whether the destination is on this network at all (the loopback interface).</summary>
    public static bool Reachable(IPAddress address)
    {
        IPAddress a = Normalize(address);
        return IPAddress.IsLoopback(a) || IsWildcard(a);
    }

    /// <summary>Forgets every binding of a closed socket.</summary>
    public void Unbind(SocketFile socket)
    {
        _tcp.RemoveAll(b => b.Socket == socket);
        _udp.RemoveAll(b => b.Socket == socket);
        foreach (var key in _unixPaths.Where(kv => kv.Value == socket).Select(kv => kv.Key).ToList()) _unixPaths.Remove(key);
        foreach (var key in _abstractNames.Where(kv => kv.Value == socket).Select(kv => kv.Key).ToList()) _abstractNames.Remove(key);
    }
}
