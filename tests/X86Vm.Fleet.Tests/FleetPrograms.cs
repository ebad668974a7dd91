using System.Diagnostics;
using System.Text.RegularExpressions;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// The fleet tests' guest program (Programs/work.c, built once per test run with gcc -static) in a directory the
/// guest sees at /work, and the reference every fleet VM is held to: the same program under
/// <c>x86vm run --deterministic --seed N --state-hash</c> in its own process.
/// </summary>
public static partial class FleetPrograms
{
    /// <summary>The host directory mounted read-only at /work in every test VM; it holds the static program "work".</summary>
    public static string Directory { get; } = Build();

    public const string Program = "/work/work";

    static string Build()
    {
        // Beside the test assembly (not a temporary directory left behind by every run); the VMs see it at /work.
        string dir = System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "fleet-programs")).FullName;
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-static", "-o", Path.Combine(dir, "work"),
            Path.Combine(AppContext.BaseDirectory, "Programs", "work.c")]) { RedirectStandardError = true })!;
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc failed: {errors}");
        return dir;
    }

    /// <summary>The view of every test VM: the host root read-only, a private /tmp, the program at /work; working directory /.</summary>
    public static VmSpec Spec(ulong seed, params string[] args) => new()
    {
        Program = Program,
        Arguments = args,
        Mounts = [new VmMount("/", "/", MountKind.ReadOnly), new VmMount(null, "/tmp", MountKind.Tmpfs), new VmMount(Directory, "/work", MountKind.ReadOnly)],
        WorkingDirectory = "/",
        Deterministic = true,
        Seed = seed,
    };

    /// <summary>What <c>x86vm run</c> prints and ends with for the same program, seed and view as <see cref="Spec"/>.</summary>
    public sealed record Reference(int Status, string Stdout, string StateHash);

    public static Reference RunCli(ulong seed, ulong? budget, params string[] args)
    {
        string[] limit = budget is ulong n ? ["--max-instructions", n.ToString()] : [];
        var (status, stdout, stderr) = X86Vm.Tests.Shared.CliProcess.Run(null, ["run", "--root", "/", "--mount", $"{Directory}:/work:ro",
            "--deterministic", "--seed", seed.ToString(), "--state-hash", .. limit, Program, .. args]);
        Match hash = HashLine().Match(stderr);
        if (!hash.Success) throw new InvalidOperationException($"x86vm run printed no state hash: {stderr}");
        return new Reference(status, stdout, hash.Groups[1].Value);
    }

    [GeneratedRegex("^x86vm: state hash ([0-9a-f]{64})$", RegexOptions.Multiline)]
    public static partial Regex HashLine();
}
