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
        t.Add(Mnemonic.Vroundps, VexBind.Fp<Round>(scalar: false, dbl: false));
        t.Add(Mnemonic.Vroundpd, VexBind.Fp<Round>(scalar: false, dbl: true));
        t.Add(Mnemonic.Vroundss, VexBind.Fp<Round>(scalar: true, dbl: false));
        t.Add(Mnemonic.Vroundsd, VexBind.Fp<Round>(scalar: true, dbl: true));
    }

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
        Vector128<byte> b = S.Read(c, ref op), a = XmmAccess.At(c, op.R1), r = default;
        uint mx = c.Mxcsr, flags = 0;
        int n = Sse.Lane<T>.Count;
        Span<ulong> p = stackalloc ulong[4];
        for (int i = 0; i < n; i++)
            p[i] = (op.Imm >> (4 + i) & 1) != 0 ? SoftFloat<F>.Mul(Lane<T>(a, i), Lane<T>(b, i), mx, ref flags) : 0;
        Mxcsr.Commit(c, flags, op.Ip);
        flags = 0;
        ulong sum;
        if (n == 4)
        {
            ulong low = SoftFloat<F>.Add(p[0], p[1], mx, ref flags), high = SoftFloat<F>.Add(p[2], p[3], mx, ref flags);
            Mxcsr.Commit(c, flags, op.Ip);
            flags = 0;
            sum = SoftFloat<F>.Add(low, high, mx, ref flags);
        }
        else sum = SoftFloat<F>.Add(p[0], p[1], mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        for (int i = 0; i < n; i++)
            Sse.Lane<T>.At(ref r, i) = (op.Imm >> i & 1) != 0 ? T.CreateTruncating(sum) : T.Zero;
        XmmAccess.At(c, op.R1) = r;
    }
}
