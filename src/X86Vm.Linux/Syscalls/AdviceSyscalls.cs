using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Calls that are advice to the kernel's memory and page cache, which the VM keeps entirely in memory: they check their
/// arguments as Linux does and succeed without effect (mlock(2), readahead(2), posix_fadvise(2)). Nothing is ever
/// swapped out, so every page is as good as locked.
/// </summary>
[SyscallFamily]
static class AdviceSyscalls
{
    const int MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4, MLOCK_ONFAULT = 1;

    /// <summary>mlock/munlock/mlock2: the page-aligned range must be mapped (ENOMEM otherwise).</summary>
    static long Range(GuestProcess p, ulong address, ulong length)
    {
        ulong start = address & ~0xFFFUL;
        ulong end = address + length;
        if (end < address) return -Errno.EINVAL;
        end = (end + 0xFFF) & ~0xFFFUL;
        if (end == start) return 0;
        return p.Memory.Mappings.IsFullyMapped(start, end) ? 0 : -Errno.ENOMEM;
    }

    [Syscall(149, "p,u")] static long Mlock(GuestProcess p, in SyscallArgs a) => Range(p, a.A0, a.A1);
    [Syscall(150, "p,u")] static long Munlock(GuestProcess p, in SyscallArgs a) => Range(p, a.A0, a.A1);

    [Syscall(325, "p,u,x")]
    static long Mlock2(GuestProcess p, in SyscallArgs a) => (a.A2 & ~(ulong)MLOCK_ONFAULT) != 0 ? -Errno.EINVAL : Range(p, a.A0, a.A1);

    [Syscall(151, "x")]
    static long Mlockall(GuestProcess p, in SyscallArgs a)
    {
        ulong flags = a.A0;
        if (flags == 0 || (flags & ~(ulong)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT) return -Errno.EINVAL;
        return 0;
    }

    [Syscall(152)] static long Munlockall(GuestProcess p, in SyscallArgs a) => 0;

    /// <summary>readahead: a regular file open for reading.</summary>
    [Syscall(187, "d,d,u")]
    static long Readahead(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanRead || f is PathFile) return -Errno.EBADF;
        return f.Status().Kind == FileKind.Regular ? 0 : -Errno.EINVAL;
    }

    /// <summary>fadvise64: advice 0..5 (POSIX_FADV_NORMAL … NOREUSE); a pipe or FIFO is ESPIPE; a negative length EINVAL.</summary>
    [Syscall(221, "d,d,d,d")]
    static long Fadvise64(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || f is PathFile) return -Errno.EBADF;
        FileKind kind = f.Status().Kind;
        if (kind == FileKind.Fifo || f is PipeEnd) return -Errno.ESPIPE;
        if ((long)a.A2 < 0 || a.A3 > 5) return -Errno.EINVAL;
        return 0;
    }
}
