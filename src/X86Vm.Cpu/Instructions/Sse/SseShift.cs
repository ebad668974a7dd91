using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// Packed shifts (SDM Vol. 2): PSLLW/D/Q PSRLW/D/Q PSRAW/D by imm8 or by the low quadword of xmm/m128, and the
/// whole-register byte shifts PSLLDQ/PSRLDQ. Unlike scalar shifts the count is not masked: a count at
/// least the element width clears the element (logical) or fills it with the sign (arithmetic).
/// </summary>
[InstructionFamily]
static class SseShift
{
    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Psllw, Shift<LeftW>());
        t.AddWithVex(Mnemonic.Pslld, Shift<LeftD>());
        t.AddWithVex(Mnemonic.Psllq, Shift<LeftQ>());
        t.AddWithVex(Mnemonic.Psrlw, Shift<RightW>());
        t.AddWithVex(Mnemonic.Psrld, Shift<RightD>());
        t.AddWithVex(Mnemonic.Psrlq, Shift<RightQ>());
        t.AddWithVex(Mnemonic.Psraw, Shift<RightArithW>());
        t.AddWithVex(Mnemonic.Psrad, Shift<RightArithD>());
        t.AddWithVex(Mnemonic.Pslldq, Shift<LeftBytes>());
        t.AddWithVex(Mnemonic.Psrldq, Shift<RightBytes>());
    }

    /// <summary>
    /// The imm8 form, or the xmm/m128 count form (an m128 count must be aligned like any legacy m128 operand);
    /// the MMX forms (mm by imm8 or by mm/m64) go to <see cref="Mmx.MmxBind.Shift{TOp}"/>.
    /// </summary>
    static Binder Shift<TOp>() where TOp : struct, IVectorOp
    {
        Binder byVector = SseBind.Binary<TOp>();
        return (in Instruction insn, ref DecodedOp op, Type[] o) =>
            VexBind.IsVex(insn) ? BindVex<TOp>(insn, o)
            : SseBind.UsesMmx(insn) ? Mmx.MmxBind.Shift<TOp>(insn, o)
            : o.Length != 2 ? 0
            : o[1] == typeof(Imm) ? Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.ImmediateCount), typeof(TOp))
            : byVector(insn, ref op, o);
    }

    /// <summary>
    /// VEX forms: "VPSLLW dest, src, xmm/m128" (the count is always 128 bits) and "VPSLLW dest(VEX.vvvv), src, imm8";
    /// each lane of the source is shifted by the same count.
    /// </summary>
    static nint BindVex<TOp>(in Instruction insn, Type[] o) where TOp : struct, IVectorOp =>
        o.Length != 3
            ? 0
            : Handlers.Get(typeof(VexHandlers), nameof(VexHandlers.ShiftLanes), typeof(TOp), VexBind.Width(insn),
                VexBind.Ymm(o[1], typeof(YMem)), o[2] == typeof(Imm) ? typeof(ImmCount) : VexBind.Ymm(o[2], typeof(YMem)));

    /// <summary>The shift count: the whole low quadword of the count operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Count(Vector128<byte> b) => b.AsUInt64().ToScalar();

    public struct LeftW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 15 ? Vector128<byte>.Zero : Vector128.ShiftLeft(a.AsUInt16(), (int)n).AsByte();
    }

    public struct LeftD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 31 ? Vector128<byte>.Zero : Vector128.ShiftLeft(a.AsUInt32(), (int)n).AsByte();
    }

    public struct LeftQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 63 ? Vector128<byte>.Zero : Vector128.ShiftLeft(a.AsUInt64(), (int)n).AsByte();
    }

    public struct RightW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 15 ? Vector128<byte>.Zero : Vector128.ShiftRightLogical(a.AsUInt16(), (int)n).AsByte();
    }

    public struct RightD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 31 ? Vector128<byte>.Zero : Vector128.ShiftRightLogical(a.AsUInt32(), (int)n).AsByte();
    }

    public struct RightQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 63 ? Vector128<byte>.Zero : Vector128.ShiftRightLogical(a.AsUInt64(), (int)n).AsByte();
    }

    public struct RightArithW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.ShiftRightArithmetic(a.AsInt16(), (int)Math.Min(Count(b), 15)).AsByte();
    }

    public struct RightArithD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.ShiftRightArithmetic(a.AsInt32(), (int)Math.Min(Count(b), 31)).AsByte();
    }

    /// <summary>PSLLDQ: the whole register shifted left by imm8 bytes (more than 15 clears it).</summary>
    public struct LeftBytes : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 15 ? Vector128<byte>.Zero
                : Unsafe.BitCast<UInt128, Vector128<byte>>(Unsafe.BitCast<Vector128<byte>, UInt128>(a) << (int)(n * 8));
    }

    public struct RightBytes : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Count(b) is var n && n > 15 ? Vector128<byte>.Zero
                : Unsafe.BitCast<UInt128, Vector128<byte>>(Unsafe.BitCast<Vector128<byte>, UInt128>(a) >> (int)(n * 8));
    }
}
