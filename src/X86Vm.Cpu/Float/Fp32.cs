using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Float;

/// <summary>
/// Single-precision SSE arithmetic: a fast path computing in double, else <see cref="SoftFloat{F}"/>.
/// <para>
/// Normal floats widen to doubles exactly (by bit manipulation). Products are then exact; sums, quotients
/// and roots are rounded once to double with an exact error term (TwoSum, FMA residual); narrowing to
/// 24 bits is done in integer arithmetic. Rounding to double and then to single is innocuous for these
/// operations (53 ≥ 2·24 + 2), and the exact error decides PE and the directed rounding modes. Results
/// whose magnitude is below 2^−125 or not below the largest finite float take the soft path.
/// </para>
/// </summary>
public static class Fp32
{
    const uint Sign = 0x8000_0000;
    const ulong DSign = 0x8000_0000_0000_0000;
    const uint SafeLow = 0x0100_0000; // 2^−125
    const uint MaxFinite = 0x7F7F_FFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNormal(uint x) => ((x >> 23) & 0xFF) - 1 < 0xFE;

    /// <summary>A normal float as a double, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Widen(uint x) => BitConverter.UInt64BitsToDouble(
        ((ulong)(x & Sign) << 32) | ((ulong)(((x >> 23) & 0xFF) + (1023 - 127)) << 52) | ((ulong)(x & 0x7F_FFFF) << 29));

    /// <summary>
    /// Rounds the double <paramref name="d"/> (nearest to an exact value d + e) to single under MXCSR when
    /// the result is safely normal; false sends the caller to the soft path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Narrow(double d, double e, uint mx, ref uint flags, out uint result)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        ulong m = bits & ~DSign;
        ulong t = m >> 29, rem = m & 0x1FFF_FFFF;
        bool up = rem > 0x1000_0000 || (rem == 0x1000_0000 && (t & 1) != 0);
        if (up) t++;
        ulong f = t - ((ulong)(1023 - 127) << 23); // wraps huge when below the float range
        if (f - SafeLow >= MaxFinite - SafeLow)
        {
            result = 0;
            return false;
        }
        bool negative = (bits & DSign) != 0;
        result = (uint)f | (negative ? Sign : 0);
        if (rem == 0 && e == 0) return true;
        flags |= Mxcsr.PE;
        uint mode = Mxcsr.Rounding(mx);
        if (mode != Mxcsr.RoundNearest)
        {
            // Sign of (exact − result): from the narrowing if it lost bits, else from e.
            bool exactAbove = rem != 0 ? up == negative : e > 0;
            result = (uint)Fp64.Directed(result, negative, exactAbove, mode);
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double TwoSumError(double x, double y, double s)
    {
        double bb = s - x;
        return (x - (s - bb)) + (y - bb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static uint Add(uint a, uint b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = Widen(a), y = Widen(b), s = x + y;
            if (Narrow(s, Fp64.InexactIsSilent(mx) ? 0 : TwoSumError(x, y, s), mx, ref flags, out uint r)) return r;
        }
        return (uint)SoftFloat<F32>.Add(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static uint Sub(uint a, uint b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = Widen(a), y = -Widen(b), s = x + y;
            if (Narrow(s, Fp64.InexactIsSilent(mx) ? 0 : TwoSumError(x, y, s), mx, ref flags, out uint r)) return r;
        }
        return (uint)SoftFloat<F32>.Sub(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static uint Mul(uint a, uint b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b) && Narrow(Widen(a) * Widen(b), 0, mx, ref flags, out uint r)) return r;
        return (uint)SoftFloat<F32>.Mul(a, b, mx, ref flags);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the host fast path inlines; SoftFloat stays a call
    public static uint Div(uint a, uint b, uint mx, ref uint flags)
    {
        if (IsNormal(a) && IsNormal(b))
        {
            double x = Widen(a), y = Widen(b), q = x / y;
            double rem = Fp64.InexactIsSilent(mx) ? 0 : Math.FusedMultiplyAdd(-q, y, x);
            if (Narrow(q, (b & Sign) != 0 ? -rem : rem, mx, ref flags, out uint r)) return r;
        }
        return (uint)SoftFloat<F32>.Div(a, b, mx, ref flags);
    }

    public static uint Sqrt(uint a, uint mx, ref uint flags)
    {
        if (a - 0x0080_0000u < 0x7F80_0000u - 0x0080_0000u) // positive normal
        {
            double x = Widen(a), s = Math.Sqrt(x);
            if (Narrow(s, Fp64.InexactIsSilent(mx) ? 0 : Math.FusedMultiplyAdd(-s, s, x), mx, ref flags, out uint r)) return r;
        }
        return (uint)SoftFloat<F32>.Sqrt(a, mx, ref flags);
    }

    /// <summary>A signed integer to single (CVTSI2SS, CVTDQ2PS): exact below 2^24, else rounded under MXCSR.</summary>
    public static uint FromInt64(long v, uint mx, ref uint flags)
    {
        if (v >= -(1L << 24) && v <= (1L << 24)) return BitConverter.SingleToUInt32Bits(v);
        return (uint)SoftFloat<F32>.FromInt64(v, mx, ref flags);
    }

    /// <summary>CVTSD2SS / CVTPD2PS of one element.</summary>
    public static uint FromDouble(ulong a, uint mx, ref uint flags)
    {
        if (Fp64.IsNormal(a) && Narrow(BitConverter.UInt64BitsToDouble(a), 0, mx, ref flags, out uint r)) return r;
        return (uint)SoftFloat<F32>.Convert<F64>(a, mx, ref flags);
    }

    /// <summary>CVTSS2SD / CVTPS2PD of one element (exact except for NaNs and denormals).</summary>
    public static ulong ToDouble(uint a, uint mx, ref uint flags)
    {
        if (IsNormal(a)) return BitConverter.DoubleToUInt64Bits(Widen(a));
        return SoftFloat<F64>.Convert<F32>(a, mx, ref flags);
    }
}
