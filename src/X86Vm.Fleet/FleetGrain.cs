using Orleans.Concurrency;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>
/// Stateless: answered on whichever silo receives the call, from the store and the VMs themselves. Reentrant: it keeps
/// no state, and each call mostly waits for VM grains; not reentrant, its few workers (one per core) served a hundred
/// submits one by one, and on a loaded machine the last waited past Orleans' 30 s response timeout.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class FleetGrain(IFleetStore store) : Grain, IFleetGrain
{
    public async Task<string> Submit(VmSpec spec)
    {
        string id = "vm-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 5));
        await GrainFactory.GetGrain<IVmGrain>(id).Create(spec);
        return id;
    }

    public async Task<IReadOnlyList<VmStatus>> List()
    {
        var ids = await store.ListRecordsAsync();
        var statuses = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IVmGrain>(id).StatusAsync()));
        return statuses.OfType<VmStatus>().ToList(); // a VM deleted meanwhile has none
    }

    public async Task<IReadOnlyList<string>> Silos()
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return hosts.Keys.Select(s => s.Endpoint.ToString()).Order(StringComparer.Ordinal).ToList();
    }
}
