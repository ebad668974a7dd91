using System.Net;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Net;

/// <summary>
/// A socket inside the VM (AF_UNIX, or AF_INET/AF_INET6 on the private loopback network): what binding and
/// address lookup share between the stream and datagram kinds.
/// </summary>
public abstract class LocalSocket(Kernel kernel, int domain, int type, int protocol) : SocketFile(kernel, domain, type, protocol), IPollSource
{
    /// <summary>
    /// Pollers of this socket (its sk_wq): woken when data arrives, room frees up or the connection changes, so epoll
    /// keeps Linux's ready-list order. (Host sockets have no such queue: epoll polls them at every look.)
    /// </summary>
    public PollWaitQueue Waiters { get; } = new();

    public PollWaitQueue PollQueue(GuestProcess poller) => Waiters;

    protected LoopbackNetwork Network => Kernel.Network;
    protected bool IsUnix => Domain == AF_UNIX;
    protected bool IsTcp => !IsUnix && Type == SOCK_STREAM;

    /// <summary>The bound address (getsockname); null while unbound.</summary>
    protected SocketAddress? Bound { get; set; }

    public override SocketAddress? LocalAddress => Bound ?? (IsUnix ? SocketAddress.UnnamedUnix : Unspecified());

    /// <summary>What getsockname shows for an unbound inet socket: the wildcard address, port 0.</summary>
    SocketAddress Unspecified() => SocketAddress.Inet(Domain == AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    public override long Bind(SocketAddress address, GuestProcess caller)
    {
        // A Unix path that exists is EADDRINUSE even for an already bound socket (unix_bind_bsd creates the node first).
        if (Bound != null && !(IsUnix && address.Path != null && !address.IsAbstract)) return -Errno.EINVAL;
        return IsUnix ? BindUnix(address, caller) : BindInet(address.Ip!, address.Port);
    }

    long BindUnix(SocketAddress address, GuestProcess caller)
    {
        if (address.Path == null)
        {
            Bound = new SocketAddress(AF_UNIX, Network.AutobindName(this));
            return 0;
        }
        if (address.IsAbstract)
        {
            if (!Network.BindAbstract(address.Path, this)) return -Errno.EADDRINUSE;
            Bound = address;
            return 0;
        }
        // A named socket is a file: bind creates it (EADDRINUSE when the name exists, unix(7)).
        int err = Kernel.Vfs.Resolve(caller.Cwd, address.Path, followLast: false, out ResolvedPath r);
        if (err != 0) return err;
        if (r.RelativePath.Length == 0 || r.FileSystem.Lstat(r.RelativePath, out _) != null) return -Errno.EADDRINUSE;
        if (Bound != null) return -Errno.EINVAL;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        err = r.FileSystem.MakeNode(r.RelativePath, FileKind.Socket, 0x1FF & ~caller.Umask);
        if (err != 0) return -err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out _);
        if (st == null) return -Errno.EIO;
        Network.BindUnixPath(r.FileSystem, st.Inode, this);
        Bound = address;
        return 0;
    }

    protected long BindInet(IPAddress ip, int port)
    {
        bool v6Only = Options.GetFlag(IPPROTO_IPV6, SocketOptions.IPV6_V6ONLY);
        int result = Network.BindInet(this, IsTcp, ip, port, v6Only);
        if (result < 0) return result;
        Bound = SocketAddress.Inet(ip, result);
        return 0;
    }

    /// <summary>Binds an unbound socket before it connects or sends (an ephemeral port, or a Unix autobind name when SO_PASSCRED asks).</summary>
    protected long EnsureBound()
    {
        if (Bound != null) return 0;
        if (IsUnix) return 0; // an unbound Unix socket stays unnamed
        return BindInet(Domain == AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
    }

    /// <summary>After connecting, a wildcard-bound inet socket shows the loopback address it uses.</summary>
    protected void ShowSourceAddress(SocketAddress destination)
    {
        if (IsUnix || Bound == null || !(Bound.Ip!.Equals(IPAddress.Any) || Bound.Ip.Equals(IPAddress.IPv6Any))) return;
        IPAddress source = Domain == AF_INET ? IPAddress.Loopback
            : destination.Ip!.IsIPv4MappedToIPv6 ? IPAddress.Loopback.MapToIPv6() : IPAddress.IPv6Loopback;
        Bound = SocketAddress.Inet(source, Bound.Port);
    }

    /// <summary>
    /// Finds the socket an address names: a Unix path (ENOENT when missing, ECONNREFUSED when nobody listens there)
    /// or abstract name, or an inet listener/bound socket on the loopback network (ENETUNREACH off it).
    /// </summary>
    protected SocketFile? Lookup(SocketAddress address, GuestProcess caller, out int errno)
    {
        errno = 0;
        SocketFile? target;
        if (IsUnix)
        {
            if (address.Path == null) { errno = Errno.EINVAL; return null; }
            if (address.IsAbstract) target = Network.FindAbstract(address.Path);
            else
            {
                int err = Kernel.Vfs.Resolve(caller.Cwd, address.Path, followLast: true, out ResolvedPath r);
                if (err != 0) { errno = -err; return null; }
                FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int lerr);
                if (st == null) { errno = lerr != 0 ? Math.Abs(lerr) : Errno.ENOENT; return null; }
                target = st.Kind == FileKind.Socket ? Network.FindUnixPath(r.FileSystem, st.Inode) : null;
            }
        }
        else
        {
            if (!LoopbackNetwork.Reachable(address.Ip!)) { errno = Errno.ENETUNREACH; return null; }
            target = Network.FindInet(IsTcp, address.Ip!, address.Port);
        }
        if (target != null && target.Type != Type)
        {
            // A path names one socket (EPROTOTYPE when its type differs); abstract names are looked up per type.
            errno = IsUnix && !address.IsAbstract ? Errno.EPROTOTYPE : Errno.ECONNREFUSED;
            return null;
        }
        if (target == null) errno = Errno.ECONNREFUSED;
        return target;
    }

    /// <summary>The address of <paramref name="remote"/> as this socket's family shows it (IPv4 peers of IPv6 sockets appear v4-mapped).</summary>
    protected SocketAddress? AsSeenHere(SocketAddress? remote)
    {
        if (remote == null || IsUnix || remote.Family == Domain) return remote;
        return Domain == AF_INET6 ? SocketAddress.Inet(remote.Ip!.MapToIPv6(), remote.Port) : SocketAddress.Inet(remote.Ip!.MapToIPv4(), remote.Port);
    }

    public override void Release()
    {
        Network.Unbind(this);
        base.Release();
    }
}
