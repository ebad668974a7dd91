using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// AVX/AVX2 data movement with no legacy-SSE form (SDM Vol. 2): VZEROUPPER VZEROALL, VBROADCASTSS/SD/F128/I128,
/// VPBROADCASTB/W/D/Q, VINSERTF128/I128, VEXTRACTF128/I128, VPERM2F128/I128, VPERMQ VPERMPD VPERMD VPERMPS,
/// VPERMILPS/PD (immediate and vector control), VPBLENDD, the widening VPMOVSX/ZX of 256-bit destinations, VPMOVMSKB
/// VMOVMSKPS/PD of YMM sources, VPTEST VTESTPS VTESTPD, the four-operand VPBLENDVB VBLENDVPS VBLENDVPD, the
/// per-element shifts VPSLLVD/Q VPSRLVD/Q VPSRAVD, and the masked moves VPMASKMOVD/Q VMASKMOVPS/PD.
/// </summary>
[InstructionFamily]
static class AvxPermute
{
    static readonly Type Self = typeof(AvxPermute);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Vzeroupper, Bind.Fixed(Self, nameof(ZeroUpper)));
        t.Add(Mnemonic.Vzeroall, Bind.Fixed(Self, nameof(ZeroAll)));
        t.Add(Mnemonic.Vbroadcastss, BindBroadcast<uint>());
        t.Add(Mnemonic.Vbroadcastsd, BindBroadcast<ulong>());
        t.Add(Mnemonic.Vpbroadcastb, BindBroadcast<byte>());
        t.Add(Mnemonic.Vpbroadcastw, BindBroadcast<ushort>());
        t.Add(Mnemonic.Vpbroadcastd, BindBroadcast<uint>());
        t.Add(Mnemonic.Vpbroadcastq, BindBroadcast<ulong>());
        t.Add(Mnemonic.Vbroadcastf128, BindBroadcast<UInt128>());
        t.Add(Mnemonic.Vbroadcasti128, BindBroadcast<UInt128>());
        t.Add(Mnemonic.Vinsertf128, BindInsert128);
        t.Add(Mnemonic.Vinserti128, BindInsert128);
        t.Add(Mnemonic.Vextractf128, BindExtract128);
        t.Add(Mnemonic.Vextracti128, BindExtract128);
        t.Add(Mnemonic.Vperm2f128, BindWhole<Perm2x128>());
        t.Add(Mnemonic.Vperm2i128, BindWhole<Perm2x128>());
        t.Add(Mnemonic.Vpermq, BindWhole<PermQ>());
        t.Add(Mnemonic.Vpermpd, BindWhole<PermQ>());
        t.Add(Mnemonic.Vpermd, BindWhole<PermD>());
        t.Add(Mnemonic.Vpermps, BindWhole<PermD>());
        t.Add(Mnemonic.Vpermilps, (in Instruction insn, ref DecodedOp op, Type[] o) => o[^1] == typeof(Imm)
            ? VexBind.Lanes<ImmLane<SseShuffle.ShufD, SameImm>>(insn, o, typeof(YMem))
            : VexBind.Lanes<IntLane<PermilVarPs>>(insn, o, typeof(YMem)));
        t.Add(Mnemonic.Vpermilpd, (in Instruction insn, ref DecodedOp op, Type[] o) => o[^1] == typeof(Imm)
            ? VexBind.Lanes<ImmLane<PermilPd, ImmNext2>>(insn, o, typeof(YMem))
            : VexBind.Lanes<IntLane<PermilVarPd>>(insn, o, typeof(YMem)));
        t.Add(Mnemonic.Vpblendd, SseBind.BinaryImm<Sse41Integer.Blend<uint>, ImmNext4>());
        t.Add(Mnemonic.Vpsllvd, VexBind.Lanes<IntLane<ShiftVar<uint, Left>>>());
        t.Add(Mnemonic.Vpsllvq, VexBind.Lanes<IntLane<ShiftVar<ulong, Left>>>());
        t.Add(Mnemonic.Vpsrlvd, VexBind.Lanes<IntLane<ShiftVar<uint, Right>>>());
        t.Add(Mnemonic.Vpsrlvq, VexBind.Lanes<IntLane<ShiftVar<ulong, Right>>>());
        t.Add(Mnemonic.Vpsravd, VexBind.Lanes<IntLane<ShiftVar<int, Right>>>());
        t.Add(Mnemonic.Vptest, BindTest<byte>(both: true));
        t.Add(Mnemonic.Vtestps, BindTest<uint>(both: false));
        t.Add(Mnemonic.Vtestpd, BindTest<ulong>(both: false));
        t.Add(Mnemonic.Vpblendvb, BindBlendVariable<byte>());
        t.Add(Mnemonic.Vblendvps, BindBlendVariable<uint>());
        t.Add(Mnemonic.Vblendvpd, BindBlendVariable<ulong>());
        t.Add(Mnemonic.Vpmovmskb, BindMask<byte>());
        t.Add(Mnemonic.Vmovmskps, BindMask<uint>());
        t.Add(Mnemonic.Vmovmskpd, BindMask<ulong>());
        t.Add(Mnemonic.Vpmaskmovd, BindMaskMove<uint>());
        t.Add(Mnemonic.Vpmaskmovq, BindMaskMove<ulong>());
        t.Add(Mnemonic.Vmaskmovps, BindMaskMove<uint>());
        t.Add(Mnemonic.Vmaskmovpd, BindMaskMove<ulong>());
        t.Add(Mnemonic.Vpmovsxbw, BindExtend<sbyte, short>());
        t.Add(Mnemonic.Vpmovsxbd, BindExtend<sbyte, int>());
        t.Add(Mnemonic.Vpmovsxbq, BindExtend<sbyte, long>());
        t.Add(Mnemonic.Vpmovsxwd, BindExtend<short, int>());
        t.Add(Mnemonic.Vpmovsxwq, BindExtend<short, long>());
        t.Add(Mnemonic.Vpmovsxdq, BindExtend<int, long>());
        t.Add(Mnemonic.Vpmovzxbw, BindExtend<byte, ushort>());
        t.Add(Mnemonic.Vpmovzxbd, BindExtend<byte, uint>());
        t.Add(Mnemonic.Vpmovzxbq, BindExtend<byte, ulong>());
        t.Add(Mnemonic.Vpmovzxwd, BindExtend<ushort, uint>());
        t.Add(Mnemonic.Vpmovzxwq, BindExtend<ushort, ulong>());
        t.Add(Mnemonic.Vpmovzxdq, BindExtend<uint, ulong>());
    }

    /// <summary>The memory kind of an operand of <paramref name="bytes"/> bytes (1–16: narrow; 32: the width).</summary>
    internal static Type MemoryOfSize(int bytes) => bytes switch
    {
        1 => typeof(YNarrow<XMem8>),
        2 => typeof(YNarrow<XMem16>),
        4 => typeof(YNarrow<XMem32>),
        8 => typeof(YNarrow<XMem64>),
        16 => typeof(YNarrow<XMem>),
        _ => typeof(YMem),
    };

    // ------------------------------------------------------------------ VZEROUPPER, VZEROALL

    /// <summary>VZEROUPPER: bits 255:128 of every YMM register cleared.</summary>
    public static void ZeroUpper(Cpu c, ref DecodedOp op) => c.YmmHigh = default;

    /// <summary>VZEROALL: every YMM register cleared.</summary>
    public static void ZeroAll(Cpu c, ref DecodedOp op)
    {
        c.YmmHigh = default;
        c.Xmm = default;
    }

    // ------------------------------------------------------------------ broadcasts

    static Binder BindBroadcast<T>() where T : unmanaged => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 2 || o[0] == typeof(Mem) ? 0
        : Handlers.Get(Self, nameof(Broadcast), typeof(T), VexBind.Width(insn), VexBind.Ymm(o[1], MemoryOfSize(Unsafe.SizeOf<T>())));

    /// <summary>The source's element 0 in every element of the destination.</summary>
    public static void Broadcast<T, W, S>(Cpu c, ref DecodedOp op) where T : unmanaged where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> s = S.Read<W128>(c, ref op);
        T e = Unsafe.As<Vector256<byte>, T>(ref s);
        Vector256<byte> r = default;
        for (int i = 0; i < 16 * W.Lanes / Unsafe.SizeOf<T>(); i++) Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref r), i) = e;
        YmmAccess.Write<W>(c, op.R1, r);
    }

    // ------------------------------------------------------------------ 128-bit halves

    static nint BindInsert128(in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 4 ? 0 : Handlers.Get(Self, nameof(Insert128), VexBind.Ymm(o[2], typeof(YNarrow<XMem>)));

    /// <summary>VINSERTF128/I128 ymm1, ymm2, xmm3/m128, imm8: ymm2 with lane imm8[0] replaced by the source.</summary>
    public static void Insert128<S>(Cpu c, ref DecodedOp op) where S : struct, IYmmOperand
    {
        Vector128<byte> s = S.Read<W128>(c, ref op).GetLower();
        Vector256<byte> a = YmmAccess.Read<W256>(c, op.R2);
        YmmAccess.Write<W256>(c, op.R1, (op.Imm & 1) == 0 ? a.WithLower(s) : a.WithUpper(s));
    }

    static nint BindExtract128(in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 3 ? 0 : Handlers.Get(Self, nameof(Extract128), VexBind.Ymm(o[0], typeof(YNarrow<XMem>)));

    /// <summary>VEXTRACTF128/I128 xmm1/m128, ymm2, imm8: lane imm8[0] of the source (a register destination's upper half zeroed).</summary>
    public static void Extract128<D>(Cpu c, ref DecodedOp op) where D : struct, IYmmOperand
    {
        Vector256<byte> s = YmmAccess.Read<W256>(c, typeof(D) == typeof(Y1) ? op.R2 : op.R1); // a memory destination leaves the source in slot 1
        D.Write<W128>(c, ref op, Vector256.Create((op.Imm & 1) == 0 ? s.GetLower() : s.GetUpper(), Vector128<byte>.Zero));
    }

    // ------------------------------------------------------------------ whole-register permutes

    /// <summary>An operation on the whole 256-bit operands (cross-lane permutes).</summary>
    public interface IWholeOp
    {
        static abstract Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b, byte imm);
    }

    static Binder BindWhole<TOp>() where TOp : struct, IWholeOp => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        int n = o[^1] == typeof(Imm) ? o.Length - 1 : o.Length;
        if (n is < 2 or > 3 || VexBind.Width(insn) != typeof(W256)) return 0;
        return Handlers.Get(Self, nameof(Whole), typeof(TOp), n == 3 ? VexBind.Ymm(o[1], typeof(YMem)) : typeof(Y1), VexBind.Ymm(o[n - 1], typeof(YMem)));
    };

    public static void Whole<TOp, A, B>(Cpu c, ref DecodedOp op) where TOp : struct, IWholeOp where A : struct, IYmmOperand where B : struct, IYmmOperand
    {
        Vector256<byte> a = A.Read<W256>(c, ref op), b = B.Read<W256>(c, ref op);
        YmmAccess.Write<W256>(c, op.R1, TOp.Apply(a, b, (byte)op.Imm));
    }

    /// <summary>VPERM2F128/I128: each result lane chosen by imm8[1:0] / [5:4] from the four source lanes, or zero by imm8[3] / [7].</summary>
    public struct Perm2x128 : IWholeOp
    {
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b, byte imm) =>
            Vector256.Create(Pick(a, b, imm), Pick(a, b, imm >> 4));

        static Vector128<byte> Pick(Vector256<byte> a, Vector256<byte> b, int sel) =>
            (sel & 8) != 0 ? Vector128<byte>.Zero : (sel & 3) switch
            {
                0 => a.GetLower(),
                1 => a.GetUpper(),
                2 => b.GetLower(),
                _ => b.GetUpper(),
            };
    }

    /// <summary>VPERMQ/VPERMPD ymm1, ymm2/m256, imm8: quadword i = source quadword imm8[2i+1:2i].</summary>
    public struct PermQ : IWholeOp
    {
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b, byte imm)
        {
            Vector256<ulong> s = b.AsUInt64();
            return Vector256.Create(s.GetElement(imm & 3), s.GetElement(imm >> 2 & 3), s.GetElement(imm >> 4 & 3), s.GetElement(imm >> 6 & 3)).AsByte();
        }
    }

    /// <summary>VPERMD/VPERMPS ymm1, ymm2, ymm3/m256: doubleword i = ymm3 doubleword (ymm2 doubleword i) mod 8.</summary>
    public struct PermD : IWholeOp
    {
        public static Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b, byte imm)
        {
            Vector256<uint> idx = a.AsUInt32(), s = b.AsUInt32();
            Vector256<uint> r = default;
            for (int i = 0; i < 8; i++) r = r.WithElement(i, s.GetElement((int)(idx.GetElement(i) & 7)));
            return r.AsByte();
        }
    }

    /// <summary>VPERMILPD imm: element i of a lane = source element imm8 bit i (the upper lane's bits via <see cref="ImmNext2"/>).</summary>
    public struct PermilPd : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm) =>
            Vector128.Create(b.AsUInt64().GetElement(imm & 1), b.AsUInt64().GetElement(imm >> 1 & 1)).AsByte();
    }

    /// <summary>VPERMILPS with a vector control: element i of a lane = first-source element (control element i) bits 1:0.</summary>
    public struct PermilVarPs : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<uint> s = a.AsUInt32(), k = b.AsUInt32();
            return Vector128.Create(s.GetElement((int)(k.GetElement(0) & 3)), s.GetElement((int)(k.GetElement(1) & 3)),
                s.GetElement((int)(k.GetElement(2) & 3)), s.GetElement((int)(k.GetElement(3) & 3))).AsByte();
        }
    }

    /// <summary>VPERMILPD with a vector control: element i = first-source element (control element i) bit 1.</summary>
    public struct PermilVarPd : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<ulong> s = a.AsUInt64(), k = b.AsUInt64();
            return Vector128.Create(s.GetElement((int)(k.GetElement(0) >> 1 & 1)), s.GetElement((int)(k.GetElement(1) >> 1 & 1))).AsByte();
        }
    }

    // ------------------------------------------------------------------ per-element shifts

    public interface IDirection
    {
        static abstract bool IsLeft { get; }
    }

    public struct Left : IDirection
    {
        public static bool IsLeft => true;
    }

    public struct Right : IDirection
    {
        public static bool IsLeft => false;
    }

    /// <summary>
    /// VPSLLV/VPSRLV/VPSRAV: each element shifted by the count in the same element of the second source. A count of at
    /// least the element width gives zero (logical) or the sign fill (arithmetic: <typeparamref name="T"/> signed).
    /// </summary>
    public struct ShiftVar<T, D> : IVectorOp where T : unmanaged, IBinaryInteger<T> where D : struct, IDirection
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            int bits = Unsafe.SizeOf<T>() * 8;
            Vector128<byte> r = default;
            for (int i = 0; i < Lane<T>.Count; i++)
            {
                T x = Lane<T>.Get(a, i);
                ulong n = ulong.CreateTruncating(Lane<T>.Get(b, i)) & (bits == 32 ? uint.MaxValue : ulong.MaxValue);
                Lane<T>.At(ref r, i) =
                    D.IsLeft ? (n >= (ulong)bits ? T.Zero : x << (int)n)
                    : Lane<T>.Signed ? x >> (int)Math.Min(n, (ulong)bits - 1)
                    : n >= (ulong)bits ? T.Zero : x >>> (int)n;
            }
            return r;
        }
    }

    // ------------------------------------------------------------------ tests, masks, variable blends

    static Binder BindTest<T>(bool both) where T : unmanaged, IBinaryInteger<T> => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 2 ? 0 : Handlers.Get(Self, nameof(Test), typeof(T), VexBind.Width(insn), VexBind.Ymm(o[1], typeof(YMem)));

    /// <summary>
    /// VPTEST (T = byte: every bit) and VTESTPS/PD (the sign bit of each element): ZF = (dest AND src) = 0,
    /// CF = (NOT dest AND src) = 0 over the bits considered; OF, SF, AF, PF cleared.
    /// </summary>
    public static void Test<T, W, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> b = S.Read<W>(c, ref op), a = YmmAccess.Read<W>(c, op.R1);
        Vector256<byte> mask = typeof(T) == typeof(byte) ? Vector256<byte>.AllBitsSet
            : typeof(T) == typeof(uint) ? Vector256.Create(0x8000_0000u).AsByte() : Vector256.Create(0x8000_0000_0000_0000ul).AsByte();
        ulong flags = ((a & b & mask) == Vector256<byte>.Zero ? RFlags.ZF : 0) | ((Vector256.AndNot(b, a) & mask) == Vector256<byte>.Zero ? RFlags.CF : 0);
        c.SetStatusFlags(flags);
    }

    static Binder BindMask<T>() where T : unmanaged => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        Handlers.Get(Self, nameof(MoveMask), typeof(T), VexBind.Width(insn));

    /// <summary>VPMOVMSKB/VMOVMSKPS/VMOVMSKPD r32/r64, xmm/ymm: the top bit of each element, zero-extended.</summary>
    public static void MoveMask<T, W>(Cpu c, ref DecodedOp op) where T : unmanaged where W : struct, IWidth
    {
        Vector256<byte> v = YmmAccess.Read<W>(c, op.R2);
        uint bits = typeof(T) == typeof(byte) ? Vector256.ExtractMostSignificantBits(v)
            : typeof(T) == typeof(uint) ? Vector256.ExtractMostSignificantBits(v.AsUInt32()) : Vector256.ExtractMostSignificantBits(v.AsUInt64());
        int count = 16 * W.Lanes / Unsafe.SizeOf<T>();
        GprAccess.Write(c, op.R1, count == 32 ? bits : bits & ((1u << count) - 1));
    }

    /// <summary>VPBLENDVB/VBLENDVPS/VBLENDVPD dest, src1, src2/mem, mask (VEX /is4: the mask register in imm8[7:4]).</summary>
    static Binder BindBlendVariable<T>() where T : unmanaged, IBinaryInteger<T> => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 4) return 0;
        op.Imm2 = (ulong)OperandDecoder.VectorIndex(insn.GetOpRegister(3));
        if (o[2] != typeof(Mem)) op.R3 = (byte)OperandDecoder.VectorIndex(insn.GetOpRegister(2)); // the decoder's third slot took the fourth register
        return Handlers.Get(Self, nameof(BlendVariable), typeof(T), VexBind.Width(insn), VexBind.Ymm(o[2], typeof(YMem)));
    };

    public static void BlendVariable<T, W, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> b = S.Read<W>(c, ref op), a = YmmAccess.Read<W>(c, op.R2), m = Y4.Read<W>(c, ref op);
        int bits = Unsafe.SizeOf<T>() * 8;
        Vector256<byte> r = a;
        for (int i = 0; i < 32 / Unsafe.SizeOf<T>(); i++)
        {
            T mask = Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref m), i);
            if (((ulong.CreateTruncating(mask) >> (bits - 1)) & 1) != 0)
                Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref r), i) = Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref b), i);
        }
        YmmAccess.Write<W>(c, op.R1, r);
    }

    // ------------------------------------------------------------------ masked moves

    static Binder BindMaskMove<T>() where T : unmanaged, IBinaryInteger<T> => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 3 ? 0
        : o[0] == typeof(Mem) ? Handlers.Get(Self, nameof(MaskStore), typeof(T), VexBind.Width(insn))
        : o[2] == typeof(Mem) ? Handlers.Get(Self, nameof(MaskLoad), typeof(T), VexBind.Width(insn))
        : 0;

    /// <summary>
    /// VPMASKMOV/VMASKMOVP* load: element i from memory where the sign bit of mask element i is set, else zero. Masked-off
    /// elements are not accessed, so they cannot fault (SDM Vol. 2 VMASKMOV: "faults only for elements loaded").
    /// </summary>
    public static void MaskLoad<T, W>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where W : struct, IWidth
    {
        Vector256<byte> m = YmmAccess.Read<W>(c, op.R2), r = default;
        ulong address = c.EffectiveAddress(ref op);
        int size = Unsafe.SizeOf<T>();
        for (int i = 0; i < 16 * W.Lanes / size; i++)
            if (Negative<T>(m, i)) Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref r), i) = c.Memory.Read<T>(address + (ulong)(i * size));
        YmmAccess.Write<W>(c, op.R1, r);
    }

    /// <summary>
    /// The store form: element i of the source written where mask element i is negative. All selected elements are
    /// checked for writability before any is written, so a fault leaves memory unchanged.
    /// </summary>
    public static void MaskStore<T, W>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where W : struct, IWidth
    {
        Vector256<byte> m = YmmAccess.Read<W>(c, op.R1), s = YmmAccess.Read<W>(c, op.R2); // "m, mask, source": registers in slots 1 and 2
        ulong address = c.EffectiveAddress(ref op);
        int size = Unsafe.SizeOf<T>(), count = 16 * W.Lanes / size;
        for (int i = 0; i < count; i++)
            if (Negative<T>(m, i)) c.Memory.Write(address + (ulong)(i * size), c.Memory.Read<T>(address + (ulong)(i * size)));
        for (int i = 0; i < count; i++)
            if (Negative<T>(m, i)) c.Memory.Write(address + (ulong)(i * size), Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref s), i));
    }

    static bool Negative<T>(Vector256<byte> v, int i) where T : unmanaged, IBinaryInteger<T> =>
        ((ulong.CreateTruncating(Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref v), i)) >> (Unsafe.SizeOf<T>() * 8 - 1)) & 1) != 0;

    // ------------------------------------------------------------------ widening moves

    static Binder BindExtend<TFrom, TTo>() where TFrom : unmanaged, IBinaryInteger<TFrom> where TTo : unmanaged, IBinaryInteger<TTo> =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 2 ? 0
            : Handlers.Get(Self, nameof(Extend), typeof(TFrom), typeof(TTo), VexBind.Width(insn), VexBind.Ymm(o[1], MemoryOfSize(insn.MemorySize.GetSize())));

    /// <summary>VPMOVSX/ZX: the low source elements widened (sign or zero by <typeparamref name="TFrom"/>'s type) to fill the destination.</summary>
    public static void Extend<TFrom, TTo, W, S>(Cpu c, ref DecodedOp op)
        where TFrom : unmanaged, IBinaryInteger<TFrom> where TTo : unmanaged, IBinaryInteger<TTo> where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> s = S.Read<W128>(c, ref op), r = default;
        for (int i = 0; i < 16 * W.Lanes / Unsafe.SizeOf<TTo>(); i++)
            Unsafe.Add(ref Unsafe.As<Vector256<byte>, TTo>(ref r), i) = TTo.CreateTruncating(Unsafe.Add(ref Unsafe.As<Vector256<byte>, TFrom>(ref s), i));
        YmmAccess.Write<W>(c, op.R1, r);
    }
}
