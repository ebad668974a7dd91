using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// SSE/SSE2 data movement (SDM Vol. 2): MOVD MOVQ MOVDQA MOVDQU LDDQU MOVAPS MOVUPS MOVAPD MOVUPD MOVNTDQ
/// MOVNTPS MOVNTPD MOVNTI MOVLPS MOVHPS MOVLPD MOVHPD MOVHLPS MOVLHPS MOVSS, the SSE2 MOVSD forms (bound via
/// <see cref="SseScalarForms"/>), and the sign-mask extractions PMOVMSKB MOVMSKPS MOVMSKPD.
/// Non-temporal hints are ignored: there is no cache to bypass. The MMX forms of MOVD/MOVQ/PMOVMSKB are
/// bound to the Mmx family's handlers.
/// </summary>
[InstructionFamily]
static class SseMove
{
    static readonly Type Self = typeof(SseMove);

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Movd, BindMovdMovq);
        t.AddWithVex(Mnemonic.Movq, BindMovdMovq);
        foreach (Mnemonic m in new[] { Mnemonic.Movdqa, Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movntdq,
                     Mnemonic.Movntps, Mnemonic.Movntpd })
            t.AddWithVex(m, (in Instruction insn, ref DecodedOp op, Type[] o) => SseBind.Move(insn, o, typeof(XMemAligned)));
        foreach (Mnemonic m in new[] { Mnemonic.Movdqu, Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Lddqu })
            t.AddWithVex(m, (in Instruction insn, ref DecodedOp op, Type[] o) => SseBind.Move(insn, o, typeof(XMem)));
        t.Add(Mnemonic.Movnti, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Movnti), OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0))));
        t.Add(Mnemonic.Movlps, BindLowHalf);
        t.Add(Mnemonic.Movlpd, BindLowHalf);
        t.Add(Mnemonic.Movhps, BindHighHalf);
        t.Add(Mnemonic.Movhpd, BindHighHalf);
        t.Add(Mnemonic.Movhlps, Bind.Fixed(Self, nameof(MoveHighToLow), typeof(X2)));
        t.Add(Mnemonic.Movlhps, Bind.Fixed(Self, nameof(MergeHigh64), typeof(X2)));
        // VEX: the loads are three-operand merges with the first source, the stores are the legacy ones.
        t.Add(Mnemonic.Vmovlps, BindHalfVex<MergeLowOp<ulong>>);
        t.Add(Mnemonic.Vmovlpd, BindHalfVex<MergeLowOp<ulong>>);
        t.Add(Mnemonic.Vmovhps, BindHalfVex<SseShuffle.UnpackLowQ>);
        t.Add(Mnemonic.Vmovhpd, BindHalfVex<SseShuffle.UnpackLowQ>);
        t.Add(Mnemonic.Vmovhlps, VexBind.Lanes<IntLane<HighOfSecondThenFirst>>());
        t.Add(Mnemonic.Vmovlhps, VexBind.Lanes<IntLane<SseShuffle.UnpackLowQ>>());
        t.AddWithVex(Mnemonic.Movss, (in Instruction insn, ref DecodedOp op, Type[] o) => BindScalarMove(insn, o, 4));
        t.Add(Mnemonic.Vmovsd, (in Instruction insn, ref DecodedOp op, Type[] o) => BindScalarMove(insn, o, 8)); // MOVSD: SseScalarForms
        t.Add(Mnemonic.Pmovmskb, BindMask(nameof(Pmovmskb)));
        t.Add(Mnemonic.Movmskps, BindMask(nameof(Movmskps)));
        t.Add(Mnemonic.Movmskpd, BindMask(nameof(Movmskpd)));
    }

    static nint BindMovdMovq(in Instruction insn, ref DecodedOp op, Type[] o) => insn.Code switch
    {
        Code.VEX_Vmovd_xmm_rm32 => Handlers.Get(Self, nameof(MoveToXmmVex), typeof(uint), o[1]),
        Code.VEX_Vmovq_xmm_rm64 => Handlers.Get(Self, nameof(MoveToXmmVex), typeof(ulong), o[1]),
        Code.VEX_Vmovd_rm32_xmm => Handlers.Get(Self, nameof(MoveFromXmm), typeof(uint), o[0], SseBind.Xmm(o[1], typeof(void))),
        Code.VEX_Vmovq_rm64_xmm => Handlers.Get(Self, nameof(MoveFromXmm), typeof(ulong), o[0], SseBind.Xmm(o[1], typeof(void))),
        Code.VEX_Vmovq_xmm_xmmm64 or Code.VEX_Vmovq_xmmm64_xmm =>
            Handlers.Get(typeof(VexHandlers), nameof(VexHandlers.Move), typeof(W128),
                VexBind.Ymm(o[0], typeof(YNarrow<XMem64>)), o[1] == typeof(Mem) ? typeof(YNarrow<XMem64>) : typeof(YLow64<>).MakeGenericType(VexBind.Ymm(o[1], typeof(void)))),
        Code.Movd_xmm_rm32 => Handlers.Get(Self, nameof(MoveToXmm), typeof(uint), o[1]),
        Code.Movq_xmm_rm64 => Handlers.Get(Self, nameof(MoveToXmm), typeof(ulong), o[1]),
        Code.Movd_rm32_xmm => Handlers.Get(Self, nameof(MoveFromXmm), typeof(uint), o[0], SseBind.Xmm(o[1], typeof(void))),
        Code.Movq_rm64_xmm => Handlers.Get(Self, nameof(MoveFromXmm), typeof(ulong), o[0], SseBind.Xmm(o[1], typeof(void))),
        Code.Movq_xmm_xmmm64 or Code.Movq_xmmm64_xmm =>
            Handlers.Get(Self, nameof(MoveQuadwordZeroExtend), SseBind.Xmm(o[0], typeof(XMem64)), SseBind.Xmm(o[1], typeof(XMem64))),
        _ => Mmx.MmxInstructions.BindMovdMovq(insn, o),
    };

    static nint BindLowHalf(in Instruction insn, ref DecodedOp op, Type[] o) =>
        o[0] == typeof(Mem)
            ? Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.Move), typeof(XMem64), typeof(X1))
            : Handlers.Get(Self, nameof(MergeLow64), typeof(XMem64));

    static nint BindHalfVex<TOp>(in Instruction insn, ref DecodedOp op, Type[] o) where TOp : struct, IVectorOp =>
        o.Length == 3 ? VexBind.Lanes<IntLane<TOp>>(insn, o, typeof(YNarrow<XMem64>))
        : insn.Mnemonic is Mnemonic.Vmovhps or Mnemonic.Vmovhpd ? BindHighHalf(insn, ref op, o)
        : BindLowHalf(insn, ref op, o);

    /// <summary>VMOVHLPS: [second source's high quadword, first source's high quadword].</summary>
    public struct HighOfSecondThenFirst : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Create(b.AsUInt64().GetElement(1), a.AsUInt64().GetElement(1)).AsByte();
    }

    static nint BindHighHalf(in Instruction insn, ref DecodedOp op, Type[] o) =>
        o[0] == typeof(Mem)
            ? Handlers.Get(Self, nameof(StoreHigh64), typeof(X1))
            : Handlers.Get(Self, nameof(MergeHigh64), typeof(XMem64));

    /// <summary>
    /// MOVSS (<paramref name="bytes"/> = 4) and MOVSD (8): between registers only the low element is
    /// replaced; a load zeroes the rest of the destination; a store writes just the element.
    /// </summary>
    internal static nint BindScalarMove(in Instruction insn, Type[] o, int bytes)
    {
        if (VexBind.IsVex(insn) && o.Length == 3) // VMOVSS/VMOVSD xmm1, xmm2, xmm3: element 0 from xmm3, the rest from xmm2
            return bytes == 4 ? VexBind.Lanes<IntLane<MergeLowOp<uint>>>(insn, o, typeof(void)) : VexBind.Lanes<IntLane<MergeLowOp<ulong>>>(insn, o, typeof(void));
        if (o.Length != 2) return 0;
        if (o[0] != typeof(Mem) && o[1] != typeof(Mem))
            return Handlers.Get(Self, bytes == 4 ? nameof(MergeLow32) : nameof(MergeLow64), SseBind.Xmm(o[1], typeof(void)));
        return SseBind.Move(insn, o, bytes == 4 ? typeof(XMem32) : typeof(XMem64));
    }

    static Binder BindMask(string name) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        SseBind.UsesMmx(insn) ? Mmx.MmxInstructions.BindWordAndMask(insn, o) : Handlers.Get(Self, name);

    /// <summary>MOVD/MOVQ xmm, r/m: the value zero-extended to 128 bits.</summary>
    public static void MoveToXmm<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand =>
        XmmAccess.At(c, op.R1) = Vector128.CreateScalar(ulong.CreateTruncating(S.Read<T>(c, ref op))).AsByte();

    /// <summary>MOVD/MOVQ r/m, xmm: the low doubleword/quadword (a 32-bit GPR destination is zero-extended).</summary>
    public static void MoveFromXmm<T, D, S>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : struct, IXmmOperand =>
        D.Write(c, ref op, T.CreateTruncating(S.Read(c, ref op).AsUInt64().ToScalar()));

    /// <summary>MOVQ xmm, xmm/m64 and MOVQ xmm/m64, xmm: the low quadword, zero-extended in a register destination.</summary>
    public static void MoveQuadwordZeroExtend<D, S>(Cpu c, ref DecodedOp op) where D : struct, IXmmOperand where S : struct, IXmmOperand =>
        D.Write(c, ref op, Vector128.CreateScalar(S.Read(c, ref op).AsUInt64().ToScalar()).AsByte());

    /// <summary>VMOVD/VMOVQ xmm, r/m: as <see cref="MoveToXmm{T, S}"/>, and bits 255:128 zeroed.</summary>
    public static void MoveToXmmVex<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        MoveToXmm<T, S>(c, ref op);
        YmmAccess.High(c, op.R1) = Vector128<byte>.Zero;
    }

    /// <summary>Element 0 of the second operand replaces element 0 of the first (VMOVSS/VMOVSD register forms).</summary>
    public struct MergeLowOp<T> : IVectorOp where T : unmanaged
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a.As<byte, T>().WithElement(0, b.As<byte, T>().ToScalar()).AsByte();
    }

    /// <summary>MOVSS xmm, xmm: replace the low doubleword.</summary>
    public static void MergeLow32<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        uint low = S.Read(c, ref op).AsUInt32().ToScalar();
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = d.AsUInt32().WithElement(0, low).AsByte();
    }

    /// <summary>MOVSD xmm, xmm and MOVLPS/MOVLPD xmm, m64: replace the low quadword.</summary>
    public static void MergeLow64<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong low = S.Read(c, ref op).AsUInt64().ToScalar();
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = d.AsUInt64().WithElement(0, low).AsByte();
    }

    /// <summary>MOVHPS/MOVHPD xmm, m64 and MOVLHPS: the source's low quadword replaces the destination's high one.</summary>
    public static void MergeHigh64<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong low = S.Read(c, ref op).AsUInt64().ToScalar();
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = d.AsUInt64().WithElement(1, low).AsByte();
    }

    /// <summary>MOVHLPS: the source's high quadword replaces the destination's low one.</summary>
    public static void MoveHighToLow<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong high = S.Read(c, ref op).AsUInt64().GetElement(1);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = d.AsUInt64().WithElement(0, high).AsByte();
    }

    /// <summary>MOVHPS/MOVHPD m64, xmm.</summary>
    public static void StoreHigh64<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand =>
        c.Memory.Write(c.EffectiveAddress(ref op), S.Read(c, ref op).AsUInt64().GetElement(1));

    /// <summary>MOVNTI m32/m64, r (the register is the first register operand).</summary>
    public static void Movnti<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> =>
        c.Memory.Write(c.EffectiveAddress(ref op), GprAccess.Read<T>(c, op.R1));

    /// <summary>PMOVMSKB r32/r64, xmm: the top bit of each byte; the upper destination bits are cleared.</summary>
    public static void Pmovmskb(Cpu c, ref DecodedOp op) =>
        GprAccess.Write(c, op.R1, Vector128.ExtractMostSignificantBits(XmmAccess.At(c, op.R2)));

    public static void Movmskps(Cpu c, ref DecodedOp op) =>
        GprAccess.Write(c, op.R1, Vector128.ExtractMostSignificantBits(XmmAccess.At(c, op.R2).AsUInt32()));

    public static void Movmskpd(Cpu c, ref DecodedOp op) =>
        GprAccess.Write(c, op.R1, Vector128.ExtractMostSignificantBits(XmmAccess.At(c, op.R2).AsUInt64()));
}
