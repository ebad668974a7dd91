using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// The CPU can stop after exactly N retired instructions — inside a block or a REP MOVSB too — and the
/// state there equals the state reached one instruction at a time; resuming reaches the same end.
/// </summary>
public class InstructionCountTests
{
    const int CopyLength = 100;

    static CpuHarness Program()
    {
        var h = new CpuHarness();
        h.Assemble(a =>
        {
            var loop = a.CreateLabel();
            a.mov(rsi, (long)CpuHarness.DataBase);
            a.lea(rdi, __[rsi + 0x800]);
            a.mov(ecx, CopyLength);
            a.rep.movsb();
            a.xor(eax, eax);
            a.mov(edx, 1);
            a.Label(ref loop);
            a.add(rax, rdx);
            a.imul(rdx, rdx, 3);
            a.cmp(rax, 1000);
            a.jb(loop);
            a.nop();
        });
        var data = new byte[CopyLength];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7 + 1);
        h.Memory.Write(CpuHarness.DataBase, data);
        return h;
    }

    static string Snapshot(CpuHarness h)
    {
        var c = h.Cpu;
        var regs = string.Join(",", Enumerable.Range(0, 16).Select(i => c.R(i).ToString("x")));
        var copied = new byte[CopyLength];
        h.Memory.Read(CpuHarness.DataBase + 0x800, copied);
        return $"retired={c.Retired} rip={c.Rip:x} flags={c.Rflags:x} regs={regs} dst={Convert.ToHexString(copied)}";
    }

    [Fact]
    public void StoppingAtAnyCountMatchesSingleStepping()
    {
        var stepper = Program();
        var reference = new List<string> { Snapshot(stepper) };
        while (stepper.Cpu.Rip != CpuHarness.CodeBase + (ulong)LastInstructionOffset(stepper))
        {
            Assert.Equal(StopReason.InstructionLimit, stepper.Run(1));
            reference.Add(Snapshot(stepper));
        }
        Assert.True(reference.Count > CopyLength, "the REP MOVSB iterations each retire one instruction");

        foreach (int n in new[] { 1, 3, 4, 5, 50, CopyLength + 2, CopyLength + 3, CopyLength + 7, reference.Count - 1 })
        {
            var h = Program();
            Assert.Equal(StopReason.InstructionLimit, h.Run((ulong)n));
            Assert.Equal(reference[n], Snapshot(h));
            // Resume to the end: same final state as single stepping.
            h.Run((ulong)(reference.Count - 1 - n));
            Assert.Equal(reference[^1], Snapshot(h));
        }
    }

    [Fact]
    public void StopInsideRepMovsbLeavesExactRegisters()
    {
        var h = Program();
        const int iterations = 37;
        h.Run(3 + iterations); // mov, lea, mov, then 37 iterations
        Assert.Equal((ulong)(CopyLength - iterations), h.Cpu.R(Reg.RCX));
        Assert.Equal(CpuHarness.DataBase + iterations, h.Cpu.R(Reg.RSI));
        Assert.Equal(CpuHarness.DataBase + 0x800 + iterations, h.Cpu.R(Reg.RDI));
        Assert.Equal(CpuHarness.CodeBase + (ulong)RepOffset(), h.Cpu.Rip);
        Assert.Equal((ulong)(3 + iterations), h.Cpu.Retired);
    }

    /// <summary>Offset of the REP MOVSB: after mov rsi,imm64 (10 bytes), lea rdi,[rsi+0x800] (7) and mov ecx,imm32 (5).</summary>
    static int RepOffset() => 10 + 7 + 5;

    static int LastInstructionOffset(CpuHarness h)
    {
        // The trailing NOP is the last byte of the code mapping's content.
        var code = new byte[64];
        h.Memory.Read(CpuHarness.CodeBase, code);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code));
        decoder.IP = CpuHarness.CodeBase;
        int last = 0;
        while (true)
        {
            decoder.Decode(out Instruction insn);
            if (insn.Mnemonic == Mnemonic.Nop) { last = (int)(insn.IP - CpuHarness.CodeBase); break; }
        }
        return last;
    }
}
