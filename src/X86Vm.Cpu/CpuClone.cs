using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// A copy of this CPU's architectural state running in <paramref name="memory"/> (fork, clone of a thread).
    /// Value-type state is copied by the shallow clone; reference-type state is deep-copied here and in
    /// <see cref="CloneExtraState"/> (implemented by the partial classes that own such state).
    /// </summary>
    public Cpu CloneFor(AddressSpace memory, BlockCache code)
    {
        var clone = (Cpu)MemberwiseClone();
        clone.Memory = memory;
        clone.Code = code;
        clone.PendingFault = null;
        clone.CurrentBlock = null;
        clone.StopRequested = false;
        CloneExtraState(clone);
        return clone;
    }

    /// <summary>Deep-copies reference-type state (x87 registers…) into <paramref name="clone"/>.</summary>
    partial void CloneExtraState(Cpu clone);
}
