using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Hooks;

/// <summary>
/// One guest instruction's access to a watched range (<see cref="Kernel.Watch"/>): the instruction at
/// <paramref name="Rip"/> of thread <paramref name="Tid"/> read or wrote <paramref name="Size"/> bytes at
/// <paramref name="Address"/>. <paramref name="Value"/> is the first (up to) 8 bytes, little-endian: what the
/// instruction wrote, or what it read. <paramref name="InstructionsExecuted"/> is the VM's meter after the instruction.
/// </summary>
public readonly record struct MemoryAccess(int Pid, int Tid, ulong Rip, ulong Address, int Size, WatchKind Kind, ulong Value,
    ulong InstructionsExecuted);
