namespace X86Vm.Cpu.Float;

/// <summary>
/// RCPPS/RCPSS and RSQRTPS/RSQRTSS approximations. The architecture only bounds the relative error
/// (≤ 1.5·2^−12, SDM Vol. 2 RCPSS/RSQRTSS) and Intel and AMD give different bits; this emulator returns,
/// on every host, the exact value truncated to 24 bits, computed in integer arithmetic:
/// <list type="bullet">
/// <item>RCP: mantissa floor(2^47 / M) for the 24-bit significand M (relative error below 2^−23).</item>
/// <item>RSQRT: mantissa floor(√(2^71 / N)) with N = M or 2M to make the exponent even (error below 2^−22).</item>
/// </list>
/// Special operands follow the SDM: ±0 and denormals (treated as zeros) give ±∞, ±∞ gives ±0 (RCP) or
/// +0 (RSQRT of +∞), a negative nonzero RSQRT operand gives the default QNaN, NaNs are returned quieted,
/// and results too small to be normal are flushed to a zero of the operand's sign. No MXCSR flag is
/// ever set and no exception is raised; DAZ, FTZ and the rounding mode have no effect.
/// </summary>
public static class Estimate
{
    const uint Sign = 0x8000_0000, Inf = 0x7F80_0000, Quiet = 0x0040_0000, DefaultNaN = 0xFFC0_0000;

    public static uint Reciprocal(uint x)
    {
        uint sign = x & Sign, mag = x & ~Sign;
        if (mag > Inf) return x | Quiet;
        if (mag == Inf) return sign;
        int e = (int)(mag >> 23);
        if (e == 0) return sign | Inf; // zero or denormal
        ulong m = (mag & 0x7F_FFFF) | 0x80_0000;
        if (m == 0x80_0000)
        {
            int pe = 254 - e; // 1/2^(e−127)
            return pe <= 0 ? sign : sign | ((uint)pe << 23);
        }
        uint r = (uint)((1UL << 47) / m); // in (2^23, 2^24)
        int re = 253 - e;
        return re <= 0 ? sign : sign | ((uint)re << 23) | (r & 0x7F_FFFF);
    }

    public static uint ReciprocalSqrt(uint x)
    {
        uint sign = x & Sign, mag = x & ~Sign;
        if (mag > Inf) return x | Quiet;
        int e = (int)(mag >> 23);
        if (e == 0) return sign | Inf; // zero or denormal
        if (sign != 0) return DefaultNaN;
        if (mag == Inf) return 0;
        ulong n = (mag & 0x7F_FFFF) | 0x80_0000;
        int exp = e - 127;
        if ((exp & 1) != 0)
        {
            n <<= 1;
            exp--;
        }
        ulong r = ISqrt((ulong)((UInt128.One << 71) / n)); // ≈ 2^24 / √(N / 2^23), in (2^23, 2^24]
        if (r >= 1UL << 24) return (uint)(127 - exp / 2) << 23;
        return ((uint)(127 - exp / 2 - 1) << 23) | ((uint)r & 0x7F_FFFF);
    }

    /// <summary>floor(√n).</summary>
    static ulong ISqrt(ulong n)
    {
        ulong root = 0, bit = 1UL << 62;
        while (bit > n) bit >>= 2;
        while (bit != 0)
        {
            if (n >= root + bit)
            {
                n -= root + bit;
                root = (root >> 1) + bit;
            }
            else root >>= 1;
            bit >>= 2;
        }
        return root;
    }
}
