using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// The x87 FPU. Its control word supersedes <see cref="FpuControl"/>, which nothing reads any more.
    /// </summary>
    public X87State Fpu = new();
}
