using X86Vm.Linux.Process;

namespace X86Vm.Linux;

public sealed partial class Kernel
{
    /// <summary>
    /// Parks a vfork parent until the child releases it (execve or exit). The parent's vfork call already
    /// returned the child's pid in RAX; it simply does not run until then.
    /// </summary>
    internal void BlockForVfork(GuestThread parent, GuestProcess child)
    {
        parent.State = GuestThreadState.Blocked;
        parent.Waiting = new VforkWait(child);
        parent.Cpu.StopRequested = true;
    }

    /// <summary>The vfork child executed a program or exited: its parent may run again.</summary>
    internal static void ReleaseVfork(GuestProcess child) => child.VforkPending = false;
}
