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
    /// <summary>x86-64-v3: v2 plus AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE and XSAVE (with OSXSAVE, XCR0 = x87|SSE|AVX).</summary>
    V3,
    /// <summary>Everything implemented: v3 plus ADX.</summary>
    Max,
}

/// <summary>Names and instruction gating of <see cref="CpuLevel"/>.</summary>
public static class CpuLevels
{
    public const CpuLevel Default = CpuLevel.V3;

    /// <summary>The --cpu spelling of a level.</summary>
    public static string Name(CpuLevel level) => level switch
    {
        CpuLevel.Baseline => "baseline",
        CpuLevel.V2 => "v2",
        CpuLevel.V3 => "v3",
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
            case "v3" or "x86-64-v3": return CpuLevel.V3;
            case "max": return CpuLevel.Max;
            case "v4" or "x86-64-v4":
                error = $"--cpu {text}: not available, AVX-512 is not implemented (the highest level is 'max': v3 plus ADX)";
                return null;
            default:
                error = $"--cpu {text}: expected baseline, v2, v3 or max";
                return null;
        }
    }

    /// <summary>The lowest level whose CPU has <paramref name="feature"/> (features no level gates: baseline).</summary>
    static CpuLevel Needs(CpuidFeature feature) => feature switch
    {
        CpuidFeature.SSE3 or CpuidFeature.SSSE3 or CpuidFeature.SSE4_1 or CpuidFeature.SSE4_2 or CpuidFeature.POPCNT
            or CpuidFeature.CMPXCHG16B => CpuLevel.V2,
        CpuidFeature.LZCNT or CpuidFeature.MOVBE or CpuidFeature.BMI1 or CpuidFeature.BMI2 or CpuidFeature.AVX
            or CpuidFeature.AVX2 or CpuidFeature.FMA or CpuidFeature.F16C or CpuidFeature.XSAVE or CpuidFeature.XSAVEOPT
            or CpuidFeature.XSAVEC => CpuLevel.V3,
        CpuidFeature.ADX => CpuLevel.Max,
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
