using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace X86Vm.Fleet.Tests;

/// <summary>The x86vm command in its own process: silos that run until killed, and client commands that return.</summary>
public static class FleetProcesses
{
    static string Cli => Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A running <c>x86vm fleet silo</c>; disposing kills it.</summary>
    public sealed class Silo : IDisposable
    {
        readonly Process _process;
        readonly StringBuilder _log = new();
        public int SiloPort { get; }
        public int GatewayPort { get; }
        public string Name => $"127.0.0.1:{SiloPort}";
        public string Gateway => $"127.0.0.1:{GatewayPort}";
        /// <summary>The status page's address, when started with one.</summary>
        public string? Page { get; private set; }
        public string Log { get { lock (_log) return _log.ToString(); } }

        /// <summary>A silo of a localhost fleet with the store directory <paramref name="store"/>, or with <paramref name="cluster"/> (postgres://…) one whose membership and store are in PostgreSQL.</summary>
        public Silo(string? store, int? join = null, bool page = false, ulong checkpointUnits = 0, string? cluster = null)
        {
            SiloPort = FreePort();
            GatewayPort = FreePort();
            string[] args = ["fleet", "silo", .. store != null ? ["--store", store] : Array.Empty<string>(),
                .. cluster != null ? ["--cluster", cluster] : Array.Empty<string>(), "--port", SiloPort.ToString(), "--gateway", GatewayPort.ToString(), "--slice", "1000000",
                "--checkpoint-every", checkpointUnits.ToString(), .. join is int j ? ["--join", j.ToString()] : Array.Empty<string>(),
                .. page ? ["--http", "0"] : Array.Empty<string>()];
            var psi = new ProcessStartInfo("dotnet", [Cli, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
            _process = Process.Start(psi)!;
            var up = new TaskCompletionSource();
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (_log) _log.AppendLine(e.Data);
                if (e.Data.StartsWith("x86vm fleet: silo", StringComparison.Ordinal))
                {
                    int at = e.Data.IndexOf("status page ", StringComparison.Ordinal);
                    if (at >= 0) Page = e.Data[(at + "status page ".Length)..];
                    up.TrySetResult();
                }
            };
            _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
            if (!up.Task.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException($"the silo did not start: {Log}");
        }

        /// <summary>Kills the silo's process by its pid, as a machine that dies would go.</summary>
        public int Pid => _process.Id;

        public void Kill()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }

    /// <summary>Runs <c>x86vm fleet ARGS</c> (a client command) to its end.</summary>
    public static (int Status, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli, "fleet", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"x86vm fleet {string.Join(' ', args)} did not end"); }
        return (p.ExitCode, stdout.Result, stderr);
    }
}
