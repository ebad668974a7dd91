using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Instructions;

/// <summary>How the .NET JIT treats the hottest instruction handlers.</summary>
static class Hot
{
    /// <summary>
    /// Inlined into compiled regions, and compiled fully optimised on first use instead of starting in tier 0. The
    /// handler instantiations are made by reflection when blocks are bound, so ReadyToRun has no code for them; in tier 0
    /// they call their operand helpers without inlining, and while a large program keeps binding new handlers the
    /// runtime's call-counting delay keeps restarting, so hot handlers stayed in tier 0 for whole runs (python3 in
    /// bench/: 11% of its CPU time in tier-0 code).
    /// </summary>
    public const MethodImplOptions Handler = MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization;
}
