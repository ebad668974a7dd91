using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>CPU faults end the program with the signal Linux delivers (same exit status as native) and one line naming it.</summary>
public class FaultTests
{
    static readonly Lazy<string> Binary = new(() =>
    {
        string src = Path.Combine(TestPrograms.SourceDir, "faults", "fault.c");
        string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", "faults");
        Directory.CreateDirectory(outDir);
        string bin = Path.Combine(outDir, "fault");
        using var p = Process.Start("gcc", ["-O1", "-static", "-o", bin, src])!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("gcc failed for fault.c");
        return bin;
    });

    [Theory]
    [InlineData("null", "SIGSEGV (SEGV_MAPERR, address 0x0)")]
    [InlineData("write-ro", "SIGSEGV (SEGV_ACCERR")]
    [InlineData("divzero", "SIGFPE (FPE_INTDIV)")]
    [InlineData("divoverflow", "SIGFPE (FPE_INTDIV)")]
    [InlineData("ud2", "SIGILL")]
    [InlineData("int3", "SIGTRAP")]
    [InlineData("hlt", "SIGSEGV (SI_KERNEL)")]
    [InlineData("misaligned-sse", "SIGSEGV (SI_KERNEL)")]
    [InlineData("noexec", "SIGSEGV (SEGV_ACCERR")]
    [InlineData("noncanonical", "SIGSEGV (SI_KERNEL)")]
    [InlineData("abort", "SIGILL")]
    public void FaultKillsWithTheNativeSignal(string fault, string expectedDiagnostic)
    {
        GuestRunResult native = GuestRunner.Native(Binary.Value, [fault]);
        GuestRunResult vm = GuestRunner.Vm(Binary.Value, [fault]);
        Assert.Equal(native.StdoutText, vm.StdoutText);
        Assert.Equal(native.ExitStatus, vm.ExitStatus);
        Assert.Contains(expectedDiagnostic, vm.Stderr);
    }
}
