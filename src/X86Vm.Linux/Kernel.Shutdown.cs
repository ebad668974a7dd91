using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux;

public sealed partial class Kernel
{
    bool _shutDown;

    /// <summary>
    /// Ends the VM for good and lets go of everything it holds on the host: every process still alive is killed as by
    /// SIGKILL (its descriptors close — host files, host sockets — and its memory is released, shared file mappings
    /// written back), the block compiler drops its queue, and the mounts close their handles on host directories.
    /// The streams of <see cref="KernelOptions"/> belong to whoever passed them and stay open.
    /// </summary>
    public void Shutdown()
    {
        if (_shutDown) return;
        _shutDown = true;
        foreach (GuestProcess p in _processes.Values.ToList())
            if (!p.Exited) ExitProcess(p, Signals.SIGKILL);
        Options.Compiler?.Stop();
        Vfs.Dispose();
    }
}
