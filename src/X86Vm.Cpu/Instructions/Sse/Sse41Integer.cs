using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// SSE4.1 integer and data-movement instructions (SDM Vol. 2): PBLENDW BLENDPS BLENDPD, PBLENDVB BLENDVPS
/// BLENDVPD (mask in XMM0), PMOVSX*/PMOVZX*, PMINSB/SD PMINUW/UD PMAXSB/SD PMAXUW/UD, PMULLD PMULDQ,
/// PCMPEQQ, PACKUSDW, PTEST, PEXTRB/W/D/Q PINSRB/D/Q EXTRACTPS INSERTPS, MPSADBW, PHMINPOSUW, MOVNTDQA.
/// Blends, extensions, min/max and extracts are written once over the element type.
/// </summary>
[InstructionFamily]
static class Sse41Integer
{
    static readonly Type Self = typeof(Sse41Integer);

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Pblendw, SseBind.BinaryImm<Blend<ushort>>());
        t.AddWithVex(Mnemonic.Blendps, SseBind.BinaryImm<Blend<uint>, ImmNext4>());
        t.AddWithVex(Mnemonic.Blendpd, SseBind.BinaryImm<Blend<ulong>, ImmNext2>());
        t.Add(Mnemonic.Pblendvb, BindBlendVariable<byte>());
        t.Add(Mnemonic.Blendvps, BindBlendVariable<uint>());
        t.Add(Mnemonic.Blendvpd, BindBlendVariable<ulong>());
        t.Add(Mnemonic.Pmovsxbw, BindExtend<Extend<sbyte, short>>());
        t.Add(Mnemonic.Pmovsxbd, BindExtend<Extend<sbyte, int>>());
        t.Add(Mnemonic.Pmovsxbq, BindExtend<Extend<sbyte, long>>());
        t.Add(Mnemonic.Pmovsxwd, BindExtend<Extend<short, int>>());
        t.Add(Mnemonic.Pmovsxwq, BindExtend<Extend<short, long>>());
        t.Add(Mnemonic.Pmovsxdq, BindExtend<Extend<int, long>>());
        t.Add(Mnemonic.Pmovzxbw, BindExtend<Extend<byte, ushort>>());
        t.Add(Mnemonic.Pmovzxbd, BindExtend<Extend<byte, uint>>());
        t.Add(Mnemonic.Pmovzxbq, BindExtend<Extend<byte, ulong>>());
        t.Add(Mnemonic.Pmovzxwd, BindExtend<Extend<ushort, uint>>());
        t.Add(Mnemonic.Pmovzxwq, BindExtend<Extend<ushort, ulong>>());
        t.Add(Mnemonic.Pmovzxdq, BindExtend<Extend<uint, ulong>>());
        t.AddWithVex(Mnemonic.Pminsb, SseBind.Binary<MinOf<sbyte>>());
        t.AddWithVex(Mnemonic.Pminsd, SseBind.Binary<MinOf<int>>());
        t.AddWithVex(Mnemonic.Pminuw, SseBind.Binary<MinOf<ushort>>());
        t.AddWithVex(Mnemonic.Pminud, SseBind.Binary<MinOf<uint>>());
        t.AddWithVex(Mnemonic.Pmaxsb, SseBind.Binary<MaxOf<sbyte>>());
        t.AddWithVex(Mnemonic.Pmaxsd, SseBind.Binary<MaxOf<int>>());
        t.AddWithVex(Mnemonic.Pmaxuw, SseBind.Binary<MaxOf<ushort>>());
        t.AddWithVex(Mnemonic.Pmaxud, SseBind.Binary<MaxOf<uint>>());
        t.AddWithVex(Mnemonic.Pmulld, SseBind.Binary<MulLowD>());
        t.AddWithVex(Mnemonic.Pmuldq, SseBind.Binary<MulSDQ>());
        t.AddWithVex(Mnemonic.Pcmpeqq, SseBind.Binary<CmpEqQ>());
        t.AddWithVex(Mnemonic.Packusdw, SseBind.Binary<PackUSDW>());
        t.AddWithVex(Mnemonic.Mpsadbw, SseBind.BinaryImm<MultipleSad, ImmNext3>());
        t.AddWithVex(Mnemonic.Phminposuw, SseBind.Binary<MinPosUW>());
        t.AddWithVex(Mnemonic.Movntdqa, (in Instruction insn, ref DecodedOp op, Type[] o) => SseBind.Move(insn, o, typeof(XMemAligned)));
        t.Add(Mnemonic.Ptest, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length == 2 ? Handlers.Get(Self, nameof(Ptest), SseBind.Xmm(o[1], typeof(XMemAligned))) : 0);
        t.AddWithVex(Mnemonic.Pextrb, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Extract), typeof(byte), o[0]));
        t.AddWithVex(Mnemonic.Pextrd, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Extract), typeof(uint), o[0]));
        t.AddWithVex(Mnemonic.Pextrq, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Extract), typeof(ulong), o[0]));
        t.AddWithVex(Mnemonic.Extractps, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Extract), typeof(uint), o[0]));
        t.Add(Mnemonic.Vpinsrb, BindInsertVex<byte>());
        t.Add(Mnemonic.Vpinsrw, BindInsertVex<ushort>());
        t.Add(Mnemonic.Vpinsrd, BindInsertVex<uint>());
        t.Add(Mnemonic.Vpinsrq, BindInsertVex<ulong>());
        t.Add(Mnemonic.Vinsertps, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 4 ? 0 : Handlers.Get(Self, nameof(InsertpsVex), VexBind.Ymm(o[2], typeof(YNarrow<XMem32>))));
        t.Add(Mnemonic.Vpextrw, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Extract), typeof(ushort), o[0]));
        t.Add(Mnemonic.Pinsrb, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Insert), typeof(byte), o[1]));
        t.Add(Mnemonic.Pinsrd, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Insert), typeof(uint), o[1]));
        t.Add(Mnemonic.Pinsrq, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(Insert), typeof(ulong), o[1]));
        t.Add(Mnemonic.Insertps, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Insertps), SseBind.Xmm(o[1], typeof(XMem32))));
    }

    /// <summary>The memory kind of a narrow vector source (PMOVSX/ZX read 2, 4 or 8 bytes, unaligned).</summary>
    static Type NarrowMemory(in Instruction insn) => insn.MemorySize.GetSize() switch
    {
        2 => typeof(XMem16),
        4 => typeof(XMem32),
        8 => typeof(XMem64),
        _ => typeof(XMemAligned),
    };

    static Binder BindExtend<TOp>() where TOp : struct, IVectorOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 2 ? 0 : Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.Binary), typeof(TOp), SseBind.Xmm(o[1], NarrowMemory(insn)));

    /// <summary>PBLENDVB/BLENDVPS/BLENDVPD: Iced lists the implicit XMM0 as a third operand of the legacy forms.</summary>
    static Binder BindBlendVariable<T>() where T : unmanaged, IBinaryInteger<T> =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length < 2 ? 0 : Handlers.Get(Self, nameof(BlendVariable), typeof(T), SseBind.Xmm(o[1], typeof(XMemAligned)));

    /// <summary>PBLENDW/BLENDPS/BLENDPD: element i from the source when imm8 bit i is set (bits beyond the element count ignored).</summary>
    public struct Blend<T> : IVectorImmOp where T : unmanaged, IBinaryInteger<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm)
        {
            Vector128<byte> r = a;
            for (int i = 0; i < Lane<T>.Count; i++)
                if ((imm >> i & 1) != 0) Lane<T>.At(ref r, i) = Lane<T>.Get(b, i);
            return r;
        }
    }

    /// <summary>Element i from the source when the sign bit of element i of XMM0 is set.</summary>
    public static void BlendVariable<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op), mask = XmmAccess.At(c, 0);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        Vector128<byte> r = d;
        int top = Unsafe.SizeOf<T>() * 8 - 1;
        for (int i = 0; i < Lane<T>.Count; i++)
            if (((ulong.CreateTruncating(Lane<T>.Get(mask, i)) >> top) & 1) != 0) Lane<T>.At(ref r, i) = Lane<T>.Get(b, i);
        d = r;
    }

    /// <summary>PMOVSX/PMOVZX: the low source elements of <typeparamref name="TFrom"/> widened to <typeparamref name="TTo"/> (sign or zero by type).</summary>
    public struct Extend<TFrom, TTo> : IVectorOp where TFrom : unmanaged, IBinaryInteger<TFrom> where TTo : unmanaged, IBinaryInteger<TTo>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < Lane<TTo>.Count; i++) Lane<TTo>.At(ref r, i) = TTo.CreateTruncating(Lane<TFrom>.Get(b, i));
            return r;
        }
    }

    public struct MinOf<T> : IVectorOp where T : unmanaged, IBinaryInteger<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.As<byte, T>(), b.As<byte, T>()).AsByte();
    }

    public struct MaxOf<T> : IVectorOp where T : unmanaged, IBinaryInteger<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.As<byte, T>(), b.As<byte, T>()).AsByte();
    }

    /// <summary>PMULLD: low 32 bits of each doubleword product.</summary>
    public struct MulLowD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() * b.AsUInt32()).AsByte();
    }

    /// <summary>PMULDQ: signed 64-bit products of the even (low) doublewords of each quadword.</summary>
    public struct MulSDQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) =>
            Vector128.Create((long)Lane<int>.Get(a, 0) * Lane<int>.Get(b, 0), (long)Lane<int>.Get(a, 2) * Lane<int>.Get(b, 2)).AsByte();
    }

    public struct CmpEqQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a.AsUInt64(), b.AsUInt64()).AsByte();
    }

    /// <summary>PACKUSDW: signed doublewords → unsigned-saturated words; the destination's go low, the source's high.</summary>
    public struct PackUSDW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < 4; i++)
            {
                Lane<ushort>.At(ref r, i) = ushort.CreateSaturating(Lane<int>.Get(a, i));
                Lane<ushort>.At(ref r, i + 4) = ushort.CreateSaturating(Lane<int>.Get(b, i));
            }
            return r;
        }
    }

    /// <summary>
    /// MPSADBW: word i = Σj |dest[off1 + i + j] − src[off2 + j]| (j = 0..3), off1 = imm8 bit 2 · 4 and
    /// off2 = imm8 bits 1:0 · 4 (SDM MPSADBW).
    /// </summary>
    public struct MultipleSad : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm)
        {
            int off1 = (imm >> 2 & 1) * 4, off2 = (imm & 3) * 4;
            Vector128<byte> r = default;
            for (int i = 0; i < 8; i++)
            {
                int sum = 0;
                for (int j = 0; j < 4; j++) sum += Math.Abs(a.GetElement(off1 + i + j) - b.GetElement(off2 + j));
                Lane<ushort>.At(ref r, i) = (ushort)sum;
            }
            return r;
        }
    }

    /// <summary>PHMINPOSUW: word 0 = the smallest unsigned source word, word 1 = its lowest index; the rest zero.</summary>
    public struct MinPosUW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            int index = 0;
            ushort min = Lane<ushort>.Get(b, 0);
            for (int i = 1; i < 8; i++)
            {
                ushort v = Lane<ushort>.Get(b, i);
                if (v < min) { min = v; index = i; }
            }
            return Vector128.CreateScalar((uint)min | (uint)index << 16).AsByte();
        }
    }

    /// <summary>PTEST: ZF = (dest AND source) = 0, CF = (NOT dest AND source) = 0; OF, SF, AF, PF cleared.</summary>
    public static void Ptest<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op), a = XmmAccess.At(c, op.R1);
        ulong flags = ((a & b) == Vector128<byte>.Zero ? RFlags.ZF : 0) | (Vector128.AndNot(b, a) == Vector128<byte>.Zero ? RFlags.CF : 0);
        c.SetStatusFlags(flags);
    }

    /// <summary>
    /// PEXTRB/W/D/Q and EXTRACTPS r/m, xmm, imm8: element imm8 mod count. A register destination receives it
    /// zero-extended to 64 bits (SDM: "upper bits of r64 are zeroed"); memory receives the element alone.
    /// </summary>
    public static void Extract<T, D>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand
    {
        Vector128<byte> v = XmmAccess.At(c, typeof(D) == typeof(Mem) ? op.R1 : op.R2);
        T e = Lane<T>.Get(v, (int)(op.Imm % (ulong)Lane<T>.Count));
        if (typeof(D) == typeof(Mem)) D.Write(c, ref op, e);
        else D.Write(c, ref op, ulong.CreateTruncating(e));
    }

    /// <summary>PINSRB/D/Q xmm, r/m, imm8: replaces element imm8 mod count (a register source gives its low bits).</summary>
    public static void Insert<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        T value = S.Read<T>(c, ref op);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        Vector128<byte> r = d;
        Lane<T>.At(ref r, (int)(op.Imm % (ulong)Lane<T>.Count)) = value;
        d = r;
    }

    static Binder BindInsertVex<T>() where T : unmanaged, IBinaryInteger<T> => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 4 ? 0 : Handlers.Get(Self, nameof(InsertVex), typeof(T), o[2]);

    /// <summary>VPINSRB/W/D/Q xmm1, xmm2, r/m, imm8: xmm2 with element imm8 mod count replaced; bits 255:128 zeroed.</summary>
    public static void InsertVex<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        T value = S.Read<T>(c, ref op);
        Vector128<byte> r = XmmAccess.At(c, op.R2);
        Lane<T>.At(ref r, (int)(op.Imm % (ulong)Lane<T>.Count)) = value;
        YmmAccess.Write<W128>(c, op.R1, Vector256.Create(r, Vector128<byte>.Zero));
    }

    /// <summary>VINSERTPS xmm1, xmm2, xmm3/m32, imm8: as INSERTPS with xmm2 as the destination's old value; bits 255:128 zeroed.</summary>
    public static void InsertpsVex<S>(Cpu c, ref DecodedOp op) where S : struct, IYmmOperand
    {
        int imm = (byte)op.Imm;
        Vector128<byte> s = S.Read<W128>(c, ref op).GetLower();
        uint value = typeof(S) == typeof(YNarrow<XMem32>) ? Lane<uint>.Get(s, 0) : Lane<uint>.Get(s, imm >> 6);
        Vector128<byte> r = XmmAccess.At(c, op.R2);
        Lane<uint>.At(ref r, (imm >> 4) & 3) = value;
        for (int i = 0; i < 4; i++)
            if ((imm >> i & 1) != 0) Lane<uint>.At(ref r, i) = 0;
        YmmAccess.Write<W128>(c, op.R1, Vector256.Create(r, Vector128<byte>.Zero));
    }

    /// <summary>
    /// INSERTPS xmm, xmm/m32, imm8: the source dword (imm8 bits 7:6 of a register; the m32 itself) goes to
    /// dword imm8 bits 5:4, then the dwords whose bits in imm8 3:0 are set are zeroed.
    /// </summary>
    public static void Insertps<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        int imm = (byte)op.Imm;
        Vector128<byte> s = S.Read(c, ref op);
        uint value = typeof(S) == typeof(XMem32) ? Lane<uint>.Get(s, 0) : Lane<uint>.Get(s, imm >> 6);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        Vector128<byte> r = d;
        Lane<uint>.At(ref r, (imm >> 4) & 3) = value;
        for (int i = 0; i < 4; i++)
            if ((imm >> i & 1) != 0) Lane<uint>.At(ref r, i) = 0;
        d = r;
    }
}
