using System.Numerics;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Flags;

/// <summary>
/// Computing status flags from the lazily recorded operation (Intel SDM Vol. 1 §3.4.3.1 and the
/// per-instruction "Flags Affected" sections). Choices for flags Intel leaves undefined are listed in
/// docs/undefined-behaviour.md; those of lazily evaluated operations are implemented here, the others in
/// the family that sets the flags eagerly.
/// </summary>
public static class LazyFlags
{
    public static int Kind(FlagOp op, int sizeLog2) => ((int)op << 2) | sizeLog2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeLog2<T>() where T : unmanaged => Unsafe.SizeOf<T>() switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(int sizeLog2) => ulong.MaxValue >> (64 - (8 << sizeLog2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignBit(int sizeLog2) => 1UL << ((8 << sizeLog2) - 1);

    /// <summary>PF: set when the low byte of the result has an even number of one bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Parity(ulong result) => (BitOperations.PopCount(result & 0xFF) & 1) == 0 ? RFlags.PF : 0;

    /// <summary>ZF, SF and PF of a result of the given size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ResultFlags(ulong result, int sizeLog2)
    {
        ulong r = result & Mask(sizeLog2);
        ulong f = Parity(r);
        if (r == 0) f |= RFlags.ZF;
        if ((r & SignBit(sizeLog2)) != 0) f |= RFlags.SF;
        return f;
    }

    /// <summary>All six status flags for the recorded operation.</summary>
    public static ulong Compute(int kind, ulong a, ulong b, ulong res, ulong aux)
    {
        var op = (FlagOp)(kind >> 2);
        int size = kind & 3;
        ulong mask = Mask(size), sign = SignBit(size);
        a &= mask; b &= mask; res &= mask;
        ulong f;
        switch (op)
        {
            case FlagOp.Materialized:
                return res & RFlags.Status;
            case FlagOp.Partial:
                throw new InvalidOperationException("partial flags are resolved by Cpu.StatusFlags");
            case FlagOp.Add:
            case FlagOp.Adc:
                f = ResultFlags(res, size);
                if (op == FlagOp.Add ? res < a : res <= a) f |= RFlags.CF;
                if (((a ^ res) & (b ^ res) & sign) != 0) f |= RFlags.OF;
                f |= (a ^ b ^ res) & RFlags.AF;
                return f;
            case FlagOp.Sub:
            case FlagOp.Sbb:
                f = ResultFlags(res, size);
                if (op == FlagOp.Sub ? a < b : a <= b) f |= RFlags.CF;
                if (((a ^ b) & (a ^ res) & sign) != 0) f |= RFlags.OF;
                f |= (a ^ b ^ res) & RFlags.AF;
                return f;
            case FlagOp.Logic:
                // AF after logic operations is undefined: we clear it (as this host's AMD CPUs do).
                return ResultFlags(res, size);
            case FlagOp.Inc:
                f = ResultFlags(res, size) | (aux & RFlags.CF);
                if (res == sign) f |= RFlags.OF;
                f |= (a ^ 1 ^ res) & RFlags.AF;
                return f;
            case FlagOp.Dec:
                f = ResultFlags(res, size) | (aux & RFlags.CF);
                if (res == sign - 1) f |= RFlags.OF;
                f |= (a ^ 1 ^ res) & RFlags.AF;
                return f;
            case FlagOp.Shl:
            {
                int bits = 8 << size;
                int count = (int)b;
                // AF is undefined: set, as this host's AMD CPUs do (docs/undefined-behaviour.md).
                f = ResultFlags(res, size) | RFlags.AF;
                if (count <= bits && ((a >> (bits - count)) & 1) != 0) f |= RFlags.CF;
                // OF is defined for count 1 only; MSB(result) XOR CF for every count, as on this host.
                if ((((res & sign) != 0) ? 1UL : 0UL) != (f & RFlags.CF)) f |= RFlags.OF;
                return f;
            }
            case FlagOp.Shr:
            {
                int count = (int)b;
                f = ResultFlags(res, size) | RFlags.AF; // AF undefined: set, as on this host
                if (((a >> (count - 1)) & 1) != 0) f |= RFlags.CF;
                // OF: MSB(result) XOR the bit below it. For SHR by 1 that is the defined MSB(original);
                // for larger counts (undefined) it is 0 for SHR and this formula for SHRD, as on this host.
                if ((((res >> 1) ^ res) & (sign >> 1)) != 0) f |= RFlags.OF;
                return f;
            }
            case FlagOp.Sar:
            {
                int count = (int)b;
                int bits = 8 << size;
                long sa = (long)(a << (64 - bits)) >> (64 - bits);
                f = ResultFlags(res, size) | RFlags.AF; // AF undefined: set, as on this host
                if (((sa >> Math.Min(count - 1, 63)) & 1) != 0) f |= RFlags.CF;
                return f; // OF = 0 (defined for count 1; this host clears it for every count)
            }
            default:
                throw new InvalidOperationException($"bad flag kind {kind}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Carry(int kind, ulong a, ulong b, ulong res, ulong aux)
    {
        switch ((FlagOp)(kind >> 2))
        {
            case FlagOp.Sub: { ulong m = Mask(kind & 3); return (a & m) < (b & m); }
            case FlagOp.Add: { ulong m = Mask(kind & 3); return (res & m) < (a & m); }
            case FlagOp.Logic: return false;
            case FlagOp.Inc:
            case FlagOp.Dec: return (aux & RFlags.CF) != 0;
            default: return (Compute(kind, a, b, res, aux) & RFlags.CF) != 0;
        }
    }
}
