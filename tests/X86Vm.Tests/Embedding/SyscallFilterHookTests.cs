using X86Vm.Linux.Hooks;

namespace X86Vm.Tests.Embedding;

/// <summary>
/// <see cref="VirtualMachine.SyscallFilter"/>: the filter sees each call with its caller and arguments (and can read the
/// caller's memory), its Deny and Emulate answers are what the guest gets, --strace shows them, and the sequence of
/// requests is the same on every run.
/// </summary>
public class SyscallFilterHookTests
{
    const int EACCES = 13;
    const int SysOpen = 2, SysGetpid = 39, SysGetuid = 102, SysOpenat = 257;

    /// <summary>The file the program opens (its own source: inside the repository, which the VM sees).</summary>
    static readonly string Target = Path.Combine(X86Vm.Tests.Programs.GuestRunner.RepoRoot, "tests", "programs", "embedding", "watched.c");

    sealed record Outcome(string Stdout, List<string> Requests, string Strace, RunResult Result);

    static Outcome Run(string variant)
    {
        string program = EmbeddingPrograms.Binary("watched", variant);
        var stdout = new MemoryStream();
        var strace = new StringWriter();
        using VirtualMachine vm = EmbeddingPrograms.Vm(program, [Target], stdout, strace: strace);
        var requests = new List<string>();
        vm.SyscallFilter = request =>
        {
            string? path = request.Number switch
            {
                SysOpen => request.ReadString(request.Arg(0)),
                SysOpenat => request.ReadString(request.Arg(1)),
                _ => null,
            };
            requests.Add($"{request.Pid}/{request.Tid} {request.Name}({request.Number}){(path != null ? " " + path : "")}");
            return request.Number switch
            {
                SysGetpid => SyscallDecision.Emulate(4242),
                SysOpen or SysOpenat when path == Target => SyscallDecision.Deny(EACCES),
                _ => SyscallDecision.Allow,
            };
        };
        RunResult result = vm.Run(ulong.MaxValue);
        return new Outcome(EmbeddingPrograms.Text(stdout), requests, strace.ToString(), result);
    }

    [Theory]
    [InlineData("gcc")]
    [InlineData("musl")]
    public void FilterDecidesWhatTheGuestGets(string variant)
    {
        Outcome o = Run(variant);
        Assert.Equal(new RunResult(RunStatus.Exited, 0, 0, o.Result.InstructionsRetired), o.Result);
        // getuid ran (the guest is root); getpid and the open did not.
        Assert.StartsWith("getpid=4242 open=failed errno=13 getuid=0\n", o.Stdout);

        int pid = 1000; // the first process of a VM
        int getpid = o.Requests.IndexOf($"{pid}/{pid} getpid({SysGetpid})");
        int open = o.Requests.FindIndex(r => r.EndsWith(" " + Target, StringComparison.Ordinal));
        int getuid = o.Requests.IndexOf($"{pid}/{pid} getuid({SysGetuid})");
        Assert.True(getpid >= 0 && open > getpid && getuid > open, string.Join("\n", o.Requests));
        Assert.Equal($"{pid}/{pid} exit_group(231)", o.Requests[^1]);

        Assert.Contains("getpid() = 4242 (emulated by the syscall filter)", o.Strace);
        Assert.Contains($"\"{Target}\"", o.Strace);
        Assert.Contains("= -1 EACCES (Permission denied) (denied by the syscall filter)", o.Strace);
    }

    [Fact]
    public void RequestsAreTheSameEveryRun()
    {
        Outcome a = Run("gcc"), b = Run("gcc");
        Assert.Equal(a.Requests, b.Requests);
        Assert.Equal(a.Result, b.Result);
        Assert.Equal(a.Stdout, b.Stdout);
    }

    [Fact]
    public void WithoutFilterTheCallsRun()
    {
        var stdout = new MemoryStream();
        using VirtualMachine vm = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [Target], stdout);
        vm.SyscallFilter = _ => SyscallDecision.Allow;
        vm.SyscallFilter = null;
        Assert.Equal(RunStatus.Exited, vm.Run(ulong.MaxValue).Status);
        Assert.StartsWith("getpid=1000 open=ok errno=0 getuid=0\n", EmbeddingPrograms.Text(stdout));
    }
}
