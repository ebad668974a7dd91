using Iced.Intel;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// The instruction-set level a VM's CPU offers (--cpu): what CPUID reports and which instructions run. An
/// instruction of a level not offered raises #UD (SIGILL) as on a CPU without it, except encodings older CPUs
/// decode as something else: F3 0F BC/BD are BSF/BSR without BMI1/LZCNT (the F3 prefix is ignored).
/// </summary>
public enum CpuLevel
{
    /// <summary>x86-64 baseline (psABI level 1): SSE2 and no later SIMD, no POPCNT, CMPXCHG16B or LAHF/SAHF in 64-bit mode.</summary>
    Baseline,
    /// <summary>x86-64-v2: baseline plus SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF.</summary>
    V2,
    /// <summary>
    /// Everything implemented: v2 plus the general-register parts of x86-64-v3 (LZCNT, MOVBE, BMI1, BMI2) and ADX.
    /// Not v3 itself: AVX, AVX2, FMA, F16C and XSAVE are not implemented, so they are not advertised.
    /// </summary>
    Max,
}

/// <summary>Names and instruction gating of <see cref="CpuLevel"/>.</summary>
public static class CpuLevels
{
    public const CpuLevel Default = CpuLevel.Max;

    /// <summary>The --cpu spelling of a level.</summary>
    public static string Name(CpuLevel level) => level switch
    {
        CpuLevel.Baseline => "baseline",
        CpuLevel.V2 => "v2",
        _ => "max",
    };

    /// <summary>Parses --cpu's value; null with a reason in <paramref name="error"/> for anything else.</summary>
    public static CpuLevel? Parse(string text, out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "baseline" or "v1" or "x86-64": return CpuLevel.Baseline;
            case "v2" or "x86-64-v2": return CpuLevel.V2;
            case "max": return CpuLevel.Max;
            case "v3" or "x86-64-v3" or "v4" or "x86-64-v4":
                error = $"--cpu {text}: not available, AVX, AVX2, FMA, F16C and XSAVE are not implemented (the highest level is 'max': v2 plus LZCNT, MOVBE, BMI1, BMI2 and ADX)";
                return null;
            default:
                error = $"--cpu {text}: expected baseline, v2 or max";
                return null;
        }
    }

    /// <summary>The lowest level whose CPU has <paramref name="feature"/> (features no level gates: baseline).</summary>
    static CpuLevel Needs(CpuidFeature feature) => feature switch
    {
        CpuidFeature.SSE3 or CpuidFeature.SSSE3 or CpuidFeature.SSE4_1 or CpuidFeature.SSE4_2 or CpuidFeature.POPCNT
            or CpuidFeature.CMPXCHG16B => CpuLevel.V2,
        CpuidFeature.LZCNT or CpuidFeature.MOVBE or CpuidFeature.BMI1 or CpuidFeature.BMI2 or CpuidFeature.ADX
            or CpuidFeature.AVX or CpuidFeature.AVX2 => CpuLevel.Max,
        _ => CpuLevel.Baseline,
    };

    /// <summary>Whether a CPU of <paramref name="level"/> executes <paramref name="insn"/> (as Iced decodes it).</summary>
    public static bool Offers(CpuLevel level, in Instruction insn)
    {
        if (level == CpuLevel.Max) return true;
        // LAHF/SAHF exist in 64-bit mode only with CPUID 80000001h ECX.LAHF-SAHF (part of v2); Iced lists them as 8086.
        if (level == CpuLevel.Baseline && insn.Mnemonic is Mnemonic.Lahf or Mnemonic.Sahf) return false;
        foreach (CpuidFeature f in insn.CpuidFeatures)
            if (Needs(f) > level) return false;
        return true;
    }
}
