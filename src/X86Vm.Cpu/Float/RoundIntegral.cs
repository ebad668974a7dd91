namespace X86Vm.Cpu.Float;

/// <summary>
/// Rounding to an integral value in the same format (SSE4.1 ROUNDPS/PD/SS/SD, SDM Vol. 2): bit-exact,
/// integer-only. NaNs: an SNaN raises IE and is quieted, a QNaN passes. Zeros, infinities and values of at
/// least 2^(precision−1) are already integral. An inexact result raises PE unless suppressed (imm8 bit 3).
/// Denormal operands raise no DE; under DAZ they are zeros of their sign (checked against the reference CPU
/// by the oracle).
/// </summary>
public static class RoundIntegral<F> where F : struct, IFloatFormat
{
    public static ulong Round(ulong a, uint mode, bool suppressInexact, uint mx, ref uint flags)
    {
        if (SoftFloat<F>.IsNaN(a))
        {
            if (SoftFloat<F>.IsSNaN(a)) flags |= Mxcsr.IE;
            return SoftFloat<F>.Quiet(a);
        }
        if (SoftFloat<F>.IsDenormal(a) && (mx & Mxcsr.DAZ) != 0) return a & SoftFloat<F>.SignBit;
        ulong sign = a & SoftFloat<F>.SignBit, mag = a & ~SoftFloat<F>.SignBit;
        if (mag == 0 || SoftFloat<F>.IsInf(a)) return a;
        int frac = SoftFloat<F>.Frac;
        int e = (int)(mag >> frac) - SoftFloat<F>.Bias;
        if (e >= frac) return a;
        ulong result;
        if (e < 0)
        {
            // |a| < 1: the result is 0 or 1 of a's sign.
            ulong one = (ulong)SoftFloat<F>.Bias << frac;
            bool up = mode switch
            {
                Mxcsr.RoundNearest => e == -1 && mag > ((ulong)(SoftFloat<F>.Bias - 1) << frac), // above one half
                Mxcsr.RoundDown => sign != 0,
                Mxcsr.RoundUp => sign == 0,
                _ => false,
            };
            result = sign | (up ? one : 0);
        }
        else
        {
            int fb = frac - e; // fraction bits, 1..frac
            ulong mask = (1UL << fb) - 1, rest = mag & mask, trunc = mag & ~mask, half = 1UL << (fb - 1);
            if (rest == 0) return a;
            bool up = mode switch
            {
                Mxcsr.RoundNearest => rest > half || (rest == half && (trunc >> fb & 1) != 0),
                Mxcsr.RoundDown => sign != 0,
                Mxcsr.RoundUp => sign == 0,
                _ => false,
            };
            result = sign | (up ? trunc + (1UL << fb) : trunc); // a carry into the exponent is the next power of two
        }
        if (!suppressInexact) flags |= Mxcsr.PE;
        return result;
    }
}
