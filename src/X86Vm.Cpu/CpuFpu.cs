using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>The x87 FPU (registers, control, status and tag words).</summary>
    public X87State Fpu = new();

    partial void CloneExtraState(Cpu clone) => clone.Fpu = Fpu.Clone();
}
