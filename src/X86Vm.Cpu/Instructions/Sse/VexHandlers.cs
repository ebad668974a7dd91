using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// One 128-bit lane of a VEX operation: the lane's result from the lanes of the two sources. The operation structs of
/// the legacy SSE families (<see cref="IVectorOp"/>, <see cref="IVectorImmOp"/>, <see cref="IFpOp"/>) become lane
/// operations through the adapters below, so a VEX form runs exactly the code of its SSE form, once per lane.
/// Floating-point exception flags of all lanes are gathered in the flags argument and committed before the
/// destination is written.
/// </summary>
public interface ILaneOp
{
    static abstract Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags);
}

/// <summary>Which immediate bits a lane uses: the same for every lane, or the next bits for the upper lane.</summary>
public interface ILaneImm
{
    static abstract byte ForLane(byte imm, int lane);
}

/// <summary>Both lanes use the whole immediate (VPSHUFD, VSHUFPS, VPALIGNR, VPBLENDW…).</summary>
public struct SameImm : ILaneImm
{
    public static byte ForLane(byte imm, int lane) => imm;
}

/// <summary>The upper lane uses the immediate shifted right by 2 (VSHUFPD, VBLENDPD, VPERMILPD: one bit per element).</summary>
public struct ImmNext2 : ILaneImm
{
    public static byte ForLane(byte imm, int lane) => (byte)(imm >> (2 * lane));
}

/// <summary>The upper lane uses bits 5:3 (VMPSADBW ymm: SDM Vol. 2 MPSADBW, imm8[5:3] for the upper lane).</summary>
public struct ImmNext3 : ILaneImm
{
    public static byte ForLane(byte imm, int lane) => (byte)(imm >> (3 * lane));
}

/// <summary>The upper lane uses bits 7:4 (VBLENDPS, VPBLENDD: one bit per doubleword).</summary>
public struct ImmNext4 : ILaneImm
{
    public static byte ForLane(byte imm, int lane) => (byte)(imm >> (4 * lane));
}

/// <summary>An integer/bitwise operation per lane.</summary>
public struct IntLane<TOp> : ILaneOp where TOp : struct, IVectorOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags) => TOp.Apply(a, b);
}

/// <summary>An operation with an immediate per lane.</summary>
public struct ImmLane<TOp, TImm> : ILaneOp where TOp : struct, IVectorImmOp where TImm : struct, ILaneImm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags) =>
        TOp.Apply(a, b, TImm.ForLane(imm, lane));
}

/// <summary>
/// A floating-point element operation of a VEX form: the legacy <see cref="IFpOp"/> through <see cref="Fp{TOp}"/>, or one
/// that also needs the immediate (compare predicates, rounding control) or the element's index in its lane (ADDSUB).
/// </summary>
public interface IFpLaneOp
{
    static abstract uint Single(uint a, uint b, byte imm, int index, uint mx, ref uint flags);
    static abstract ulong Double(ulong a, ulong b, byte imm, int index, uint mx, ref uint flags);
}

/// <summary>An SSE element operation as an <see cref="IFpLaneOp"/>.</summary>
public struct Fp<TOp> : IFpLaneOp where TOp : struct, IFpOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Single(uint a, uint b, byte imm, int index, uint mx, ref uint flags) => TOp.Single(a, b, mx, ref flags);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Double(ulong a, ulong b, byte imm, int index, uint mx, ref uint flags) => TOp.Double(a, b, mx, ref flags);
}

/// <summary>A packed single-precision operation: four elements per lane.</summary>
public struct PsLane<TOp> : ILaneOp where TOp : struct, IFpLaneOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags)
    {
        Vector128<uint> x = a.AsUInt32(), y = b.AsUInt32();
        uint r0 = TOp.Single(x.GetElement(0), y.GetElement(0), imm, 0, mx, ref flags);
        uint r1 = TOp.Single(x.GetElement(1), y.GetElement(1), imm, 1, mx, ref flags);
        uint r2 = TOp.Single(x.GetElement(2), y.GetElement(2), imm, 2, mx, ref flags);
        uint r3 = TOp.Single(x.GetElement(3), y.GetElement(3), imm, 3, mx, ref flags);
        return Vector128.Create(r0, r1, r2, r3).AsByte();
    }
}

/// <summary>A packed double-precision operation: two elements per lane.</summary>
public struct PdLane<TOp> : ILaneOp where TOp : struct, IFpLaneOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags)
    {
        Vector128<ulong> x = a.AsUInt64(), y = b.AsUInt64();
        ulong r0 = TOp.Double(x.GetElement(0), y.GetElement(0), imm, 0, mx, ref flags);
        ulong r1 = TOp.Double(x.GetElement(1), y.GetElement(1), imm, 1, mx, ref flags);
        return Vector128.Create(r0, r1).AsByte();
    }
}

/// <summary>A scalar single-precision operation: element 0 computed, elements 3:1 from the first source (SDM Vol. 2 VADDSS…).</summary>
public struct SsLane<TOp> : ILaneOp where TOp : struct, IFpLaneOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags) =>
        a.AsUInt32().WithElement(0, TOp.Single(a.AsUInt32().ToScalar(), b.AsUInt32().ToScalar(), imm, 0, mx, ref flags)).AsByte();
}

/// <summary>A scalar double-precision operation: element 0 computed, element 1 from the first source.</summary>
public struct SdLane<TOp> : ILaneOp where TOp : struct, IFpLaneOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags) =>
        a.AsUInt64().WithElement(0, TOp.Double(a.AsUInt64().ToScalar(), b.AsUInt64().ToScalar(), imm, 0, mx, ref flags)).AsByte();
}

/// <summary>The handler shapes of VEX-encoded instructions (SDM Vol. 2 §2.3), generic over the vector length.</summary>
public static class VexHandlers
{
    /// <summary>"op dest, src1, src2[, imm8]": every lane of dest = TOp(src1 lane, src2 lane).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Lanes<TOp, W, A, B>(Cpu c, ref DecodedOp op)
        where TOp : struct, ILaneOp where W : struct, IWidth where A : struct, IYmmOperand where B : struct, IYmmOperand
    {
        Vector256<byte> a = A.Read<W>(c, ref op), b = B.Read<W>(c, ref op);
        uint mx = c.Mxcsr, flags = 0;
        byte imm = (byte)op.Imm;
        Vector128<byte> lo = TOp.Apply(a.GetLower(), b.GetLower(), imm, 0, mx, ref flags);
        Vector128<byte> hi = W.Lanes == 2 ? TOp.Apply(a.GetUpper(), b.GetUpper(), imm, 1, mx, ref flags) : default;
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        YmmAccess.Write<W>(c, op.R1, Vector256.Create(lo, hi));
    }

    /// <summary>
    /// Shifts by a vector count ("VPSLLW ymm1, ymm2, xmm3/m128"): the count operand is always 128 bits and applies to
    /// every lane; or by imm8 ("VPSLLW ymm1, ymm2, imm8", destination in VEX.vvvv) when <typeparamref name="B"/> is
    /// <see cref="ImmCount"/>.
    /// </summary>
    [MethodImpl(Hot.Handler)]
    public static void ShiftLanes<TOp, W, A, B>(Cpu c, ref DecodedOp op)
        where TOp : struct, IVectorOp where W : struct, IWidth where A : struct, IYmmOperand where B : struct, IYmmOperand
    {
        Vector256<byte> a = A.Read<W>(c, ref op);
        Vector128<byte> count = B.Read<W128>(c, ref op).GetLower();
        Vector128<byte> lo = TOp.Apply(a.GetLower(), count);
        Vector128<byte> hi = W.Lanes == 2 ? TOp.Apply(a.GetUpper(), count) : default;
        YmmAccess.Write<W>(c, op.R1, Vector256.Create(lo, hi));
    }

    /// <summary>A whole-operand move of the width (a VEX.128 register destination has bits 255:128 zeroed).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Move<W, D, S>(Cpu c, ref DecodedOp op) where W : struct, IWidth where D : struct, IYmmOperand where S : struct, IYmmOperand =>
        D.Write<W>(c, ref op, S.Read<W>(c, ref op));

}

/// <summary>The immediate as a shift count (the low quadword of a vector), for <see cref="VexHandlers.ShiftLanes{TOp, W, A, B}"/>.</summary>
public struct ImmCount : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth =>
        Vector256.CreateScalar((ulong)(byte)op.Imm).AsByte();
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth =>
        throw new InvalidOperationException("write to an immediate operand");
}

/// <summary>Binders of the VEX forms.</summary>
public static class VexBind
{
    /// <summary>True for a VEX-encoded instruction (AVX, AVX2, FMA, F16C and the VEX forms of BMI are bound elsewhere).</summary>
    public static bool IsVex(in Instruction insn) => insn.Encoding == EncodingKind.VEX;

    /// <summary>The width of a VEX vector instruction: 256 bits when any register operand is a YMM register or the memory operand has 32 bytes (VCVTPD2PS xmm, m256).</summary>
    public static Type Width(in Instruction insn)
    {
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) == OpKind.Register && insn.GetOpRegister(i).IsYMM()
                || insn.GetOpKind(i) == OpKind.Memory && insn.MemorySize.GetSize() == 32)
                return typeof(W256);
        return typeof(W128);
    }

    /// <summary>The VEX operand kind of a decoded operand: register slot → Y1/Y2/Y3, memory → <paramref name="memory"/>.</summary>
    public static Type Ymm(Type kind, Type memory) =>
        kind == typeof(R1) ? typeof(Y1) :
        kind == typeof(R2) ? typeof(Y2) :
        kind == typeof(R3) ? typeof(Y3) :
        kind == typeof(Mem) ? memory :
        throw new ArgumentException($"{kind.Name} is not a vector operand", nameof(kind));

    /// <summary>The VEX memory kind matching a legacy one: aligned stays aligned (VMOVAPS…), the rest is unaligned or narrow.</summary>
    public static Type MemoryFor(Type legacy) =>
        legacy == typeof(XMemAligned) ? typeof(YMem) :
        legacy == typeof(XMem) ? typeof(YMem) :
        typeof(YNarrow<>).MakeGenericType(legacy);

    /// <summary>
    /// "op dest, src1, src2/mem[, imm8]" through <see cref="VexHandlers.Lanes{TOp, W, A, B}"/>; a two-operand form
    /// ("op dest, src/mem[, imm8]": VPABSB, VPSHUFD, VSQRTPS…) reads the destination as the unused first source.
    /// VEX arithmetic has no alignment requirement (SDM Vol. 2 §2.5).
    /// </summary>
    public static nint Lanes<TOp>(in Instruction insn, Type[] o, Type memory) where TOp : struct, ILaneOp
    {
        int n = o.Length > 0 && o[^1] == typeof(Imm) ? o.Length - 1 : o.Length;
        if (n is < 2 or > 3 || o[0] == typeof(Mem)) return 0;
        Type a = n == 3 ? Ymm(o[1], memory) : typeof(Y1), b = Ymm(o[n - 1], memory);
        return Handlers.Get(typeof(VexHandlers), nameof(VexHandlers.Lanes), typeof(TOp), Width(insn), a, b);
    }

    /// <summary>
    /// The four shapes of a floating-point operation: packed (PS/PD, memory of the width) or scalar (SS/SD: element 0, m32/m64),
    /// single or double.
    /// </summary>
    public static Binder Fp<TOp>(bool scalar, bool dbl) where TOp : struct, IFpLaneOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) => (scalar, dbl) switch
        {
            (false, false) => Lanes<PsLane<TOp>>(insn, o, typeof(YMem)),
            (false, true) => Lanes<PdLane<TOp>>(insn, o, typeof(YMem)),
            (true, false) => Lanes<SsLane<TOp>>(insn, o, typeof(YNarrow<XMem32>)),
            _ => Lanes<SdLane<TOp>>(insn, o, typeof(YNarrow<XMem64>)),
        };

    public static Binder Lanes<TOp>(Type? memory = null) where TOp : struct, ILaneOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) => Lanes<TOp>(insn, o, memory ?? typeof(YMem));

    /// <summary>A move of the whole operand; memory is accessed as <paramref name="memory"/>.</summary>
    public static nint Move(in Instruction insn, Type[] o, Type memory) =>
        o.Length != 2
            ? 0
            : Handlers.Get(typeof(VexHandlers), nameof(VexHandlers.Move), Width(insn), Ymm(o[0], memory), Ymm(o[1], memory));
}

/// <summary>Registration of an SSE mnemonic together with its VEX twin ("V" + the SSE name), bound by the same binder.</summary>
public static class VexRegistration
{
    /// <summary>
    /// Registers <paramref name="legacy"/> and its VEX mnemonic with <paramref name="binder"/>, which tells the two encodings
    /// apart with <see cref="VexBind.IsVex"/>.
    /// </summary>
    public static void AddWithVex(this InstructionTable t, Mnemonic legacy, Binder binder,
        [CallerFilePath] string owner = "")
    {
        t.Add(legacy, binder, owner);
        t.Add(VexMnemonic(legacy), binder, owner);
    }

    public static Mnemonic VexMnemonic(Mnemonic legacy) => Enum.Parse<Mnemonic>("V" + legacy.ToString().ToLowerInvariant());
}
