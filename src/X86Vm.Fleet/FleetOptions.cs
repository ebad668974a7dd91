namespace X86Vm.Fleet;

/// <summary>How a silo runs its VMs.</summary>
public sealed class FleetOptions
{
    /// <summary>
    /// Units (instructions and syscall charges) per slice: a VM runs this much, then every other VM on the silo gets its
    /// turn. Larger slices cost less per unit and share the cores more evenly (between two slices a VM sends itself a
    /// message, and a VM whose message is slower misses turns: with 1 M-unit slices on a loaded machine one VM got three
    /// times another's share); smaller ones reach a slice boundary (moves, stops) sooner.
    /// </summary>
    public ulong SliceUnits { get; set; } = 10_000_000;

    /// <summary>Slices that run at once on a silo (default: one per core).</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>A running VM checkpoints to the store after at least this many units since its last checkpoint (0: only when it moves).</summary>
    public ulong CheckpointUnits { get; set; } = 2_000_000_000;

    /// <summary>How often each silo looks for VMs of the store that should run and are not active (a lost silo's VMs).</summary>
    public TimeSpan KeeperPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
