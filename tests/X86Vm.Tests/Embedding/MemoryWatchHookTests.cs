using X86Vm.Cpu.Memory;
using X86Vm.Linux.Hooks;

namespace X86Vm.Tests.Embedding;

/// <summary>
/// <see cref="VirtualMachine.WatchMemory"/>: every store the program makes to the watched array is reported with its
/// address, size, value and the instruction's RIP (inside main), loads when asked for, nothing for the array beside it
/// on the same page; identically in the interpreter and in compiled code, on every run; the program computes the same.
/// </summary>
public class MemoryWatchHookTests
{
    sealed record Outcome(string Stdout, RunResult Result, List<MemoryAccess> Accesses);

    static Outcome Run(bool jit, WatchKind kind, string variant = "gcc")
    {
        string program = EmbeddingPrograms.Binary("watched", variant);
        var stdout = new MemoryStream();
        using VirtualMachine vm = EmbeddingPrograms.Vm(program, [], stdout, jit);
        (ulong array, ulong size) = EmbeddingPrograms.Symbol(program, "watched");
        var accesses = new List<MemoryAccess>();
        using MemoryWatch watch = vm.WatchMemory(vm.ProcessId, array, size, kind, accesses.Add);
        RunResult r = vm.Run(ulong.MaxValue);
        return new Outcome(EmbeddingPrograms.Text(stdout), r, accesses);
    }

    [Theory]
    [InlineData(false, "gcc")]
    [InlineData(true, "gcc")]
    [InlineData(false, "musl")]
    public void EveryStoreIsReported(bool jit, string variant)
    {
        string program = EmbeddingPrograms.Binary("watched", variant);
        (ulong array, _) = EmbeddingPrograms.Symbol(program, "watched");
        (ulong main, ulong mainSize) = EmbeddingPrograms.Symbol(program, "main");
        Outcome o = Run(jit, WatchKind.Write, variant);
        Assert.Equal(RunStatus.Exited, o.Result.Status);
        Assert.EndsWith($"sum={0x1000 + 96 + 0x1000 + 99}\n", o.Stdout);
        Assert.Equal(100, o.Accesses.Count);
        for (int i = 0; i < 100; i++)
        {
            MemoryAccess a = o.Accesses[i];
            Assert.Equal((1000, 1000, WatchKind.Write), (a.Pid, a.Tid, a.Kind));
            Assert.Equal(array + (ulong)(i % 4) * 8, a.Address);
            Assert.Equal(8, a.Size);
            Assert.Equal(0x1000UL + (ulong)i, a.Value);
            Assert.InRange(a.Rip, main, main + mainSize - 1);
            if (i > 0) Assert.True(a.InstructionsExecuted > o.Accesses[i - 1].InstructionsExecuted);
        }
    }

    [Fact]
    public void LoadsAreReportedWhenAsked()
    {
        Outcome o = Run(jit: false, WatchKind.Access);
        List<MemoryAccess> reads = o.Accesses.Where(a => a.Kind == WatchKind.Read).ToList();
        Assert.Equal(100, o.Accesses.Count(a => a.Kind == WatchKind.Write));
        Assert.Equal([0x1000UL + 96, 0x1000UL + 99], reads.Select(a => a.Value));
    }

    [Fact]
    public void ObservationsAreTheSameEveryRunInBothTiersAndTheProgramComputesTheSame()
    {
        Outcome a = Run(jit: false, WatchKind.Access), b = Run(jit: false, WatchKind.Access), compiled = Run(jit: true, WatchKind.Access);
        Assert.Equal(a.Accesses, b.Accesses);
        Assert.Equal(a.Accesses, compiled.Accesses);

        var stdout = new MemoryStream();
        using VirtualMachine plain = EmbeddingPrograms.Vm(EmbeddingPrograms.Binary("watched"), [], stdout);
        Assert.Equal(plain.Run(ulong.MaxValue), a.Result); // same exit and the same instruction count
        Assert.Equal(EmbeddingPrograms.Text(stdout), a.Stdout);
    }

    [Fact]
    public void DisposedWatchReportsNothing()
    {
        string program = EmbeddingPrograms.Binary("watched");
        using VirtualMachine vm = EmbeddingPrograms.Vm(program, [], new MemoryStream());
        (ulong array, ulong size) = EmbeddingPrograms.Symbol(program, "watched");
        var accesses = new List<MemoryAccess>();
        vm.WatchMemory(vm.ProcessId, array, size, WatchKind.Access, accesses.Add).Dispose();
        Assert.Equal(RunStatus.Exited, vm.Run(ulong.MaxValue).Status);
        Assert.Empty(accesses);
    }
}
