using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>MASKMOVDQU xmm1, xmm2 (SSE2): the bytes of xmm1 whose mask byte in xmm2 has bit 7 set are stored at [RDI] ([EDI] with 67h).</summary>
[InstructionFamily]
static class SseMaskMove
{
    static void Register(InstructionTable t) =>
        t.AddWithVex(Mnemonic.Maskmovdqu, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Base = 7;
            op.Index = State.RegisterFile.Zero;
            op.Scale = 0;
            op.Disp = 0;
            op.Seg = insn.MemorySegment switch { Iced.Intel.Register.FS => 1, Iced.Intel.Register.GS => 2, _ => 0 };
            op.EaMask = insn.Op0Kind == OpKind.MemorySegEDI ? uint.MaxValue : ulong.MaxValue;
            return Handlers.Get(typeof(SseMaskMove), nameof(Maskmovdqu));
        });

    /// <summary>Bytes are stored one by one, lowest first (a fault leaves the earlier ones written; the reference CPU's order is not observable in the oracle).</summary>
    public static void Maskmovdqu(Cpu c, ref DecodedOp op)
    {
        Vector128<byte> data = XmmAccess.At(c, op.R1), mask = XmmAccess.At(c, op.R2);
        ulong address = c.EffectiveAddress(ref op);
        for (int i = 0; i < 16; i++)
            if ((mask.GetElement(i) & 0x80) != 0)
                c.Memory.Write((address + (ulong)i) & op.EaMask, data.GetElement(i));
    }
}
