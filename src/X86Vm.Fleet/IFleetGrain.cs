namespace X86Vm.Fleet;

/// <summary>The fleet as a whole (use key 0): submits VMs and lists them and the silos. Answered by any silo.</summary>
public interface IFleetGrain : IGrainWithIntegerKey
{
    /// <summary>Creates and starts a VM from <paramref name="spec"/>; returns its id.</summary>
    Task<string> Submit(VmSpec spec);

    /// <summary>Every VM of the store with its status, by id.</summary>
    Task<IReadOnlyList<VmStatus>> List();

    /// <summary>The active silos (host:port), sorted.</summary>
    Task<IReadOnlyList<string>> Silos();
}
