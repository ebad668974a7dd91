using X86Vm.Fuzz;

namespace X86Vm.Tests.Fuzz;

/// <summary>
/// CI's share of tools/fuzz: a fixed seeded sample of each kind of input (ELF files, instruction streams, syscall
/// arguments) must end with the guest's own outcome — a start error, an exit, a signal, a limit — and never with a
/// .NET exception escaping the VM, a hang or a stack trace. The long runs are `dotnet run --project tools/fuzz`.
/// </summary>
public class FuzzSampleTests
{
    const ulong Seed = 20261207;

    [Theory]
    [InlineData(FuzzKind.Elf, 3000)]
    [InlineData(FuzzKind.Insn, 2000)]
    [InlineData(FuzzKind.Syscall, SyscallGenerator.Numbers * 3)] // every syscall number first in three inputs
    public void SeededSampleHasNoFindings(FuzzKind kind, int count)
    {
        var session = new FuzzSession(kind, Seed);
        session.Run(0, count);
        Assert.Equal(count, session.Inputs);
        string report = string.Join("\n\n", session.Findings.Select(f =>
            $"{f.Input.Name} ({session.Signatures[f.Outcome.Signature]}x): {f.Outcome.Detail}\n" +
            $"  regenerate: dotnet run --project tools/fuzz -c Release -- --kind {kind} --seed {Seed} --first {f.Input.Index} --count 1"));
        Assert.True(session.Findings.Count == 0, report);
        // The sample must exercise the VM, not just its ELF checks: most inputs of every kind get to run.
        Assert.True(session.Counts.GetValueOrDefault(OutcomeKind.Exited) > count / 4,
            string.Join(", ", session.Counts.Select(c => $"{c.Key} {c.Value}")));
    }
}
