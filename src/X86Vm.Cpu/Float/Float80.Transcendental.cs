using System.Globalization;
using System.Numerics;

namespace X86Vm.Cpu.Float;

/// <summary>
/// A binary floating-point number with a 192-bit significand for the transcendental functions:
/// value = M · 2^E, |M| normalised to exactly <see cref="W"/> bits (or zero). Every operation truncates
/// (relative error below 2^-191), so a short evaluation stays far inside the final 64-bit rounding.
/// Integer arithmetic only (System.Numerics.BigInteger).
/// </summary>
internal readonly struct BigF
{
    public const int W = 192;
    public readonly BigInteger M;
    public readonly int E;

    BigF(BigInteger m, int e) { M = m; E = e; }

    public static readonly BigF Zero = new(BigInteger.Zero, 0);

    public static BigF Make(BigInteger m, long e)
    {
        if (m.IsZero) return Zero;
        long len = (long)BigInteger.Abs(m).GetBitLength();
        if (len > W)
        {
            int s = (int)(len - W);
            m = m.Sign < 0 ? -(BigInteger.Negate(m) >> s) : m >> s;
            e += s;
        }
        else if (len < W)
        {
            int s = (int)(W - len);
            m <<= s;
            e -= s;
        }
        return new BigF(m, (int)e);
    }

    public static BigF FromInt(long v) => Make(v, 0);

    public static BigF FromFixed(string hex, int scale) =>
        Make(BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), -scale);

    internal static BigF From(in Unpacked u) =>
        u.Class == FClass.Zero ? Zero : Make(u.Sign ? -(BigInteger)u.Sig : u.Sig, (long)u.Exp - 63);

    public bool IsZero => M.IsZero;
    public int Sign => M.Sign;
    /// <summary>floor(log2 |x|) (x nonzero).</summary>
    public int Magnitude => E + W - 1;

    public BigF Neg() => new(-M, E);
    public BigF Abs() => new(BigInteger.Abs(M), E);
    public BigF Scale(int n) => IsZero ? this : new(M, E + n);

    public static BigF operator +(BigF a, BigF b)
    {
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        if (a.E < b.E) (a, b) = (b, a);
        long d = (long)a.E - b.E;
        if (d > 2 * W) return Make(a.M * 4 + b.M.Sign, a.E - 2L); // b only sets a sticky bit
        return Make((a.M << (int)d) + b.M, b.E);
    }

    public static BigF operator -(BigF a, BigF b) => a + b.Neg();
    public static BigF operator *(BigF a, BigF b) => a.IsZero || b.IsZero ? Zero : Make(a.M * b.M, (long)a.E + b.E);

    public static BigF operator /(BigF a, BigF b)
    {
        if (a.IsZero) return Zero;
        BigInteger q = BigInteger.DivRem(a.M << (W + 2), b.M, out BigInteger r);
        if (!r.IsZero) q = q * 2 + q.Sign; // sticky
        else q *= 2;
        return Make(q, (long)a.E - b.E - W - 3);
    }

    public static BigF Div(BigF a, long n) => a / FromInt(n);

    public static BigF Sqrt(BigF a)
    {
        // √(M · 2^E) with an even exponent and 2W + 2 bits under the root.
        BigInteger m = a.M;
        long e = a.E;
        int shift = W + 2;
        if (((e - shift) & 1) != 0) shift++;
        m <<= shift;
        e -= shift;
        BigInteger x = BigInteger.One << (int)((m.GetBitLength() + 1) / 2);
        while (true)
        {
            BigInteger y = (x + m / x) >> 1;
            if (y >= x) break;
            x = y;
        }
        bool exact = x * x == m;
        return Make(exact ? x * 2 : x * 2 + 1, e / 2 - 1);
    }

    /// <summary>
    /// Rounds to an extended value (64-bit significand, x87 exponent range) under env's rounding control.
    /// <paramref name="inexact"/>: report PE (and UE when tiny) even if this value happens to be exact.
    /// </summary>
    public Float80 Round(ref FpuEnv env, bool inexact = false)
    {
        if (IsZero) return Float80.Zero;
        BigInteger a = BigInteger.Abs(M);
        // Top 128 of the W bits, the rest sticky.
        UInt128 hi = (UInt128)(a >> (W - 128));
        bool sticky = !(a & ((BigInteger.One << (W - 128)) - 1)).IsZero;
        long exp = (long)E + W - 1; // value = hi · 2^(exp − 127)
        if (exp > int.MaxValue / 2) exp = int.MaxValue / 2;
        if (exp < int.MinValue / 2) exp = int.MinValue / 2;
        return Float80.RoundPack(M.Sign < 0, (int)exp, hi, sticky, 64, ref env, inexact);
    }
}

/// <summary>
/// The x87 transcendental instructions, evaluated in <see cref="BigF"/> (192-bit) arithmetic and rounded
/// once to 64 bits: F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS, FPTAN. Algorithms (docs/x87.md):
/// series for expm1 and atanh, atan with a table of atan(k/8), sin/cos Taylor series after an exact
/// reduction modulo π/2 with a 384-bit π.
/// </summary>
public readonly partial struct Float80
{
    static readonly BigF Ln2 = BigF.FromFixed("B17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2B", 256);
    static readonly BigF InvLn2 = BigF.FromFixed("171547652B82FE1777D0FFDA0D23A7D11D6AEF551BAD2B4B1164A2CD9A342648F", 256);
    static readonly BigF Pi = BigF.FromFixed("3243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", 256);
    static readonly BigF[] AtanEighths =
    [
        BigF.Zero,
        BigF.FromFixed("1FD5BA9AAC2F6DC65912F313E7D111DEF1672AFB2BB35B245D926AEFBF6D82ED", 256),
        BigF.FromFixed("3EB6EBF25901BAC55B71E7BD7DE885F96A9FEA40E22CE0DADE8E9D9F251269D9", 256),
        BigF.FromFixed("5BD86507937BC239C55190916E7F22419EC21CBBD72A2AE62399F2E519A48470", 256),
        BigF.FromFixed("76B19C1586ED3DA2B7F222F65E1D4681B70A0AC3930E6F8071678B7374B12384", 256),
        BigF.FromFixed("8F005D5EF7F59F9B5C835E1665C43747918A67E0652B375CF53DA46D13389EB2", 256),
        BigF.FromFixed("A4BC7D1934F7092419A87F2A457DAC9EE3F08689EEB2B9E7214866658CC4EF3A", 256),
        BigF.FromFixed("B8053E2BC2319E73CB2DA55210A4443D3D7AECC114C79A80A012155F64CAE530", 256),
        BigF.FromFixed("C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22", 256),
    ];
    /// <summary>π/2 · 2^384, truncated: the modulus of the exact argument reduction.</summary>
    static readonly BigInteger HalfPiFixed = BigInteger.Parse(
        "01921FB54442D18469898CC51701B839A252049C1114CF98E804177D4C76273644A29410F31C6809BBDF2A33679A748636",
        NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    const int HalfPiScale = 384;

    /// <summary>√2 as a normalised <see cref="BigF"/> significand (value · 2^(W − 1)).</summary>
    static readonly BigInteger SqrtTwoFixed = (BigInteger)0xB504_F333_F9DE_6484 << (BigF.W - 64);

    /// <summary>
    /// Significant bits of the π/2 that FSIN/FCOS/FSINCOS/FPTAN reduce by. The hardware reduces by a
    /// 66-bit π (Intel SDM Vol. 1 §8.3.10; an AMD EPYC measured here behaves identically), so results far
    /// from zero and near multiples of π/2 carry the hardware's error; 385 would give the true values.
    /// </summary>
    internal const int ReductionPiBits = 66;
    static readonly BigInteger ReductionHalfPi =
        HalfPiFixed >> ((int)HalfPiFixed.GetBitLength() - ReductionPiBits) << ((int)HalfPiFixed.GetBitLength() - ReductionPiBits);

    /// <summary>True when |term| is negligible next to |sum| (below 2^-(W+4) relative).</summary>
    static bool Negligible(BigF term, BigF sum) => term.IsZero || (!sum.IsZero && term.Magnitude < sum.Magnitude - BigF.W - 4);

    /// <summary>e^y − 1 by its Taylor series (|y| ≤ 0.71 after the callers' reduction).</summary>
    static BigF ExpM1(BigF y)
    {
        BigF sum = y, term = y;
        for (int n = 2; n < 400; n++)
        {
            term = BigF.Div(term * y, n);
            sum += term;
            if (Negligible(term, sum)) break;
        }
        return sum;
    }

    /// <summary>atanh(t) = t + t³/3 + t⁵/5 + … (|t| ≤ 0.18).</summary>
    static BigF Atanh(BigF t)
    {
        BigF t2 = t * t, power = t, sum = t;
        for (int n = 3; n < 800; n += 2)
        {
            power *= t2;
            BigF term = BigF.Div(power, n);
            sum += term;
            if (Negligible(term, sum)) break;
        }
        return sum;
    }

    /// <summary>atan(u) = u − u³/3 + u⁵/5 − … (|u| ≤ 1/16).</summary>
    static BigF AtanSeries(BigF u)
    {
        BigF u2 = u * u, power = u, sum = u;
        for (int n = 3; n < 800; n += 2)
        {
            power = (power * u2).Neg();
            BigF term = BigF.Div(power, n);
            sum += term;
            if (Negligible(term, sum)) break;
        }
        return sum;
    }

    /// <summary>atan(q) for 0 ≤ q ≤ 1: atan(k/8) + atan((q − k/8)/(1 + q·k/8)) with k = round(8q).</summary>
    static BigF AtanUnit(BigF q)
    {
        if (q.IsZero) return q;
        BigF eight = q.Scale(3);
        int k = 0;
        if (eight.Magnitude >= -1)
        {
            // round(8q): 8q < 9
            BigInteger scaled = eight.M;
            int shift = -eight.E - 1;
            k = (int)(((scaled >> shift) + 1) >> 1);
        }
        if (k == 0) return AtanSeries(q);
        BigF c = BigF.FromInt(k).Scale(-3);
        BigF u = (q - c) / (BigF.FromInt(1) + q * c);
        return AtanEighths[k] + AtanSeries(u);
    }

    /// <summary>ln(x) for a finite positive unpacked x: e·ln2 + 2·atanh((m − 1)/(m + 1)), m ∈ [√½, √2).</summary>
    static BigF Log2(in Unpacked x) => Log2(BigF.From(x));

    /// <summary>log2(v) for v &gt; 0.</summary>
    static BigF Log2(BigF v)
    {
        int e = v.Magnitude;
        BigF m = v.Scale(-e); // [1, 2)
        if (m.M > SqrtTwoFixed) { m = m.Scale(-1); e++; } // m > √2 → m/2
        BigF one = BigF.FromInt(1);
        BigF t = (m - one) / (m + one);
        BigF log2m = Atanh(t).Scale(1) * InvLn2;
        return BigF.FromInt(e) + log2m;
    }

    /// <summary>sin and cos of a finite x with |x| &lt; 2^63 (exact reduction modulo π/2).</summary>
    static (BigF Sin, BigF Cos) SinCos(in Unpacked x)
    {
        BigF r;
        int quadrant = 0;
        if (x.Exp < -1 || (x.Exp == -1 && x.Sig <= 0xC90F_DAA2_2168_C234))
        {
            r = BigF.From(x).Abs(); // |x| ≤ π/4: no reduction
        }
        else
        {
            BigInteger X = (BigInteger)x.Sig << (x.Exp - 63 + HalfPiScale);
            BigInteger k = BigInteger.DivRem(X, ReductionHalfPi, out BigInteger R);
            if (R > ReductionHalfPi >> 1)
            {
                k += 1;
                R -= ReductionHalfPi;
            }
            quadrant = (int)(k & 3);
            r = BigF.Make(R, -HalfPiScale);
        }
        BigF r2 = r * r;
        BigF sin = r, term = r;
        for (int n = 2; n < 400; n += 2)
        {
            term = BigF.Div(term * r2, (long)n * (n + 1)).Neg();
            sin += term;
            if (Negligible(term, sin)) break;
        }
        BigF one = BigF.FromInt(1);
        BigF cos = one;
        term = one;
        for (int n = 1; n < 400; n += 2)
        {
            term = BigF.Div(term * r2, (long)n * (n + 1)).Neg();
            cos += term;
            if (Negligible(term, cos)) break;
        }
        (BigF s, BigF c) = quadrant switch
        {
            0 => (sin, cos),
            1 => (cos, sin.Neg()),
            2 => (sin.Neg(), cos.Neg()),
            _ => (cos.Neg(), sin),
        };
        return x.Sign ? (s.Neg(), c) : (s, c);
    }

    /// <summary>F2XM1: 2^x − 1 (Intel defines −1 ≤ x ≤ 1; outside it the same formula is evaluated).</summary>
    public static Float80 Exp2M1(Float80 a, ref FpuEnv env)
    {
        Unpacked u = a.Unpack();
        if (NaNOperand(a, u, ref env, out Float80 r)) return r;
        if (u.Class == FClass.Zero) return a;
        if (u.Class == FClass.Inf) return u.Sign ? new Float80(true, Bias, 1UL << 63) : a;
        if (u.Denormal && env.Raise(FpuStatus.DE)) return default;
        if (u.Exp == 0 && u.Sig == 1UL << 63)
        {
            env.Flags |= FpuStatus.PE; // exact, but reported inexact as the reference CPU does
            return u.Sign ? new Float80(true, Bias - 1, 1UL << 63) : One;
        }
        if (u.Exp >= 0)
        {
            // Outside −1 ≤ x ≤ 1 (undefined by Intel): the operand unchanged and PE, as the reference CPU does.
            env.Flags |= FpuStatus.PE;
            return a;
        }
        return ExpM1(BigF.From(u) * Ln2).Round(ref env);
    }

    /// <summary>FYL2X: y · log2(x) (x = ST0, y = ST1).</summary>
    public static Float80 YLog2X(Float80 x, Float80 y, ref FpuEnv env)
    {
        Unpacked ux = x.Unpack(), uy = y.Unpack();
        if (NaNOperands(x, ux, y, uy, ref env, out Float80 r)) return r;
        if (ux.Sign && ux.Class != FClass.Zero) return Invalid(ref env);
        if (ux.Class == FClass.Zero)
        {
            if (uy.Class == FClass.Zero) return Invalid(ref env);
            // log2(±0) with a denormal y raises ZE only (like x/0 with a denormal dividend).
            if (uy.Class != FClass.Inf && env.Raise(FpuStatus.ZE)) return default;
            return Signed(!uy.Sign, PositiveInfinity);
        }
        if (ux.Class == FClass.Inf)
        {
            if (uy.Class == FClass.Zero) return Invalid(ref env);
            if (DenormalFault(ux, uy, ref env)) return default;
            return Signed(uy.Sign, PositiveInfinity);
        }
        bool xIsOne = ux.Exp == 0 && ux.Sig == 1UL << 63;
        if (xIsOne && uy.Class == FClass.Inf) return Invalid(ref env);
        if (DenormalFault(ux, uy, ref env)) return default;
        if (xIsOne) return Signed(uy.Sign, Zero);
        bool logNegative = ux.Exp < 0;
        if (uy.Class == FClass.Inf) return Signed(uy.Sign ^ logNegative, PositiveInfinity);
        if (uy.Class == FClass.Zero) return Signed(uy.Sign ^ logNegative, Zero);
        // The reference CPU reports PE even when the product is exact (x a power of two).
        return (BigF.From(uy) * Log2(ux)).Round(ref env, inexact: true);
    }

    /// <summary>FYL2XP1: y · log2(x + 1) (x = ST0, y = ST1); Intel defines |x| &lt; 1 − √2/2.</summary>
    public static Float80 YLog2XP1(Float80 x, Float80 y, ref FpuEnv env)
    {
        Unpacked ux = x.Unpack(), uy = y.Unpack();
        if (NaNOperands(x, ux, y, uy, ref env, out Float80 r)) return r;
        if (ux.Class == FClass.Zero)
        {
            if (uy.Class == FClass.Inf) return Invalid(ref env);
            if (DenormalFault(ux, uy, ref env)) return default;
            return Signed(ux.Sign ^ uy.Sign, Zero);
        }
        if (ux.Class == FClass.Inf)
        {
            if (ux.Sign || uy.Class == FClass.Zero) return Invalid(ref env);
            if (DenormalFault(ux, uy, ref env)) return default;
            return Signed(uy.Sign, PositiveInfinity);
        }
        // An infinite or zero y decides the result before the domain of x is looked at: y·(±∞ or ±0)
        // with the sign of y XOR the sign of x, no PE, also for x ≤ −1 (as the reference CPU does).
        if (uy.Class == FClass.Inf)
        {
            if (DenormalFault(ux, uy, ref env)) return default;
            return Signed(uy.Sign ^ ux.Sign, PositiveInfinity);
        }
        if (DenormalFault(ux, uy, ref env)) return default;
        if (uy.Class == FClass.Zero) return Signed(uy.Sign ^ ux.Sign, Zero);
        BigF bx = BigF.From(ux);
        BigF one = BigF.FromInt(1);
        BigF xp1 = bx + one;
        if (xp1.Sign <= 0)
        {
            // x ≤ −1 (undefined by Intel), y finite and nonzero: the operand x unchanged and PE, as the reference CPU does.
            env.Flags |= FpuStatus.PE;
            return x;
        }
        BigF log2;
        if (ux.Exp < -2)
        {
            // |x| < 1/4: ln(1 + x) = 2·atanh(x / (x + 2)) keeps full relative precision.
            BigF t = bx / (bx + BigF.FromInt(2));
            log2 = Atanh(t).Scale(1) * InvLn2;
        }
        else log2 = Log2(xp1);
        // The reference CPU reports PE even when the product is exact (1 + x a power of two).
        return (BigF.From(uy) * log2).Round(ref env, inexact: true);
    }

    /// <summary>FPATAN: atan2(y, x) with y = ST1 and x = ST0 (result in (−π, π]).</summary>
    public static Float80 Atan2(Float80 y, Float80 x, ref FpuEnv env)
    {
        Unpacked ux = x.Unpack(), uy = y.Unpack();
        if (NaNOperands(y, uy, x, ux, ref env, out Float80 r)) return r;
        if (DenormalFault(ux, uy, ref env)) return default;
        BigF angle;
        if (uy.Class == FClass.Zero)
        {
            if (!ux.Sign) return y;
            angle = Pi;
        }
        else if (uy.Class == FClass.Inf)
        {
            angle = ux.Class != FClass.Inf ? Pi.Scale(-1)
                : ux.Sign ? Pi.Scale(-2) * BigF.FromInt(3) : Pi.Scale(-2);
        }
        else if (ux.Class == FClass.Inf)
        {
            if (!ux.Sign) return Signed(uy.Sign, Zero);
            angle = Pi;
        }
        else if (ux.Class == FClass.Zero)
        {
            angle = Pi.Scale(-1);
        }
        else
        {
            BigF ax = BigF.From(ux).Abs(), ay = BigF.From(uy).Abs();
            bool swap = uy.Exp > ux.Exp || (uy.Exp == ux.Exp && uy.Sig > ux.Sig);
            angle = swap ? Pi.Scale(-1) - AtanUnit(ax / ay) : AtanUnit(ay / ax);
            if (ux.Sign) angle = Pi - angle;
        }
        return (uy.Sign ? angle.Neg() : angle).Round(ref env);
    }

    /// <summary>
    /// FSIN (which 0), FCOS (1), FPTAN (2: tan), FSINCOS (3: sin and cos). Returns false with C2 = 1
    /// when |x| ≥ 2^63 (the operand is left unchanged); <paramref name="second"/> is cos for FSINCOS.
    /// </summary>
    public static bool Trig(Float80 a, int which, ref FpuEnv env, out Float80 first, out Float80 second)
    {
        first = second = default;
        Unpacked u = a.Unpack();
        if (NaNOperand(a, u, ref env, out Float80 r))
        {
            first = second = r;
            return true;
        }
        if (u.Class == FClass.Inf)
        {
            first = second = Invalid(ref env);
            return true;
        }
        if (u.Class == FClass.Finite && u.Exp >= 63) return false;
        if (u.Denormal && env.Raise(FpuStatus.DE)) return true;
        if (u.Class == FClass.Zero)
        {
            first = which == 1 ? One : a;
            second = One;
            return true;
        }
        if (which == 2 && u.Exp < -40)
        {
            // tan x = x + x³/3 + …: for |x| < 2^-40 the reference CPU returns x itself, reported inexact
            // (PE, and UE when x is tiny); the 192-bit sin/cos quotient would lose the x³/3 term below 2^-96.
            first = BigF.From(u).Round(ref env, inexact: true);
            return true;
        }
        var (sin, cos) = SinCos(u);
        switch (which)
        {
            case 0: first = sin.Round(ref env); break;
            case 1: first = cos.Round(ref env); break;
            case 2: first = (sin / cos).Round(ref env); break;
            default:
                first = sin.Round(ref env);
                second = cos.Round(ref env);
                break;
        }
        return true;
    }
}
