using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Float;

/// <summary>
/// Double-precision SSE arithmetic: a host fast path for normal operands with a safely normal result,
/// else <see cref="SoftFloat{F}"/>.
/// <para>
/// The fast path relies only on what IEEE 754 guarantees on every .NET host: +, −, ×, ÷ and √ of
/// doubles correctly rounded to nearest, and an exact fused multiply-add. The exact error of the
/// rounded result (TwoSum for sums; FMA residuals for products, quotients and roots, exact while the
/// operands stay far from the subnormal range) decides PE and, for the directed rounding modes, whether
/// the nearest result must move one unit toward the rounding direction. Results that could be tiny or
/// overflow (|r| &lt; 2^−1021 or ≥ the largest finite value) and all special operands take the soft path.
/// </para>
/// </summary>
public static class Fp64
{
    const ulong Sign = 0x8000_0000_0000_0000;
    /// <summary>2^−1021: below this a result might be tiny before rounding.</summary>
    const ulong SafeLow = 0x0020_0000_0000_0000;
    /// <summary>2^−960: FMA residuals of products, quotients and roots of larger values are exact.</summary>
    const ulong ResidualLow = (ulong)(1023 - 960) << 52;
    const ulong MaxFinite = 0x7FEF_FFFF_FFFF_FFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double D(ulong x) => BitConverter.UInt64BitsToDouble(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong U(double x) => BitConverter.DoubleToUInt64Bits(x);

    /// <summary>Normal (not zero, denormal, infinite or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNormal(ulong x) => ((x >> 52) & 0x7FF) - 1 < 0x7FE;

    /// <summary>|r| in [2^−1021, largest finite): rounding it cannot underflow or overflow, in any mode.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool SafeResult(double r) => (U(r) & ~Sign) - SafeLow < MaxFinite - SafeLow;

    /// <summary>
    /// Rounding to nearest with PE already set and masked, the state from a program's first inexact operation on: the
    /// host's correctly rounded result is the answer and signalling inexactness again changes nothing, so a safe
    /// result needs no exact error term.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool InexactIsSilent(uint mx) => (mx & (Mxcsr.RcMask | Mxcsr.PM | Mxcsr.PE)) == (Mxcsr.PM | Mxcsr.PE);

    /// <summary>
    /// The nearest result <paramref name="r"/> of an inexact operation whose exact value is r + e (only
    /// e's sign matters): sets PE and applies the MXCSR rounding direction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Inexact(double r, double e, uint mx, ref uint flags)
    {
        flags |= Mxcsr.PE;
        ulong bits = U(r);
        uint mode = Mxcsr.Rounding(mx);
        if (mode == Mxcsr.RoundNearest) return bits;
        return Directed(bits, (bits & Sign) != 0, e > 0, mode);
    }

    /// <summary>
    /// Moves a normal nearest result one unit toward the rounding direction when the exact value lies on
    /// that side of it (<paramref name="exactAbove"/>: the exact value is greater than the result).
    /// </summary>
    internal static ulong Directed(ulong bits, bool negative, bool exactAbove, uint mode)
    {
        // For a positive value "up" is +1 in the bit pattern; for a negative one it is −1.
        return mode switch
        {
            Mxcsr.RoundUp => exactAbove ? (negative ? bits - 1 : bits + 1) : bits,
            Mxcsr.RoundDown => exactAbove ? bits : (negative ? bits + 1 : bits - 1),
            _ => exactAbove == negative ? bits - 1 : bits, // toward zero: shrink the magnitude
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static ulong Add(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = D(a), y = D(b), s = x + y;
            if (SafeResult(s))
            {
                if (InexactIsSilent(mx)) return U(s);
                double bb = s - x, e = (x - (s - bb)) + (y - bb);
                return e == 0 ? U(s) : Inexact(s, e, mx, ref flags);
            }
        }
        return SoftFloat<F64>.Add(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static ulong Sub(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = D(a), y = -D(b), s = x + y;
            if (SafeResult(s))
            {
                if (InexactIsSilent(mx)) return U(s);
                double bb = s - x, e = (x - (s - bb)) + (y - bb);
                return e == 0 ? U(s) : Inexact(s, e, mx, ref flags);
            }
        }
        return SoftFloat<F64>.Sub(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static ulong Mul(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = D(a), y = D(b), p = x * y;
            if (SafeResult(p) && (U(p) & ~Sign) >= ResidualLow)
            {
                if (InexactIsSilent(mx)) return U(p);
                double e = Math.FusedMultiplyAdd(x, y, -p);
                return e == 0 ? U(p) : Inexact(p, e, mx, ref flags);
            }
        }
        return SoftFloat<F64>.Mul(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static ulong Div(ulong a, ulong b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b) && (a & ~Sign) >= ResidualLow)
        {
            double x = D(a), y = D(b), q = x / y;
            if (SafeResult(q))
            {
                if (InexactIsSilent(mx)) return U(q);
                double r = Math.FusedMultiplyAdd(-q, y, x); // x − q·y, exact
                if (r == 0) return U(q);
                return Inexact(q, (b & Sign) != 0 ? -r : r, mx, ref flags);
            }
        }
        return SoftFloat<F64>.Div(a, b, mx, ref flags);
    }

    public static ulong Sqrt(ulong a, uint mx, ref uint flags)
    {
        if (a - ResidualLow < 0x7FF0_0000_0000_0000 - ResidualLow) // positive, normal, ≥ 2^−960
        {
            double x = D(a), s = Math.Sqrt(x);
            if (InexactIsSilent(mx)) return U(s);
            double r = Math.FusedMultiplyAdd(-s, s, x);
            return r == 0 ? U(s) : Inexact(s, r, mx, ref flags);
        }
        return SoftFloat<F64>.Sqrt(a, mx, ref flags);
    }

    /// <summary>A signed integer to double (CVTSI2SD): exact below 2^53, else rounded under MXCSR.</summary>
    public static ulong FromInt64(long v, uint mx, ref uint flags)
    {
        if (v >= -(1L << 53) && v <= (1L << 53)) return U(v);
        return SoftFloat<F64>.FromInt64(v, mx, ref flags);
    }
}
