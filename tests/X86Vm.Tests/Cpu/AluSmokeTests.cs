using Iced.Intel;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

public class AluSmokeTests
{
    [Fact]
    public void AddThenCompareAndBranch()
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            var loop = a.CreateLabel();
            a.mov(rax, 0);
            a.mov(rcx, 10);
            a.Label(ref loop);
            a.add(rax, rcx);
            a.dec(rcx);
            a.jnz(loop);
            a.nop();
        });
        h.Run(2 + 3 * 10 + 1);
        Assert.Equal(55UL, h.Cpu.R(Reg.RAX));
        Assert.Equal(0UL, h.Cpu.R(Reg.RCX));
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & (RFlags.ZF | RFlags.PF));
    }

    [Fact]
    public void HighByteRegistersAndZeroExtension()
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            a.mov(rax, unchecked((long)0xFFFF_FFFF_FFFF_FFFF));
            a.mov(ah, 0x12);
            a.mov(rbx, rax);
            a.mov(eax, 5);
        });
        h.Run(4);
        Assert.Equal(0xFFFF_FFFF_FFFF_12FFUL, h.Cpu.R(Reg.RBX));
        Assert.Equal(5UL, h.Cpu.R(Reg.RAX));
    }
}
