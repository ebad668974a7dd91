using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>getrandom(2), served from the VM's entropy source.</summary>
[SyscallFamily]
static class EntropySyscalls
{
    [Syscall(318, "p,u,x")]
    static long Getrandom(GuestProcess p, in SyscallArgs a)
    {
        if ((a.A2 & ~7UL) != 0) return -Errno.EINVAL;
        var buffer = new byte[Math.Min(a.A1, 1 << 25)];
        p.Kernel.Options.Entropy.Fill(buffer);
        return p.Memory.TryWrite(a.A0, buffer) ? buffer.Length : -Errno.EFAULT;
    }
}
