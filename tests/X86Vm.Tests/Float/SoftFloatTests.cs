using X86Vm.Cpu.Float;

namespace X86Vm.Tests.Float;

/// <summary>
/// Self-consistency of the floating-point core, beyond the native oracle's cases: the host fast paths of
/// <see cref="Fp32"/>/<see cref="Fp64"/> must give exactly the soft-float result and flags under every
/// MXCSR, the soft-float core must agree with the host's correctly rounded arithmetic in round-to-nearest,
/// and the RCP/RSQRT estimates must stay within the architectural error bound.
/// </summary>
public class SoftFloatTests
{
    static readonly uint[] Modes = [0x1F80, 0x3F80, 0x5F80, 0x7F80, 0x1FC0, 0x9F80, 0x9FC0, 0xFFC0, 0x1780, 0x1B80, 0x1E80];

    sealed class Gen(ulong seed)
    {
        ulong _s = seed;

        public ulong Next()
        {
            ulong z = _s += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        /// <summary>A double with a biased exponent: near 1, anywhere, near the subnormal range, near overflow, few mantissa bits.</summary>
        public ulong Double()
        {
            ulong r = Next(), m = Next() & 0xF_FFFF_FFFF_FFFF;
            ulong e = (r & 7) switch
            {
                0 or 1 or 2 => 1023 + (r >> 8) % 64 - 32,
                3 => (r >> 8) % 2047,
                4 => (r >> 8) % 80,
                5 => 2046 - (r >> 8) % 80,
                _ => 1023 + (r >> 8) % 200 - 100,
            };
            if ((r & 0x30) == 0) m &= 0xFF00_0000_0000_0;
            return ((r >> 63) << 63) | (e << 52) | m;
        }

        public uint Single()
        {
            ulong r = Next();
            uint m = (uint)(Next() & 0x7F_FFFF);
            uint e = (r & 7) switch
            {
                0 or 1 or 2 => 127 + (uint)((r >> 8) % 32) - 16,
                3 => (uint)((r >> 8) % 255),
                4 => (uint)((r >> 8) % 40),
                5 => 254 - (uint)((r >> 8) % 40),
                _ => 127 + (uint)((r >> 8) % 100) - 50,
            };
            if ((r & 0x30) == 0) m &= 0x7F_0000;
            return (uint)((r >> 63) << 31) | (e << 23) | m;
        }
    }

    delegate ulong Op64(ulong a, ulong b, uint mx, ref uint flags);
    delegate uint Op32(uint a, uint b, uint mx, ref uint flags);

    static void Compare64(string name, Op64 fast, Op64 soft)
    {
        var g = new Gen(0x1234 + (ulong)name.Length);
        var failures = new List<string>();
        for (int i = 0; i < 200_000 && failures.Count < 10; i++)
        {
            ulong a = g.Double(), b = g.Double();
            if ((i & 3) == 0) b = a ^ (g.Next() & 0xFFFF); // close operands: cancellation, near-ties
            uint mx = Modes[i % Modes.Length], f1 = 0, f2 = 0;
            ulong r1 = fast(a, b, mx, ref f1), r2 = soft(a, b, mx, ref f2);
            if (r1 != r2 || f1 != f2) failures.Add($"{name} {a:x16} {b:x16} mx={mx:x}: fast {r1:x16}/{f1:x} soft {r2:x16}/{f2:x}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    static void Compare32(string name, Op32 fast, Op32 soft)
    {
        var g = new Gen(0x5678 + (ulong)name.Length);
        var failures = new List<string>();
        for (int i = 0; i < 200_000 && failures.Count < 10; i++)
        {
            uint a = g.Single(), b = g.Single();
            if ((i & 3) == 0) b = a ^ (uint)(g.Next() & 0xFF);
            uint mx = Modes[i % Modes.Length], f1 = 0, f2 = 0;
            uint r1 = fast(a, b, mx, ref f1), r2 = soft(a, b, mx, ref f2);
            if (r1 != r2 || f1 != f2) failures.Add($"{name} {a:x8} {b:x8} mx={mx:x}: fast {r1:x8}/{f1:x} soft {r2:x8}/{f2:x}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void DoubleFastPathsMatchSoftFloat()
    {
        Compare64("add", Fp64.Add, SoftFloat<F64>.Add);
        Compare64("sub", Fp64.Sub, SoftFloat<F64>.Sub);
        Compare64("mul", Fp64.Mul, SoftFloat<F64>.Mul);
        Compare64("div", Fp64.Div, SoftFloat<F64>.Div);
        Compare64("sqrt", (ulong a, ulong b, uint mx, ref uint f) => Fp64.Sqrt(a & ~(1UL << 63), mx, ref f),
            (ulong a, ulong b, uint mx, ref uint f) => SoftFloat<F64>.Sqrt(a & ~(1UL << 63), mx, ref f));
        Compare64("cvtsd2ss", (ulong a, ulong b, uint mx, ref uint f) => Fp32.FromDouble(a, mx, ref f),
            (ulong a, ulong b, uint mx, ref uint f) => SoftFloat<F32>.Convert<F64>(a, mx, ref f));
        Compare64("cvtsi2sd", (ulong a, ulong b, uint mx, ref uint f) => Fp64.FromInt64((long)a >> (int)(b & 63), mx, ref f),
            (ulong a, ulong b, uint mx, ref uint f) => SoftFloat<F64>.FromInt64((long)a >> (int)(b & 63), mx, ref f));
        Compare64("cvtsi2ss", (ulong a, ulong b, uint mx, ref uint f) => Fp32.FromInt64((long)a >> (int)(b & 63), mx, ref f),
            (ulong a, ulong b, uint mx, ref uint f) => SoftFloat<F32>.FromInt64((long)a >> (int)(b & 63), mx, ref f));
    }

    [Fact]
    public void SingleFastPathsMatchSoftFloat()
    {
        Compare32("add", Fp32.Add, (uint a, uint b, uint mx, ref uint f) => (uint)SoftFloat<F32>.Add(a, b, mx, ref f));
        Compare32("sub", Fp32.Sub, (uint a, uint b, uint mx, ref uint f) => (uint)SoftFloat<F32>.Sub(a, b, mx, ref f));
        Compare32("mul", Fp32.Mul, (uint a, uint b, uint mx, ref uint f) => (uint)SoftFloat<F32>.Mul(a, b, mx, ref f));
        Compare32("div", Fp32.Div, (uint a, uint b, uint mx, ref uint f) => (uint)SoftFloat<F32>.Div(a, b, mx, ref f));
        Compare32("sqrt", (uint a, uint b, uint mx, ref uint f) => Fp32.Sqrt(a & 0x7FFF_FFFF, mx, ref f),
            (uint a, uint b, uint mx, ref uint f) => (uint)SoftFloat<F32>.Sqrt(a & 0x7FFF_FFFF, mx, ref f));
        Compare32("cvtss2sd", (uint a, uint b, uint mx, ref uint f) => (uint)(Fp32.ToDouble(a, mx, ref f) >> 11),
            (uint a, uint b, uint mx, ref uint f) => (uint)(SoftFloat<F64>.Convert<F32>(a, mx, ref f) >> 11));
    }

    /// <summary>In round-to-nearest without DAZ/FTZ the soft core is IEEE arithmetic: it must equal the host's (finite, non-NaN results).</summary>
    [Fact]
    public void SoftFloatMatchesHostArithmeticToNearest()
    {
        var g = new Gen(99);
        var failures = new List<string>();
        for (int i = 0; i < 200_000 && failures.Count < 10; i++)
        {
            ulong a = g.Double(), b = g.Double();
            double x = BitConverter.UInt64BitsToDouble(a), y = BitConverter.UInt64BitsToDouble(b);
            uint f = 0;
            void Check(string op, ulong soft, double host)
            {
                if (!double.IsNaN(host) && soft != BitConverter.DoubleToUInt64Bits(host)) failures.Add($"{op} {a:x16} {b:x16}: {soft:x16} vs {host}");
            }
            Check("add", SoftFloat<F64>.Add(a, b, 0x1F80, ref f), x + y);
            Check("sub", SoftFloat<F64>.Sub(a, b, 0x1F80, ref f), x - y);
            Check("mul", SoftFloat<F64>.Mul(a, b, 0x1F80, ref f), x * y);
            Check("div", SoftFloat<F64>.Div(a, b, 0x1F80, ref f), x / y);
            Check("sqrt", SoftFloat<F64>.Sqrt(a & ~(1UL << 63), 0x1F80, ref f), Math.Sqrt(Math.Abs(x)));
            uint c = g.Single(), d = g.Single();
            float p = BitConverter.UInt32BitsToSingle(c), q = BitConverter.UInt32BitsToSingle(d);
            void Check32(string op, ulong soft, float host)
            {
                if (!float.IsNaN(host) && soft != BitConverter.SingleToUInt32Bits(host)) failures.Add($"{op}32 {c:x8} {d:x8}: {soft:x8} vs {host}");
            }
            Check32("add", SoftFloat<F32>.Add(c, d, 0x1F80, ref f), p + q);
            Check32("mul", SoftFloat<F32>.Mul(c, d, 0x1F80, ref f), p * q);
            Check32("div", SoftFloat<F32>.Div(c, d, 0x1F80, ref f), p / q);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>|estimate/exact − 1| ≤ 1.5·2^−12 for every significand, at several exponents (SDM Vol. 2 RCPPS, RSQRTPS).</summary>
    [Fact]
    public void EstimatesStayWithinTheArchitecturalBound()
    {
        const double bound = 1.5 / 4096;
        double worstRcp = 0, worstRsqrt = 0;
        foreach (uint exp in new uint[] { 1, 100, 126, 127, 128, 200, 252 })
        {
            for (uint m = 0; m < 1u << 23; m += (exp == 127 || exp == 128) ? 1u : 97u)
            {
                uint x = (exp << 23) | m;
                double v = BitConverter.UInt32BitsToSingle(x);
                double r = BitConverter.UInt32BitsToSingle(Estimate.Reciprocal(x));
                double s = BitConverter.UInt32BitsToSingle(Estimate.ReciprocalSqrt(x));
                worstRcp = Math.Max(worstRcp, Math.Abs(r * v - 1));
                worstRsqrt = Math.Max(worstRsqrt, Math.Abs(s * Math.Sqrt(v) - 1));
            }
        }
        Assert.True(worstRcp <= bound, $"rcp error {worstRcp}");
        Assert.True(worstRsqrt <= bound, $"rsqrt error {worstRsqrt}");
        // Specials: ±0 and denormals → ±∞; ±∞ → ±0; RSQRT of a negative → default NaN; NaNs quieted; tiny results flushed.
        Assert.Equal(0x7F80_0000u, Estimate.Reciprocal(0));
        Assert.Equal(0xFF80_0000u, Estimate.Reciprocal(0x8000_0001));
        Assert.Equal(0x8000_0000u, Estimate.Reciprocal(0xFF80_0000));
        Assert.Equal(0u, Estimate.Reciprocal(0x7F7F_FFFF));
        Assert.Equal(0x7FC0_0001u, Estimate.Reciprocal(0x7F80_0001));
        Assert.Equal(0xFFC0_0000u, Estimate.ReciprocalSqrt(0xBF80_0000));
        Assert.Equal(0xFF80_0000u, Estimate.ReciprocalSqrt(0x8000_0000));
        Assert.Equal(0u, Estimate.ReciprocalSqrt(0x7F80_0000));
    }

    [Fact]
    public void IntegerConversionLimits()
    {
        uint f = 0;
        // 2^31 − 0.5 rounds to nearest even 2^31: out of range; truncation gives 2^31 − 1.
        Assert.Equal(0x8000_0000UL, SoftFloat<F64>.ToInt(0x41DF_FFFF_FFE0_0000, 32, false, 0x1F80, ref f));
        Assert.Equal(Mxcsr.IE, f);
        f = 0;
        Assert.Equal(0x7FFF_FFFFUL, SoftFloat<F64>.ToInt(0x41DF_FFFF_FFE0_0000, 32, true, 0x1F80, ref f));
        Assert.Equal(Mxcsr.PE, f);
        f = 0;
        // −2^31 − 0.5 truncates to −2^31 (in range); −2^63 is exact for 64 bits; NaN → indefinite.
        Assert.Equal(0x8000_0000UL, SoftFloat<F64>.ToInt(0xC1E0_0000_0010_0000, 32, true, 0x1F80, ref f));
        Assert.Equal(0x8000_0000_0000_0000UL, SoftFloat<F64>.ToInt(0xC3E0_0000_0000_0000, 64, false, 0x1F80, ref f));
        Assert.Equal(Mxcsr.PE, f);
        f = 0;
        Assert.Equal(0x8000_0000_0000_0000UL, SoftFloat<F32>.ToInt(0x7FC0_0000, 64, false, 0x1F80, ref f));
        Assert.Equal(Mxcsr.IE, f);
    }
}
