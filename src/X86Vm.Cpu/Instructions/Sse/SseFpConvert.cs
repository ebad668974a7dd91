using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// SSE/SSE2 conversions (SDM Vol. 2): CVTSI2SS CVTSI2SD (32/64-bit sources), CVTSS2SI CVTSD2SI and the
/// truncating CVTTSS2SI CVTTSD2SI (32/64-bit results), CVTSS2SD CVTSD2SS, CVTPS2PD CVTPD2PS, CVTDQ2PS
/// CVTPS2DQ CVTTPS2DQ, CVTDQ2PD CVTPD2DQ CVTTPD2DQ. Conversions to integers give the integer indefinite
/// (only the sign bit set) with IE for NaN, ∞ and out-of-range values; all rounding is under MXCSR except
/// the truncating forms. The MMX forms (CVTPI2PS…) are not implemented (#UD).
/// </summary>
[InstructionFamily]
static class SseFpConvert
{
    static readonly Type Self = typeof(SseFpConvert);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Cvtsi2ss, BindFromInt(nameof(CvtSi2Ss)));
        t.Add(Mnemonic.Cvtsi2sd, BindFromInt(nameof(CvtSi2Sd)));
        t.Add(Mnemonic.Cvtss2si, BindToInt(nameof(CvtSs2Si), typeof(XMem32), false));
        t.Add(Mnemonic.Cvttss2si, BindToInt(nameof(CvtSs2Si), typeof(XMem32), true));
        t.Add(Mnemonic.Cvtsd2si, BindToInt(nameof(CvtSd2Si), typeof(XMem64), false));
        t.Add(Mnemonic.Cvttsd2si, BindToInt(nameof(CvtSd2Si), typeof(XMem64), true));
        t.Add(Mnemonic.Cvtss2sd, BindVector(nameof(CvtSs2Sd), typeof(XMem32), false));
        t.Add(Mnemonic.Cvtsd2ss, BindVector(nameof(CvtSd2Ss), typeof(XMem64), false));
        t.Add(Mnemonic.Cvtps2pd, BindVector(nameof(CvtPs2Pd), typeof(XMem64), false));
        t.Add(Mnemonic.Cvtpd2ps, BindVector(nameof(CvtPd2Ps), typeof(XMemAligned), false));
        t.Add(Mnemonic.Cvtdq2ps, BindVector(nameof(CvtDq2Ps), typeof(XMemAligned), false));
        t.Add(Mnemonic.Cvtps2dq, BindVector(nameof(CvtPs2Dq), typeof(XMemAligned), false));
        t.Add(Mnemonic.Cvttps2dq, BindVector(nameof(CvtPs2Dq), typeof(XMemAligned), true));
        t.Add(Mnemonic.Cvtdq2pd, BindVector(nameof(CvtDq2Pd), typeof(XMem64), false));
        t.Add(Mnemonic.Cvtpd2dq, BindVector(nameof(CvtPd2Dq), typeof(XMemAligned), false));
        t.Add(Mnemonic.Cvttpd2dq, BindVector(nameof(CvtPd2Dq), typeof(XMemAligned), true));
        // VEX: conversions to a general register are the legacy handlers; the others are per element below.
        foreach (Mnemonic m in new[] { Mnemonic.Vcvtss2si, Mnemonic.Vcvttss2si, Mnemonic.Vcvtsd2si, Mnemonic.Vcvttsd2si })
            t.Add(m, BindToInt(m is Mnemonic.Vcvtss2si or Mnemonic.Vcvttss2si ? nameof(CvtSs2Si) : nameof(CvtSd2Si),
                m is Mnemonic.Vcvtss2si or Mnemonic.Vcvttss2si ? typeof(XMem32) : typeof(XMem64), m is Mnemonic.Vcvttss2si or Mnemonic.Vcvttsd2si));
        t.Add(Mnemonic.Vcvtsi2ss, BindFromIntVex<uint>());
        t.Add(Mnemonic.Vcvtsi2sd, BindFromIntVex<ulong>());
        t.Add(Mnemonic.Vcvtss2sd, VexBind.Lanes<ScalarConvert<SsToSd>>(typeof(YNarrow<XMem32>)));
        t.Add(Mnemonic.Vcvtsd2ss, VexBind.Lanes<ScalarConvert<SdToSs>>(typeof(YNarrow<XMem64>)));
        t.Add(Mnemonic.Vcvtps2pd, BindPacked<SsToSd>(false));
        t.Add(Mnemonic.Vcvtpd2ps, BindPacked<SdToSs>(false));
        t.Add(Mnemonic.Vcvtdq2ps, BindPacked<DqToSs>(false));
        t.Add(Mnemonic.Vcvtps2dq, BindPacked<SsToDq>(false));
        t.Add(Mnemonic.Vcvttps2dq, BindPacked<SsToDq>(true));
        t.Add(Mnemonic.Vcvtdq2pd, BindPacked<DqToSd>(false));
        t.Add(Mnemonic.Vcvtpd2dq, BindPacked<SdToDq>(false));
        t.Add(Mnemonic.Vcvttpd2dq, BindPacked<SdToDq>(true));
    }

    /// <summary>One element conversion between sizes (4 or 8 bytes); <c>truncate</c> for the CVTT forms.</summary>
    public interface IElementConvert
    {
        static abstract int FromSize { get; }
        static abstract int ToSize { get; }
        static abstract ulong Convert(ulong x, bool truncate, uint mx, ref uint flags);
    }

    public struct SsToSd : IElementConvert
    {
        public static int FromSize => 4;
        public static int ToSize => 8;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => Fp32.ToDouble((uint)x, mx, ref flags);
    }

    public struct SdToSs : IElementConvert
    {
        public static int FromSize => 8;
        public static int ToSize => 4;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => Fp32.FromDouble(x, mx, ref flags);
    }

    public struct DqToSs : IElementConvert
    {
        public static int FromSize => 4;
        public static int ToSize => 4;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => Fp32.FromInt64((int)x, mx, ref flags);
    }

    public struct DqToSd : IElementConvert
    {
        public static int FromSize => 4;
        public static int ToSize => 8;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => Fp64.FromInt64((int)x, mx, ref flags);
    }

    public struct SsToDq : IElementConvert
    {
        public static int FromSize => 4;
        public static int ToSize => 4;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => SoftFloat<F32>.ToInt(x, 32, truncate, mx, ref flags);
    }

    public struct SdToDq : IElementConvert
    {
        public static int FromSize => 8;
        public static int ToSize => 4;
        public static ulong Convert(ulong x, bool truncate, uint mx, ref uint flags) => SoftFloat<F64>.ToInt(x, 32, truncate, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Get(Vector256<byte> v, int size, int i) =>
        size == 4 ? Unsafe.Add(ref Unsafe.As<Vector256<byte>, uint>(ref v), i) : Unsafe.Add(ref Unsafe.As<Vector256<byte>, ulong>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Set(ref Vector256<byte> v, int size, int i, ulong x)
    {
        if (size == 4) Unsafe.Add(ref Unsafe.As<Vector256<byte>, uint>(ref v), i) = (uint)x;
        else Unsafe.Add(ref Unsafe.As<Vector256<byte>, ulong>(ref v), i) = x;
    }

    /// <summary>VCVT(T)SS2SD, VCVTSD2SS: element 0 of the second source converted; the rest of the low 128 bits from the first source.</summary>
    public struct ScalarConvert<TConv> : ILaneOp where TConv : struct, IElementConvert
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm, int lane, uint mx, ref uint flags)
        {
            Vector256<byte> r = Vector256.Create(a, Vector128<byte>.Zero);
            Set(ref r, TConv.ToSize, 0, TConv.Convert(Get(Vector256.Create(b, b), TConv.FromSize, 0), false, mx, ref flags));
            return r.GetLower();
        }
    }

    static Binder BindPacked<TConv>(bool truncate) where TConv : struct, IElementConvert => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 2 || o[0] == typeof(Mem)) return 0;
        op.Cond = truncate ? (byte)1 : (byte)0;
        return Handlers.Get(Self, nameof(ConvertPacked), typeof(TConv), VexBind.Width(insn),
            VexBind.Ymm(o[1], AvxPermute.MemoryOfSize(insn.MemorySize.GetSize())));
    };

    /// <summary>
    /// The packed VEX conversions: 16·lanes / (the larger element size) elements. A widening conversion reads half the
    /// width (VCVTPS2PD ymm, xmm/m128), a narrowing one writes half (VCVTPD2PS xmm, ymm/m256, bits 255:128 zeroed).
    /// </summary>
    public static void ConvertPacked<TConv, W, S>(Cpu c, ref DecodedOp op) where TConv : struct, IElementConvert where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> s = TConv.FromSize >= TConv.ToSize ? S.Read<W>(c, ref op) : S.Read<W128>(c, ref op), r = default;
        uint mx = c.Mxcsr, flags = 0;
        int n = 16 * W.Lanes / Math.Max(TConv.FromSize, TConv.ToSize);
        for (int i = 0; i < n; i++) Set(ref r, TConv.ToSize, i, TConv.Convert(Get(s, TConv.FromSize, i), op.Cond != 0, mx, ref flags));
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        if (TConv.ToSize < TConv.FromSize) YmmAccess.Write<W128>(c, op.R1, r);
        else YmmAccess.Write<W>(c, op.R1, r);
    }

    static Binder BindFromIntVex<TResult>() => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 3 ? 0
        : Handlers.Get(Self, nameof(FromIntVex), typeof(TResult), OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 2)), o[2]);

    /// <summary>VCVTSI2SS/SD xmm1, xmm2, r/m32|r/m64: element 0 converted from the integer, the rest of xmm2 kept, bits 255:128 zeroed.</summary>
    public static void FromIntVex<TResult, T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        long v = SignExtend(S.Read<T>(c, ref op));
        uint flags = 0;
        Vector128<byte> a = XmmAccess.At(c, op.R2);
        Vector128<byte> r = typeof(TResult) == typeof(uint)
            ? a.AsUInt32().WithElement(0, Fp32.FromInt64(v, c.Mxcsr, ref flags)).AsByte()
            : a.AsUInt64().WithElement(0, Fp64.FromInt64(v, c.Mxcsr, ref flags)).AsByte();
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        YmmAccess.Write<W128>(c, op.R1, Vector256.Create(r, Vector128<byte>.Zero));
    }

    /// <summary>"cvtsi2sX xmm, r/m32|r/m64".</summary>
    static Binder BindFromInt(string name) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        o.Length != 2 || SseBind.UsesMmx(insn)
            ? 0
            : Handlers.Get(Self, name, OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 1)), o[1]);

    /// <summary>"cvt(t)sX2si r32|r64, xmm/mN": <see cref="DecodedOp.Cond"/> = 1 for truncation.</summary>
    static Binder BindToInt(string name, Type memory, bool truncate) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 2 || SseBind.UsesMmx(insn)) return 0;
        op.Cond = truncate ? (byte)1 : (byte)0;
        return Handlers.Get(Self, name, OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), SseBind.Xmm(o[1], memory));
    };

    /// <summary>"cvtX xmm, xmm/mN": <see cref="DecodedOp.Cond"/> = 1 for truncation.</summary>
    static Binder BindVector(string name, Type memory, bool truncate) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        if (o.Length != 2 || SseBind.UsesMmx(insn)) return 0;
        op.Cond = truncate ? (byte)1 : (byte)0;
        return Handlers.Get(Self, name, SseBind.Xmm(o[1], memory));
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static long SignExtend<T>(T v) where T : unmanaged, IBinaryInteger<T> =>
        Unsafe.SizeOf<T>() == 4 ? int.CreateTruncating(v) : long.CreateTruncating(v);

    public static void CvtSi2Ss<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        uint flags = 0;
        uint r = Fp32.FromInt64(SignExtend(S.Read<T>(c, ref op)), c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane32(c, op.R1, 0) = r;
    }

    public static void CvtSi2Sd<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        uint flags = 0;
        ulong r = Fp64.FromInt64(SignExtend(S.Read<T>(c, ref op)), c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane64(c, op.R1, 0) = r;
    }

    public static void CvtSs2Si<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : struct, IXmmOperand
    {
        uint a = S.Read(c, ref op).AsUInt32().ToScalar(), flags = 0;
        ulong r = SoftFloat<F32>.ToInt(a, Unsafe.SizeOf<T>() * 8, op.Cond != 0, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        GprAccess.Write(c, op.R1, T.CreateTruncating(r));
    }

    public static void CvtSd2Si<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : struct, IXmmOperand
    {
        ulong a = S.Read(c, ref op).AsUInt64().ToScalar();
        uint flags = 0;
        ulong r = SoftFloat<F64>.ToInt(a, Unsafe.SizeOf<T>() * 8, op.Cond != 0, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        GprAccess.Write(c, op.R1, T.CreateTruncating(r));
    }

    public static void CvtSs2Sd<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        uint a = S.Read(c, ref op).AsUInt32().ToScalar(), flags = 0;
        ulong r = Fp32.ToDouble(a, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane64(c, op.R1, 0) = r;
    }

    public static void CvtSd2Ss<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        ulong a = S.Read(c, ref op).AsUInt64().ToScalar();
        uint flags = 0;
        uint r = Fp32.FromDouble(a, c.Mxcsr, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        SseFpHandlers.Lane32(c, op.R1, 0) = r;
    }

    /// <summary>CVTPS2PD xmm, xmm/m64: the two low singles widened.</summary>
    public static void CvtPs2Pd<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> a = S.Read(c, ref op).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        ulong r0 = Fp32.ToDouble(a.GetElement(0), mx, ref flags);
        ulong r1 = Fp32.ToDouble(a.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    /// <summary>CVTPD2PS: two doubles narrowed into the low half; the high half is zeroed.</summary>
    public static void CvtPd2Ps<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<ulong> a = S.Read(c, ref op).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        uint r0 = Fp32.FromDouble(a.GetElement(0), mx, ref flags);
        uint r1 = Fp32.FromDouble(a.GetElement(1), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(0, ((ulong)r1 << 32) | r0);
    }

    public static void CvtDq2Ps<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<int> a = S.Read(c, ref op).AsInt32();
        uint mx = c.Mxcsr, flags = 0;
        uint r0 = Fp32.FromInt64(a.GetElement(0), mx, ref flags);
        uint r1 = Fp32.FromInt64(a.GetElement(1), mx, ref flags);
        uint r2 = Fp32.FromInt64(a.GetElement(2), mx, ref flags);
        uint r3 = Fp32.FromInt64(a.GetElement(3), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(((ulong)r3 << 32) | r2, ((ulong)r1 << 32) | r0);
    }

    public static void CvtPs2Dq<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<uint> a = S.Read(c, ref op).AsUInt32();
        uint mx = c.Mxcsr, flags = 0;
        bool t = op.Cond != 0;
        ulong r0 = SoftFloat<F32>.ToInt(a.GetElement(0), 32, t, mx, ref flags);
        ulong r1 = SoftFloat<F32>.ToInt(a.GetElement(1), 32, t, mx, ref flags);
        ulong r2 = SoftFloat<F32>.ToInt(a.GetElement(2), 32, t, mx, ref flags);
        ulong r3 = SoftFloat<F32>.ToInt(a.GetElement(3), 32, t, mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128((r3 << 32) | r2, (r1 << 32) | r0);
    }

    /// <summary>CVTDQ2PD xmm, xmm/m64: the two low doublewords, exactly.</summary>
    public static void CvtDq2Pd<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<int> a = S.Read(c, ref op).AsInt32();
        uint flags = 0;
        ulong r0 = Fp64.FromInt64(a.GetElement(0), 0, ref flags);
        ulong r1 = Fp64.FromInt64(a.GetElement(1), 0, ref flags);
        c.Xmm[op.R1] = new UInt128(r1, r0);
    }

    /// <summary>CVT(T)PD2DQ: two doubles to doublewords in the low half; the high half is zeroed.</summary>
    public static void CvtPd2Dq<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Vector128<ulong> a = S.Read(c, ref op).AsUInt64();
        uint mx = c.Mxcsr, flags = 0;
        bool t = op.Cond != 0;
        ulong r0 = SoftFloat<F64>.ToInt(a.GetElement(0), 32, t, mx, ref flags);
        ulong r1 = SoftFloat<F64>.ToInt(a.GetElement(1), 32, t, mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        c.Xmm[op.R1] = new UInt128(0, (r1 << 32) | r0);
    }
}
