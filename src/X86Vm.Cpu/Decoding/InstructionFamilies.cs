using X86Vm.Cpu.Instructions;
using X86Vm.Cpu.Instructions.Mmx;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.Instructions.X87;

namespace X86Vm.Cpu.Decoding;

/// <summary>
/// Every instruction family, in registration order. A list rather than a scan of the assembly for
/// <see cref="InstructionFamilyAttribute"/>: loading all of the assembly's types to find them cost 25 ms of every
/// start (a third of a static hello world's CPU time beyond the .NET runtime's own). A test checks that this list and
/// the marked classes agree, so a new family cannot be forgotten here.
/// </summary>
public static class InstructionFamilies
{
    public static readonly Type[] All =
    [
        typeof(InstAlu), typeof(InstAtomic), typeof(InstBits), typeof(InstCet), typeof(InstControl), typeof(InstMove),
        typeof(InstMulDiv), typeof(InstShift), typeof(InstStack), typeof(InstString), typeof(InstSystem),
        typeof(InstAdxMovbe), typeof(InstBmi), typeof(InstLegacy), typeof(InstXsave),
        typeof(MmxInstructions),
        typeof(SseControl), typeof(SseFpArith), typeof(SseFpCompare), typeof(SseFpConvert), typeof(SseFpSse3),
        typeof(SseIntegerArith), typeof(SseIntegerCompare), typeof(SseLogic), typeof(SseMaskMove), typeof(SseMmxConvert),
        typeof(SseMove), typeof(SseShift), typeof(SseShuffle),
        typeof(Ssse3), typeof(Sse41Float), typeof(Sse41Integer), typeof(Sse42), typeof(Sse42String),
        typeof(AvxPermute), typeof(Avx2Gather), typeof(Fma3), typeof(F16c),
        typeof(InstX87Arith), typeof(InstX87Compare), typeof(InstX87Control), typeof(InstX87Move),
        typeof(InstX87Transcendental),
    ];
}
