namespace X86Vm.Tests.Embedding;

/// <summary>
/// <see cref="VirtualMachine.SetInstructionCallback"/>: the callback runs exactly at every multiple of its interval,
/// the guest computes what it computes without it (output, count, hash), the sequence of calls is the same on every run
/// and in both tiers, and Stop ends the run exactly there, resumable.
/// </summary>
public class InstructionCallbackHookTests
{
    const ulong Interval = 1_009;

    sealed record Outcome(string Stdout, RunResult Result, string Hash, List<string> Calls);

    static Outcome Run(bool jit, InstructionCallback? extra = null)
    {
        var stdout = new MemoryStream();
        using VirtualMachine vm = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], stdout, jit);
        var calls = new List<string>();
        vm.SetInstructionCallback(Interval, v =>
        {
            // What a tool would sample: the count, where the program is, and the state hash.
            calls.Add($"{v.InstructionsExecuted} {v.ReadRegister(v.ProcessId, GuestRegister.Rip):x} {Convert.ToHexStringLower(v.StateHash())}");
            return extra?.Invoke(v) ?? HookAction.Continue;
        });
        RunResult r = vm.Run(ulong.MaxValue);
        return new Outcome(EmbeddingPrograms.Text(stdout), r, Convert.ToHexStringLower(vm.StateHash()), calls);
    }

    static Outcome RunWithout()
    {
        var stdout = new MemoryStream();
        using VirtualMachine vm = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], stdout);
        RunResult r = vm.Run(ulong.MaxValue);
        return new Outcome(EmbeddingPrograms.Text(stdout), r, Convert.ToHexStringLower(vm.StateHash()), []);
    }

    [Fact]
    public void CallbackRunsAtEveryMultipleAndChangesNothing()
    {
        Outcome plain = RunWithout();
        Outcome hooked = Run(jit: false);
        Assert.Equal(plain.Stdout, hooked.Stdout);
        Assert.Equal(plain.Result, hooked.Result);
        Assert.Equal(plain.Hash, hooked.Hash);
        ulong total = plain.Result.InstructionsRetired;
        Assert.True(total > 5 * Interval, $"the program ran only {total} units");
        Assert.Equal((int)((total - 1) / Interval), hooked.Calls.Count);
        for (int i = 0; i < hooked.Calls.Count; i++)
            Assert.StartsWith($"{Interval * (ulong)(i + 1)} ", hooked.Calls[i]);
    }

    [Fact]
    public void CallsAreTheSameEveryRunAndInBothTiers()
    {
        Outcome a = Run(jit: false), b = Run(jit: false), compiled = Run(jit: true);
        Assert.Equal(a.Calls, b.Calls);
        Assert.Equal(a.Calls, compiled.Calls);
        Assert.Equal(a.Hash, compiled.Hash);
    }

    [Fact]
    public void StopEndsTheRunExactlyThereAndTheVmResumes()
    {
        var stdout = new MemoryStream();
        using VirtualMachine vm = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], stdout);
        int calls = 0;
        vm.SetInstructionCallback(Interval, _ => ++calls == 3 ? HookAction.Stop : HookAction.Continue);
        RunResult stopped = vm.Run(ulong.MaxValue);
        Assert.Equal(new RunResult(RunStatus.Stopped, 0, 0, 3 * Interval), stopped);
        string hashAtStop = Convert.ToHexStringLower(vm.StateHash());

        // The same point reached by a budget, without any hook: the same state.
        using VirtualMachine budgeted = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], new MemoryStream());
        Assert.Equal(RunStatus.OutOfBudget, budgeted.Run(3 * Interval).Status);
        Assert.Equal(Convert.ToHexStringLower(budgeted.StateHash()), hashAtStop);

        // Resumed, it ends as one run ends (the callback goes on being called).
        RunResult end = vm.Run(ulong.MaxValue);
        Outcome plain = RunWithout();
        Assert.Equal(plain.Result, end);
        Assert.Equal(plain.Stdout, EmbeddingPrograms.Text(stdout));
        Assert.Equal(plain.Hash, Convert.ToHexStringLower(vm.StateHash()));
        Assert.True(calls > 3);
    }

    [Fact]
    public void BudgetAndCallbackAtTheSamePoint()
    {
        using VirtualMachine vm = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], new MemoryStream());
        var seen = new List<ulong>();
        vm.SetInstructionCallback(Interval, v => { seen.Add(v.InstructionsExecuted); return HookAction.Continue; });
        Assert.Equal(new RunResult(RunStatus.OutOfBudget, 0, 0, 2 * Interval), vm.Run(2 * Interval));
        Assert.Equal([Interval, 2 * Interval], seen);
        Assert.Equal(new RunResult(RunStatus.OutOfBudget, 0, 0, 2 * Interval + 5), vm.Run(5));
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void TimeLimitCoversAllRunsOfTheVm()
    {
        string program = EmbeddingPrograms.Binary("holdfile");
        using VirtualMachine vm = new(new VirtualMachineOptions
        {
            Program = program,
            Arguments = [program],
            Mounts = X86Vm.Tests.Programs.GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly)]),
            WorkingDirectory = "/",
            Deterministic = true,
            MaxTime = TimeSpan.FromSeconds(1),
        });
        // A callback every 10,000 units cuts the run into many short ones: the limit still ends the spinning program.
        int calls = 0;
        vm.SetInstructionCallback(10_000, _ => { calls++; return HookAction.Continue; });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RunResult r = vm.Run(ulong.MaxValue);
        Assert.Equal(RunStatus.TimeLimit, r.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"stopped after {clock.Elapsed}");
        Assert.True(calls > 10, $"{calls} callbacks");
    }
}
