using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// BT BTS BTR BTC BSF BSR TZCNT LZCNT POPCNT against values recorded on the reference host CPU
/// (native/forms_bits.S → native/bits.txt), including bit-string offsets that reach outside the
/// addressed memory operand (±64 bytes).
/// </summary>
public class BitTests
{
    public static TheoryData<int> Forms => NativeVectors.FormIndices("bits");

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHostCpu(int form) => NativeVectors.Check("bits", form);

    /// <summary>A register bit offset on a memory operand is a signed index into a bit string (SDM BT): far offsets reach other pages.</summary>
    [Theory]
    [InlineData(CpuHarness.DataSize * 8, CpuHarness.DataBase + CpuHarness.DataSize)]
    [InlineData(-8L, CpuHarness.DataBase - 4)]
    public void FarBitOffsetAddressesAnotherPage(long offset, ulong faultAddress)
    {
        var h = new CpuHarness();
        h.Assemble(a => a.bts(__dword_ptr[rbx], esi));
        h.Cpu.R(Reg.RBX) = CpuHarness.DataBase;
        h.Cpu.R(Reg.RSI) = (ulong)offset;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(faultAddress, h.Cpu.PendingFault.SiAddr);
    }

    [Fact]
    public void NegativeBitOffsetWithinTheMapping()
    {
        var h = new CpuHarness();
        h.Assemble(a => a.btc(__qword_ptr[rbx], rsi));
        h.Cpu.R(Reg.RBX) = CpuHarness.DataBase + 0x100;
        h.Cpu.R(Reg.RSI) = unchecked((ulong)-65L); // qword at -16, bit 63
        Assert.Equal(StopReason.InstructionLimit, h.Run(1));
        Assert.Equal(0x8000_0000_0000_0000UL, h.Memory.Read<ulong>(CpuHarness.DataBase + 0xF0));
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.CF);
    }
}
