using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// The SSE3 vector instructions (SDM Vol. 2): ADDSUBPS ADDSUBPD HADDPS HADDPD HSUBPS HSUBPD MOVSHDUP MOVSLDUP
/// MOVDDUP (LDDQU is in <see cref="SseMove"/>). Arithmetic follows <see cref="SoftFloat{F}"/> element by
/// element; the flags of all elements are committed before the destination is written.
/// <para>
/// CPUID does not advertise SSE3: FISTTP (x87) belongs to the same feature bit and x87 is not implemented
/// yet, and MONITOR/MWAIT have their own bit.
/// </para>
/// </summary>
[InstructionFamily]
static class SseFpSse3
{
    static readonly Type Self = typeof(SseFpSse3);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Addsubps, Bind(nameof(AddSubPs), typeof(XMemAligned)));
        t.Add(Mnemonic.Addsubpd, Bind(nameof(AddSubPd), typeof(XMemAligned)));
        t.Add(Mnemonic.Haddps, Bind(nameof(HorizontalPs), typeof(XMemAligned), 0));
        t.Add(Mnemonic.Hsubps, Bind(nameof(HorizontalPs), typeof(XMemAligned), 1));
        t.Add(Mnemonic.Haddpd, Bind(nameof(HorizontalPd), typeof(XMemAligned), 0));
        t.Add(Mnemonic.Hsubpd, Bind(nameof(HorizontalPd), typeof(XMemAligned), 1));
        t.Add(Mnemonic.Movshdup, Bind(nameof(Movshdup), typeof(XMemAligned)));
        t.Add(Mnemonic.Movsldup, Bind(nameof(Movsldup), typeof(XMemAligned)));
        t.Add(Mnemonic.Movddup, Bind(nameof(Movddup), typeof(XMem64)));
        // VEX forms: the same element operations per 128-bit lane (SDM Vol. 2 VADDSUBPS…: each lane as the 128-bit form).
        t.Add(Mnemonic.Vaddsubps, VexBind.Fp<AddSub>(scalar: false, dbl: false));
        t.Add(Mnemonic.Vaddsubpd, VexBind.Fp<AddSub>(scalar: false, dbl: true));
        t.Add(Mnemonic.Vhaddps, VexBind.Lanes<HorizontalLane<SseFpArith.AddOp, uint>>());
        t.Add(Mnemonic.Vhsubps, VexBind.Lanes<HorizontalLane<SseFpArith.SubOp, uint>>());
        t.Add(Mnemonic.Vhaddpd, VexBind.Lanes<HorizontalLane<SseFpArith.AddOp, ulong>>());
        t.Add(Mnemonic.Vhsubpd, VexBind.Lanes<HorizontalLane<SseFpArith.SubOp, ulong>>());
        t.Add(Mnemonic.Vmovshdup, VexBind.Lanes<IntLane<Duplicate<uint, Odd>>>());
        t.Add(Mnemonic.Vmovsldup, VexBind.Lanes<IntLane<Duplicate<uint, Even>>>());
        t.Add(Mnemonic.Vmovddup, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            VexBind.Lanes<IntLane<Duplicate<ulong, Even>>>(insn, o, AvxPermute.MemoryOfSize(insn.MemorySize.GetSize())));
    }

    /// <summary>Even elements: a − b; odd elements: a + b.</summary>
    public struct AddSub : IFpLaneOp
    {
        public static uint Single(uint a, uint b, byte imm, int index, uint mx, ref uint flags) =>
            (index & 1) == 0 ? Fp32.Sub(a, b, mx, ref flags) : Fp32.Add(a, b, mx, ref flags);
        public static ulong Double(ulong a, ulong b, byte imm, int index, uint mx, ref uint flags) =>
            (index & 1) == 0 ? Fp64.Sub(a, b, mx, ref flags) : Fp64.Add(a, b, mx, ref flags);
    }

    /// <summary>VHADD/VHSUB per lane: [a0 ∘ a1, a2 ∘ a3, b0 ∘ b1, b2 ∘ b3] (singles) or [a0 ∘ a1, b0 ∘ b1] (doubles).</summary>
    public struct HorizontalLane<TOp, T> : ILaneOp where TOp : struct, IFpOp where T : unmanaged, IBinaryInteger<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags)
        {
            Vector128<byte> r = default;
            int half = Lane<T>.Count / 2;
            for (int i = 0; i < Lane<T>.Count; i++)
            {
                Vector128<byte> s = i < half ? a : b;
                int j = 2 * (i % half);
                Lane<T>.At(ref r, i) = typeof(T) == typeof(uint)
                    ? T.CreateTruncating(TOp.Single(Lane<uint>.Get(s, j), Lane<uint>.Get(s, j + 1), mx, ref flags))
                    : T.CreateTruncating(TOp.Double(Lane<ulong>.Get(s, j), Lane<ulong>.Get(s, j + 1), mx, ref flags));
            }
            return r;
        }
    }

    public interface IParity
    {
        static abstract int First { get; }
    }

    public struct Even : IParity
    {
        public static int First => 0;
    }

    public struct Odd : IParity
    {
        public static int First => 1;
    }

    /// <summary>VMOVSLDUP/VMOVSHDUP/VMOVDDUP per lane: each pair of elements becomes two copies of its even (or odd) element.</summary>
    public struct Duplicate<T, P> : IVectorOp where T : unmanaged, IBinaryInteger<T> where P : struct, IParity
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < Lane<T>.Count; i++) Lane<T>.At(ref r, i) = Lane<T>.Get(b, (i & ~1) + P.First);
            return r;
        }
    }

    /// <summary>"op xmm, xmm/mN"; <see cref="DecodedOp.Cond"/> = 1 selects subtraction for HSUB.</summary>
    static Binder Bind(string name, Type memory, byte cond = 0) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 2) return 0;
        op.Cond = cond;
        return Handlers.Get(Self, name, SseBind.Xmm(o[1], memory));
    };

    /// <summary>Elements 0 and 2: dest − source; 1 and 3: dest + source.</summary>
    public static void AddSubPs<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> b = S.Read(c, ref op).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        uint r0 = Fp32.Sub(SseFpHandlers.Lane32(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        uint r1 = Fp32.Add(SseFpHandlers.Lane32(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        uint r2 = Fp32.Sub(SseFpHandlers.Lane32(c, op.R1, 2), b.GetElement(2), mx, ref flags);
        uint r3 = Fp32.Add(SseFpHandlers.Lane32(c, op.R1, 3), b.GetElement(3), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(((ulong)r3 << 32) | r2, ((ulong)r1 << 32) | r0);
    }

    public static void AddSubPd<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<ulong> b = S.Read(c, ref op).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        ulong r0 = Fp64.Sub(SseFpHandlers.Lane64(c, op.R1, 0), b.GetElement(0), mx, ref flags);
        ulong r1 = Fp64.Add(SseFpHandlers.Lane64(c, op.R1, 1), b.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    /// <summary>HADDPS/HSUBPS: [d0 ∘ d1, d2 ∘ d3, s0 ∘ s1, s2 ∘ s3].</summary>
    public static void HorizontalPs<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> b = S.Read(c, ref op).AsUInt32();
        Vector128<uint> a = XmmAccess.At(c, op.R1).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        bool sub = op.Cond != 0;
        uint r0 = sub ? Fp32.Sub(a.GetElement(0), a.GetElement(1), mx, ref flags) : Fp32.Add(a.GetElement(0), a.GetElement(1), mx, ref flags);
        uint r1 = sub ? Fp32.Sub(a.GetElement(2), a.GetElement(3), mx, ref flags) : Fp32.Add(a.GetElement(2), a.GetElement(3), mx, ref flags);
        uint r2 = sub ? Fp32.Sub(b.GetElement(0), b.GetElement(1), mx, ref flags) : Fp32.Add(b.GetElement(0), b.GetElement(1), mx, ref flags);
        uint r3 = sub ? Fp32.Sub(b.GetElement(2), b.GetElement(3), mx, ref flags) : Fp32.Add(b.GetElement(2), b.GetElement(3), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(((ulong)r3 << 32) | r2, ((ulong)r1 << 32) | r0);
    }

    /// <summary>HADDPD/HSUBPD: [d0 ∘ d1, s0 ∘ s1].</summary>
    public static void HorizontalPd<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<ulong> b = S.Read(c, ref op).AsUInt64();
        Vector128<ulong> a = XmmAccess.At(c, op.R1).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        bool sub = op.Cond != 0;
        ulong r0 = sub ? Fp64.Sub(a.GetElement(0), a.GetElement(1), mx, ref flags) : Fp64.Add(a.GetElement(0), a.GetElement(1), mx, ref flags);
        ulong r1 = sub ? Fp64.Sub(b.GetElement(0), b.GetElement(1), mx, ref flags) : Fp64.Add(b.GetElement(0), b.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    /// <summary>MOVSHDUP: [s1, s1, s3, s3].</summary>
    public static void Movshdup<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> s = S.Read(c, ref op).AsUInt32();
        XmmAccess.At(c, op.R1) = Vector128.Create(s.GetElement(1), s.GetElement(1), s.GetElement(3), s.GetElement(3)).AsByte();
    }

    /// <summary>MOVSLDUP: [s0, s0, s2, s2].</summary>
    public static void Movsldup<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> s = S.Read(c, ref op).AsUInt32();
        XmmAccess.At(c, op.R1) = Vector128.Create(s.GetElement(0), s.GetElement(0), s.GetElement(2), s.GetElement(2)).AsByte();
    }

    /// <summary>MOVDDUP xmm, xmm/m64: [s0, s0].</summary>
    public static void Movddup<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong s = S.Read(c, ref op).AsUInt64().ToScalar();
        c.Xmm[op.R1] = new UInt128(s, s);
    }
}
