using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>Makes an Orleans silo a fleet silo: the VM grains' store, how VMs run, and the keeper that recovers a lost silo's VMs.</summary>
public static class FleetSilo
{
    public static ISiloBuilder AddX86VmFleet(this ISiloBuilder silo, IFleetStore store, Action<FleetOptions>? configure = null)
    {
        silo.Services.AddSingleton(store);
        silo.Services.AddOptions<FleetOptions>().Configure(o => configure?.Invoke(o));
        silo.Services.AddHostedService<FleetKeeper>();
        silo.Services.AddSingleton(services => new SliceScheduler(services.GetRequiredService<IOptions<FleetOptions>>().Value.Concurrency));
        return silo;
    }
}
