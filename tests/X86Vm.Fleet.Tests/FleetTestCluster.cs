using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using X86Vm.Fleet.Storage;

[assembly: CollectionBehavior(DisableTestParallelization = true)] // two cores: the clusters' VMs should not compete with another test's

namespace X86Vm.Fleet.Tests;

/// <summary>
/// An Orleans test cluster of fleet silos in this process, sharing one store directory. Messages are limited to 4 MiB
/// (Orleans' default is 100 MB), so any snapshot of more than a few MiB that travelled as a message would fail.
/// </summary>
public sealed class FleetTestCluster : IAsyncDisposable
{
    public TestCluster Cluster { get; }
    public string StoreDirectory { get; }
    public IFleetGrain Fleet => Cluster.Client.GetGrain<IFleetGrain>(0);
    public IVmGrain Vm(string id) => Cluster.Client.GetGrain<IVmGrain>(id);

    public const int MessageLimit = 4 << 20;

    FleetTestCluster(TestCluster cluster, string store)
    {
        Cluster = cluster;
        StoreDirectory = store;
    }

    /// <summary>Starts <paramref name="silos"/> silos; VMs run slices of <paramref name="sliceUnits"/> and checkpoint every <paramref name="checkpointUnits"/>.</summary>
    public static async Task<FleetTestCluster> StartAsync(short silos, ulong sliceUnits = 1_000_000, ulong checkpointUnits = 0)
    {
        string store = Directory.CreateTempSubdirectory("x86vm-fleet-store-").FullName;
        var builder = new TestClusterBuilder(silos);
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["X86VmFleet:Store"] = store,
            ["X86VmFleet:SliceUnits"] = sliceUnits.ToString(),
            ["X86VmFleet:CheckpointUnits"] = checkpointUnits.ToString(),
        }));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FleetTestCluster(cluster, store);
    }

    sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            IConfiguration c = silo.Configuration;
            silo.AddX86VmFleet(new DirectoryFleetStore(c["X86VmFleet:Store"]!), o =>
            {
                o.SliceUnits = ulong.Parse(c["X86VmFleet:SliceUnits"]!);
                o.CheckpointUnits = ulong.Parse(c["X86VmFleet:CheckpointUnits"]!);
                o.KeeperPeriod = TimeSpan.FromSeconds(1);
            });
            silo.Configure<MessagingOptions>(o => o.MaxMessageBodySize = MessageLimit);
            // A killed silo is declared dead within seconds, not the production default's half a minute or more.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        }
    }

    sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) =>
            client.Configure<MessagingOptions>(o => o.MaxMessageBodySize = MessageLimit);
    }

    /// <summary>Polls until every VM has ended; returns their statuses by id.</summary>
    public async Task<Dictionary<string, VmStatus>> WaitAllAsync(IEnumerable<string> ids, TimeSpan timeout)
    {
        var pending = ids.ToHashSet();
        var ended = new Dictionary<string, VmStatus>();
        var deadline = DateTime.UtcNow + timeout;
        while (pending.Count > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{pending.Count} VMs did not end: {string.Join(", ", pending.Take(5))}");
            foreach (string id in pending.ToList())
            {
                VmStatus? status;
                try { status = await Vm(id).StatusAsync(); }
                catch (Exception e) when (e is not TimeoutException) { continue; } // its silo is being replaced
                if (status is { Ended: true }) { ended[id] = status; pending.Remove(id); }
            }
            if (pending.Count > 0) await Task.Delay(200);
        }
        return ended;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(StoreDirectory, recursive: true);
    }
}
