using System.Runtime.CompilerServices;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Float;

/// <summary>
/// MXCSR layout (SDM Vol. 1 §10.2.3) and the SIMD floating-point exception rules (Vol. 1 §11.5):
/// exception flags IE DE ZE OE UE PE (bits 0–5), DAZ (bit 6), masks (bits 7–12), rounding control
/// (bits 13–14) and FTZ (bit 15).
/// </summary>
public static class Mxcsr
{
    public const uint IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, AllFlags = 0x3F;
    public const uint DAZ = 1 << 6, FTZ = 1 << 15;
    public const uint IM = 1 << 7, DM = 1 << 8, ZM = 1 << 9, OM = 1 << 10, UM = 1 << 11, PM = 1 << 12;
    public const int RcShift = 13;
    public const uint RcMask = 3 << RcShift;
    public const uint Default = 0x1F80;

    /// <summary>Rounding-control values: nearest-even, down (toward −∞), up (toward +∞), toward zero.</summary>
    public const uint RoundNearest = 0, RoundDown = 1, RoundUp = 2, RoundZero = 3;

    /// <summary>Exceptions detected before the computation (an unmasked one stops it: no post-computation flags).</summary>
    public const uint PreComputation = IE | DE | ZE;

    /// <summary>si_code values of SIGFPE for floating-point exceptions (include/uapi/asm-generic/siginfo.h).</summary>
    public const int FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Rounding(uint mxcsr) => (mxcsr >> RcShift) & 3;

    /// <summary>
    /// Merges the exception flags an instruction detected into MXCSR, or raises #XM (SIGFPE) when one of
    /// them is unmasked. Call before writing any destination: a faulting instruction changes nothing
    /// but the MXCSR flags (SDM Vol. 1 §11.5.1: an unmasked pre-computation exception leaves only the
    /// pre-computation flags of all elements; otherwise every detected flag is set).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Commit(Cpu c, uint flags, ulong ip)
    {
        if ((flags & ~(c.Mxcsr >> 7)) != 0) Raise(c, flags, ip);
        c.Mxcsr |= flags;
    }

    /// <summary>
    /// Raises #XM for the detected <paramref name="flags"/> of which at least one is unmasked.
    /// The si_code is what Linux derives from the whole MXCSR (arch/x86/kernel/fpu/core.c
    /// fpu__exception_code): unmasked flags set, in the order invalid, divide, overflow,
    /// denormal/underflow, precision.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Raise(Cpu c, uint flags, ulong ip)
    {
        uint unmasked = flags & ~(c.Mxcsr >> 7) & AllFlags;
        if ((unmasked & PreComputation) != 0) flags &= PreComputation;
        c.Mxcsr |= flags;
        uint err = c.Mxcsr & ~(c.Mxcsr >> 7);
        int code = (err & IE) != 0 ? FPE_FLTINV
            : (err & ZE) != 0 ? FPE_FLTDIV
            : (err & OE) != 0 ? FPE_FLTOVF
            : (err & (DE | UE)) != 0 ? FPE_FLTUND
            : FPE_FLTRES;
        throw new GuestFault(Signals.SIGFPE, code, ip);
    }
}
