using System.Diagnostics;
using X86Vm.Cli;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>
/// run --snapshot/--snapshot-at and resume: a run saved at one count, resumed in a fresh x86vm process, saved again
/// and resumed to its end prints what one run prints, with its status and state hash; bad options and files are one
/// line and status 125.
/// </summary>
public class SnapshotOptionTests
{
    internal static (int Status, string Stdout, string Stderr) X86vm(params string[] args) =>
        Shared.CliProcess.Run(GuestRunner.RepoRoot, args);

    internal static string HashLine(string stderr) => stderr.Split('\n').Single(l => l.StartsWith("x86vm: state hash ", StringComparison.Ordinal));

    [Fact]
    public void ASavedRunResumesInAnotherProcessLikeOneRun()
    {
        string program = new StaticProgramSuite("snapshots").Build("workers", "musl")!;
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-cli");
        Directory.CreateDirectory(dir);
        string first = Path.Combine(dir, "first.snap"), second = Path.Combine(dir, "second.snap");
        File.Delete(first);
        File.Delete(second);

        var whole = X86vm("run", "--deterministic", "--state-hash", program);
        Assert.Equal(3, whole.Status);

        var a = X86vm("run", "--deterministic", "--snapshot", first, "--snapshot-at", "1200000", program);
        Assert.Equal(Program.SnapshotWrittenStatus, a.Status);
        Assert.Contains("x86vm: out of budget: 1200000 of 1200000 instructions executed", a.Stderr);
        Assert.Contains($"x86vm: snapshot written to {first}", a.Stderr);
        var b = X86vm("resume", "--max-instructions", "900000", "--snapshot", second, first);
        Assert.Equal(Program.SnapshotWrittenStatus, b.Status);
        Assert.Contains("x86vm: out of budget: 2100000 of 2100000 instructions executed", b.Stderr);
        var c = X86vm("resume", "--state-hash", second);
        Assert.Equal(3, c.Status);
        Assert.Equal(whole.Stdout, a.Stdout + b.Stdout + c.Stdout);
        Assert.Equal(HashLine(whole.Stderr), HashLine(c.Stderr));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task ASignalToX86vmSavesTheVm(string signal)
    {
        string program = new StaticProgramSuite("snapshots").Build("ticker", "musl")!;
        string file = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-cli", $"signal-{signal}.snap");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Delete(file);
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), "run", "--deterministic", "--snapshot", file, program])
        {
            WorkingDirectory = GuestRunner.RepoRoot,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // A process started with SIGINT ignored (a background job of a non-interactive shell, e.g. `./test.sh &`) passes
        // that on, and x86vm then keeps ignoring SIGINT as POSIX programs do: only SIGTERM can be tested there.
        if (signal == "INT" && SignalIgnoredSinceStart(2)) signal = "TERM";
        using var p = Process.Start(psi)!;
        Assert.Equal("running", p.StandardOutput.ReadLine()); // the guest runs
        using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        Task<string> stderrText = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            Assert.Fail("x86vm did not stop");
        }
        string stderr = await stderrText;
        Assert.Equal(Program.SnapshotWrittenStatus, p.ExitCode);
        Assert.Matches($"^x86vm: stopped by SIG{signal} after [0-9]+ instructions executed\nx86vm: snapshot written to ", stderr);

        var resumed = X86vm("resume", "--max-instructions", "1000000", file);
        Assert.Equal(122, resumed.Status);
        Assert.Equal("", resumed.Stdout);
    }

    /// <summary>Whether this process inherited <paramref name="signal"/> as ignored (its SigIgn mask in /proc/self/status).</summary>
    static bool SignalIgnoredSinceStart(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    [Fact]
    public void BadOptionsAndFilesAreOneLine()
    {
        Assert.Equal((125, "", "x86vm: --snapshot-at needs --snapshot FILE\n"), X86vm("run", "--snapshot-at", "5", "/bin/true"));
        Assert.Equal((125, "", "x86vm: --snapshot-at and --max-instructions both set the budget: give one\n"),
            X86vm("run", "--snapshot", "x", "--snapshot-at", "5", "--max-instructions", "5", "/bin/true"));
        string junk = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-cli-junk");
        File.WriteAllText(junk, "not a snapshot");
        Assert.Equal((125, "", $"x86vm: {junk}: not an x86vm snapshot\n"), X86vm("resume", junk));
        var missing = X86vm("resume", junk + ".missing");
        Assert.Equal(125, missing.Status);
        Assert.StartsWith($"x86vm: {junk}.missing: ", missing.Stderr);
    }

    [Fact]
    public void SnapshotOptionsTakeTheirValues() =>
        Assert.Equal(["run", "--snapshot", "s", "--snapshot-at", "9", "--", "/bin/busybox", "-c", "x"],
            Program.SeparateGuestArguments(["run", "--snapshot", "s", "--snapshot-at", "9", "/bin/busybox", "-c", "x"]));
}
