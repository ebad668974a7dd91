using System.Diagnostics;
using Npgsql;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free local port
/// with its Unix socket in that directory, and <c>pg_ctl stop -m immediate</c> plus the directory's removal on
/// dispose. PostgreSQL refuses to run as root, so as root the cluster runs as the unprivileged user <c>nobody</c>
/// (through runuser). The binaries come from PATH (initdb, pg_ctl) or Debian's postgresql package
/// (/usr/lib/postgresql/VERSION/bin, newest first).
/// </summary>
public sealed class TemporaryPostgres : IDisposable
{
    const string User = "x86vm";
    readonly string _directory;
    readonly string _bin;
    public int Port { get; }
    /// <summary>An empty database of the cluster, as x86vm fleet silo --cluster takes it.</summary>
    public string Url => $"postgres://{User}@127.0.0.1:{Port}/fleet";

    public TemporaryPostgres()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException("no PostgreSQL: initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin (apt-get install postgresql)");
        _directory = Directory.CreateTempSubdirectory("x86vm-fleet-pg-").FullName;
        if (Environment.IsPrivilegedProcess) Run("chown", "nobody:", _directory);
        Port = FleetProcesses.FreePort();
        string data = Path.Combine(_directory, "data");
        // No fsync anywhere: the cluster lives for one test.
        AsPostgres("initdb", "-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync");
        AsPostgres("pg_ctl", "-D", data, "-l", Path.Combine(_directory, "log"), "-w", "-t", "120", "start", "-o",
            $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={User};Database=postgres");
        connection.Open();
        using var create = new NpgsqlCommand("CREATE DATABASE fleet", connection);
        create.ExecuteNonQuery();
    }

    static string? FindBinaries()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(v => Path.Combine(v, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out int version) ? version : 0)
            .FirstOrDefault();
    }

    void AsPostgres(string tool, params string[] args)
    {
        string path = Path.Combine(_bin, tool);
        if (Environment.IsPrivilegedProcess) Run("runuser", ["-u", "nobody", "--", path, .. args]);
        else Run(path, args);
    }

    void Run(string program, params string[] args)
    {
        // From the temporary directory: nobody may not be able to enter the test's working directory.
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {stdout.Result}{stderr}");
    }

    public void Dispose()
    {
        try { AsPostgres("pg_ctl", "-D", Path.Combine(_directory, "data"), "-m", "immediate", "stop"); }
        finally { Directory.Delete(_directory, recursive: true); }
    }
}
