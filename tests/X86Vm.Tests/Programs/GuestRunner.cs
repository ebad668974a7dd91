using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>Result of one run: stdout bytes, stderr text, exit status.</summary>
public sealed record GuestRunResult(byte[] Stdout, string Stderr, int ExitStatus)
{
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);
}

/// <summary>Runs a program natively (the oracle) and in the VM (in this process), the same way.</summary>
public static class GuestRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>A stable environment so native and VM runs see the same bytes.</summary>
    public static readonly string[] Environment = ["PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C", "TERM=dumb"];

    public static GuestRunResult Native(string program, IReadOnlyList<string> args, byte[]? stdin = null, string? cwd = null,
        IReadOnlyList<string>? environment = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Directory.GetCurrentDirectory(),
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (string kv in environment ?? Environment)
        {
            int eq = kv.IndexOf('=');
            psi.Environment[kv[..eq]] = kv[(eq + 1)..];
        }
        using var proc = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copyOut = proc.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = proc.StandardError.ReadToEndAsync();
        if (stdin != null) proc.StandardInput.BaseStream.Write(stdin);
        proc.StandardInput.Close();
        if (!proc.WaitForExit(Timeout)) { proc.Kill(true); throw new TimeoutException($"native {program} timed out"); }
        copyOut.Wait();
        int status = proc.ExitCode;
        return new GuestRunResult(stdout.ToArray(), readErr.Result, status);
    }

    /// <summary>
    /// A view that also shows the repository read-only at its own path, so test binaries under .cache stay
    /// visible wherever the clone lives (a clone under /tmp would otherwise be hidden by the private /tmp).
    /// Deeper mounts (a test's scratch directory) still win: the longest mount point applies.
    /// </summary>
    public static IReadOnlyList<MountSpec> WithRepository(IReadOnlyList<MountSpec> mounts) =>
        [.. mounts.Take(1), new MountSpec(RepoRoot, RepoRoot, MountKind.ReadOnly), .. mounts.Skip(1)];

    /// <summary>The host root read-only, a private /tmp and the repository: the view of the in-process deterministic VMs.</summary>
    public static IReadOnlyList<MountSpec> ReadOnlyRootView => WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")]);

    /// <summary>
    /// Options of a deterministic in-process VM as the tests build one: the test environment, working directory /,
    /// <see cref="ReadOnlyRootView"/> unless <paramref name="mounts"/>, stderr into a buffer unless given, and the JIT only
    /// when <paramref name="jit"/> says how.
    /// </summary>
    public static VirtualMachineOptions DeterministicOptions(string program, IReadOnlyList<string> args, Stream stdout,
        Stream? stdin = null, Stream? stderr = null, TextWriter? strace = null, IReadOnlyList<MountSpec>? mounts = null,
        (int Threshold, bool Synchronous)? jit = null, ulong seed = 0, ulong? budget = null,
        X86Vm.Cpu.Instructions.CpuLevel cpu = X86Vm.Cpu.Instructions.CpuLevels.Default) => new()
    {
        Cpu = cpu,
        Program = program,
        Arguments = args,
        Environment = Environment,
        Stdin = stdin,
        Stdout = stdout,
        Stderr = stderr ?? new MemoryStream(),
        Strace = strace,
        WorkingDirectory = "/",
        Mounts = mounts ?? ReadOnlyRootView,
        Deterministic = true,
        Seed = seed,
        MaxInstructions = budget,
        Jit = jit != null,
        JitThreshold = jit?.Threshold ?? 1000,
        JitSynchronous = jit?.Synchronous ?? false,
    };

    /// <summary>The JIT settings of this test run (<see cref="JitMode"/>), or null when it interprets.</summary>
    public static (int Threshold, bool Synchronous)? RunJit => JitMode.Enabled ? (JitMode.Threshold, JitMode.Synchronous) : null;

    public static GuestRunResult Vm(string program, IReadOnlyList<string> args, byte[]? stdin = null, string? cwd = null, TextWriter? strace = null,
        IReadOnlyList<string>? environment = null, IReadOnlyList<MountSpec>? mounts = null, NetworkMode network = NetworkMode.Private)
    {
        cwd ??= Directory.GetCurrentDirectory();
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = program,
                Arguments = args,
                Environment = environment ?? Environment,
                Stdin = new MemoryStream(stdin ?? []),
                Stdout = stdout,
                Stderr = stderr,
                WorkingDirectory = cwd,
                Mounts = mounts ?? WithRepository(MountSpec.DefaultView(cwd)),
                Strace = strace,
                Network = network,
                Jit = JitMode.Enabled,
                JitThreshold = JitMode.Threshold,
                JitSynchronous = JitMode.Synchronous,
            });
            int status = vm.Run(cancel.Token);
            return new GuestRunResult(stdout.ToArray(), System.Text.Encoding.UTF8.GetString(stderr.ToArray()), status);
        }
        catch (VirtualMachineStartException e)
        {
            return new GuestRunResult(stdout.ToArray(), e.Message, e.ExitCode);
        }
    }

    /// <summary>Root of the repository (the directory holding test.sh).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    static string FindRepoRoot()
    {
        for (string? d = AppContext.BaseDirectory; d != null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "test.sh")) && Directory.Exists(Path.Combine(d, "tests", "programs"))) return d;
        throw new InvalidOperationException("repository root not found");
    }
}
