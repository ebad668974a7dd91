namespace X86Vm.Fleet;

/// <summary>A host directory in a fleet VM's file view (a directory every silo can reach: local on one machine, shared otherwise).</summary>
[GenerateSerializer, Immutable]
public sealed record VmMount([property: Id(0)] string? HostPath, [property: Id(1)] string GuestPath, [property: Id(2)] MountKind Kind);

/// <summary>
/// What a fleet VM runs: the program and its inputs, as <c>x86vm run</c> takes them. Everything here is data, so a
/// spec travels with the VM's record to whichever silo runs it; the silo binds the streams.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record VmSpec
{
    /// <summary>The program, a path in the guest's view.</summary>
    [Id(0)] public required string Program { get; init; }
    [Id(1)] public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary>The guest environment as K=V strings.</summary>
    [Id(2)] public IReadOnlyList<string> Environment { get; init; } = [];
    /// <summary>The file view in order; null for <see cref="MountSpec.DefaultView"/> of <see cref="WorkingDirectory"/>.</summary>
    [Id(3)] public IReadOnlyList<VmMount>? Mounts { get; init; }
    /// <summary>The guest's starting directory (a guest path); null for /.</summary>
    [Id(4)] public string? WorkingDirectory { get; init; }
    [Id(5)] public bool Deterministic { get; init; } = true;
    [Id(6)] public ulong Seed { get; init; }
    /// <summary>The most units the VM may consume in all (docs/metering.md); then it ends out of budget (status 122).</summary>
    [Id(7)] public ulong? Budget { get; init; }
    [Id(8)] public long? MaxMemory { get; init; }
    [Id(9)] public long? MaxTmpfs { get; init; }
    [Id(10)] public int? MaxProcesses { get; init; }
    [Id(11)] public int? MaxOpenFiles { get; init; }

    static readonly VirtualMachineOptions Defaults = new() { Program = "" };

    /// <summary>The library options of this spec with the given output streams (the budget is applied per slice).</summary>
    public VirtualMachineOptions ToOptions(Stream stdout, Stream stderr)
    {
        string cwd = WorkingDirectory ?? "/";
        return new VirtualMachineOptions
        {
            Program = Program,
            Arguments = Arguments,
            Environment = Environment,
            Mounts = Mounts?.Select(m => new MountSpec(m.HostPath, m.GuestPath, m.Kind)).ToList() ?? MountSpec.DefaultView(cwd),
            WorkingDirectory = cwd,
            Stdout = stdout,
            Stderr = stderr,
            Deterministic = Deterministic,
            Seed = Seed,
            MaxMemory = MaxMemory,
            MaxTmpfs = MaxTmpfs,
            MaxProcesses = MaxProcesses ?? Defaults.MaxProcesses,
            MaxOpenFiles = MaxOpenFiles,
        };
    }
}
