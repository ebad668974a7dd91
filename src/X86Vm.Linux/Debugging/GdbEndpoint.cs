using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// Where the stub listens for the debugger, on the host: <c>PORT</c> or <c>:PORT</c> (TCP on the loopback
/// interface), <c>HOST:PORT</c> (TCP on that address), or a path with a slash (a Unix domain socket). Port 0 picks a
/// free port; the bound endpoint says which.
/// </summary>
public static class GdbEndpoint
{
    /// <summary>Parses an endpoint; throws <see cref="FormatException"/> with a one-line message.</summary>
    public static EndPoint Parse(string spec)
    {
        if (spec.Contains('/')) return new UnixDomainSocketEndPoint(spec);
        int colon = spec.LastIndexOf(':');
        string host = colon < 0 ? "" : spec[..colon];
        string port = colon < 0 ? spec : spec[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 65535)
            throw new FormatException($"--gdb {spec}: expected PORT, HOST:PORT or a Unix socket path");
        if (host is "" or "localhost") return new IPEndPoint(IPAddress.Loopback, p);
        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address)) return new IPEndPoint(address, p);
        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(host);
            if (addresses.Length > 0) return new IPEndPoint(addresses[0], p);
        }
        catch (SocketException) { }
        throw new FormatException($"--gdb {spec}: unknown host {host}");
    }

    /// <summary>A listening socket for one connection. A stale Unix socket file (nobody listening) is replaced.</summary>
    public static Socket Listen(EndPoint endpoint)
    {
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            try { socket.Bind(endpoint); }
            catch (SocketException e) when (endpoint is UnixDomainSocketEndPoint u && e.SocketErrorCode == SocketError.AddressAlreadyInUse
                                            && IsStale(u))
            {
                File.Delete(u.ToString());
                socket.Bind(endpoint);
            }
            socket.Listen(1);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket file nobody listens on (left by an earlier run). Anything that is not a socket is never replaced.</summary>
    static bool IsStale(UnixDomainSocketEndPoint endpoint)
    {
        if (Host.HostStat.Lstat(endpoint.ToString(), out _)?.Kind != Vfs.FileKind.Socket) return false;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endpoint);
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused;
        }
    }

    /// <summary>What to type after <c>target remote</c> to reach <paramref name="endpoint"/>.</summary>
    public static string Describe(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip when IPAddress.IsLoopback(ip.Address) => $"localhost:{ip.Port}",
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endpoint.ToString() ?? "",
    };
}
