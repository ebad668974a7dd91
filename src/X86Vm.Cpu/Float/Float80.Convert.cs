using System.Numerics;

namespace X86Vm.Cpu.Float;

/// <summary>Conversions between the extended format and memory formats (integer-only; never host casts).</summary>
public readonly partial struct Float80
{
    public static Float80 FromInt64(long v) => FromMagnitude(v < 0, v < 0 ? (ulong)-v : (ulong)v);

    /// <summary>FLD m32fp: exact; SNaN → IE (quieted), denormal → DE.</summary>
    public static Float80 FromSingle(uint bits, ref FpuEnv env, bool keepSignaling = false) =>
        FromBinary(bits, 8, 23, ref env, keepSignaling);

    /// <summary>FLD m64fp. With <paramref name="keepSignaling"/> (an arithmetic operand) an SNaN stays signaling and raises nothing yet.</summary>
    public static Float80 FromDouble(ulong bits, ref FpuEnv env, bool keepSignaling = false) =>
        FromBinary(bits, 11, 52, ref env, keepSignaling);

    static Float80 FromBinary(ulong bits, int expBits, int fracBits, ref FpuEnv env, bool keepSignaling)
    {
        bool sign = (bits >> (expBits + fracBits)) != 0;
        int maxExp = (1 << expBits) - 1, bias = maxExp >> 1;
        int e = (int)(bits >> fracBits) & maxExp;
        ulong frac = bits & ((1UL << fracBits) - 1);
        if (e == maxExp)
        {
            ulong sig = 0x8000_0000_0000_0000 | (frac << (63 - fracBits));
            if (frac != 0 && (frac >> (fracBits - 1)) == 0 && !keepSignaling)
            {
                if (env.Raise(FpuStatus.IE)) return default;
                sig |= 0x4000_0000_0000_0000;
            }
            return new Float80(sign, 0x7FFF, sig);
        }
        if (e == 0)
        {
            if (frac == 0) return new Float80(sign, 0, 0);
            // FLD completes even when DE is unmasked (as the reference CPU does).
            env.Flags |= keepSignaling ? FpuStatus.PendingDenormal : FpuStatus.DE;
            int lz = BitOperations.LeadingZeroCount(frac);
            // value = frac · 2^(1 − bias − fracBits)
            return new Float80(sign, 1 - bias - fracBits + 63 - lz + Bias, frac << lz);
        }
        return new Float80(sign, e - bias + Bias, 0x8000_0000_0000_0000 | (frac << (63 - fracBits)));
    }

    /// <summary>FST m32fp: rounds under RC to single precision. Returns false when nothing may be stored (unmasked exception).</summary>
    public static bool ToSingle(Float80 a, ref FpuEnv env, out uint bits)
    {
        bool ok = ToBinary(a, FloatFormat.Single, 8, 23, ref env, out ulong b);
        bits = (uint)b;
        return ok;
    }

    /// <summary>FST m64fp.</summary>
    public static bool ToDouble(Float80 a, ref FpuEnv env, out ulong bits) => ToBinary(a, FloatFormat.Double, 11, 52, ref env, out bits);

    static bool ToBinary(Float80 a, FloatFormat f, int expBits, int fracBits, ref FpuEnv env, out ulong bits)
    {
        Unpacked u = a.Unpack();
        int maxExp = (1 << expBits) - 1, bias = maxExp >> 1;
        ulong signBit = u.Sign ? 1UL << (expBits + fracBits) : 0;
        ulong expField = (ulong)maxExp << fracBits;
        bits = 0;
        switch (u.Class)
        {
            case FClass.Unsupported:
                if (env.Raise(FpuStatus.IE)) return false;
                bits = (1UL << (expBits + fracBits)) | expField | (1UL << (fracBits - 1));
                return true;
            case FClass.SNaN:
            case FClass.QNaN:
                if (u.Class == FClass.SNaN && env.Raise(FpuStatus.IE)) return false;
                bits = signBit | expField | ((a.Significand >> (63 - fracBits)) & ((1UL << fracBits) - 1)) | (1UL << (fracBits - 1));
                return true;
            case FClass.Inf:
                bits = signBit | expField;
                return true;
            case FClass.Zero:
                bits = signBit;
                return true;
        }
        Rounded r = RoundCore(u.Sign, u.Exp, (UInt128)u.Sig << 64, false, f, ref env);
        if (env.Suppressed) return false;
        bits = signBit;
        if (r.Kind == 2) bits |= expField;
        else if (r.Kind == 1)
        {
            ulong frac = (r.Sig >> (63 - fracBits)) & ((1UL << fracBits) - 1);
            ulong e = (r.Sig >> 63) != 0 ? (ulong)(r.Exp + bias) : 0;
            bits |= (e << fracBits) | frac;
        }
        return true;
    }

    /// <summary>
    /// FIST/FISTP (truncate = false: RC) and FISTTP (truncate = true) to a signed integer of
    /// <paramref name="bits"/> bits. Invalid or out-of-range → IE and, when masked, the integer
    /// indefinite 1 &lt;&lt; (bits − 1). Returns false when nothing may be stored.
    /// </summary>
    public static bool ToInteger(Float80 a, int bits, bool truncate, ref FpuEnv env, out ulong result)
    {
        Unpacked u = a.Unpack();
        ulong indefinite = 1UL << (bits - 1);
        result = indefinite;
        if (u.Class is FClass.Unsupported or FClass.QNaN or FClass.SNaN or FClass.Inf)
            return !env.Raise(FpuStatus.IE);
        if (!ToIntegerMagnitude(u, truncate ? 3 : env.Rounding, out UInt128 m, out bool inexact, out bool up)
            || m > (u.Sign ? (UInt128)indefinite : (UInt128)(indefinite - 1)))
            return !env.Raise(FpuStatus.IE);
        if (inexact) env.Flags |= FpuStatus.PE | (up ? FpuStatus.C1 : 0);
        ulong mag = (ulong)m;
        result = (u.Sign ? 0 - mag : mag) & (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1);
        return true;
    }

    /// <summary>FBLD: 18 packed BCD digits and a sign bit. Digits above 9 are weighted as they are (undefined by Intel).</summary>
    public static Float80 FromPackedBcd(ReadOnlySpan<byte> bcd)
    {
        ulong v = 0;
        for (int i = 8; i >= 0; i--)
            v = v * 100 + (ulong)(bcd[i] >> 4) * 10 + (ulong)(bcd[i] & 15);
        return FromMagnitude((bcd[9] & 0x80) != 0, v);
    }

    /// <summary>FBSTP: rounds under RC; NaN, infinity or |x| ≥ 10^18 → IE and, masked, the BCD indefinite.</summary>
    public static bool ToPackedBcd(Float80 a, ref FpuEnv env, Span<byte> bcd)
    {
        Unpacked u = a.Unpack();
        bcd.Clear();
        bool valid = u.Class is FClass.Zero or FClass.Finite;
        UInt128 m = 0;
        bool inexact = false, up = false;
        if (valid && (!ToIntegerMagnitude(u, env.Rounding, out m, out inexact, out up) || m > 999_999_999_999_999_999UL))
            valid = false;
        if (!valid)
        {
            if (env.Raise(FpuStatus.IE)) return false;
            bcd[7] = 0xC0;
            bcd[8] = 0xFF;
            bcd[9] = 0xFF;
            return true;
        }
        if (inexact) env.Flags |= FpuStatus.PE | (up ? FpuStatus.C1 : 0);
        ulong v = (ulong)m;
        for (int i = 0; i < 9; i++)
        {
            ulong lo = v % 10; v /= 10;
            ulong hi = v % 10; v /= 10;
            bcd[i] = (byte)(lo | (hi << 4));
        }
        bcd[9] = u.Sign ? (byte)0x80 : (byte)0;
        return true;
    }

    // ================================================================ constants

    /// <summary>The FLDxx constants as 128-bit significands (bit 127 = integer bit) with unbiased exponents.</summary>
    static readonly (UInt128 Sig, int Exp)[] Constants =
    [
        (new UInt128(0xC90FDAA22168C234, 0xC4C6628B80DC1CD1), 1),  // π
        (new UInt128(0xB8AA3B295C17F0BB, 0xBE87FED0691D3E88), 0),  // log2(e)
        (new UInt128(0xD49A784BCD1B8AFE, 0x492BF6FF4DAFDB4C), 1),  // log2(10)
        (new UInt128(0x9A209A84FBCFF798, 0x8F8959AC0B7C9178), -2), // log10(2)
        (new UInt128(0xB17217F7D1CF79AB, 0xC9E3B39803F2F6AF), -1), // ln(2)
    ];

    public const int ConstPi = 0, ConstLog2E = 1, ConstLog2Ten = 2, ConstLog10Two = 3, ConstLn2 = 4;

    /// <summary>FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2: the constant rounded under RC, without exception flags.</summary>
    public static Float80 Constant(int which, ushort control)
    {
        var env = new FpuEnv((ushort)(control | 0x3F));
        var (sig, exp) = Constants[which];
        Rounded r = RoundCore(false, exp, sig, true, FloatFormat.Extended(64), ref env);
        return Pack(r);
    }
}
