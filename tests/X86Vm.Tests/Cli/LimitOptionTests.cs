using System.Diagnostics;
using X86Vm.Cli;
using X86Vm.Linux;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>
/// --max-memory, --max-tmpfs, --max-processes, --max-open-files and --max-time: parsed before the program, malformed
/// values are one line and status 125, and the command reports a limit's end with one line and its status (137 for the
/// memory limit, 124 for the time limit), even when the VM is stuck writing to a pipe nobody reads.
/// </summary>
public class LimitOptionTests
{
    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("4K", 4096L)]
    [InlineData("64M", 64L << 20)]
    [InlineData("64m", 64L << 20)]
    [InlineData("64MB", 64L << 20)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("4G", 4L << 30)]
    [InlineData("1T", 1L << 40)]
    public void SizesTakeBinarySuffixes(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("-1M")]
    [InlineData("1.5G")]
    [InlineData("12X")]
    [InlineData("99999999999T")]
    public void MalformedSizesAreRefused(string text) => Assert.Null(ByteSize.Parse(text));

    [Theory]
    [InlineData(64L << 20, "64 MiB")]
    [InlineData(4L << 30, "4 GiB")]
    [InlineData(1536L << 10, "1536 KiB")]
    [InlineData(100L, "100 bytes")]
    public void ReportsUseTheLargestExactUnit(long bytes, string text) => Assert.Equal(text, ByteSize.Format(bytes));

    [Fact]
    public void LimitsParse()
    {
        var limits = Program.ParseLimits("256M", "1G", "100", "64", "1.5", out string? error);
        Assert.Null(error);
        Assert.Equal(new Program.Limits(256L << 20, 1L << 30, 100, 64, TimeSpan.FromSeconds(1.5)), limits);
        Assert.Equal(new Program.Limits(null, null, null, null, null), Program.ParseLimits(null, null, null, null, null, out _));
    }

    [Theory]
    [InlineData("12X", null, null, null, null, "--max-memory 12X: expected a size such as 512M or 4G (at least 4K)")]
    [InlineData("100", null, null, null, null, "--max-memory 100: expected a size such as 512M or 4G (at least 4K)")]
    [InlineData(null, "lots", null, null, null, "--max-tmpfs lots: expected a size such as 512M or 4G")]
    [InlineData(null, null, "0", null, null, "--max-processes 0: expected a whole number from 1 to 4194304")]
    [InlineData(null, null, null, "-5", null, "--max-open-files -5: expected a whole number from 1 to 1048576")]
    [InlineData(null, null, null, null, "soon", "--max-time soon: expected a positive number of seconds")]
    [InlineData(null, null, null, null, "0", "--max-time 0: expected a positive number of seconds")]
    public void MalformedLimitsAreOneLine(string? memory, string? tmpfs, string? processes, string? files, string? time, string expected)
    {
        Assert.Null(Program.ParseLimits(memory, tmpfs, processes, files, time, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void LimitOptionsComeBeforeTheProgram()
    {
        Assert.Equal(["run", "--max-memory", "64M", "--max-processes", "8", "--max-open-files", "32", "--max-time", "5", "--max-tmpfs", "1M",
                "--", "/bin/prog", "--max-time", "9"],
            Program.SeparateGuestArguments(["run", "--max-memory", "64M", "--max-processes", "8", "--max-open-files", "32", "--max-time", "5",
                "--max-tmpfs", "1M", "/bin/prog", "--max-time", "9"]));
    }

    /// <summary>x86vm run ARGS… as a child process; stdout is read only when <paramref name="readStdout"/>.</summary>
    static (int Status, string Stderr, TimeSpan Elapsed, long PeakRssKb) Command(string[] args, bool readStdout = true)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), "run", .. args])
        {
            // The repository as the current directory: the default view shows it, so the test binaries under .cache are
            // visible wherever the clone lives (under /tmp the guest's private /tmp would hide them).
            WorkingDirectory = Programs.GuestRunner.RepoRoot,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        Task? drain = readStdout ? p.StandardOutput.BaseStream.CopyToAsync(Stream.Null) : null;
        long peak = 0;
        while (!p.WaitForExit(100))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) { p.Kill(true); throw new TimeoutException("x86vm did not end"); }
            try
            {
                foreach (string line in File.ReadLines($"/proc/{p.Id}/status"))
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
            }
            catch (IOException) { }
        }
        drain?.Wait();
        return (p.ExitCode, err.Result, clock.Elapsed, peak);
    }

    [Fact]
    public void MalformedLimitIsStatus125()
    {
        var (status, stderr, _, _) = Command(["--max-memory", "lots", "/bin/true"]);
        Assert.Equal(125, status);
        Assert.Equal("x86vm: --max-memory lots: expected a size such as 512M or 4G (at least 4K)\n", stderr);
    }

    [Fact]
    public void MemoryLimitKillsWithStatus137()
    {
        string bin = new StaticProgramSuite("limits", "syscalls/check.h").Build("membomb", "gcc")!;
        var (status, stderr, _, _) = Command(["--max-memory", "32M", bin]);
        Assert.Equal(137, status);
        Assert.Equal("x86vm: memory limit of 32 MiB reached; killed process 1000 (membomb.gcc)\n", stderr);
    }

    [Fact]
    public void OutputFloodToAPipeNobodyReadsEndsAtTheTimeLimit()
    {
        // yes(1) fills x86vm's stdout, a pipe this test never reads: the VM blocks in the host write, and the command
        // still ends shortly after the limit, with the one line and status 124, its memory bounded by the pipe.
        var (status, stderr, elapsed, peakKb) = Command(["--max-time", "2", "/usr/bin/yes"], readStdout: false);
        Assert.Equal(124, status);
        Assert.Equal("x86vm: time limit of 2 s reached\n", stderr);
        // Not before the limit; the upper bound only tells "ended" from "hung" (a loaded 2-core CI machine starts the
        // command slowly), never a speed.
        Assert.InRange(elapsed.TotalSeconds, 2, 120);
        Assert.InRange(peakKb, 0, 512 * 1024);
    }
}
