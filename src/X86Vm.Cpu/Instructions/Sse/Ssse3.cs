using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Instructions.Mmx;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// SSSE3 (SDM Vol. 2): PSHUFB, PALIGNR, PHADDW/D PHADDSW PHSUBW/D PHSUBSW, PMADDUBSW, PMULHRSW,
/// PSIGNB/W/D, PABSB/W/D, each in its XMM and MMX form. The element-wise operations are written once over
/// the element type; the MMX forms run the same structs (<see cref="MmxBind"/>), except PSHUFB and PALIGNR
/// whose 64-bit index arithmetic differs.
/// </summary>
[InstructionFamily]
static class Ssse3
{
    static readonly Type Self = typeof(Ssse3);

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Pshufb, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            SseBind.UsesMmx(insn)
                ? Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.Binary), typeof(ShufBMm), typeof(Mmx.Lanes), MmxBind.Mm(o[1], typeof(MmMem64)))
                : SseBind.Binary<ShufB>()(insn, ref op, o));
        t.AddWithVex(Mnemonic.Palignr, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            SseBind.UsesMmx(insn)
                ? Handlers.Get(Self, nameof(PalignrMm), MmxBind.Mm(o[1], typeof(MmMem64)))
                : SseBind.BinaryImm<AlignR>()(insn, ref op, o));
        t.AddWithVex(Mnemonic.Phaddw, SseBind.Binary<Horizontal<ushort, AddWrap>>());
        t.AddWithVex(Mnemonic.Phaddd, SseBind.Binary<Horizontal<uint, AddWrap>>());
        t.AddWithVex(Mnemonic.Phaddsw, SseBind.Binary<Horizontal<short, AddSat>>());
        t.AddWithVex(Mnemonic.Phsubw, SseBind.Binary<Horizontal<ushort, SubWrap>>());
        t.AddWithVex(Mnemonic.Phsubd, SseBind.Binary<Horizontal<uint, SubWrap>>());
        t.AddWithVex(Mnemonic.Phsubsw, SseBind.Binary<Horizontal<short, SubSat>>());
        t.AddWithVex(Mnemonic.Pmaddubsw, SseBind.Binary<MulAddUBSW>());
        t.AddWithVex(Mnemonic.Pmulhrsw, SseBind.Binary<MulHighRoundSW>());
        t.AddWithVex(Mnemonic.Psignb, SseBind.Binary<Sign<sbyte>>());
        t.AddWithVex(Mnemonic.Psignw, SseBind.Binary<Sign<short>>());
        t.AddWithVex(Mnemonic.Psignd, SseBind.Binary<Sign<int>>());
        t.AddWithVex(Mnemonic.Pabsb, SseBind.Binary<Abs<sbyte>>());
        t.AddWithVex(Mnemonic.Pabsw, SseBind.Binary<Abs<short>>());
        t.AddWithVex(Mnemonic.Pabsd, SseBind.Binary<Abs<int>>());
    }

    /// <summary>PSHUFB xmm: byte i = 0 if source byte i has bit 7 set, else destination byte (source byte i &amp; 15).</summary>
    public struct ShufB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => ShuffleBytes(a, b, 16);
    }

    /// <summary>PSHUFB mm: as <see cref="ShufB"/> over 8 bytes, the index taken modulo 8 (SDM: bits 2:0).</summary>
    public struct ShufBMm : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => ShuffleBytes(a, b, 8);
    }

    /// <summary>PSHUFB over the low <paramref name="bytes"/> bytes (16 or 8): the index is taken modulo the width.</summary>
    static Vector128<byte> ShuffleBytes(Vector128<byte> a, Vector128<byte> b, int bytes)
    {
        Vector128<byte> r = default;
        for (int i = 0; i < bytes; i++)
        {
            byte s = b.GetElement(i);
            Lane<byte>.At(ref r, i) = (s & 0x80) != 0 ? (byte)0 : a.GetElement(s & (bytes - 1));
        }
        return r;
    }

    /// <summary>PALIGNR xmm: the 32-byte value destination:source (destination high) shifted right by imm8 bytes; low 16 bytes.</summary>
    public struct AlignR : IVectorImmOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < 16; i++)
            {
                int k = i + imm;
                Lane<byte>.At(ref r, i) = k < 16 ? b.GetElement(k) : k < 32 ? a.GetElement(k - 16) : (byte)0;
            }
            return r;
        }
    }

    /// <summary>PALIGNR mm, mm/m64, imm8: the 16-byte value destination:source shifted right by imm8 bytes; low 8 bytes.</summary>
    public static void PalignrMm<S>(Cpu c, ref DecodedOp op) where S : struct, IMmOperand
    {
        MmxAccess.Begin(c, ref op);
        UInt128 v = new(MmxAccess.Get(c, op.R1), S.Read(c, ref op));
        int shift = (int)(byte)op.Imm * 8;
        MmxAccess.Set(c, op.R1, shift >= 128 ? 0 : (ulong)(v >> shift));
        MmxAccess.Finish(c);
    }

    /// <summary>
    /// PHADD*/PHSUB*: the low half of the result combines adjacent pairs of the destination, the high half
    /// those of the source (element 2i op element 2i+1). The MMX form is the low quadword of this applied to
    /// (destination : source) twice (<see cref="IMmxConcatenated"/>).
    /// </summary>
    public struct Horizontal<T, TOp> : IVectorOp, IMmxConcatenated where T : unmanaged, IBinaryInteger<T> where TOp : struct, IElementOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            int n = Lane<T>.Count, half = n / 2;
            Vector128<byte> r = default;
            for (int i = 0; i < half; i++)
            {
                Lane<T>.At(ref r, i) = TOp.Apply(Lane<T>.Get(a, 2 * i), Lane<T>.Get(a, 2 * i + 1));
                Lane<T>.At(ref r, half + i) = TOp.Apply(Lane<T>.Get(b, 2 * i), Lane<T>.Get(b, 2 * i + 1));
            }
            return r;
        }
    }

    /// <summary>PMADDUBSW: unsigned destination bytes times signed source bytes, adjacent products summed with signed word saturation.</summary>
    public struct MulAddUBSW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < 8; i++)
            {
                int sum = a.GetElement(2 * i) * (sbyte)b.GetElement(2 * i) + a.GetElement(2 * i + 1) * (sbyte)b.GetElement(2 * i + 1);
                Lane<short>.At(ref r, i) = (short)Math.Clamp(sum, short.MinValue, short.MaxValue);
            }
            return r;
        }
    }

    /// <summary>PMULHRSW: bits 16:1 of (a·b >> 14) + 1, i.e. the rounded high half of the 2×-scaled product (0x8000² → 0x8000).</summary>
    public struct MulHighRoundSW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < 8; i++)
                Lane<short>.At(ref r, i) = (short)((((Lane<short>.Get(a, i) * Lane<short>.Get(b, i)) >> 14) + 1) >> 1);
            return r;
        }
    }

    /// <summary>PSIGN*: the destination element negated (wrapping), zeroed or kept as the source element is negative, zero or positive.</summary>
    public struct Sign<T> : IVectorOp where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < Lane<T>.Count; i++)
            {
                T s = Lane<T>.Get(b, i), d = Lane<T>.Get(a, i);
                Lane<T>.At(ref r, i) = T.IsNegative(s) ? unchecked(T.Zero - d) : T.IsZero(s) ? T.Zero : d;
            }
            return r;
        }
    }

    /// <summary>PABS*: the unsigned absolute value of each source element (the most negative value stays 0x80…0).</summary>
    public struct Abs<T> : IVectorOp where T : unmanaged, IBinaryInteger<T>, ISignedNumber<T>
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<byte> r = default;
            for (int i = 0; i < Lane<T>.Count; i++)
            {
                T s = Lane<T>.Get(b, i);
                Lane<T>.At(ref r, i) = T.IsNegative(s) ? unchecked(T.Zero - s) : s;
            }
            return r;
        }
    }
}
