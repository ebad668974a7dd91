using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>Makes an Orleans silo a fleet silo: the VM grains' store, how VMs run, and the keeper that recovers a lost silo's VMs.</summary>
public static class FleetSilo
{
    /// <summary>The fewest thread-pool threads a fleet silo's process keeps ready.</summary>
    public const int MinPoolThreads = 64;

    public static ISiloBuilder AddX86VmFleet(this ISiloBuilder silo, IFleetStore store, Action<FleetOptions>? configure = null)
    {
        // Checkpoints block the thread they run on (SaveSnapshot/LoadSnapshot, the store's fsync), and with many VMs moving
        // at once on a loaded machine they held every pool thread: the pool adds threads slowly, and a VM's queued work
        // item once waited 24 s for one (a Migrate call timed out). More threads from the start keep Orleans' work going.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolThreads), io);
        silo.Services.AddSingleton(store);
        silo.Services.AddOptions<FleetOptions>().Configure(o => configure?.Invoke(o));
        silo.Services.AddHostedService<FleetKeeper>();
        silo.Services.AddSingleton(services => new SliceScheduler(services.GetRequiredService<IOptions<FleetOptions>>().Value.Concurrency));
        return silo;
    }
}
