namespace X86Vm;

/// <summary>
/// What a VM restored by <see cref="VirtualMachine.LoadSnapshot"/> takes from the host it now runs on rather than from
/// the snapshot: the guest's standard streams, diagnostics, the execution tier, a time limit, and the host directories
/// of its mounts. Everything the guest can observe comes from the snapshot.
/// </summary>
public sealed class RestoreOptions
{
    /// <summary>The guest's standard input from here on (null: empty). The saved VM's unread host input is not in the snapshot.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>Where the guest's standard output goes from here on (null: discarded).</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Where the guest's standard error goes from here on (null: discarded).</summary>
    public Stream? Stderr { get; init; }

    /// <summary>
    /// Host directories for the snapshot's host-backed mounts (read-only, read-write and copy-on-write), matched by
    /// <see cref="MountSpec.GuestPath"/>; only <see cref="MountSpec.HostPath"/> is used. A mount not listed uses the
    /// host path it was saved with. The directories must hold what the saved VM's did.
    /// </summary>
    public IReadOnlyList<MountSpec>? Mounts { get; init; }

    /// <summary>Writes every system call and its result, as <see cref="VirtualMachineOptions.Strace"/> does; null for none.</summary>
    public TextWriter? Strace { get; init; }

    /// <summary>x86vm's own messages (null: to <see cref="Stderr"/>).</summary>
    public TextWriter? Diagnostics { get; init; }

    /// <summary>Compile hot code to .NET (as <see cref="VirtualMachineOptions.Jit"/>); it never changes what the guest computes.</summary>
    public bool Jit { get; init; } = true;

    /// <summary>As <see cref="VirtualMachineOptions.JitThreshold"/>.</summary>
    public int JitThreshold { get; init; } = 10000;

    /// <summary>As <see cref="VirtualMachineOptions.JitSynchronous"/>.</summary>
    public bool JitSynchronous { get; init; }

    /// <summary>A wall-clock limit for the restored VM's runs, as <see cref="VirtualMachineOptions.MaxTime"/>; null for none.</summary>
    public TimeSpan? MaxTime { get; init; }
}
