using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// Floating-point compares (SDM Vol. 2): CMPPS CMPPD CMPSS CMPSD with the eight legacy predicates
/// (imm8 bits 2:0 — EQ LT LE UNORD NEQ NLT NLE ORD; the higher bits are ignored by legacy-SSE encodings),
/// and COMISS COMISD UCOMISS UCOMISD. Each element gives all ones (true) or zero. LT, LE, NLT, NLE and
/// COMIS* signal IE on any NaN; the others only on an SNaN. Denormal operands raise DE (or are zeros
/// under DAZ).
/// </summary>
[InstructionFamily]
static class SseFpCompare
{
    static readonly Type Self = typeof(SseFpCompare);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Cmpps, BindCmp(nameof(CmpPackedSingle), typeof(XMemAligned)));
        t.Add(Mnemonic.Cmppd, BindCmp(nameof(CmpPackedDouble), typeof(XMemAligned)));
        t.Add(Mnemonic.Cmpss, BindCmp(nameof(CmpScalarSingle), typeof(XMem32)));
        t.AddWithVex(Mnemonic.Comiss, BindComi(nameof(ComiSingle), typeof(XMem32), true));
        t.AddWithVex(Mnemonic.Ucomiss, BindComi(nameof(ComiSingle), typeof(XMem32), false));
        t.AddWithVex(Mnemonic.Comisd, BindComi(nameof(ComiDouble), typeof(XMem64), true));
        t.AddWithVex(Mnemonic.Ucomisd, BindComi(nameof(ComiDouble), typeof(XMem64), false));
        // VEX: imm8 bits 4:0 select one of 32 predicates (SDM Vol. 2 CMPPS, Table 3-1).
        t.Add(Mnemonic.Vcmpps, VexBind.Fp<Predicate>(scalar: false, dbl: false));
        t.Add(Mnemonic.Vcmppd, VexBind.Fp<Predicate>(scalar: false, dbl: true));
        t.Add(Mnemonic.Vcmpss, VexBind.Fp<Predicate>(scalar: true, dbl: false));
        t.Add(Mnemonic.Vcmpsd, VexBind.Fp<Predicate>(scalar: true, dbl: true));
    }

    static Binder BindCmp(string name, Type memory) => (in Instruction insn, ref DecodedOp op, Type[] o) => BindCmpForm(insn, ref op, o, name, memory);

    static nint BindCmpForm(in Instruction insn, ref DecodedOp op, Type[] o, string name, Type memory)
    {
        if (o.Length != 3) return 0;
        op.Cond = (byte)(op.Imm & 7);
        return Handlers.Get(Self, name, SseBind.Xmm(o[1], memory));
    }

    /// <summary>CMPSD xmm, xmm/m64, imm8 (bound through <see cref="SseScalarForms.BindCmpsd"/>).</summary>
    internal static nint BindCmpsd(in Instruction insn, ref DecodedOp op, Type[] o) =>
        insn.Code == Code.Cmpsd_xmm_xmmm64_imm8 ? BindCmpForm(insn, ref op, o, nameof(CmpScalarDouble), typeof(XMem64)) : 0;

    static Binder BindComi(string name, Type memory, bool signalQuiet) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 2) return 0;
        op.Cond = signalQuiet ? (byte)1 : (byte)0;
        return Handlers.Get(Self, name, SseBind.Xmm(o[1], memory));
    };

    /// <summary>
    /// Predicates 1, 2, 5, 6 (LT LE NLT NLE) and their VEX twins 9, 10, 13, 14 (NGE NGT GE GT) signal on QNaNs; predicates
    /// 16–31 are 0–15 with the signalling inverted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Signals(int predicate) => (((0b0110_0110_0110_0110 >> (predicate & 15)) ^ (predicate >> 4)) & 1) != 0;

    /// <summary>The predicate (bits 3:0) applied to a <see cref="SoftFloat{F}.Compare"/> outcome (−1, 0, 1, or 2 for unordered).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Holds(int predicate, int r) => (predicate & 15) switch
    {
        0 => r == 0,
        1 => r == -1,
        2 => r is -1 or 0,
        3 => r == 2,
        4 => r != 0,
        5 => r != -1,
        6 => r is 1 or 2,
        7 => r != 2,
        8 => r is 0 or 2,
        9 => r is -1 or 2,
        10 => r != 1,
        11 => false,
        12 => r is -1 or 1,
        13 => r is 0 or 1,
        14 => r == 1,
        _ => true,
    };

    /// <summary>The VEX compare of one element: all ones when predicate imm8[4:0] holds.</summary>
    public struct Predicate : IFpLaneOp
    {
        public static uint Single(uint a, uint b, byte imm, int index, uint mx, ref uint flags) => Cmp32(imm & 31, a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, byte imm, int index, uint mx, ref uint flags) => Cmp64(imm & 31, a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Cmp32(int p, uint a, uint b, uint mx, ref uint flags) =>
        Holds(p, SoftFloat<F32>.Compare(a, b, Signals(p), mx, ref flags)) ? uint.MaxValue : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Cmp64(int p, ulong a, ulong b, uint mx, ref uint flags) =>
        Holds(p, SoftFloat<F64>.Compare(a, b, Signals(p), mx, ref flags)) ? ulong.MaxValue : 0;

    public static void CmpPackedSingle<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> b = S.Read(c, ref op).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        int p = op.Cond;
        uint r0 = Cmp32(p, SseFpHandlers.Lane32(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        uint r1 = Cmp32(p, SseFpHandlers.Lane32(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        uint r2 = Cmp32(p, SseFpHandlers.Lane32(c, op.R1, 2), b.GetElement(2), mx, ref flags);
        uint r3 = Cmp32(p, SseFpHandlers.Lane32(c, op.R1, 3), b.GetElement(3), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(((ulong)r3 << 32) | r2, ((ulong)r1 << 32) | r0);
    }

    public static void CmpPackedDouble<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<ulong> b = S.Read(c, ref op).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        int p = op.Cond;
        ulong r0 = Cmp64(p, SseFpHandlers.Lane64(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        ulong r1 = Cmp64(p, SseFpHandlers.Lane64(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    public static void CmpScalarSingle<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        uint b = S.Read(c, ref op).AsUInt32().ToScalar(), flags = 0;
        uint r = Cmp32(op.Cond, SseFpHandlers.Lane32(c, op.R1, 0), b, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane32(c, op.R1, 0) = r;
    }

    public static void CmpScalarDouble<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong b = S.Read(c, ref op).AsUInt64().ToScalar();
        uint flags = 0;
        ulong r = Cmp64(op.Cond, SseFpHandlers.Lane64(c, op.R1, 0), b, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane64(c, op.R1, 0) = r;
    }

    /// <summary>Unordered: ZF PF CF = 111; greater: 000; less: 001; equal: 100. OF, SF and AF are cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SetComiFlags(Cpu c, int r) => c.SetStatusFlags(r switch
    {
        -1 => RFlags.CF,
        0 => RFlags.ZF,
        1 => 0,
        _ => RFlags.ZF | RFlags.PF | RFlags.CF,
    });

    /// <summary>−1, 0 or 1 for two numbers (no NaN): IEEE comparison, exact on every host.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int OrderOf(double a, double b) => a < b ? -1 : a > b ? 1 : 0;

    [MethodImpl(Hot.Handler)]
    public static void ComiSingle<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        uint a = SseFpHandlers.Lane32(c, op.R1, 0), b = S.Read(c, ref op).AsUInt32().ToScalar(), flags = 0;
        // Normal operands compare exactly on the host and raise nothing; zeros, denormals (DE) and NaNs take the soft path.
        int r = Fp32.IsNormal(a) && Fp32.IsNormal(b)
            ? OrderOf(BitConverter.UInt32BitsToSingle(a), BitConverter.UInt32BitsToSingle(b))
            : SoftFloat<F32>.Compare(a, b, op.Cond != 0, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SetComiFlags(c, r);
    }

    [MethodImpl(Hot.Handler)]
    public static void ComiDouble<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong a = SseFpHandlers.Lane64(c, op.R1, 0), b = S.Read(c, ref op).AsUInt64().ToScalar();
        uint flags = 0;
        int r = Fp64.IsNormal(a) && Fp64.IsNormal(b)
            ? OrderOf(BitConverter.UInt64BitsToDouble(a), BitConverter.UInt64BitsToDouble(b))
            : SoftFloat<F64>.Compare(a, b, op.Cond != 0, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SetComiFlags(c, r);
    }
}
