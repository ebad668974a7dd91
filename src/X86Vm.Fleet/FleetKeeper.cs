using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>
/// Runs on every silo: VMs are activated only when called, so after a silo is lost its running VMs would sit in the
/// store until someone asked. The keeper asks: every period it calls each running VM, and Orleans activates the ones
/// whose silo is gone on a live silo, where they continue from their last checkpoint.
/// </summary>
sealed class FleetKeeper(IFleetStore store, IGrainFactory grains, IOptions<FleetOptions> options, ILogger<FleetKeeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.KeeperPeriod);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                foreach (string id in await store.ListRecordsAsync())
                {
                    if (await store.ReadRecordAsync(id) is not string json || VmRecord.FromJson(json).Phase != VmPhase.Running) continue;
                    // Not awaited: one VM that cannot be reached yet must not hold up the others.
                    _ = grains.GetGrain<IVmGrain>(id).GetStatus().ContinueWith(t => log.LogDebug(t.Exception, "fleet keeper: VM {Id} did not answer", id),
                        TaskContinuationOptions.OnlyOnFaulted);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                log.LogWarning(e, "fleet keeper: listing the store failed");
            }
        }
    }
}
