using System.Numerics;

namespace X86Vm.Cpu.Float;

/// <summary>
/// The fused multiply-add of FMA3 (SDM Vol. 2 VFMADD132PS…, Vol. 1 §14.5): ±(a·b) ± c with a single rounding under
/// MXCSR, in the format <typeparamref name="F"/>. The product is exact (two significands of at most 53 bits in 128 bits),
/// the addend is aligned to it with a sticky bit, and <see cref="SoftFloat{F}.RoundPack"/> rounds once. Flags: IE for an
/// SNaN operand, for ∞·0 (unless the addend is a QNaN) and for ∞ − ∞; DE for denormal operands (zeros under DAZ); UE, OE and PE from the rounding.
/// </summary>
public static class FusedMultiplyAdd<F> where F : struct, IFloatFormat
{
    static ulong SignBit => SoftFloat<F>.SignBit;

    /// <summary>
    /// (a·b) + c with the product negated when <paramref name="negateProduct"/> and the addend when <paramref name="negateAddend"/>.
    /// A NaN operand gives the first NaN of a, b, c quieted (the negations do not apply to it).
    /// </summary>
    public static ulong MulAdd(ulong a, ulong b, ulong c, bool negateProduct, bool negateAddend, uint mx, ref uint flags)
    {
        if (SoftFloat<F>.IsNaN(a) || SoftFloat<F>.IsNaN(b) || SoftFloat<F>.IsNaN(c))
        {
            // ∞·0 + QNaN is not invalid on the reference CPU (IEEE 754 leaves it to the implementation).
            if (SoftFloat<F>.IsSNaN(a) || SoftFloat<F>.IsSNaN(b) || SoftFloat<F>.IsSNaN(c)) flags |= Mxcsr.IE;
            return SoftFloat<F>.Quiet(SoftFloat<F>.IsNaN(a) ? a : SoftFloat<F>.IsNaN(b) ? b : c);
        }
        a = SoftFloat<F>.Denormal(a, mx, ref flags);
        b = SoftFloat<F>.Denormal(b, mx, ref flags);
        c = SoftFloat<F>.Denormal(c, mx, ref flags);
        ulong sp = ((a ^ b) & SignBit) ^ (negateProduct ? SignBit : 0);
        if (negateAddend) c ^= SignBit;
        ulong sc = c & SignBit;
        if (SoftFloat<F>.IsInf(a) || SoftFloat<F>.IsInf(b))
        {
            if (SoftFloat<F>.IsZero(a) || SoftFloat<F>.IsZero(b) || (SoftFloat<F>.IsInf(c) && sc != sp))
            {
                flags |= Mxcsr.IE;
                return SoftFloat<F>.DefaultNaN;
            }
            return sp | SoftFloat<F>.Infinity;
        }
        if (SoftFloat<F>.IsInf(c)) return c;
        bool productZero = SoftFloat<F>.IsZero(a) || SoftFloat<F>.IsZero(b);
        if (productZero)
        {
            if (SoftFloat<F>.IsZero(c)) return sp == sc ? sp : Mxcsr.Rounding(mx) == Mxcsr.RoundDown ? SignBit : 0;
            ulong m = SoftFloat<F>.Unpack(c, out int e); // x + 0: exact, but subject to FTZ and unmasked underflow
            return SoftFloat<F>.RoundPack(sc, e, m, mx, ref flags);
        }

        ulong ma = SoftFloat<F>.Unpack(a, out int ea), mb = SoftFloat<F>.Unpack(b, out int eb);
        UInt128 x = (UInt128)ma * mb; // bit 124 has exponent ea + eb
        int ex = ea + eb;
        if (SoftFloat<F>.IsZero(c)) return Round(sp, ex, x, mx, ref flags);
        ulong mc = SoftFloat<F>.Unpack(c, out int ec);
        UInt128 y = (UInt128)mc << 62; // bit 124 has exponent ec
        ulong sx = sp, sy = sc;
        int scale = ex;
        if (ec > ex)
        {
            (x, y) = (y, x);
            (sx, sy) = (sy, sx);
            scale = ec;
        }
        int d = Math.Abs(ec - ex);
        if (d > 0) y = d >= 127 ? (y != UInt128.Zero ? UInt128.One : UInt128.Zero) : (y >> d) | ((y << (128 - d)) != UInt128.Zero ? UInt128.One : UInt128.Zero);
        UInt128 s;
        ulong sign = sx;
        if (sx == sy) s = x + y;
        else if (x >= y) s = x - y;
        else
        {
            s = y - x;
            sign = sy;
        }
        if (s == UInt128.Zero) return Mxcsr.Rounding(mx) == Mxcsr.RoundDown ? SignBit : 0;
        return Round(sign, scale, s, mx, ref flags);
    }

    /// <summary>Rounds s · 2^(scale − 124) (s below 2^127, nonzero, low bit sticky).</summary>
    static ulong Round(ulong sign, int scale, UInt128 s, uint mx, ref uint flags)
    {
        int lead = 127 - (int)UInt128.LeadingZeroCount(s);
        int exp = scale + lead - 124;
        if (lead == 127) s = (s >> 1) | (s & UInt128.One);
        else s <<= 126 - lead;
        ulong sig = (ulong)(s >> 64) | ((ulong)s != 0 ? 1UL : 0);
        return SoftFloat<F>.RoundPack(sign, exp, sig, mx, ref flags);
    }
}
