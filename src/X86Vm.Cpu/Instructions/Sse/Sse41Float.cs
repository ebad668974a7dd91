using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// SSE4.1 floating point (SDM Vol. 2): ROUNDPS/PD/SS/SD (<see cref="RoundIntegral{F}"/>) and the dot products
/// DPPS/DPPD. Both precisions share one generic body (lane type <c>T</c>, format <c>F</c>).
/// </summary>
[InstructionFamily]
static class Sse41Float
{
    static readonly Type Self = typeof(Sse41Float);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Roundps, BindRound(nameof(RoundPacked), typeof(uint), typeof(F32), typeof(XMemAligned)));
        t.Add(Mnemonic.Roundpd, BindRound(nameof(RoundPacked), typeof(ulong), typeof(F64), typeof(XMemAligned)));
        t.Add(Mnemonic.Roundss, BindRound(nameof(RoundScalar), typeof(uint), typeof(F32), typeof(XMem32)));
        t.Add(Mnemonic.Roundsd, BindRound(nameof(RoundScalar), typeof(ulong), typeof(F64), typeof(XMem64)));
        t.Add(Mnemonic.Dpps, BindRound(nameof(DotProduct), typeof(uint), typeof(F32), typeof(XMemAligned)));
        t.Add(Mnemonic.Dppd, BindRound(nameof(DotProduct), typeof(ulong), typeof(F64), typeof(XMemAligned)));
        t.Add(Mnemonic.Vdpps, BindDotVex(typeof(uint), typeof(F32)));
        t.Add(Mnemonic.Vdppd, BindDotVex(typeof(ulong), typeof(F64)));
        t.Add(Mnemonic.Vroundps, VexBind.Fp<Round>(scalar: false, dbl: false));
        t.Add(Mnemonic.Vroundpd, VexBind.Fp<Round>(scalar: false, dbl: true));
        t.Add(Mnemonic.Vroundss, VexBind.Fp<Round>(scalar: true, dbl: false));
        t.Add(Mnemonic.Vroundsd, VexBind.Fp<Round>(scalar: true, dbl: true));
    }

    static Binder BindDotVex(Type lane, Type format) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 4 ? 0 : Handlers.Get(Self, nameof(DotProductVex), lane, format, VexBind.Width(insn), VexBind.Ymm(o[2], typeof(YMem)));

    /// <summary>The rounding of one element (the second source's) under imm8, for the VEX forms.</summary>
    public struct Round : IFpLaneOp
    {
        public static uint Single(uint a, uint b, byte imm, int index, uint mx, ref uint flags) =>
            (uint)RoundIntegral<F32>.Round(b, Mode(imm, mx), (imm & 8) != 0, mx, ref flags);
        public static ulong Double(ulong a, ulong b, byte imm, int index, uint mx, ref uint flags) =>
            RoundIntegral<F64>.Round(b, Mode(imm, mx), (imm & 8) != 0, mx, ref flags);
    }

    static Binder BindRound(string name, Type lane, Type format, Type memory) =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 3 ? 0 : Handlers.Get(Self, name, lane, format, SseBind.Xmm(o[1], memory));

    /// <summary>imm8 bits 1:0 give the rounding mode unless bit 2 selects MXCSR.RC; bit 3 suppresses the precision exception.</summary>
    static uint Mode(ulong imm, uint mx) => (imm & 4) != 0 ? Mxcsr.Rounding(mx) : (uint)(imm & 3);

    static ulong Lane<T>(Vector128<byte> v, int i) where T : unmanaged, IBinaryInteger<T> => ulong.CreateTruncating(Sse.Lane<T>.Get(v, i));

    public static void RoundPacked<T, F, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op), r = default;
        uint mx = c.Mxcsr, flags = 0, mode = Mode(op.Imm, mx);
        bool quiet = (op.Imm & 8) != 0;
        for (int i = 0; i < Sse.Lane<T>.Count; i++)
            Sse.Lane<T>.At(ref r, i) = T.CreateTruncating(RoundIntegral<F>.Round(Lane<T>(b, i), mode, quiet, mx, ref flags));
        Mxcsr.Commit(c, flags, op.Ip);
        XmmAccess.At(c, op.R1) = r;
    }

    public static void RoundScalar<T, F, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op);
        uint mx = c.Mxcsr, flags = 0;
        ulong x = RoundIntegral<F>.Round(Lane<T>(b, 0), Mode(op.Imm, mx), (op.Imm & 8) != 0, mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        Sse.Lane<T>.At(ref XmmAccess.At(c, op.R1), 0) = T.CreateTruncating(x);
    }

    /// <summary>
    /// DPPS/DPPD (SDM DPPS "Operation"): the products of the lanes selected by imm8 bits 7:4 (the others +0.0),
    /// each rounded; then summed pairwise, each sum rounded: DPPS ((p0 + p1) + (p2 + p3)), DPPD (p0 + p1); the
    /// sum goes to the lanes selected by imm8 bits 3:0, +0.0 to the others. The exception flags are committed
    /// stage by stage (products, first sums, final sum), as the reference CPU reports them: an unmasked
    /// exception of one stage stops the instruction with that stage's flags and those of the stages before.
    /// </summary>
    public static void DotProduct<T, F, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op), a = XmmAccess.At(c, op.R1);
        XmmAccess.At(c, op.R1) = Dot<T, F, W128>(c, ref op, Vector256.Create(a, default), Vector256.Create(b, default)).GetLower();
    }

    /// <summary>VDPPS/VDPPD dest, src1, src2/mem, imm8: the same per 128-bit lane (VDPPD is VEX.128 only), stages committed across both lanes.</summary>
    public static void DotProductVex<T, F, W, S>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> b = S.Read<W>(c, ref op), a = YmmAccess.Read<W>(c, op.R2);
        YmmAccess.Write<W>(c, op.R1, Dot<T, F, W>(c, ref op, a, b));
    }

    static Vector256<byte> Dot<T, F, W>(Cpu c, ref DecodedOp op, Vector256<byte> a, Vector256<byte> b)
        where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where W : struct, IWidth
    {
        uint mx = c.Mxcsr, flags = 0;
        int n = Sse.Lane<T>.Count;
        Span<ulong> p = stackalloc ulong[8], low = stackalloc ulong[2], high = stackalloc ulong[2], sum = stackalloc ulong[2];
        for (int l = 0; l < W.Lanes; l++)
        {
            Vector128<byte> x = l == 0 ? a.GetLower() : a.GetUpper(), y = l == 0 ? b.GetLower() : b.GetUpper();
            for (int i = 0; i < n; i++)
                p[4 * l + i] = (op.Imm >> (4 + i) & 1) != 0 ? SoftFloat<F>.Mul(Lane<T>(x, i), Lane<T>(y, i), mx, ref flags) : 0;
        }
        Mxcsr.Commit(c, flags, op.Ip);
        flags = 0;
        if (n == 4)
        {
            for (int l = 0; l < W.Lanes; l++)
            {
                low[l] = SoftFloat<F>.Add(p[4 * l], p[4 * l + 1], mx, ref flags);
                high[l] = SoftFloat<F>.Add(p[4 * l + 2], p[4 * l + 3], mx, ref flags);
            }
            Mxcsr.Commit(c, flags, op.Ip);
            flags = 0;
            for (int l = 0; l < W.Lanes; l++) sum[l] = SoftFloat<F>.Add(low[l], high[l], mx, ref flags);
        }
        else
            for (int l = 0; l < W.Lanes; l++) sum[l] = SoftFloat<F>.Add(p[4 * l], p[4 * l + 1], mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        Vector128<byte> r0 = default, r1 = default;
        for (int i = 0; i < n; i++)
        {
            bool selected = (op.Imm >> i & 1) != 0;
            Sse.Lane<T>.At(ref r0, i) = selected ? T.CreateTruncating(sum[0]) : T.Zero;
            Sse.Lane<T>.At(ref r1, i) = selected ? T.CreateTruncating(sum[1]) : T.Zero;
        }
        return Vector256.Create(r0, W.Lanes == 2 ? r1 : default);
    }
}
