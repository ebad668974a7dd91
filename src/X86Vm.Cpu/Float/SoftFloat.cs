using System.Numerics;
using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Float;

/// <summary>An IEEE 754 binary interchange format (its bits travel zero-extended in a ulong).</summary>
public interface IFloatFormat
{
    static abstract int FracBits { get; }
    static abstract int ExpBits { get; }
}

/// <summary>binary32 (single precision).</summary>
public struct F32 : IFloatFormat
{
    public static int FracBits => 23;
    public static int ExpBits => 8;
}

/// <summary>binary64 (double precision).</summary>
public struct F64 : IFloatFormat
{
    public static int FracBits => 52;
    public static int ExpBits => 11;
}

/// <summary>
/// Integer-only IEEE arithmetic with x86 SSE semantics (SDM Vol. 1 §4.8, §4.9, §11.5): every
/// rounding mode, the six exception flags, DAZ and FTZ, SSE NaN rules (the first operand's NaN
/// wins, SNaNs are quieted, invalid operations give the negative default QNaN). This is the
/// reference and slow path; <see cref="Fp32"/> and <see cref="Fp64"/> put a host fast path in front.
/// <para>
/// Results are bit-exact on every host: nothing here uses host floating point. The rules below were
/// checked against the reference CPU (AMD EPYC, Zen) by the native oracle (tests/…/native/ssefp_oracle.c):
/// </para>
/// <list type="bullet">
/// <item>Tininess is detected after rounding: a result whose exact value is below the smallest normal but rounds
/// up to it at full precision with an unbounded exponent is not tiny (PE only; FTZ leaves it alone;
/// tests/programs/sse_underflow.c). Masked: UE and PE when tiny and inexact. Unmasked: UE for every tiny
/// result, PE only if rounding to full precision with an unbounded exponent is inexact; likewise an
/// unmasked overflow reports OE, plus PE only in that case.</item>
/// <item>FTZ (underflow masked) turns every tiny result, exact or not, into a zero of its sign with UE and PE.</item>
/// <item>DAZ turns denormal operands into zeros of their sign without DE (also the operand MIN/MAX returns).
/// Otherwise a denormal operand raises DE unless a NaN operand is present, the divisor is zero (ZE alone),
/// or the operand of SQRT is negative (IE alone).</item>
/// <item>NaNs: an SNaN operand raises IE; the first operand's NaN wins and is quieted; invalid operations
/// return the negative default QNaN; MIN/MAX return the second operand when either is a NaN (IE) or both
/// are zeros.</item>
/// </list>
/// Internally a finite nonzero value is (sign, exp, sig) with value = sig · 2^(exp − 62) and bit 62 of
/// sig set; bits below the format's precision are round and sticky bits.
/// </summary>
public static class SoftFloat<F> where F : struct, IFloatFormat
{
    // The format's constants. Marked for inlining: they are constants once inlined, but the .NET JIT left them as
    // calls inside the large soft-float methods (its inlining budget was spent), 12% of bench/fpsse's time.
    const MethodImplOptions Constant = MethodImplOptions.AggressiveInlining;
    public static int Frac { [MethodImpl(Constant)] get => F.FracBits; }
    public static int Bias { [MethodImpl(Constant)] get => (1 << (F.ExpBits - 1)) - 1; }
    public static int ExpMax { [MethodImpl(Constant)] get => (1 << F.ExpBits) - 1; }
    public static ulong SignBit { [MethodImpl(Constant)] get => 1UL << (F.FracBits + F.ExpBits); }
    public static ulong FracMask { [MethodImpl(Constant)] get => (1UL << F.FracBits) - 1; }
    public static ulong ExpMask { [MethodImpl(Constant)] get => (ulong)ExpMax << F.FracBits; }
    public static ulong QuietBit { [MethodImpl(Constant)] get => 1UL << (F.FracBits - 1); }
    public static ulong Infinity { [MethodImpl(Constant)] get => ExpMask; }
    public static ulong MaxFinite { [MethodImpl(Constant)] get => ExpMask - 1; }
    /// <summary>The "real indefinite" QNaN of invalid operations: sign set, quiet bit set.</summary>
    public static ulong DefaultNaN { [MethodImpl(Constant)] get => SignBit | ExpMask | QuietBit; }
    static int Emin { [MethodImpl(Constant)] get => 1 - Bias; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNaN(ulong x) => (x & ~SignBit) > ExpMask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSNaN(ulong x) => IsNaN(x) && (x & QuietBit) == 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInf(ulong x) => (x & ~SignBit) == ExpMask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(ulong x) => (x & ~SignBit) == 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDenormal(ulong x) => (x & ExpMask) == 0 && (x & FracMask) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Quiet(ulong x) => x | QuietBit;

    // ------------------------------------------------------------------ operand preparation

    /// <summary>NaN operand(s) of a two-operand arithmetic instruction: IE for an SNaN; the first NaN, quieted.</summary>
    public static ulong PropagateNaN(ulong a, ulong b, ref uint flags)
    {
        if (IsSNaN(a) || IsSNaN(b)) flags |= Mxcsr.IE;
        return IsNaN(a) ? Quiet(a) : Quiet(b);
    }

    /// <summary>A denormal input: zero of its sign under DAZ, otherwise itself with DE.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Denormal(ulong x, uint mx, ref uint flags)
    {
        if (!IsDenormal(x)) return x;
        if ((mx & Mxcsr.DAZ) != 0) return x & SignBit;
        flags |= Mxcsr.DE;
        return x;
    }

    /// <summary>Finite nonzero x → (exp, sig) with bit 62 of sig set.</summary>
    public static ulong Unpack(ulong x, out int exp)
    {
        int e = (int)((x >> Frac) & (ulong)ExpMax);
        ulong f = x & FracMask;
        if (e == 0)
        {
            int s = BitOperations.LeadingZeroCount(f) - 1;
            exp = Emin - Frac - s + 62;
            return f << s;
        }
        exp = e - Bias;
        return (f | (1UL << Frac)) << (62 - Frac);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong ShiftRightJam(ulong x, int n) =>
        n == 0 ? x : n < 64 ? (x >> n) | ((x << (64 - n)) != 0 ? 1UL : 0) : (x != 0 ? 1UL : 0);

    // ------------------------------------------------------------------ rounding

    /// <summary>
    /// Rounds sig · 2^(exp − 62) (bit 62 of sig set, low bit sticky) to the format under MXCSR.
    /// </summary>
    public static ulong RoundPack(ulong sign, int exp, ulong sig, uint mx, ref uint flags)
    {
        int rb = 62 - Frac; // round bits below the P = Frac + 1 significant bits
        ulong roundMask = (1UL << rb) - 1, half = 1UL << (rb - 1);
        if (exp < Emin) return Tiny(sign, exp, sig, mx, ref flags);
        ulong rem = sig & roundMask;
        ulong mant = sig >> rb;
        if (rem != 0 && RoundsUp(Mxcsr.Rounding(mx), sign != 0, rem, half, mant)) mant++;
        int be = exp + Bias;
        if ((mant >> (Frac + 1)) != 0)
        {
            mant >>= 1;
            be++;
        }
        if (be >= ExpMax) return Overflow(sign, mx, rem != 0, ref flags);
        if (rem != 0) flags |= Mxcsr.PE;
        return sign | ((ulong)be << Frac) | (mant & FracMask);
    }

    /// <summary>
    /// A result whose exact value is below the smallest normal. One that rounds up to the smallest normal at full
    /// precision is not tiny (x86 detects tininess after rounding): the smallest normal with PE. Otherwise:
    /// <list type="bullet">
    /// <item>underflow unmasked: UE and #XM (also for exact results), with PE when rounding to the full
    /// precision with an unbounded exponent (the value a trap handler would get) is inexact;</item>
    /// <item>FTZ with underflow masked: a zero of the result's sign, UE and PE;</item>
    /// <item>otherwise the correctly rounded denormal (or smallest normal), with UE and PE when inexact.</item>
    /// </list>
    /// </summary>
    static ulong Tiny(ulong sign, int exp, ulong sig, uint mx, ref uint flags)
    {
        int rb = 62 - Frac;
        ulong roundMask = (1UL << rb) - 1, half = 1UL << (rb - 1);
        if (exp == Emin - 1)
        {
            ulong full = sig >> rb, fullRem = sig & roundMask;
            if (full == (1UL << (Frac + 1)) - 1 && fullRem != 0 && RoundsUp(Mxcsr.Rounding(mx), sign != 0, fullRem, half, full))
            {
                flags |= Mxcsr.PE;
                return sign | (1UL << Frac);
            }
        }
        if ((mx & Mxcsr.UM) == 0)
        {
            flags |= (sig & roundMask) != 0 ? Mxcsr.UE | Mxcsr.PE : Mxcsr.UE;
            return sign;
        }
        if ((mx & Mxcsr.FTZ) != 0)
        {
            flags |= Mxcsr.UE | Mxcsr.PE;
            return sign;
        }
        sig = ShiftRightJam(sig, Emin - exp);
        ulong rem = sig & roundMask;
        ulong mant = sig >> rb;
        if (rem != 0)
        {
            if (RoundsUp(Mxcsr.Rounding(mx), sign != 0, rem, half, mant)) mant++;
            flags |= Mxcsr.UE | Mxcsr.PE;
        }
        // mant may have carried into the implicit bit: the exponent field becomes 1 (the smallest normal).
        return sign | mant;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool RoundsUp(uint mode, bool negative, ulong rem, ulong half, ulong mant) => mode switch
    {
        Mxcsr.RoundNearest => rem > half || (rem == half && (mant & 1) != 0),
        Mxcsr.RoundDown => negative,
        Mxcsr.RoundUp => !negative,
        _ => false,
    };

    /// <summary>Overflow (masked): OE and PE; ∞ or the largest finite value of the sign, as the rounding mode says.</summary>
    public static ulong Overflow(ulong sign, uint mx, bool inexact, ref uint flags)
    {
        if ((mx & Mxcsr.OM) == 0)
        {
            // Unmasked: #XM with OE, and PE if rounding to the full precision (unbounded exponent) is inexact.
            flags |= inexact ? Mxcsr.OE | Mxcsr.PE : Mxcsr.OE;
            return sign | Infinity;
        }
        flags |= Mxcsr.OE | Mxcsr.PE;
        bool toInf = Mxcsr.Rounding(mx) switch
        {
            Mxcsr.RoundNearest => true,
            Mxcsr.RoundDown => sign != 0,
            Mxcsr.RoundUp => sign == 0,
            _ => false,
        };
        return sign | (toInf ? Infinity : MaxFinite);
    }

    // ------------------------------------------------------------------ arithmetic

    // Each operation gathers its own element's flags, then merges them into the instruction's.

    public static ulong Add(ulong a, ulong b, uint mx, ref uint flags)
    {
        uint f = 0;
        ulong r = AddSigned(a, b, 0, mx, ref f);
        flags |= f;
        return r;
    }

    public static ulong Sub(ulong a, ulong b, uint mx, ref uint flags)
    {
        uint f = 0;
        ulong r = AddSigned(a, b, SignBit, mx, ref f);
        flags |= f;
        return r;
    }

    public static ulong Mul(ulong a, ulong b, uint mx, ref uint flags)
    {
        uint f = 0;
        ulong r = MulCore(a, b, mx, ref f);
        flags |= f;
        return r;
    }

    public static ulong Div(ulong a, ulong b, uint mx, ref uint flags)
    {
        uint f = 0;
        ulong r = DivCore(a, b, mx, ref f);
        flags |= f;
        return r;
    }

    public static ulong Sqrt(ulong a, uint mx, ref uint flags)
    {
        uint f = 0;
        ulong r = SqrtCore(a, mx, ref f);
        flags |= f;
        return r;
    }

    static ulong AddSigned(ulong a, ulong b, ulong negate, uint mx, ref uint flags)
    {
        if (IsNaN(a) || IsNaN(b)) return PropagateNaN(a, b, ref flags);
        a = Denormal(a, mx, ref flags);
        b = Denormal(b, mx, ref flags) ^ negate;
        ulong sa = a & SignBit, sb = b & SignBit;
        if (IsInf(a))
        {
            if (IsInf(b) && sa != sb) { flags |= Mxcsr.IE; return DefaultNaN; }
            return a;
        }
        if (IsInf(b)) return b;
        bool za = IsZero(a), zb = IsZero(b);
        if (za && zb)
            return sa == sb ? sa : Mxcsr.Rounding(mx) == Mxcsr.RoundDown ? SignBit : 0;
        if (za) return Repack(b, mx, ref flags);
        if (zb) return Repack(a, mx, ref flags);

        ulong ma = Unpack(a, out int ea), mb = Unpack(b, out int eb);
        if (ea < eb || (ea == eb && ma < mb))
        {
            (ma, mb) = (mb, ma);
            (ea, eb) = (eb, ea);
            (sa, sb) = (sb, sa);
        }
        // 128-bit: the larger operand's leading bit at 126, the smaller shifted right with sticky.
        UInt128 x = (UInt128)ma << 64, y = (UInt128)mb << 64;
        int d = ea - eb;
        if (d > 0) y = d >= 127 ? UInt128.One : (y >> d) | ((y << (128 - d)) != UInt128.Zero ? UInt128.One : UInt128.Zero);
        UInt128 s;
        if (sa == sb) s = x + y;
        else
        {
            s = x - y;
            if (s == UInt128.Zero) return Mxcsr.Rounding(mx) == Mxcsr.RoundDown ? SignBit : 0;
        }
        int lz = (int)UInt128.LeadingZeroCount(s);
        int exp = ea;
        if (lz == 0)
        {
            s = (s >> 1) | (s & UInt128.One);
            exp++;
        }
        else
        {
            s <<= lz - 1;
            exp -= lz - 1;
        }
        ulong sig = (ulong)(s >> 64) | ((ulong)s != 0 ? 1UL : 0);
        return RoundPack(sa, exp, sig, mx, ref flags);
    }

    /// <summary>A finite nonzero operand returned as the result (x ± 0): exact, but still subject to FTZ and unmasked underflow.</summary>
    static ulong Repack(ulong x, uint mx, ref uint flags)
    {
        if (!IsDenormal(x)) return x;
        ulong sig = Unpack(x, out int exp);
        return RoundPack(x & SignBit, exp, sig, mx, ref flags);
    }

    static ulong MulCore(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNaN(a) || IsNaN(b)) return PropagateNaN(a, b, ref flags);
        a = Denormal(a, mx, ref flags);
        b = Denormal(b, mx, ref flags);
        ulong sign = (a ^ b) & SignBit;
        if (IsInf(a) || IsInf(b))
        {
            if (IsZero(a) || IsZero(b)) { flags |= Mxcsr.IE; return DefaultNaN; }
            return sign | Infinity;
        }
        if (IsZero(a) || IsZero(b)) return sign;
        ulong ma = Unpack(a, out int ea), mb = Unpack(b, out int eb);
        UInt128 p = (UInt128)ma * mb; // leading bit at 124 or 125
        ulong sig = (ulong)(p >> 62) | (((ulong)p & ((1UL << 62) - 1)) != 0 ? 1UL : 0);
        int exp = ea + eb;
        if ((sig >> 63) != 0)
        {
            sig = (sig >> 1) | (sig & 1);
            exp++;
        }
        return RoundPack(sign, exp, sig, mx, ref flags);
    }

    static ulong DivCore(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNaN(a) || IsNaN(b)) return PropagateNaN(a, b, ref flags);
        a = Denormal(a, mx, ref flags);
        b = Denormal(b, mx, ref flags);
        ulong sign = (a ^ b) & SignBit;
        if (IsInf(a))
        {
            if (IsInf(b)) { flags |= Mxcsr.IE; return DefaultNaN; }
            return sign | Infinity;
        }
        if (IsInf(b)) return sign;
        if (IsZero(b))
        {
            if (IsZero(a)) { flags |= Mxcsr.IE; return DefaultNaN; }
            flags = (flags & ~Mxcsr.DE) | Mxcsr.ZE; // a denormal dividend raises no DE here
            return sign | Infinity;
        }
        if (IsZero(a)) return sign;
        ulong ma = Unpack(a, out int ea), mb = Unpack(b, out int eb);
        UInt128 n = (UInt128)ma << 63;
        UInt128 q = n / mb, r = n - q * mb; // q in (2^62, 2^64)
        ulong sig = (ulong)q | (r != UInt128.Zero ? 1UL : 0);
        int exp = ea - eb - 1;
        if ((sig >> 63) != 0)
        {
            sig = (sig >> 1) | (sig & 1);
            exp++;
        }
        return RoundPack(sign, exp, sig, mx, ref flags);
    }

    /// <summary>√: a negative operand (even a denormal one, which then raises no DE) is invalid; √−0 = −0.</summary>
    static ulong SqrtCore(ulong a, uint mx, ref uint flags)
    {
        if (IsNaN(a))
        {
            if (IsSNaN(a)) flags |= Mxcsr.IE;
            return Quiet(a);
        }
        if (IsDenormal(a) && (mx & Mxcsr.DAZ) != 0) a &= SignBit;
        if (IsZero(a)) return a;
        if ((a & SignBit) != 0) { flags |= Mxcsr.IE; return DefaultNaN; }
        if (IsInf(a)) return a;
        if (IsDenormal(a)) flags |= Mxcsr.DE;
        ulong m = Unpack(a, out int e);
        UInt128 n;
        int exp;
        if ((e & 1) == 0)
        {
            n = (UInt128)m << 62;
            exp = e >> 1;
        }
        else
        {
            n = (UInt128)m << 63;
            exp = (e - 1) >> 1;
        }
        ulong root = ISqrt(n, out bool exact); // in [2^62, 2^63)
        return RoundPack(0, exp, root | (exact ? 0UL : 1UL), mx, ref flags);
    }

    /// <summary>floor(√n) for n &lt; 2^126, by digit-by-digit extraction (integer only).</summary>
    public static ulong ISqrt(UInt128 n, out bool exact)
    {
        UInt128 rem = n, root = 0;
        UInt128 bit = UInt128.One << 126;
        while (bit > rem) bit >>= 2;
        while (bit != UInt128.Zero)
        {
            if (rem >= root + bit)
            {
                rem -= root + bit;
                root = (root >> 1) + bit;
            }
            else root >>= 1;
            bit >>= 2;
        }
        exact = rem == UInt128.Zero;
        return (ulong)root;
    }

    // ------------------------------------------------------------------ min, max, compare

    /// <summary>
    /// MIN (<paramref name="max"/> false) / MAX: the first operand if it is strictly less (greater),
    /// else the second — so a NaN in either operand, or two zeros, give the second operand unchanged.
    /// Any NaN raises IE; denormals raise DE unless a NaN is present, and are zeros under DAZ (also when returned).
    /// </summary>
    public static ulong MinMax(ulong a, ulong b, bool max, uint mx, ref uint flags)
    {
        if ((mx & Mxcsr.DAZ) != 0)
        {
            if (IsDenormal(a)) a &= SignBit;
            if (IsDenormal(b)) b &= SignBit;
        }
        if (IsNaN(a) || IsNaN(b))
        {
            flags |= Mxcsr.IE;
            return b;
        }
        a = Denormal(a, mx, ref flags);
        b = Denormal(b, mx, ref flags);
        long ka = OrderKey(a), kb = OrderKey(b);
        return (max ? ka > kb : ka < kb) ? a : b;
    }

    /// <summary>A signed integer with the numeric order of non-NaN values (both zeros map to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long OrderKey(ulong x)
    {
        long mag = (long)(x & ~SignBit);
        return (x & SignBit) != 0 ? -mag : mag;
    }

    /// <summary>
    /// Compares two values for CMPPS/CMPSS/COMISS…: −1 less, 0 equal, 1 greater, 2 unordered. IE for an
    /// SNaN, or for any NaN when <paramref name="signalQuiet"/>; DE for denormals of ordered operands.
    /// </summary>
    public static int Compare(ulong a, ulong b, bool signalQuiet, uint mx, ref uint flags)
    {
        if (IsNaN(a) || IsNaN(b))
        {
            if (signalQuiet || IsSNaN(a) || IsSNaN(b)) flags |= Mxcsr.IE;
            return 2;
        }
        a = Denormal(a, mx, ref flags);
        b = Denormal(b, mx, ref flags);
        long ka = OrderKey(a), kb = OrderKey(b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
    }

    // ------------------------------------------------------------------ conversions

    /// <summary>A signed integer (already sign-extended to 64 bits) rounded to this format under MXCSR.</summary>
    public static ulong FromInt64(long v, uint mx, ref uint flags)
    {
        if (v == 0) return 0;
        ulong sign = v < 0 ? SignBit : 0;
        ulong mag = v < 0 ? (ulong)-v : (ulong)v; // -long.MinValue wraps to 2^63, as wanted
        int lz = BitOperations.LeadingZeroCount(mag);
        if (lz == 0) return RoundPack(sign, 63, (mag >> 1) | (mag & 1), mx, ref flags);
        return RoundPack(sign, 63 - lz, mag << (lz - 1), mx, ref flags);
    }

    /// <summary>
    /// CVT(T)SS2SI and friends: the value rounded (by MXCSR, or toward zero when <paramref name="truncate"/>)
    /// to a signed integer of <paramref name="bits"/> bits. NaN, ∞ and out-of-range values give the
    /// integer indefinite (only the sign bit set) with IE; an inexact in-range result sets PE.
    /// Denormals are zeros under DAZ (then exact), else tiny values rounded like any other.
    /// </summary>
    public static ulong ToInt(ulong a, int bits, bool truncate, uint mx, ref uint flags)
    {
        ulong indefinite = 1UL << (bits - 1);
        if (IsNaN(a) || IsInf(a)) { flags |= Mxcsr.IE; return indefinite; }
        if (IsDenormal(a) && (mx & Mxcsr.DAZ) != 0) return 0;
        if (IsZero(a)) return 0;
        bool negative = (a & SignBit) != 0;
        ulong sig = Unpack(a, out int exp); // value = sig · 2^(exp − 62)
        if (exp >= 64) { flags |= Mxcsr.IE; return indefinite; }
        ulong whole, frac; // frac: the fraction as a 64-bit binary fixed point
        if (exp >= 62)
        {
            whole = sig << (exp - 62);
            frac = 0;
        }
        else
        {
            int shift = 62 - exp; // ≥ 1
            if (shift >= 128) { whole = 0; frac = 1; }
            else
            {
                UInt128 s = (UInt128)sig << 64 >> shift;
                bool lost = shift > 64 && (sig << (128 - shift)) != 0;
                whole = (ulong)(s >> 64);
                frac = (ulong)s | (lost ? 1UL : 0);
            }
        }
        if (frac != 0)
        {
            uint mode = truncate ? Mxcsr.RoundZero : Mxcsr.Rounding(mx);
            if (RoundsUp(mode, negative, frac, 1UL << 63, whole))
            {
                whole++;
                if (whole == 0) { flags |= Mxcsr.IE; return indefinite; }
            }
        }
        if (negative ? whole > indefinite : whole >= indefinite) { flags |= Mxcsr.IE; return indefinite; }
        if (frac != 0) flags |= Mxcsr.PE;
        ulong result = negative ? (ulong)-(long)whole : whole;
        return bits == 64 ? result : result & 0xFFFF_FFFF;
    }

    /// <summary>
    /// Converts a value of format <typeparamref name="G"/> to this format (CVTSS2SD, CVTSD2SS…): NaNs keep
    /// their payload's top bits and are quieted (IE for an SNaN), denormal inputs raise DE or are zeros
    /// under DAZ, and finite values are rounded under MXCSR.
    /// </summary>
    public static ulong Convert<G>(ulong a, uint mx, ref uint flags) where G : struct, IFloatFormat
    {
        uint f = 0;
        ulong r = ConvertCore<G>(a, mx, ref f);
        flags |= f;
        return r;
    }

    static ulong ConvertCore<G>(ulong a, uint mx, ref uint flags) where G : struct, IFloatFormat
    {
        ulong sign = (a >> (G.FracBits + G.ExpBits)) != 0 ? SignBit : 0;
        if (SoftFloat<G>.IsNaN(a))
        {
            if (SoftFloat<G>.IsSNaN(a)) flags |= Mxcsr.IE;
            ulong f = a & SoftFloat<G>.FracMask;
            f = Frac >= G.FracBits ? f << (Frac - G.FracBits) : f >> (G.FracBits - Frac);
            return sign | ExpMask | QuietBit | f;
        }
        a = SoftFloat<G>.Denormal(a, mx, ref flags);
        if (SoftFloat<G>.IsInf(a)) return sign | Infinity;
        if (SoftFloat<G>.IsZero(a)) return sign;
        ulong sig = SoftFloat<G>.Unpack(a, out int exp);
        return RoundPack(sign, exp, sig, mx, ref flags);
    }
}
