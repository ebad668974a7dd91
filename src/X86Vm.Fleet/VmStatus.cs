namespace X86Vm.Fleet;

/// <summary>Where a fleet VM is in its life.</summary>
public enum VmPhase
{
    /// <summary>Runs slice after slice on its silo.</summary>
    Running,
    /// <summary>Stopped by the user between slices; kept, and continues on <see cref="IVmGrain.Resume"/>.</summary>
    Stopped,
    /// <summary>The program's first process exited (<see cref="VmStatus.ExitCode"/>).</summary>
    Exited,
    /// <summary>A signal ended the program (<see cref="VmStatus.Signal"/>).</summary>
    Signaled,
    /// <summary>The spec's budget is spent (status 122, as <c>x86vm run --max-instructions</c>).</summary>
    OutOfBudget,
    /// <summary>The VM could not start or failed on the silo (<see cref="VmStatus.Error"/>).</summary>
    Failed,
}

/// <summary>A fleet VM as <c>x86vm fleet ls</c> shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record VmStatus
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The silo the VM is active on (host:port), or null when it is not active (ended VMs).</summary>
    [Id(1)] public string? Silo { get; init; }
    [Id(2)] public VmPhase Phase { get; init; }
    /// <summary>Units the VM has consumed (<see cref="VirtualMachine.InstructionsExecuted"/>).</summary>
    [Id(3)] public ulong Instructions { get; init; }
    /// <summary>The state hash (64 hex digits) at the end of the last slice, or when it ended.</summary>
    [Id(4)] public string? StateHash { get; init; }
    [Id(5)] public int ExitCode { get; init; }
    [Id(6)] public int Signal { get; init; }
    [Id(7)] public string? Error { get; init; }
    /// <summary>Bytes of standard output (and error) so far.</summary>
    [Id(8)] public long StdoutBytes { get; init; }
    [Id(9)] public long StderrBytes { get; init; }
    /// <summary>How often the VM was moved to another silo.</summary>
    [Id(10)] public int Moves { get; init; }
    /// <summary>Units at the last durable checkpoint.</summary>
    [Id(11)] public ulong CheckpointInstructions { get; init; }
    /// <summary>How often the VM continued from its last checkpoint on another silo after its silo went away.</summary>
    [Id(12)] public int Resumes { get; init; }

    /// <summary>True once the VM will not run again.</summary>
    public bool Ended => Phase is VmPhase.Exited or VmPhase.Signaled or VmPhase.OutOfBudget or VmPhase.Failed;

    /// <summary>
    /// The shell status <c>x86vm run</c> would have ended with (128 + signal, 122 out of budget, 126/127 for a program
    /// that cannot start, else 125 for a failure).
    /// </summary>
    public int ShellStatus => Phase switch
    {
        VmPhase.Exited => ExitCode,
        VmPhase.Signaled => 128 + Signal,
        VmPhase.OutOfBudget => VirtualMachine.OutOfBudgetStatus,
        _ => ExitCode != 0 ? ExitCode : 125,
    };
}

/// <summary>A VM's output so far.</summary>
[GenerateSerializer, Immutable]
public sealed record VmOutput([property: Id(0)] byte[] Stdout, [property: Id(1)] byte[] Stderr);
