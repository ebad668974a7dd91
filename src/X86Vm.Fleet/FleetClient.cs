using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace X86Vm.Fleet;

/// <summary>A connection to a fleet's gateway (what <c>x86vm fleet submit/ls/wait/…</c> use).</summary>
public sealed class FleetClient : IAsyncDisposable
{
    /// <summary>The environment variable naming the gateway when <c>--connect</c> does not.</summary>
    public const string ConnectVariable = "X86VM_FLEET";
    public const string DefaultGateway = "127.0.0.1:30000";

    readonly IHost _host;

    FleetClient(IHost host) => _host = host;

    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();
    public IFleetGrain Fleet => Cluster.GetGrain<IFleetGrain>(0);
    public IVmGrain Vm(string id) => Cluster.GetGrain<IVmGrain>(id);

    /// <summary>Connects to the gateway at HOST:PORT; throws when none answers.</summary>
    public static async Task<FleetClient> ConnectAsync(string gateway, CancellationToken cancel = default)
    {
        if (!IPEndPoint.TryParse(gateway, out IPEndPoint? endpoint))
        {
            int colon = gateway.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], out int port)) throw new FormatException($"{gateway}: expected HOST:PORT");
            var addresses = await Dns.GetHostAddressesAsync(gateway[..colon], cancel);
            endpoint = new IPEndPoint(addresses.First(), port);
        }
        var host = new HostBuilder()
            .UseOrleansClient(client => client.UseStaticClustering(endpoint).Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = FleetHost.ClusterId;
                o.ServiceId = FleetHost.ClusterId;
            }))
            .Build();
        await host.StartAsync(cancel);
        return new FleetClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
