namespace X86Vm.Cpu.Execution;

/// <summary>Receives the SYSCALL instruction (RIP already points past it). Implemented by the OS personality.</summary>
public interface ISyscallHandler
{
    void Syscall(Cpu cpu);
}
