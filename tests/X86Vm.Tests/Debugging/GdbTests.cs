using System.Text.RegularExpressions;

namespace X86Vm.Tests.Debugging;

/// <summary>
/// Real gdb against the VM's GDB stub (gdb -batch, one session per test): breakpoints, backtraces, variables,
/// stepping, watchpoints, threads, signals, register and memory writes, and the exit status gdb reports. The
/// program is tests/programs/gdb/debuggee.c (exit status 31) or threads.c (exit status 5), static and dynamic.
/// </summary>
public class GdbTests
{
    /// <summary>The line of debuggee.c marked with <c>/* @marker */</c>.</summary>
    static int Line(string marker)
    {
        string[] lines = File.ReadAllLines(Path.Combine(GdbHarness.SourceDir, "debuggee.c"));
        return Array.FindIndex(lines, l => l.Contains($"/* @{marker} */", StringComparison.Ordinal)) + 1;
    }

    static string Debuggee(bool dynamic) => GdbHarness.Build("debuggee", dynamic);

    static void Expect(GdbSessionResult r, string text) =>
        Assert.True(r.Gdb.Contains(text, StringComparison.Ordinal), $"expected gdb to print \"{text}\"\n{r}");

    static void ExpectInOrder(GdbSessionResult r, params string[] texts)
    {
        int at = 0;
        foreach (string t in texts)
        {
            int i = r.Gdb.IndexOf(t, at, StringComparison.Ordinal);
            Assert.True(i >= 0, $"expected gdb to print \"{t}\" (after position {at})\n{r}");
            at = i + t.Length;
        }
    }

    /// <summary>Runs the rest of the program without stopping for its SIGUSR1.</summary>
    const string PassUsr1 = "handle SIGUSR1 nostop noprint pass";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BreakpointBacktraceVariablesAndExitStatus(bool dynamic)
    {
        var r = GdbHarness.Run(Debuggee(dynamic), [],
            "break main", "continue", "break square", "continue", "bt", "print x", "next", "print y", "delete",
            "continue", "continue");
        ExpectInOrder(r,
            "Breakpoint 1, main (argc=1, argv=",
            "Breakpoint 2, square (x=1) at ",
            "#0  square (x=1) at ", "#1  ", " in sum_squares (n=4) at ", "#2  ", " in main (argc=1, argv=",
            "$1 = 1",
            $"{Line("return-y")}\t    return y;",
            "$2 = 1",
            "Program received signal SIGUSR1",
            "[Inferior 1 (process ", ") exited with code 037]");
        Assert.Equal(31, r.ExitStatus);
        Assert.Equal("result 30 counter 31 signals 10\n", r.Stdout); // continuing passed the signal on to its handler
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StepNextFinishAndStepi(bool dynamic)
    {
        var r = GdbHarness.Run(Debuggee(dynamic), [],
            $"break debuggee.c:{Line("call")}", "continue", "step", "next", "next", "finish", "next",
            "print $pc", "stepi", "print $pc", PassUsr1, "continue");
        ExpectInOrder(r,
            $"main (argc=1, argv=",
            $"{Line("call")}\t    int result = sum_squares(limit);",
            "sum_squares (n=4) at ", $"{Line("total")}\t    int total = 0;",
            $"{Line("loop")}\t    for (int i = 1; i <= n; i++)",
            $"{Line("add")}\t        total += square(i);",
            $"in main (argc=1, argv=", $"{Line("call")}\t    int result = sum_squares(limit);", "Value returned is $1 = 30",
            $"{Line("assign")}\t    counter = result;");
        var pcs = Regex.Matches(r.Gdb, @"\$\d+ = \(void \(\*\)\(\)\) 0x([0-9a-f]+)").Select(m => Convert.ToUInt64(m.Groups[1].Value, 16)).ToList();
        Assert.True(pcs.Count == 2 && pcs[1] > pcs[0] && pcs[1] - pcs[0] < 16, $"stepi moves the pc by one instruction\n{r}");
        Assert.Equal(31, r.ExitStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WatchpointsReportOldAndNewValues(bool dynamic)
    {
        var r = GdbHarness.Run(Debuggee(dynamic), [],
            "break main", "continue", "watch counter", "continue", "continue", "delete", "rwatch counter", PassUsr1, "continue",
            "delete", "continue");
        ExpectInOrder(r,
            "Hardware watchpoint 2: counter",
            "Old value = 0", "New value = 30", $"{Line("increment")}\t    counter += 1;",
            "Old value = 30", "New value = 31", $"{Line("signal")}\t    signal(SIGUSR1, on_usr1);",
            "Hardware read watchpoint 3: counter", "Value = 31",
            "exited with code 037]");
        Assert.Equal(31, r.ExitStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThreadsAreListed(bool dynamic)
    {
        var r = GdbHarness.Run(GdbHarness.Build("threads", dynamic), [],
            "break checkpoint", "continue", "info threads", "print id", "delete", "continue");
        Expect(r, " hit Breakpoint 1, checkpoint (id=");
        string program = dynamic ? "threads.dynamic" : "threads.static";
        var threads = Regex.Matches(r.Gdb, @"^[ *] +\d+ +Thread (\d+)\.(\d+) ""([^""]+)""", RegexOptions.Multiline);
        Assert.True(threads.Count == 4, $"info threads lists the four threads\n{r}");
        Assert.All(threads, m => Assert.Equal(program[..Math.Min(15, program.Length)], m.Groups[3].Value));
        Assert.Equal(4, threads.Select(m => m.Groups[2].Value).Distinct().Count());
        Assert.Single(threads, m => m.Value.StartsWith('*')); // the thread at the breakpoint is the current one
        Expect(r, "exited with code 05]");
        Assert.Equal(5, r.ExitStatus);
        Assert.Equal("0 10 20\n", r.Stdout);
    }

    [Fact]
    public void SignalZeroDiscardsTheSignal()
    {
        var r = GdbHarness.Run(Debuggee(false), [], "continue", "signal 0");
        ExpectInOrder(r, "Program received signal SIGUSR1", "exited with code 037]");
        Assert.Equal("result 30 counter 31 signals 0\n", r.Stdout);
    }

    [Fact]
    public void FatalSignalIsReportedThenKills()
    {
        var r = GdbHarness.Run(Debuggee(false), ["crash"], "continue", "bt 1", "print $_siginfo.si_signo",
            "print $_siginfo._sifields._sigfault.si_addr", "continue");
        ExpectInOrder(r, "Program received signal SIGSEGV, Segmentation fault.", "main (argc=2, argv=",
            "= 11", "= (void *) 0x0", "Program terminated with signal SIGSEGV, Segmentation fault.");
        Assert.Equal(139, r.ExitStatus);
    }

    [Fact]
    public void RegistersMemoryAndInferiorCalls()
    {
        var r = GdbHarness.Run(Debuggee(false), [],
            PassUsr1, $"break debuggee.c:{Line("print")}", "continue",
            "print square(9)", "set var counter = 77", "print counter", "print/x $cs", "print $fs_base != 0",
            "print $mxcsr", "print $st0", "set var $xmm1.v4_int32[2] = 7", "print $xmm1.v4_int32[2]",
            "set var $rbx = 0x1234", "print/x $rbx", "continue");
        ExpectInOrder(r, "= 81", "= 77", "= 0x33", "= 1", "= [ IM DM ZM OM UM PM ]", "= 0", "= 7", "= 0x1234");
        Assert.Equal(77, r.ExitStatus);
        Assert.Equal("result 30 counter 77 signals 10\n", r.Stdout);
    }

    [Fact]
    public void DetachLetsTheProgramFinish()
    {
        var r = GdbHarness.Run(Debuggee(true), [], "break square", "continue", "detach");
        Expect(r, "Breakpoint 1, square (x=1)");
        Expect(r, "[Inferior 1 (process ");
        Assert.Equal(31, r.ExitStatus);
        Assert.Equal("result 30 counter 31 signals 10\n", r.Stdout); // the breakpoint no longer stops it
    }

    [Fact]
    public void QuittingKillsTheProgram()
    {
        var r = GdbHarness.Run(Debuggee(false), [], "hbreak square", "continue");
        Expect(r, "Breakpoint 1, square (x=1)");
        Assert.Equal(128 + 9, r.ExitStatus); // gdb -batch kills what it started (qAttached: 0)
    }
}
