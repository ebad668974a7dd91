using System.Diagnostics;
using System.Text;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Debugging;

/// <summary>What one debugging session produced: gdb's output, and the program's exit status and output.</summary>
public sealed record GdbSessionResult(string Gdb, int ExitStatus, string Stdout, string Stderr)
{
    public override string ToString() => $"--- gdb:\n{Gdb}\n--- vm exit {ExitStatus}, stdout:\n{Stdout}\n--- vm stderr:\n{Stderr}";
}

/// <summary>
/// Drives real gdb in batch mode against a VM started in this process (on a host thread) with its GDB stub on a
/// Unix socket in a fresh temporary directory, so that sessions never collide. Programs come from
/// tests/programs/gdb, built with gcc -g -O0 (static and dynamic) into .cache/gdb when their source is newer.
/// </summary>
public static class GdbHarness
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    static readonly object BuildLock = new();

    public static string SourceDir => Path.Combine(TestPrograms.SourceDir, "gdb");

    public static string Build(string name, bool dynamic)
    {
        string src = Path.Combine(SourceDir, name + ".c");
        string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", "gdb");
        string bin = Path.Combine(outDir, $"{name}.{(dynamic ? "dynamic" : "static")}");
        lock (BuildLock)
        {
            if (File.Exists(bin) && File.GetLastWriteTimeUtc(bin) > File.GetLastWriteTimeUtc(src)) return bin;
            Directory.CreateDirectory(outDir);
            string[] flags = ["-g", "-O0", "-Wall", "-Wextra", "-pthread", .. dynamic ? Array.Empty<string>() : ["-static"]];
            var psi = new ProcessStartInfo("gcc", [.. flags, "-o", bin + ".tmp", src])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || output.Length > 0) throw new InvalidOperationException($"gcc {name}.c failed or warned:\n{output}");
            File.Move(bin + ".tmp", bin, true);
            return bin;
        }
    }

    /// <summary>Runs <paramref name="program"/> in a VM and gdb with <paramref name="commands"/> (one -ex each) against it.</summary>
    public static GdbSessionResult Run(string program, IReadOnlyList<string> args, params string[] commands)
    {
        string dir = Directory.CreateTempSubdirectory("x86vm-gdb-").FullName;
        try
        {
            string socket = Path.Combine(dir, "gdb.sock");
            var stdout = new MemoryStream();
            var stderr = new MemoryStream();
            using var cancel = new CancellationTokenSource(Timeout);
            string cwd = GuestRunner.RepoRoot;
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = program,
                Arguments = args,
                Environment = GuestRunner.Environment,
                Stdout = stdout,
                Stderr = stderr,
                WorkingDirectory = cwd,
                Mounts = GuestRunner.WithRepository(MountSpec.DefaultView(cwd)),
                Gdb = socket,
            });
            Task<int> running = Task.Factory.StartNew(() => vm.Run(cancel.Token), TaskCreationOptions.LongRunning);
            string gdb = RunGdb(program, $"target remote {socket}", commands);
            if (!running.Wait(Timeout)) throw new TimeoutException("the VM did not finish after gdb ended:\n" + gdb);
            return new GdbSessionResult(gdb, running.Result, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>gdb -batch with the program's symbols, connecting with <paramref name="target"/>; stdout and stderr together.</summary>
    public static string RunGdb(string program, string target, IReadOnlyList<string> commands)
    {
        var psi = new ProcessStartInfo("gdb")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["-batch", "-nx", "-iex", "set debuginfod enabled off", "-iex", "set width 0", program, "-ex", target])
            psi.ArgumentList.Add(a);
        foreach (string c in commands)
        {
            psi.ArgumentList.Add("-ex");
            psi.ArgumentList.Add(c);
        }
        psi.Environment.Remove("DEBUGINFOD_URLS");
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(true);
            throw new TimeoutException("gdb did not finish:\n" + output);
        }
        p.WaitForExit(); // drain the output events
        lock (output) return output.ToString();
    }

    public static bool GdbInstalled { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "gdb")));
}
