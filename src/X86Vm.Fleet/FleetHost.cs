using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Npgsql;
using X86Vm.Fleet.Postgres;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>
/// A fleet silo as a process (<c>x86vm fleet silo</c>): Orleans on localhost clustering with a directory store, or with
/// <c>--cluster postgres://…</c> membership and store in PostgreSQL; the fleet's grains, and the status page.
/// </summary>
public static class FleetHost
{
    public const string ClusterId = "x86vm-fleet";

    /// <summary>Runs a silo until <paramref name="stop"/> or SIGINT/SIGTERM; a clean stop checkpoints its running VMs for the others.</summary>
    public static async Task RunSiloAsync(SiloSettings settings, TextWriter log, CancellationToken stop = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("X86Vm.Fleet", LogLevel.Information);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // start-up notes on GC settings
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error); // a spurious stall report at start-up
        string? connectionString = settings.Cluster is string url ? PostgresDatabase.ConnectionString(url) : null;
        IFleetStore store;
        string storeName;
        if (connectionString != null)
        {
            // An empty database gets its tables here; the next silos find them.
            await PostgresDatabase.EnsureSchemaAsync(connectionString, stop);
            var database = NpgsqlDataSource.Create(connectionString);
            builder.Services.AddSingleton(database); // disposed with the host
            store = settings.StoreDirectory is string dir ? new DirectoryFleetStore(dir) : new PostgresFleetStore(database);
            storeName = settings.StoreDirectory ?? "PostgreSQL";
        }
        else
        {
            storeName = settings.StoreDirectory ?? SiloSettings.DefaultStoreDirectory;
            store = new DirectoryFleetStore(storeName);
        }
        IPAddress address = IPAddress.Parse(settings.Address);
        builder.UseOrleans(silo =>
        {
            if (connectionString != null)
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = connectionString;
                });
                silo.Configure<ClusterOptions>(o => o.ClusterId = o.ServiceId = ClusterId);
                silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
            }
            else
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort,
                    settings.JoinPort is int join ? new IPEndPoint(IPAddress.Loopback, join) : null, ClusterId, ClusterId);
            }
            // A lost silo is declared dead after two missed probes of 2 s (Orleans' default waits about four times longer):
            // its VMs resume sooner, and a silo wrongly declared dead only makes its VMs redo work deterministically.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.AddX86VmFleet(store, o =>
            {
                o.SliceUnits = settings.Fleet.SliceUnits;
                o.CheckpointUnits = settings.Fleet.CheckpointUnits;
                o.KeeperPeriod = settings.Fleet.KeeperPeriod;
                o.Concurrency = settings.Fleet.Concurrency;
            });
        });
        // The status page's listener, or none (Kestrel would otherwise listen on its default port).
        if (settings.HttpPort is int http) builder.WebHost.UseUrls($"http://127.0.0.1:{http}");
        else builder.Services.AddSingleton<IServer, NoServer>();
        await using var app = builder.Build();
        if (settings.HttpPort != null) StatusPage.Map(app);
        await app.StartAsync(stop);
        string? page = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        log.WriteLine($"x86vm fleet: silo {address}:{settings.SiloPort} up, gateway {address}:{settings.GatewayPort}, " +
            $"membership {(connectionString != null ? "PostgreSQL" : "localhost")}, store {storeName}" +
            (page != null ? $", status page {page}" : ""));
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, lifetime.ApplicationStopping);
        try { await Task.Delay(Timeout.Infinite, linked.Token); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None);
    }

    /// <summary>A silo without a status page serves no HTTP at all.</summary>
    sealed class NoServer : IServer
    {
        public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void Dispose() { }
    }
}
