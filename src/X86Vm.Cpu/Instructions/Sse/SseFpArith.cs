using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>One element operation of a floating-point instruction, in both precisions: result = op(dest element, source element).</summary>
public interface IFpOp
{
    static abstract uint Single(uint a, uint b, uint mx, ref uint flags);
    static abstract ulong Double(ulong a, ulong b, uint mx, ref uint flags);
}

/// <summary>
/// The shared shapes of SSE floating-point instructions: packed (every element) and scalar (element 0,
/// the others kept) in single and double precision. Each element's exception flags are gathered and
/// committed to MXCSR (or raised as #XM) before the destination is written.
/// </summary>
public static class SseFpHandlers
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint Lane32(Cpu c, byte reg, int i) => ref Unsafe.Add(ref Unsafe.As<UInt128, uint>(ref c.Xmm[reg]), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ulong Lane64(Cpu c, byte reg, int i) => ref Unsafe.Add(ref Unsafe.As<UInt128, ulong>(ref c.Xmm[reg]), i);

    [MethodImpl(Hot.Handler)]
    public static void PackedSingle<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IFpOp where S : struct, IXmmOperand
    {
        Vector128<uint> b = S.Read(c, ref op).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        uint r0 = TOp.Single(Lane32(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        uint r1 = TOp.Single(Lane32(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        uint r2 = TOp.Single(Lane32(c, op.R1, 2), b.GetElement(2), mx, ref flags);
        uint r3 = TOp.Single(Lane32(c, op.R1, 3), b.GetElement(3), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(((ulong)r3 << 32) | r2, ((ulong)r1 << 32) | r0);
    }

    [MethodImpl(Hot.Handler)]
    public static void PackedDouble<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IFpOp where S : struct, IXmmOperand
    {
        Vector128<ulong> b = S.Read(c, ref op).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        ulong r0 = TOp.Double(Lane64(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        ulong r1 = TOp.Double(Lane64(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    [MethodImpl(Hot.Handler)]
    public static void ScalarSingle<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IFpOp where S : struct, IXmmOperand
    {
        uint b = S.Read(c, ref op).AsUInt32().ToScalar();
        uint flags = 0;
        uint r = TOp.Single(Lane32(c, op.R1, 0), b, c.Mxcsr, ref flags);
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        Lane32(c, op.R1, 0) = r;
    }

    [MethodImpl(Hot.Handler)]
    public static void ScalarDouble<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IFpOp where S : struct, IXmmOperand
    {
        ulong b = S.Read(c, ref op).AsUInt64().ToScalar();
        uint flags = 0;
        ulong r = TOp.Double(Lane64(c, op.R1, 0), b, c.Mxcsr, ref flags);
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        Lane64(c, op.R1, 0) = r;
    }
}

/// <summary>Binders for <see cref="SseFpHandlers"/>.</summary>
public static class SseFpBind
{
    /// <summary>"op xmm, xmm/m128" packed single (<paramref name="dbl"/> false) or double; m128 must be aligned.</summary>
    public static Binder Packed<TOp>(bool dbl) where TOp : struct, IFpOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            VexBind.IsVex(insn) ? VexBind.Fp<Fp<TOp>>(false, dbl)(insn, ref op, o)
            : SseBind.UsesMmx(insn) || o.Length != 2
                ? 0
                : Handlers.Get(typeof(SseFpHandlers), dbl ? nameof(SseFpHandlers.PackedDouble) : nameof(SseFpHandlers.PackedSingle),
                    typeof(TOp), SseBind.Xmm(o[1], typeof(XMemAligned)));

    /// <summary>"op xmm, xmm/m32" (single) or "op xmm, xmm/m64" (double): element 0 only.</summary>
    public static Binder Scalar<TOp>(bool dbl) where TOp : struct, IFpOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) => BindScalar<TOp>(insn, o, dbl);

    public static nint BindScalar<TOp>(in Instruction insn, Type[] o, bool dbl) where TOp : struct, IFpOp =>
        VexBind.IsVex(insn)
            ? dbl ? VexBind.Lanes<SdLane<Fp<TOp>>>(insn, o, typeof(YNarrow<XMem64>)) : VexBind.Lanes<SsLane<Fp<TOp>>>(insn, o, typeof(YNarrow<XMem32>))
        : o.Length != 2
            ? 0
            : Handlers.Get(typeof(SseFpHandlers), dbl ? nameof(SseFpHandlers.ScalarDouble) : nameof(SseFpHandlers.ScalarSingle),
                typeof(TOp), SseBind.Xmm(o[1], dbl ? typeof(XMem64) : typeof(XMem32)));
}

/// <summary>
/// SSE/SSE2 floating-point arithmetic (SDM Vol. 2): ADD SUB MUL DIV SQRT MIN MAX in PS PD SS SD forms, and
/// the estimates RCPPS RCPSS RSQRTPS RSQRTSS. Rounding, flags, DAZ/FTZ and NaN rules: <see cref="SoftFloat{F}"/>.
/// </summary>
[InstructionFamily]
static class SseFpArith
{
    static void Register(InstructionTable t)
    {
        Add4<AddOp>(t, Mnemonic.Addps, Mnemonic.Addpd, Mnemonic.Addss, Mnemonic.Addsd);
        Add4<SubOp>(t, Mnemonic.Subps, Mnemonic.Subpd, Mnemonic.Subss, Mnemonic.Subsd);
        Add4<MulOp>(t, Mnemonic.Mulps, Mnemonic.Mulpd, Mnemonic.Mulss, Mnemonic.Mulsd);
        Add4<DivOp>(t, Mnemonic.Divps, Mnemonic.Divpd, Mnemonic.Divss, Mnemonic.Divsd);
        Add4<MinOp>(t, Mnemonic.Minps, Mnemonic.Minpd, Mnemonic.Minss, Mnemonic.Minsd);
        Add4<MaxOp>(t, Mnemonic.Maxps, Mnemonic.Maxpd, Mnemonic.Maxss, Mnemonic.Maxsd);
        Add4<SqrtOp>(t, Mnemonic.Sqrtps, Mnemonic.Sqrtpd, Mnemonic.Sqrtss, Mnemonic.Sqrtsd);
        t.AddWithVex(Mnemonic.Rcpps, SseFpBind.Packed<RcpOp>(false));
        t.AddWithVex(Mnemonic.Rcpss, SseFpBind.Scalar<RcpOp>(false));
        t.AddWithVex(Mnemonic.Rsqrtps, SseFpBind.Packed<RsqrtOp>(false));
        t.AddWithVex(Mnemonic.Rsqrtss, SseFpBind.Scalar<RsqrtOp>(false));
    }

    static void Add4<TOp>(InstructionTable t, Mnemonic ps, Mnemonic pd, Mnemonic ss, Mnemonic sd) where TOp : struct, IFpOp
    {
        t.AddWithVex(ps, SseFpBind.Packed<TOp>(false));
        t.AddWithVex(pd, SseFpBind.Packed<TOp>(true));
        t.AddWithVex(ss, SseFpBind.Scalar<TOp>(false));
        t.AddWithVex(sd, SseFpBind.Scalar<TOp>(true));
    }

    public struct AddOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Fp32.Add(a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => Fp64.Add(a, b, mx, ref flags);
    }

    public struct SubOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Fp32.Sub(a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => Fp64.Sub(a, b, mx, ref flags);
    }

    public struct MulOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Fp32.Mul(a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => Fp64.Mul(a, b, mx, ref flags);
    }

    public struct DivOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Fp32.Div(a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => Fp64.Div(a, b, mx, ref flags);
    }

    public struct MinOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => (uint)SoftFloat<F32>.MinMax(a, b, false, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => SoftFloat<F64>.MinMax(a, b, false, mx, ref flags);
    }

    public struct MaxOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => (uint)SoftFloat<F32>.MinMax(a, b, true, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => SoftFloat<F64>.MinMax(a, b, true, mx, ref flags);
    }

    /// <summary>Unary: the destination element is replaced by √(source element).</summary>
    public struct SqrtOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Fp32.Sqrt(b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => Fp64.Sqrt(b, mx, ref flags);
    }

    public struct RcpOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Estimate.Reciprocal(b);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => throw new InvalidOperationException();
    }

    public struct RsqrtOp : IFpOp
    {
        public static uint Single(uint a, uint b, uint mx, ref uint flags) => Estimate.ReciprocalSqrt(b);
        public static ulong Double(ulong a, ulong b, uint mx, ref uint flags) => throw new InvalidOperationException();
    }
}
