namespace X86Vm.Tests.Programs;

/// <summary>
/// <see cref="VirtualMachine.Run(ulong)"/>: a run in budget slices reports OutOfBudget with the exact count after each
/// slice, then how the program ended (exit code or signal), with the output and count of one uninterrupted run.
/// </summary>
public class RunResultTests
{
    static readonly StaticProgramSuite Suite = new("determinism");

    static VirtualMachine Vm(string program, string[] args, MemoryStream stdout) => new(GuestRunner.DeterministicOptions(program, args, stdout));

    [Theory]
    [InlineData("exit", RunStatus.Exited, 3, 0)]
    [InlineData("signal", RunStatus.Signaled, 128 + 15, 15)]
    public void SlicesEndLikeOneRun(string how, RunStatus status, int exitCode, int signal)
    {
        string program = Suite.Build("killself", "musl") ?? throw new InvalidOperationException("musl-gcc is not installed");
        var whole = new MemoryStream();
        RunResult one = Vm(program, [how], whole).Run(ulong.MaxValue);
        Assert.Equal(status, one.Status);
        Assert.Equal(exitCode, one.ExitCode);
        Assert.Equal(signal, one.Signal);

        var sliced = new MemoryStream();
        VirtualMachine vm = Vm(program, [how], sliced);
        const ulong slice = 50_021;
        RunResult r;
        int slices = 0;
        while ((r = vm.Run(slice)).Status == RunStatus.OutOfBudget)
        {
            slices++;
            Assert.Equal(slice * (ulong)slices, r.InstructionsRetired);
            Assert.True(slices < 1000, "the program never ended");
        }
        Assert.True(slices > 3, $"only {slices} slices: the test needs a program that runs longer");
        Assert.Equal(one, r);
        Assert.Equal(whole.ToArray(), sliced.ToArray());
        Assert.Equal(r, vm.Run(slice)); // an ended program stays ended
    }
}
