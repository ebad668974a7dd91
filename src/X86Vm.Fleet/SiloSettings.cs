namespace X86Vm.Fleet;

/// <summary>How <c>x86vm fleet silo</c> starts a silo.</summary>
public sealed record SiloSettings
{
    /// <summary>postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE for membership and the store in PostgreSQL; null for a localhost fleet.</summary>
    public string? Cluster { get; init; }
    /// <summary>The address this silo is reached at by the other silos and clients (with --cluster: listening on every address unless loopback).</summary>
    public string Address { get; init; } = "127.0.0.1";
    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; init; } = 11111;
    /// <summary>The port clients (<c>x86vm fleet submit</c>…) connect to.</summary>
    public int GatewayPort { get; init; } = 30000;
    /// <summary>Localhost fleet: the first silo's silo port, when this silo joins it (null: this is the first).</summary>
    public int? JoinPort { get; init; }
    /// <summary>The store directory, shared by the fleet's silos. Default: ~/.local/share/x86vm/fleet, or with Cluster the PostgreSQL database.</summary>
    public string? StoreDirectory { get; init; }
    /// <summary>The status page's port (ASP.NET Core on 127.0.0.1); null for none, 0 for any free port.</summary>
    public int? HttpPort { get; init; }
    public FleetOptions Fleet { get; init; } = new();

    public static string DefaultStoreDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } data ? data
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "x86vm", "fleet");
}
