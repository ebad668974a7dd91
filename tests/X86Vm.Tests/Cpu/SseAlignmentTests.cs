using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// 16-byte alignment of legacy-SSE memory operands (SDM Vol. 1 §4.1.1; Vol. 2 "SIMD exceptions"): a misaligned
/// m128 faults with #GP (Linux: SIGSEGV, SI_KERNEL, address 0) before anything is read or written, except
/// for MOVDQU/MOVUPS/MOVUPD/LDDQU and the 64/32/16-bit memory forms. The oracle checks the same on the CPU.
/// </summary>
public class SseAlignmentTests
{
    const ulong Buffer = CpuHarness.DataBase + 0x100;

    public static TheoryData<string> AlignedOnly => new(AlignedForms.Keys);
    public static TheoryData<string> Unaligned => new(UnalignedForms.Keys);

    static readonly Dictionary<string, Action<Assembler, int>> AlignedForms = new()
    {
        ["movdqa load"] = (a, d) => a.movdqa(xmm1, __xmmword_ptr[rsi + d]),
        ["movdqa store"] = (a, d) => a.movdqa(__xmmword_ptr[rsi + d], xmm1),
        ["movaps load"] = (a, d) => a.movaps(xmm1, __xmmword_ptr[rsi + d]),
        ["movaps store"] = (a, d) => a.movaps(__xmmword_ptr[rsi + d], xmm1),
        ["movapd load"] = (a, d) => a.movapd(xmm1, __xmmword_ptr[rsi + d]),
        ["movapd store"] = (a, d) => a.movapd(__xmmword_ptr[rsi + d], xmm1),
        ["movntdq"] = (a, d) => a.movntdq(__xmmword_ptr[rsi + d], xmm1),
        ["movntps"] = (a, d) => a.movntps(__xmmword_ptr[rsi + d], xmm1),
        ["movntpd"] = (a, d) => a.movntpd(__xmmword_ptr[rsi + d], xmm1),
        ["pxor"] = (a, d) => a.pxor(xmm1, __xmmword_ptr[rsi + d]),
        ["pcmpeqb"] = (a, d) => a.pcmpeqb(xmm1, __xmmword_ptr[rsi + d]),
        ["pminub"] = (a, d) => a.pminub(xmm1, __xmmword_ptr[rsi + d]),
        ["paddq"] = (a, d) => a.paddq(xmm1, __xmmword_ptr[rsi + d]),
        ["andnps"] = (a, d) => a.andnps(xmm1, __xmmword_ptr[rsi + d]),
        ["punpcklbw (uses only the low half)"] = (a, d) => a.punpcklbw(xmm1, __xmmword_ptr[rsi + d]),
        ["psllw count"] = (a, d) => a.psllw(xmm1, __xmmword_ptr[rsi + d]),
        ["pshufd"] = (a, d) => a.pshufd(xmm1, __xmmword_ptr[rsi + d], 0x1b),
        ["shufps"] = (a, d) => a.shufps(xmm1, __xmmword_ptr[rsi + d], 0x1b),
        ["packuswb"] = (a, d) => a.packuswb(xmm1, __xmmword_ptr[rsi + d]),
    };

    static readonly Dictionary<string, Action<Assembler, int>> UnalignedForms = new()
    {
        ["movdqu load"] = (a, d) => a.movdqu(xmm1, __xmmword_ptr[rsi + d]),
        ["movdqu store"] = (a, d) => a.movdqu(__xmmword_ptr[rsi + d], xmm1),
        ["movups"] = (a, d) => a.movups(xmm1, __xmmword_ptr[rsi + d]),
        ["movupd"] = (a, d) => a.movupd(__xmmword_ptr[rsi + d], xmm1),
        ["lddqu"] = (a, d) => a.lddqu(xmm1, __xmmword_ptr[rsi + d]),
        ["movq load"] = (a, d) => a.movq(xmm1, __qword_ptr[rsi + d]),
        ["movd store"] = (a, d) => a.movd(__dword_ptr[rsi + d], xmm1),
        ["movss load"] = (a, d) => a.movss(xmm1, __dword_ptr[rsi + d]),
        ["movlps"] = (a, d) => a.movlps(xmm1, __qword_ptr[rsi + d]),
        ["movhpd store"] = (a, d) => a.movhpd(__qword_ptr[rsi + d], xmm1),
        ["pinsrw"] = (a, d) => a.pinsrw(xmm1, __word_ptr[rsi + d], 3),
        ["movnti"] = (a, d) => a.movnti(__dword_ptr[rsi + d], eax),
    };

    static (CpuHarness h, StopReason stop) Run(Action<Assembler, int> form, int displacement)
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            a.mov(rsi, (long)Buffer);
            form(a, displacement);
        });
        byte[] pattern = Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)).ToArray();
        h.Memory.Poke(Buffer, pattern);
        h.Cpu.Xmm[1] = new UInt128(0x1122334455667788, 0x99AABBCCDDEEFF00);
        return (h, h.Run(2));
    }

    [Theory]
    [MemberData(nameof(AlignedOnly))]
    public void MisalignedOperandRaisesGeneralProtection(string name)
    {
        foreach (int misalignment in new[] { 1, 4, 8, 15 })
        {
            var (h, stop) = Run(AlignedForms[name], misalignment);
            Assert.Equal(StopReason.Fault, stop);
            GuestFault fault = h.Cpu.PendingFault!;
            Assert.Equal(Signals.SIGSEGV, fault.Signal);
            Assert.Equal(Signals.SI_KERNEL, fault.SiCode);
            Assert.Equal(0UL, fault.SiAddr);
            Assert.Equal(1UL, h.Cpu.Retired);                       // the MOV before it retired, it did not
            Assert.Equal(CpuHarness.CodeBase + 10, h.Cpu.Rip);      // RIP stays on the faulting instruction
            Assert.Equal(new UInt128(0x1122334455667788, 0x99AABBCCDDEEFF00), h.Cpu.Xmm[1]);
            var memory = new byte[64];
            h.Memory.Read(Buffer, memory);
            Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)), memory); // nothing stored
        }
    }

    [Theory]
    [MemberData(nameof(AlignedOnly))]
    public void AlignedOperandIsAccepted(string name)
    {
        var (h, stop) = Run(AlignedForms[name], 16);
        Assert.Equal(StopReason.InstructionLimit, stop);
        Assert.Equal(2UL, h.Cpu.Retired);
    }

    [Theory]
    [MemberData(nameof(Unaligned))]
    public void UnalignedFormsAcceptAnyAddress(string name)
    {
        foreach (int displacement in new[] { 1, 3, 8, 15 })
        {
            var (h, stop) = Run(UnalignedForms[name], displacement);
            Assert.Equal(StopReason.InstructionLimit, stop);
            Assert.Equal(2UL, h.Cpu.Retired);
        }
    }

    [Fact]
    public void MisalignmentIsReportedBeforeAPageFault()
    {
        // The whole operand lies in an unmapped page, yet the CPU reports #GP for the alignment, not #PF.
        var h = new CpuHarness();
        h.Assemble(a => a.movdqa(xmm0, __xmmword_ptr[rsi + 1]));
        h.Cpu.R(Reg.RSI) = 0x20000000;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SI_KERNEL, h.Cpu.PendingFault!.SiCode);

        h = new CpuHarness();
        h.Assemble(a => a.movdqa(xmm0, __xmmword_ptr[rsi]));
        h.Cpu.R(Reg.RSI) = 0x20000000;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SEGV_MAPERR, h.Cpu.PendingFault!.SiCode);
        Assert.Equal(0x20000000UL, h.Cpu.PendingFault!.SiAddr);
    }

    [Fact]
    public void PageStraddlingUnalignedStoreWritesNothing()
    {
        var h = new CpuHarness();
        ulong end = CpuHarness.DataBase + CpuHarness.DataSize;
        h.Assemble(a => a.movdqu(__xmmword_ptr[rsi], xmm0));
        h.Cpu.R(Reg.RSI) = end - 8;
        h.Cpu.Xmm[0] = UInt128.MaxValue;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(end, h.Cpu.PendingFault!.SiAddr);
        var tail = new byte[8];
        h.Memory.Read(end - 8, tail);
        Assert.All(tail, b => Assert.Equal(0, b));
    }
}
