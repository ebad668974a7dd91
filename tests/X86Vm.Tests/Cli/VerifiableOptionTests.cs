using System.Diagnostics;
using System.Text.RegularExpressions;
using X86Vm.Cli;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>
/// --deterministic, --seed, --max-instructions and --state-hash: parsing, the "out of budget" report and its status, the
/// hash line, the refusal of the host network, and the same output and hash with the host's SIMD intrinsics disabled
/// (standing in for another host).
/// </summary>
public partial class VerifiableOptionTests
{
    [Fact]
    public void OptionsParse()
    {
        Assert.Equal(new Program.Verifiable(true, 42, 1000, true), Program.ParseVerifiable(true, "42", "1000", true, out string? error));
        Assert.Null(error);
        Assert.Equal(new Program.Verifiable(false, 0, null, false), Program.ParseVerifiable(false, null, null, false, out _));
        Assert.Null(Program.ParseVerifiable(false, "1", null, false, out error));
        Assert.Equal("--seed only applies with --deterministic", error);
        Assert.Null(Program.ParseVerifiable(true, "-1", null, false, out error));
        Assert.StartsWith("--seed -1:", error);
        Assert.Null(Program.ParseVerifiable(true, null, "0", false, out error));
        Assert.StartsWith("--max-instructions 0:", error);
        Assert.Null(Program.ParseVerifiable(true, null, "12k", false, out error));
    }

    static (int Status, string Stdout, string Stderr) Cli(IEnumerable<string> args, bool noIntrinsics = false)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), "run", .. args])
        {
            // The repository as the current directory: the default view shows it, so the test binaries under .cache are
            // visible wherever the clone lives (under /tmp the guest's private /tmp would hide them).
            WorkingDirectory = GuestRunner.RepoRoot,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        if (noIntrinsics) psi.Environment["DOTNET_EnableHWIntrinsic"] = "0";
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("input\n");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [GeneratedRegex("^x86vm: state hash [0-9a-f]{64}$", RegexOptions.Multiline)]
    private static partial Regex HashLine();

    [Fact]
    public void BudgetReportAndHashAreTheSameWithoutIntrinsics()
    {
        string mix = new StaticProgramSuite("determinism").Build("mix", "gcc")!;
        string[] args = ["--deterministic", "--seed", "3", "--state-hash", "--max-instructions", "40000", mix];
        var run = Cli(args);
        Assert.Equal(122, run.Status);
        Assert.Contains("x86vm: out of budget: 40000 of 40000 instructions executed", run.Stderr);
        Assert.Matches(HashLine(), run.Stderr);
        Assert.Equal(run, Cli(args, noIntrinsics: true));

        string[] whole = ["--deterministic", "--seed", "3", "--state-hash", mix];
        var end = Cli(whole);
        Assert.Equal(0, end.Status);
        Assert.StartsWith(run.Stdout, end.Stdout); // the budget cut the same output short
        Assert.Matches(HashLine(), end.Stderr);
        Assert.Equal(end, Cli(whole, noIntrinsics: true));
    }

    [Fact]
    public void HostNetworkIsRefused()
    {
        var run = Cli(["--deterministic", "--net", "host", "/bin/true"]);
        Assert.Equal(125, run.Status);
        Assert.Equal("x86vm: --net host cannot be deterministic: the host network's timing and data are outside the VM", run.Stderr.TrimEnd());
    }
}
