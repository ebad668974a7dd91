using System.Numerics;
using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Float;

/// <summary>x87 status-word bits reported by <see cref="Float80"/> operations (Intel SDM Vol. 1 §8.1.3).</summary>
public static class FpuStatus
{
    public const uint IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40, ES = 0x80,
        C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, B = 0x8000;
    public const uint Exceptions = 0x3F;
    public const uint ConditionCodes = C0 | C1 | C2 | C3;
    /// <summary>Not a status bit: an unmasked exception occurred that leaves the destination unchanged.</summary>
    public const uint Suppress = 0x10000;
    /// <summary>Not a status bit: a memory operand was denormal; DE is raised only if no NaN decides the result first.</summary>
    public const uint PendingDenormal = 0x20000;
}

/// <summary>
/// The environment of one x87 operation: the control word it runs under (precision control, rounding
/// control, exception masks) and the flags it raised (<see cref="FpuStatus"/> bits; C1 = rounded up).
/// </summary>
public struct FpuEnv
{
    public ushort Control;
    public uint Flags;

    public FpuEnv(ushort control)
    {
        Control = control;
        Flags = 0;
    }

    /// <summary>0 nearest-even, 1 down (toward −∞), 2 up (toward +∞), 3 toward zero.</summary>
    public readonly int Rounding => (Control >> 10) & 3;

    /// <summary>Significand bits under precision control: 24, 53 or 64 (the reserved encoding 01 behaves as 64 here).</summary>
    public readonly int Precision => ((Control >> 8) & 3) switch { 0 => 24, 2 => 53, _ => 64 };

    public readonly bool Suppressed => (Flags & FpuStatus.Suppress) != 0;

    /// <summary>Raises IE, DE or ZE; returns true when it is unmasked (the destination must then keep its value).</summary>
    public bool Raise(uint exception)
    {
        Flags |= exception;
        if ((Control & exception) != 0) return false;
        Flags |= FpuStatus.Suppress;
        return true;
    }
}

public enum FClass : byte { Zero, Finite, Inf, QNaN, SNaN, Unsupported }

/// <summary>A decoded operand: value = Sig · 2^(Exp − 63), Sig normalised (bit 63 set) when finite.</summary>
internal struct Unpacked
{
    public bool Sign;
    public FClass Class;
    public bool Denormal;
    public int Exp;
    public ulong Sig;

    public readonly bool IsNaN => Class is FClass.QNaN or FClass.SNaN;
}

/// <summary>Target format of a rounding: significand bits, exponent range of normal numbers, and the
/// exponent bias adjustment applied when OE/UE is unmasked (0: the destination is memory, nothing is stored).</summary>
internal readonly record struct FloatFormat(int Precision, int EMin, int EMax, int BiasAdjust)
{
    public static FloatFormat Extended(int precision) => new(precision, -16382, 16383, 0x6000);
    public static readonly FloatFormat Single = new(24, -126, 127, 0);
    public static readonly FloatFormat Double = new(53, -1022, 1023, 0);
}

/// <summary>A rounded result before packing: Kind 0 zero, 1 finite (Sig bit 63 clear ⇒ denormal at EMin), 2 infinity.</summary>
internal struct Rounded
{
    public bool Sign;
    public byte Kind;
    public int Exp;
    public ulong Sig;
}

/// <summary>
/// An x87 double-extended value: sign, 15-bit biased exponent and 64-bit significand with an explicit
/// integer bit, exactly as stored in a register or an m80 operand. All arithmetic is integer-only
/// (64/128-bit), correctly rounded under the x87 precision and rounding controls; see docs/x87.md.
/// </summary>
public readonly partial struct Float80 : IEquatable<Float80>
{
    public const int Bias = 16383;
    public readonly ulong Significand;
    /// <summary>Bit 15 sign, bits 14:0 biased exponent.</summary>
    public readonly ushort SignExponent;

    public Float80(ushort signExponent, ulong significand)
    {
        SignExponent = signExponent;
        Significand = significand;
    }

    public Float80(bool sign, int biasedExponent, ulong significand)
        : this((ushort)((sign ? 0x8000 : 0) | (biasedExponent & 0x7FFF)), significand) { }

    public static readonly Float80 Indefinite = new(0xFFFF, 0xC000_0000_0000_0000);
    public static readonly Float80 Zero = new(0, 0);
    public static readonly Float80 NegativeZero = new(0x8000, 0);
    public static readonly Float80 One = new(0x3FFF, 0x8000_0000_0000_0000);
    public static readonly Float80 PositiveInfinity = new(0x7FFF, 0x8000_0000_0000_0000);
    public static readonly Float80 NegativeInfinity = new(0xFFFF, 0x8000_0000_0000_0000);

    public bool Sign => (SignExponent & 0x8000) != 0;
    public int BiasedExponent => SignExponent & 0x7FFF;

    public static Float80 FromBits(UInt128 bits) => new((ushort)(bits >> 64), (ulong)bits);
    public UInt128 ToBits() => ((UInt128)SignExponent << 64) | Significand;

    public Float80 Negate() => new((ushort)(SignExponent ^ 0x8000), Significand);
    public Float80 Abs() => new((ushort)(SignExponent & 0x7FFF), Significand);
    public Float80 WithSign(bool sign) => new(sign, BiasedExponent, Significand);

    public FClass Class => Unpack().Class;
    public bool IsNaN => Unpack().IsNaN;
    public bool IsSignalingNaN => Unpack().Class == FClass.SNaN;
    public bool IsDenormal => BiasedExponent == 0 && Significand != 0;

    public bool Equals(Float80 other) => Significand == other.Significand && SignExponent == other.SignExponent;
    public override bool Equals(object? obj) => obj is Float80 f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(Significand, SignExponent);
    public static bool operator ==(Float80 a, Float80 b) => a.Equals(b);
    public static bool operator !=(Float80 a, Float80 b) => !a.Equals(b);
    public override string ToString() => $"{SignExponent:X4}:{Significand:X16}";

    internal Unpacked Unpack()
    {
        var u = new Unpacked { Sign = Sign };
        int e = BiasedExponent;
        ulong s = Significand;
        if (e == 0x7FFF)
        {
            // Pseudo-infinity and pseudo-NaN (integer bit clear) are unsupported since the 387.
            u.Class = (s >> 63) == 0 ? FClass.Unsupported
                : (s << 1) == 0 ? FClass.Inf
                : ((s >> 62) & 1) != 0 ? FClass.QNaN : FClass.SNaN;
            u.Sig = s;
            return u;
        }
        if (e == 0)
        {
            if (s == 0) { u.Class = FClass.Zero; return u; }
            // Denormal or pseudo-denormal (integer bit set): both are denormal operands with exponent 1 − bias.
            int lz = BitOperations.LeadingZeroCount(s);
            u.Class = FClass.Finite;
            u.Denormal = true;
            u.Exp = 1 - Bias - lz;
            u.Sig = s << lz;
            return u;
        }
        if ((s >> 63) == 0) { u.Class = FClass.Unsupported; u.Sig = s; return u; } // unnormal
        u.Class = FClass.Finite;
        u.Exp = e - Bias;
        u.Sig = s;
        return u;
    }

    // ================================================================ rounding

    /// <summary>Set to false to detect tininess before rounding (the x87 detects it after rounding).</summary>
    internal const bool TininessAfterRounding = true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static UInt128 ShiftRightJam(UInt128 x, int d) =>
        d == 0 ? x : d >= 128 ? (x != 0 ? UInt128.One : UInt128.Zero)
            : (x >> d) | ((x << (128 - d)) != 0 ? UInt128.One : UInt128.Zero);

    /// <summary>Drops the low <paramref name="shift"/> bits of sig (plus a sticky bit below) under rounding mode rc.</summary>
    static UInt128 RoundBits(UInt128 sig, int shift, bool sticky, bool sign, int rc, out bool inexact, out bool up)
    {
        UInt128 kept;
        bool half, rest;
        if (shift <= 0) { kept = sig; half = false; rest = sticky; }
        else if (shift > 128) { kept = 0; half = false; rest = sig != 0 || sticky; }
        else if (shift == 128) { kept = 0; half = (sig >> 127) != 0; rest = (sig << 1) != 0 || sticky; }
        else
        {
            kept = sig >> shift;
            UInt128 rem = sig << (128 - shift);
            half = (rem >> 127) != 0;
            rest = (rem << 1) != 0 || sticky;
        }
        inexact = half || rest;
        up = rc switch
        {
            0 => half && (rest || (kept & 1) != 0),
            1 => sign && inexact,
            2 => !sign && inexact,
            _ => false,
        };
        if (up) kept++;
        return kept;
    }

    /// <summary>
    /// Rounds sign · sig · 2^(exp − 127) (sig need not be normalised; sticky stands for nonzero bits below
    /// sig) to format <paramref name="f"/>, raising OE/UE/PE and C1 (rounded up) in <paramref name="env"/>.
    /// <paramref name="reportInexact"/>: the value is an exact stand-in for an irrational result, so the
    /// rounding is reported as inexact (PE, and UE when tiny) without changing the rounded value.
    /// </summary>
    internal static Rounded RoundCore(bool sign, int exp, UInt128 sig, bool sticky, FloatFormat f, ref FpuEnv env, bool reportInexact = false)
    {
        var r = new Rounded { Sign = sign };
        if (sig == 0) return r;
        int lz = (int)UInt128.LeadingZeroCount(sig);
        sig <<= lz;
        exp -= lz;
        int rc = env.Rounding, p = f.Precision;
        int shift = 128 - p;
        bool tiny = exp < f.EMin;
        bool biasedUnderflow = tiny && f.BiasAdjust != 0 && (env.Control & FpuStatus.UE) == 0;
        if (tiny && !biasedUnderflow)
        {
            if (TininessAfterRounding && exp == f.EMin - 1)
            {
                UInt128 k0 = RoundBits(sig, shift, sticky, sign, rc, out _, out _);
                if ((k0 >> p) != 0) tiny = false; // rounds up to 2^EMin with an unbounded exponent
            }
            long extra = (long)f.EMin - exp;
            shift = (int)long.Min(shift + extra, 200);
            exp = f.EMin;
        }
        UInt128 kept = RoundBits(sig, shift, sticky, sign, rc, out bool inexact, out bool up);
        inexact |= reportInexact;
        if ((kept >> p) != 0) { kept >>= 1; exp++; }
        if (exp > f.EMax)
        {
            if ((env.Control & FpuStatus.OE) == 0)
            {
                env.Flags |= FpuStatus.OE;
                if (f.BiasAdjust == 0) { env.Flags |= FpuStatus.Suppress; return r; }
                if (exp - f.BiasAdjust > f.EMax)
                {
                    // Too large even with the bias adjustment (FSCALE): ∞ whatever the rounding mode.
                    env.Flags |= FpuStatus.PE | FpuStatus.C1;
                    r.Kind = 2;
                    return r;
                }
                // Unmasked overflow to a register: the result with its exponent divided by 2^24576 (SDM §4.9.1.4).
                if (inexact) env.Flags |= FpuStatus.PE | (up ? FpuStatus.C1 : 0);
                r.Kind = 1;
                r.Exp = exp - f.BiasAdjust;
                r.Sig = (ulong)kept << (64 - p);
                return r;
            }
            env.Flags |= FpuStatus.OE | FpuStatus.PE;
            bool toInfinity = rc == 0 || (rc == 2 && !sign) || (rc == 1 && sign);
            if (toInfinity)
            {
                env.Flags |= FpuStatus.C1;
                r.Kind = 2;
                return r;
            }
            r.Kind = 1;
            r.Exp = f.EMax;
            r.Sig = ulong.MaxValue << (64 - p);
            return r;
        }
        if (tiny)
        {
            if (biasedUnderflow)
            {
                env.Flags |= FpuStatus.UE;
                exp += f.BiasAdjust;
                if (exp < f.EMin)
                {
                    // Too small even with the bias adjustment (FSCALE): a zero.
                    env.Flags |= FpuStatus.PE;
                    return r;
                }
            }
            else if ((env.Control & FpuStatus.UE) == 0) { env.Flags |= FpuStatus.UE | FpuStatus.Suppress; return r; }
            else if (inexact) env.Flags |= FpuStatus.UE;
        }
        if (inexact) env.Flags |= FpuStatus.PE | (up ? FpuStatus.C1 : 0);
        if (kept == 0) return r;
        r.Kind = 1;
        r.Exp = exp;
        r.Sig = (ulong)kept << (64 - p);
        return r;
    }

    internal static Float80 Pack(in Rounded r) => r.Kind switch
    {
        0 => new Float80(r.Sign, 0, 0),
        2 => new Float80(r.Sign, 0x7FFF, 0x8000_0000_0000_0000),
        _ => new Float80(r.Sign, (r.Sig >> 63) != 0 ? r.Exp + Bias : 0, r.Sig),
    };

    /// <summary>Rounds sign · sig · 2^(exp − 127) to an extended register value with <paramref name="precision"/> significand bits.</summary>
    internal static Float80 RoundPack(bool sign, int exp, UInt128 sig, bool sticky, int precision, ref FpuEnv env, bool reportInexact = false)
    {
        Rounded r = RoundCore(sign, exp, sig, sticky, FloatFormat.Extended(precision), ref env, reportInexact);
        return env.Suppressed ? default : Pack(r);
    }

    // ================================================================ special operands

    internal static Float80 Quiet(Float80 nan) => new(nan.SignExponent, nan.Significand | 0x4000_0000_0000_0000);

    /// <summary>Invalid operation: the real indefinite when IE is masked.</summary>
    internal static Float80 Invalid(ref FpuEnv env) => env.Raise(FpuStatus.IE) ? default : Indefinite;

    /// <summary>
    /// NaN and unsupported operands of a two-operand arithmetic instruction (SDM Vol. 1 Table 4-7): returns
    /// true with the result when one of them decides it.
    /// </summary>
    internal static bool NaNOperands(Float80 a, in Unpacked ua, Float80 b, in Unpacked ub, ref FpuEnv env, out Float80 result)
    {
        result = default;
        if (ua.Class == FClass.Unsupported || ub.Class == FClass.Unsupported)
        {
            result = Invalid(ref env);
            return true;
        }
        if (!ua.IsNaN && !ub.IsNaN) return false;
        if ((ua.Class == FClass.SNaN || ub.Class == FClass.SNaN) && env.Raise(FpuStatus.IE)) return true;
        result = PropagateNaN(a, ua, b, ub);
        return true;
    }

    static Float80 PropagateNaN(Float80 a, in Unpacked ua, Float80 b, in Unpacked ub)
    {
        if (!ub.IsNaN) return Quiet(a);
        if (!ua.IsNaN) return Quiet(b);
        if (ua.Class != ub.Class) return ua.Class == FClass.QNaN ? a : b; // SNaN and QNaN: the QNaN
        // Both the same kind: the larger significand; on a tie the one with the positive sign.
        ulong sa = a.Significand, sb = b.Significand;
        if (sa != sb) return Quiet(sa > sb ? a : b);
        return Quiet(!a.Sign ? a : b);
    }

    /// <summary>NaN or unsupported single operand: true with the result when it decides it.</summary>
    internal static bool NaNOperand(Float80 a, in Unpacked ua, ref FpuEnv env, out Float80 result)
    {
        result = default;
        if (ua.Class == FClass.Unsupported) { result = Invalid(ref env); return true; }
        if (!ua.IsNaN) return false;
        if (ua.Class == FClass.SNaN && env.Raise(FpuStatus.IE)) return true;
        result = Quiet(a);
        return true;
    }

    /// <summary>Raises DE for denormal operands; true when DE is unmasked (the instruction then has no result).</summary>
    internal static bool DenormalFault(in Unpacked ua, in Unpacked ub, ref FpuEnv env) =>
        (ua.Denormal || ub.Denormal || (env.Flags & FpuStatus.PendingDenormal) != 0) && env.Raise(FpuStatus.DE);

    /// <summary>A finite operand re-encoded canonically (a pseudo-denormal becomes normal), as results are.</summary>
    internal static Float80 Canonical(in Unpacked u, ref FpuEnv env) =>
        u.Class == FClass.Finite ? RoundPack(u.Sign, u.Exp, (UInt128)u.Sig << 64, false, 64, ref env) : new Float80(u.Sign, 0, 0);

    static Float80 Signed(bool sign, Float80 magnitude) => magnitude.WithSign(sign);

    // ================================================================ arithmetic

    public static Float80 Add(Float80 a, Float80 b, ref FpuEnv env) => AddSub(a, b, false, ref env);
    public static Float80 Sub(Float80 a, Float80 b, ref FpuEnv env) => AddSub(a, b, true, ref env);

    static Float80 AddSub(Float80 a, Float80 b, bool negateB, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (NaNOperands(a, ua, b, ub, ref env, out Float80 r)) return r;
        bool sa = ua.Sign, sb = ub.Sign ^ negateB;
        if (ua.Class == FClass.Inf || ub.Class == FClass.Inf)
        {
            if (ua.Class == FClass.Inf && ub.Class == FClass.Inf)
                return sa != sb ? Invalid(ref env) : Signed(sa, PositiveInfinity);
            if (DenormalFault(ua, ub, ref env)) return default;
            return Signed(ua.Class == FClass.Inf ? sa : sb, PositiveInfinity);
        }
        if (DenormalFault(ua, ub, ref env)) return default;
        int p = env.Precision;
        if (ua.Class == FClass.Zero && ub.Class == FClass.Zero)
            return Signed(sa == sb ? sa : env.Rounding == 1, Zero);
        if (ua.Class == FClass.Zero) return RoundPack(sb, ub.Exp, (UInt128)ub.Sig << 64, false, p, ref env);
        if (ub.Class == FClass.Zero) return RoundPack(sa, ua.Exp, (UInt128)ua.Sig << 64, false, p, ref env);
        int ea = ua.Exp, eb = ub.Exp;
        UInt128 A = (UInt128)ua.Sig << 62, B = (UInt128)ub.Sig << 62; // value = X · 2^(e − 125)
        if (ea < eb || (ea == eb && A < B))
        {
            (A, B) = (B, A);
            (ea, eb) = (eb, ea);
            (sa, sb) = (sb, sa);
        }
        B = ShiftRightJam(B, (int)long.Min((long)ea - eb, 200));
        UInt128 S = sa == sb ? A + B : A - B;
        if (S == 0) return Signed(env.Rounding == 1, Zero);
        return RoundPack(sa, ea + 2, S, false, p, ref env);
    }

    public static Float80 Mul(Float80 a, Float80 b, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (NaNOperands(a, ua, b, ub, ref env, out Float80 r)) return r;
        bool sign = ua.Sign ^ ub.Sign;
        if (ua.Class == FClass.Inf || ub.Class == FClass.Inf)
        {
            if (ua.Class == FClass.Zero || ub.Class == FClass.Zero) return Invalid(ref env);
            if (DenormalFault(ua, ub, ref env)) return default;
            return Signed(sign, PositiveInfinity);
        }
        if (DenormalFault(ua, ub, ref env)) return default;
        if (ua.Class == FClass.Zero || ub.Class == FClass.Zero) return Signed(sign, Zero);
        UInt128 P = (UInt128)ua.Sig * ub.Sig; // value = P · 2^(ea + eb − 126)
        return RoundPack(sign, ua.Exp + ub.Exp + 1, P, false, env.Precision, ref env);
    }

    public static Float80 Div(Float80 a, Float80 b, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (NaNOperands(a, ua, b, ub, ref env, out Float80 r)) return r;
        bool sign = ua.Sign ^ ub.Sign;
        if (ua.Class == FClass.Inf)
        {
            if (ub.Class == FClass.Inf) return Invalid(ref env);
            if (DenormalFault(ua, ub, ref env)) return default;
            return Signed(sign, PositiveInfinity);
        }
        if (ub.Class == FClass.Inf)
        {
            if (DenormalFault(ua, ub, ref env)) return default;
            return Signed(sign, Zero);
        }
        if (ua.Class == FClass.Zero && ub.Class == FClass.Zero) return Invalid(ref env);
        // Division by zero takes precedence over a denormal dividend (DE is not raised then).
        if (ub.Class == FClass.Zero) return env.Raise(FpuStatus.ZE) ? default : Signed(sign, PositiveInfinity);
        if (DenormalFault(ua, ub, ref env)) return default;
        if (ua.Class == FClass.Zero) return Signed(sign, Zero);
        UInt128 q = Divide(ua.Sig, ub.Sig, out bool sticky, out int adjust);
        return RoundPack(sign, ua.Exp - ub.Exp + adjust, q, sticky, env.Precision, ref env);
    }

    /// <summary>128 quotient bits of a/b (both normalised): a/b = Q · 2^(adjust − 127), plus a sticky remainder bit.</summary>
    internal static UInt128 Divide(ulong a, ulong b, out bool sticky, out int adjust)
    {
        UInt128 num;
        if (a >= b) { num = (UInt128)a << 63; adjust = 0; }
        else { num = (UInt128)a << 64; adjust = -1; }
        UInt128 q1 = num / b;
        UInt128 r1 = num - q1 * b;
        UInt128 num2 = r1 << 64;
        UInt128 q2 = num2 / b;
        UInt128 r2 = num2 - q2 * b;
        sticky = r2 != 0;
        return (q1 << 64) | q2;
    }

    public static Float80 Sqrt(Float80 a, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack();
        if (NaNOperand(a, ua, ref env, out Float80 r)) return r;
        if (ua.Class == FClass.Zero) return a;
        if (ua.Sign) return Invalid(ref env);
        if (ua.Class == FClass.Inf) return a;
        if (ua.Denormal && env.Raise(FpuStatus.DE)) return default;
        int k = ((ua.Exp - 63) & 1) == 0 ? 64 : 63;
        UInt128 n = (UInt128)ua.Sig << k;
        ulong q = ISqrt(n);
        UInt128 rem = n - (UInt128)q * q;
        UInt128 low = rem == 0 ? 0 : rem > q ? (UInt128)0x8000_0000_0000_0001 : 1;
        UInt128 s = ((UInt128)q << 64) | low;
        return RoundPack(false, (ua.Exp - 63 - k) / 2 + 63, s, false, env.Precision, ref env);
    }

    /// <summary>floor(√n) for n &lt; 2^128.</summary>
    internal static ulong ISqrt(UInt128 n)
    {
        ulong res = 0;
        for (int bit = 63; bit >= 0; bit--)
        {
            ulong t = res | (1UL << bit);
            if ((UInt128)t * t <= n) res = t;
        }
        return res;
    }

    /// <summary>FRNDINT: rounds to an integer under the rounding control (precision control does not apply).</summary>
    public static Float80 RoundToInteger(Float80 a, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack();
        if (NaNOperand(a, ua, ref env, out Float80 r)) return r;
        if (ua.Class is FClass.Zero or FClass.Inf) return a;
        if (ua.Denormal && env.Raise(FpuStatus.DE)) return default;
        if (ua.Exp >= 63) return a;
        UInt128 kept = RoundBits((UInt128)ua.Sig << 64, 127 - ua.Exp, false, ua.Sign, env.Rounding, out bool inexact, out bool up);
        if (inexact) env.Flags |= FpuStatus.PE | (up ? FpuStatus.C1 : 0);
        return FromMagnitude(ua.Sign, (ulong)kept);
    }

    /// <summary>An exact integer magnitude with a sign (zero keeps the sign).</summary>
    internal static Float80 FromMagnitude(bool sign, ulong magnitude)
    {
        if (magnitude == 0) return new Float80(sign, 0, 0);
        int lz = BitOperations.LeadingZeroCount(magnitude);
        return new Float80(sign, Bias + 63 - lz, magnitude << lz);
    }

    /// <summary>
    /// Rounds a finite operand to an integer magnitude (RC, or truncation); returns false when |x| ≥ 2^64.
    /// </summary>
    internal static bool ToIntegerMagnitude(in Unpacked u, int rc, out UInt128 magnitude, out bool inexact, out bool up)
    {
        magnitude = 0;
        inexact = up = false;
        if (u.Class == FClass.Zero) return true;
        if (u.Exp >= 64) return false;
        magnitude = RoundBits((UInt128)u.Sig << 64, 127 - u.Exp, false, u.Sign, rc, out inexact, out up);
        return true;
    }

    // ================================================================ FSCALE, FXTRACT, FPREM

    /// <summary>FSCALE: ST0 · 2^trunc(ST1) (64-bit precision; precision control does not apply).</summary>
    public static Float80 Scale(Float80 a, Float80 b, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (NaNOperands(a, ua, b, ub, ref env, out Float80 r)) return r;
        if (ua.Class == FClass.Zero)
        {
            if (ub.Class == FClass.Inf && !ub.Sign) return Invalid(ref env);
            if (DenormalFault(ua, ub, ref env)) return default;
            return a;
        }
        if (ua.Class == FClass.Inf)
        {
            if (ub.Class == FClass.Inf && ub.Sign) return Invalid(ref env);
            if (DenormalFault(ua, ub, ref env)) return default;
            return a;
        }
        if (DenormalFault(ua, ub, ref env)) return default;
        if (ub.Class == FClass.Inf) return ub.Sign ? Signed(ua.Sign, Zero) : Signed(ua.Sign, PositiveInfinity);
        long n = 0;
        if (ub.Class == FClass.Finite)
        {
            n = ub.Exp >= 30 ? 1L << 30 : ub.Exp < 0 ? 0 : (long)(ub.Sig >> (63 - ub.Exp));
            if (ub.Sign) n = -n;
        }
        return RoundPack(ua.Sign, (int)(ua.Exp + n), (UInt128)ua.Sig << 64, false, 64, ref env);
    }

    /// <summary>FXTRACT: (exponent, significand); the exponent is pushed first (ends in ST1).</summary>
    public static (Float80 Exponent, Float80 Significand) Extract(Float80 a, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack();
        if (NaNOperand(a, ua, ref env, out Float80 r)) return (r, r);
        if (ua.Class == FClass.Zero)
        {
            if (env.Raise(FpuStatus.ZE)) return default;
            return (NegativeInfinity, a);
        }
        if (ua.Class == FClass.Inf) return (PositiveInfinity, a);
        if (ua.Denormal && env.Raise(FpuStatus.DE)) return default;
        Float80 e = FromInt64(ua.Exp);
        return (e, new Float80(ua.Sign, Bias, ua.Sig));
    }

    /// <summary>
    /// FPREM (nearest = false, quotient truncated) and FPREM1 (IEEE remainder). Returns the partial
    /// remainder; <paramref name="quotient"/> holds the low three quotient bits and
    /// <paramref name="incomplete"/> is C2 (only part of the reduction was done: exponent difference ≥ 64).
    /// </summary>
    public static Float80 Remainder(Float80 a, Float80 b, bool nearest, ref FpuEnv env, out int quotient, out bool incomplete)
    {
        quotient = 0;
        incomplete = false;
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (NaNOperands(a, ua, b, ub, ref env, out Float80 r)) return r;
        if (ua.Class == FClass.Inf || ub.Class == FClass.Zero) return Invalid(ref env);
        if (DenormalFault(ua, ub, ref env)) return default;
        if (ua.Class == FClass.Zero) return a;
        if (ub.Class == FClass.Inf) return Canonical(ua, ref env);
        long d = (long)ua.Exp - ub.Exp;
        bool sign = ua.Sign;
        if (d >= 64)
        {
            // Partial: reduce the exponent difference by n in 32..63 (as the hardware does).
            int n = (int)((d & 31) | 32);
            UInt128 num = (UInt128)ua.Sig << n;
            UInt128 rem = num % ub.Sig;
            incomplete = true;
            if (rem == 0) return Signed(sign, Zero);
            return RoundPack(sign, ua.Exp - n, rem << 64, false, 64, ref env);
        }
        UInt128 q;
        UInt128 remainder; // value = remainder · 2^(eb − 63) when d ≥ 0
        int remExp = ub.Exp;
        if (d < 0)
        {
            // |a| < |b|: quotient 0, or 1 for FPREM1 when |a| > |b|/2.
            if (!nearest || d < -1) return Canonical(ua, ref env);
            // d == −1: compare a with b/2: a.Sig·2^(ea−63) vs b.Sig·2^(eb−64) ⇔ a.Sig vs b.Sig (same scale).
            if (ua.Sig > ub.Sig)
            {
                // remainder = a − b (negative relative to a): |b| − |a| with flipped sign.
                UInt128 diff = ((UInt128)ub.Sig << 1) - ua.Sig; // scale 2^(ea − 63)
                quotient = 1;
                return RoundPack(!sign, ua.Exp, diff << 64, false, 64, ref env);
            }
            return Canonical(ua, ref env); // a == b/2 exactly: ties to even quotient 0
        }
        UInt128 na = (UInt128)ua.Sig << (int)d;
        q = na / ub.Sig;
        remainder = na - q * ub.Sig;
        if (nearest)
        {
            UInt128 twice = remainder << 1;
            if (twice > ub.Sig || (twice == ub.Sig && (q & 1) != 0))
            {
                q++;
                remainder = ub.Sig - remainder;
                sign = !sign;
            }
        }
        quotient = (int)(q & 7);
        if (remainder == 0) return Signed(ua.Sign, Zero);
        return RoundPack(sign, remExp, remainder << 64, false, 64, ref env);
    }

    // ================================================================ comparison

    /// <summary>
    /// Compares a with b: −1 less, 0 equal, 1 greater, 2 unordered. <paramref name="quiet"/> (FUCOM…)
    /// raises IE only for SNaNs; otherwise any NaN raises IE. Unsupported operands raise IE.
    /// </summary>
    public static int Compare(Float80 a, Float80 b, bool quiet, ref FpuEnv env)
    {
        Unpacked ua = a.Unpack(), ub = b.Unpack();
        if (ua.Class == FClass.Unsupported || ub.Class == FClass.Unsupported) { env.Raise(FpuStatus.IE); return 2; }
        if (ua.IsNaN || ub.IsNaN)
        {
            if (!quiet || ua.Class == FClass.SNaN || ub.Class == FClass.SNaN) env.Raise(FpuStatus.IE);
            return 2;
        }
        DenormalFault(ua, ub, ref env); // an unmasked DE still sets the condition codes
        return CompareOrdered(ua, ub);
    }

    static int CompareOrdered(in Unpacked ua, in Unpacked ub)
    {
        if (ua.Class == FClass.Zero && ub.Class == FClass.Zero) return 0;
        int ka = Key(ua), kb = Key(ub);
        if (ua.Sign != ub.Sign)
            return ua.Class == FClass.Zero ? (ub.Sign ? 1 : -1) : ub.Class == FClass.Zero ? (ua.Sign ? -1 : 1) : ua.Sign ? -1 : 1;
        int c;
        if (ka != kb) c = ka < kb ? -1 : 1;
        else if (ua.Class != FClass.Finite) c = 0;
        else if (ua.Exp != ub.Exp) c = ua.Exp < ub.Exp ? -1 : 1;
        else c = ua.Sig == ub.Sig ? 0 : ua.Sig < ub.Sig ? -1 : 1;
        return ua.Sign ? -c : c;

        static int Key(in Unpacked u) => u.Class switch { FClass.Zero => 0, FClass.Finite => 1, _ => 2 };
    }
}
