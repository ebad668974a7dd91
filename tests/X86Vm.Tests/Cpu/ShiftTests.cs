using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD against values recorded on the reference host CPU
/// (native/forms_shift.S → native/shift.txt): every size, count 1 / CL / imm8, register and memory
/// destinations, random and edge-case operands, counts and incoming flags.
/// </summary>
public class ShiftTests
{
    public static TheoryData<int> Forms => NativeVectors.FormIndices("shift");

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHostCpu(int form) => NativeVectors.Check("shift", form);

    /// <summary>Iced reports the implicit count of D0/D1 as an 8-bit immediate 1; InstShift binds it to the One operand kind.</summary>
    [Fact]
    public void IcedReportsTheImplicitCountAsImmediateOne()
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(new byte[] { 0xD1, 0xE0 })); // shl eax, 1
        decoder.Decode(out Instruction insn);
        Assert.Equal(Mnemonic.Shl, insn.Mnemonic);
        Assert.Equal(2, insn.OpCount);
        Assert.Equal(OpKind.Immediate8, insn.Op1Kind);
        Assert.Equal(1, insn.Immediate8);
    }

    [Fact]
    public void VectorsCoverEveryShiftMnemonic()
    {
        var mnemonics = NativeVectors.Load("shift").Select(f => f.Text.Split(' ')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "shl", "sal", "shr", "sar", "rol", "ror", "rcl", "rcr", "shld", "shrd" }, mnemonics);
    }

    /// <summary>
    /// A masked count of 0 still writes the destination back: on the host, "shl byte [ro], 0" and
    /// "shl dword [ro], cl" with CL = 0 or 32 raise SIGSEGV on a read-only page.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    public void ZeroCountOnReadOnlyMemoryFaults(int count)
    {
        var h = new CpuHarness();
        const ulong ro = CpuHarness.DataBase + CpuHarness.DataSize;
        h.Memory.Map(ro, 0x1000, Protection.Read, MappingFlags.None, "ro");
        h.Assemble(a => a.shl(__dword_ptr[rbx], cl));
        h.Cpu.R(Reg.RBX) = ro;
        h.Cpu.R(Reg.RCX) = (ulong)count;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(ro, h.Cpu.PendingFault.SiAddr);
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
    }

    [Fact]
    public void FlagsFromAShiftFeedAConditionalBranch()
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            var taken = a.CreateLabel();
            a.mov(eax, 0x80000001);
            a.shl(eax, 1);      // CF = 1, result 2
            a.jc(taken);
            a.mov(ebx, 1);
            a.Label(ref taken);
            a.rcr(eax, 1);      // CF back in at the top: 0x80000001, CF = 0
            a.nop();
        });
        h.Run(5);
        Assert.Equal(0x80000001UL, h.Cpu.R(Reg.RAX));
        Assert.Equal(0UL, h.Cpu.R(Reg.RBX));
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.CF);
    }
}
