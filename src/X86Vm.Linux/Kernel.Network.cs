using X86Vm.Linux.Net;

namespace X86Vm.Linux;

/// <summary>The VM's network: the private loopback namespace, or the host's network for inet sockets with --net host.</summary>
public sealed partial class Kernel
{
    /// <summary>Unix socket names and the private loopback interface (always present: Unix sockets never leave the VM).</summary>
    public LoopbackNetwork Network { get; } = new();

    /// <summary>struct ucred of the calling thread's process (SO_PEERCRED, SCM_CREDENTIALS). The guest runs as root.</summary>
    public Credentials CurrentCredentials() => new(Current.Pid, Current.Credentials.Euid, Current.Credentials.Egid); // SO_PEERCRED: effective ids

    readonly HashSet<int> _reportedFamilies = new();

    /// <summary>Names an unsupported address family once in the diagnostics (the guest gets EAFNOSUPPORT).</summary>
    internal void ReportUnsupportedFamily(int family)
    {
        if (_reportedFamilies.Add(family))
            Options.Diagnostics.WriteLine($"x86vm: socket address family {family} is not supported (EAFNOSUPPORT)");
    }

    /// <summary>Names an unsupported netlink protocol once (the guest gets EPROTONOSUPPORT; only NETLINK_ROUTE exists).</summary>
    internal void ReportUnsupportedNetlink(int protocol)
    {
        if (_reportedFamilies.Add(-1 - protocol))
            Options.Diagnostics.WriteLine($"x86vm: netlink protocol {protocol} is not supported (EPROTONOSUPPORT)");
    }
}
