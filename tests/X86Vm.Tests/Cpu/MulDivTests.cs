using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// MUL IMUL (one, two and three operands) DIV IDIV against values recorded on the reference host CPU
/// (native/forms_muldiv.S → native/muldiv.txt); rows marked DE are divisions the CPU refused with #DE.
/// </summary>
public class MulDivTests
{
    public static TheoryData<int> Forms => NativeVectors.FormIndices("muldiv");

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHostCpu(int form) => NativeVectors.Check("muldiv", form);

    [Fact]
    public void VectorsIncludeDivideErrors()
    {
        var forms = NativeVectors.Load("muldiv");
        foreach (string op in new[] { "div", "idiv" })
            Assert.Contains(forms, f => f.Text.StartsWith(op + " ", StringComparison.Ordinal) && f.Rows.Any(r => r.DivideError));
    }

    [Fact]
    public void DivideByZeroRaisesSigfpeWithoutRetiring()
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            a.mov(eax, 7);
            a.xor(ecx, ecx);
            a.div(rcx);
            a.nop();
        });
        Assert.Equal(StopReason.Fault, h.Run(10));
        Assert.Equal(Signals.SIGFPE, h.Cpu.PendingFault!.Signal);
        Assert.Equal(Signals.FPE_INTDIV, h.Cpu.PendingFault.SiCode);
        Assert.Equal(2UL, h.Cpu.Retired);
        Assert.Equal(7UL, h.Cpu.R(Reg.RAX));
        Assert.Equal(h.Cpu.PendingFault.SiAddr, h.Cpu.Rip);
    }

    [Fact]
    public void SignedQuotientOverflowRaisesSigfpe()
    {
        var h = new CpuHarness();
        h.Assemble(a => a.idiv(rcx));
        h.Cpu.R(Reg.RAX) = 0x8000_0000_0000_0000UL;
        h.Cpu.R(Reg.RDX) = ulong.MaxValue;
        h.Cpu.R(Reg.RCX) = ulong.MaxValue; // -2^63 / -1
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SIGFPE, h.Cpu.PendingFault!.Signal);
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
    }
}
