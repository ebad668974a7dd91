using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// Element rearrangement (SDM Vol. 2): PSHUFD PSHUFLW PSHUFHW SHUFPS SHUFPD, the unpacks PUNPCKL/HBW WD DQ QDQ
/// and UNPCKL/HPS PD, the packs PACKSSWB PACKSSDW PACKUSWB, and PEXTRW/PINSRW. The MMX forms are bound
/// to the Mmx family's handlers (same operation structs).
/// </summary>
[InstructionFamily]
static class SseShuffle
{
    static readonly Type Self = typeof(SseShuffle);

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Pshufd, SseBind.BinaryImm<ShufD>());
        t.AddWithVex(Mnemonic.Pshuflw, SseBind.BinaryImm<ShufLW>());
        t.AddWithVex(Mnemonic.Pshufhw, SseBind.BinaryImm<ShufHW>());
        t.AddWithVex(Mnemonic.Shufps, SseBind.BinaryImm<ShufPS>());
        t.AddWithVex(Mnemonic.Shufpd, SseBind.BinaryImm<ShufPD, ImmNext2>());
        t.AddWithVex(Mnemonic.Punpcklbw, SseBind.Binary<UnpackLowB>());
        t.AddWithVex(Mnemonic.Punpcklwd, SseBind.Binary<UnpackLowW>());
        t.AddWithVex(Mnemonic.Punpckldq, SseBind.Binary<UnpackLowD>());
        t.AddWithVex(Mnemonic.Unpcklps, SseBind.Binary<UnpackLowD>());
        t.AddWithVex(Mnemonic.Punpcklqdq, SseBind.Binary<UnpackLowQ>());
        t.AddWithVex(Mnemonic.Unpcklpd, SseBind.Binary<UnpackLowQ>());
        t.AddWithVex(Mnemonic.Punpckhbw, SseBind.Binary<UnpackHighB>());
        t.AddWithVex(Mnemonic.Punpckhwd, SseBind.Binary<UnpackHighW>());
        t.AddWithVex(Mnemonic.Punpckhdq, SseBind.Binary<UnpackHighD>());
        t.AddWithVex(Mnemonic.Unpckhps, SseBind.Binary<UnpackHighD>());
        t.AddWithVex(Mnemonic.Punpckhqdq, SseBind.Binary<UnpackHighQ>());
        t.AddWithVex(Mnemonic.Unpckhpd, SseBind.Binary<UnpackHighQ>());
        t.AddWithVex(Mnemonic.Packsswb, SseBind.Binary<PackSSWB>());
        t.AddWithVex(Mnemonic.Packssdw, SseBind.Binary<PackSSDW>());
        t.AddWithVex(Mnemonic.Packuswb, SseBind.Binary<PackUSWB>());
        t.Add(Mnemonic.Pextrw, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Code is Code.Pextrw_r32_xmm_imm8 or Code.Pextrw_r64_xmm_imm8 ? Handlers.Get(Self, nameof(Pextrw))
            : insn.Code is Code.Pextrw_r32m16_xmm_imm8 or Code.Pextrw_r64m16_xmm_imm8 // SSE4.1 66 0F 3A 15
                ? Handlers.Get(typeof(Sse41Integer), nameof(Sse41Integer.Extract), typeof(ushort), o[0])
            : Mmx.MmxInstructions.BindWordAndMask(insn, o));
        t.Add(Mnemonic.Pinsrw, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Code is Code.Pinsrw_xmm_r32m16_imm8 or Code.Pinsrw_xmm_r64m16_imm8 ? Handlers.Get(Self, nameof(Pinsrw), o[1])
            : Mmx.MmxInstructions.BindWordAndMask(insn, o));
    }

    /// <summary>Doubleword i of the result is source doubleword (imm >> 2i) &amp; 3.</summary>
    public struct ShufD : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm) =>
            Vector128.Shuffle(b.AsUInt32(), Vector128.Create((uint)imm & 3, (uint)(imm >> 2) & 3, (uint)(imm >> 4) & 3, (uint)(imm >> 6) & 3)).AsByte();
    }

    /// <summary>Shuffles the low four words of the source; the high quadword is copied.</summary>
    public struct ShufLW : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm) =>
            Vector128.Shuffle(b.AsUInt16(), Vector128.Create((ushort)(imm & 3), (ushort)((imm >> 2) & 3),
                (ushort)((imm >> 4) & 3), (ushort)((imm >> 6) & 3), 4, 5, 6, 7)).AsByte();
    }

    /// <summary>Shuffles the high four words of the source; the low quadword is copied.</summary>
    public struct ShufHW : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm) =>
            Vector128.Shuffle(b.AsUInt16(), Vector128.Create(0, 1, 2, 3, (ushort)(4 + (imm & 3)), (ushort)(4 + ((imm >> 2) & 3)),
                (ushort)(4 + ((imm >> 4) & 3)), (ushort)(4 + ((imm >> 6) & 3)))).AsByte();
    }

    /// <summary>Low two doublewords chosen from the destination, high two from the source.</summary>
    public struct ShufPS : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm)
        {
            Vector128<uint> x = a.AsUInt32(), y = b.AsUInt32();
            return Vector128.Create(x.GetElement(imm & 3), x.GetElement((imm >> 2) & 3),
                y.GetElement((imm >> 4) & 3), y.GetElement((imm >> 6) & 3)).AsByte();
        }
    }

    public struct ShufPD : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm) =>
            Vector128.Create(a.AsUInt64().GetElement(imm & 1), b.AsUInt64().GetElement((imm >> 1) & 1)).AsByte();
    }

    // Interleaving dest element i with source element i is a zero-extending widen of each, the source shifted up.
    public struct UnpackLowB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenLower(a) | Vector128.ShiftLeft(Vector128.WidenLower(b), 8)).AsByte();
    }

    public struct UnpackHighB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenUpper(a) | Vector128.ShiftLeft(Vector128.WidenUpper(b), 8)).AsByte();
    }

    public struct UnpackLowW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenLower(a.AsUInt16()) | Vector128.ShiftLeft(Vector128.WidenLower(b.AsUInt16()), 16)).AsByte();
    }

    public struct UnpackHighW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenUpper(a.AsUInt16()) | Vector128.ShiftLeft(Vector128.WidenUpper(b.AsUInt16()), 16)).AsByte();
    }

    public struct UnpackLowD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenLower(a.AsUInt32()) | Vector128.ShiftLeft(Vector128.WidenLower(b.AsUInt32()), 32)).AsByte();
    }

    public struct UnpackHighD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            (Vector128.WidenUpper(a.AsUInt32()) | Vector128.ShiftLeft(Vector128.WidenUpper(b.AsUInt32()), 32)).AsByte();
    }

    public struct UnpackLowQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.Create(a.AsUInt64().GetElement(0), b.AsUInt64().GetElement(0)).AsByte();
    }

    public struct UnpackHighQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.Create(a.AsUInt64().GetElement(1), b.AsUInt64().GetElement(1)).AsByte();
    }

    /// <summary>Signed words → signed-saturated bytes; the destination's go low, the source's high.</summary>
    public struct PackSSWB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.NarrowWithSaturation(a.AsInt16(), b.AsInt16()).AsByte();
    }

    public struct PackSSDW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.NarrowWithSaturation(a.AsInt32(), b.AsInt32()).AsByte();
    }

    /// <summary>Signed words → unsigned-saturated bytes (negative → 0, above 255 → 255).</summary>
    public struct PackUSWB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<short> min = Vector128<short>.Zero, max = Vector128.Create((short)255);
            return Vector128.Narrow(Vector128.Clamp(a.AsInt16(), min, max).AsUInt16(), Vector128.Clamp(b.AsInt16(), min, max).AsUInt16());
        }
    }

    /// <summary>PEXTRW r32/r64, xmm, imm8: word imm &amp; 7, zero-extended.</summary>
    public static void Pextrw(Cpu c, ref DecodedOp op) =>
        GprAccess.Write(c, op.R1, (uint)XmmAccess.At(c, op.R2).AsUInt16().GetElement((int)(op.Imm & 7)));

    /// <summary>PINSRW xmm, r32/m16, imm8: replaces word imm &amp; 7 (a memory source is 16 bits, unaligned).</summary>
    public static void Pinsrw<S>(Cpu c, ref DecodedOp op) where S : IOperand
    {
        ushort value = S.Read<ushort>(c, ref op);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = d.AsUInt16().WithElement((int)(op.Imm & 7), value).AsByte();
    }
}
