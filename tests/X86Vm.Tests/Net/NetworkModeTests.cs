using System.Net;
using System.Net.Sockets;
using System.Text;
using X86Vm.Tests.Programs;
using X86Vm.Tests.Vfs;

namespace X86Vm.Tests.Net;

/// <summary>
/// Which network a guest's inet sockets reach: by default a private loopback network inside the VM, invisible from the
/// host in both directions; with <see cref="NetworkMode.Host"/> the host's. The guest programs are
/// tests/programs/net/*.c; the host side uses .NET sockets on 127.0.0.1.
/// </summary>
public sealed class NetworkModeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("x86vm-net-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    Task<GuestRunResult> StartVm(string program, IReadOnlyList<string> args, NetworkMode network) =>
        Task.Run(() => GuestRunner.Vm(SyscallPrograms.Binary(program), args, cwd: _dir,
            mounts: GuestRunner.WithRepository(MountSpec.DefaultView(_dir)), network: network));

    /// <summary>Waits for the guest to write the port it listens on.</summary>
    async Task<int> ReadPort(Task<GuestRunResult> vm)
    {
        string file = Path.Combine(_dir, "port");
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (vm.IsCompleted)
            {
                GuestRunResult r = await vm;
                Assert.Fail($"the guest ended before listening: {r.StdoutText} {r.Stderr}");
            }
            if (File.Exists(file) && File.ReadAllText(file).EndsWith('\n')) return int.Parse(File.ReadAllText(file));
            await Task.Delay(20);
        }
        throw new TimeoutException("the guest never wrote its port");
    }

    /// <summary>A host TCP listener on 127.0.0.1 with a port chosen by the host.</summary>
    static TcpListener HostListener(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    [Fact]
    public async Task HostNetworkGuestServerAnswersAHostClient()
    {
        Task<GuestRunResult> vm = StartVm("serve_once", [Path.Combine(_dir, "port")], NetworkMode.Host);
        int port = await ReadPort(vm);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("hello from the host\n"u8.ToArray());
            client.Client.Shutdown(SocketShutdown.Send);
            Assert.Equal("echo: hello from the host\n", await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync());
        }
        GuestRunResult result = await vm.WaitAsync(Wait);
        Assert.Equal("served: hello from the host\n", result.StdoutText);
        Assert.Equal(0, result.ExitStatus);
    }

    [Fact]
    public async Task HostNetworkGuestClientReachesAHostServer()
    {
        using TcpListener listener = HostListener(out int port);
        Task<GuestRunResult> vm = StartVm("connect_once", [port.ToString()], NetworkMode.Host);
        using (TcpClient accepted = await listener.AcceptTcpClientAsync().WaitAsync(Wait))
        {
            var reader = new StreamReader(accepted.GetStream(), Encoding.ASCII);
            string line = (await reader.ReadLineAsync())!;
            await accepted.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"host got '{line}'\n"));
        }
        GuestRunResult result = await vm.WaitAsync(Wait);
        Assert.Equal("reply: host got 'hello from the guest'\n", result.StdoutText);
        Assert.Equal(0, result.ExitStatus);
    }

    [Fact]
    public async Task PrivateNetworkCannotReachAHostServer()
    {
        using TcpListener listener = HostListener(out int port);
        GuestRunResult vm = await StartVm("connect_once", [port.ToString()], NetworkMode.Private).WaitAsync(Wait);
        Assert.Equal("connect: Connection refused\n", vm.StdoutText);
        Assert.Equal(1, vm.ExitStatus);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task PrivateNetworkListenersAreInvisibleToTheHost()
    {
        // The guest listens, then waits (polling for a file the host creates) before its own client connects.
        string script = $"{SyscallPrograms.Binary("serve_once")} {_dir}/port & " +
                        $"while [ ! -e {_dir}/go ]; do sleep 0.05; done; {SyscallPrograms.Binary("connect_once")} $(cat {_dir}/port); wait";
        Task<GuestRunResult> vm = Task.Run(() => GuestRunner.Vm("/bin/busybox", ["sh", "-c", script], cwd: _dir,
            mounts: GuestRunner.WithRepository(MountSpec.DefaultView(_dir))));
        int port = await ReadPort(vm);
        bool reached;
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            // Something on the host happens to use that port; it must not be the guest's server.
            probe.Client.Send("from the host\n"u8);
            probe.Client.Shutdown(SocketShutdown.Send);
            reached = (await new StreamReader(probe.GetStream()).ReadToEndAsync()).Contains("echo: from the host");
        }
        catch (SocketException) { reached = false; }
        File.WriteAllText(Path.Combine(_dir, "go"), "");
        GuestRunResult result = await vm.WaitAsync(Wait);
        Assert.False(reached);
        Assert.Equal("reply: echo: hello from the guest\nserved: hello from the guest\n",
            string.Concat(result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().Select(l => l + "\n")));
        Assert.Equal(0, result.ExitStatus);
    }
}
