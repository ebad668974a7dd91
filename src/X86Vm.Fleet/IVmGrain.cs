using Orleans.Concurrency;

namespace X86Vm.Fleet;

/// <summary>One fleet VM (key: its id). It runs in slices on the silo it is active on, and moves between silos.</summary>
public interface IVmGrain : IGrainWithStringKey
{
    /// <summary>Creates the VM from <paramref name="spec"/> and starts it; fails when a VM of this id exists.</summary>
    Task<VmStatus> Create(VmSpec spec);

    /// <summary>
    /// Where the VM is, what it has done so far and its latest state hash (while it runs: at the end of the last slice
    /// after the previous status call). Null when there is no such VM. Answered at once, also while a slice runs.
    /// Times out after 10 s (callers ask again: <see cref="VmStatusCalls.StatusAsync"/>).
    /// </summary>
    [AlwaysInterleave]
    [ResponseTimeout(VmStatusCalls.Timeout)]
    Task<VmStatus?> GetStatus();

    /// <summary>Its standard output and error so far. Answered at once, also while a slice runs.</summary>
    [AlwaysInterleave]
    Task<VmOutput> GetOutput();

    /// <summary>Stops the VM at its next slice boundary (it stays, and <see cref="Resume"/> continues it).</summary>
    Task Stop();

    Task Resume();

    /// <summary>
    /// Moves the running VM to silo <paramref name="silo"/> (host:port; null: another silo): it stops at the slice
    /// boundary, checkpoints to the store and continues there from the checkpoint. Returns the silo it moves to.
    /// </summary>
    Task<string> Migrate(string? silo);

    /// <summary>Ends the VM and removes it and its checkpoints.</summary>
    Task Delete();

    /// <summary>Runs one slice, then asks for the next (a message to itself, so other calls are served between slices).</summary>
    [OneWay]
    Task Step(long chain);
}
