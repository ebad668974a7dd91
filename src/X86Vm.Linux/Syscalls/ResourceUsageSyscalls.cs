using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// getrusage(2) and times(2). CPU time is the VM's: instructions retired at a nominal 1 ns each, all of it user time
/// (the kernel's work is not metered as guest time), so the figures are deterministic. A child's time counts for its
/// parent once the parent has waited for it, as on Linux.
/// </summary>
[SyscallFamily]
static class ResourceUsageSyscalls
{
    const int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
    /// <summary>USER_HZ: the unit of clock_t in times(2).</summary>
    const long TicksPerSecond = 100;
    const int RusageSize = 144;

    [Syscall(98, "d,p", Partial = "no system time, page faults, I/O or context-switch counts; RUSAGE_CHILDREN reports no maxrss")]
    static long Getrusage(GuestProcess p, in SyscallArgs a)
    {
        long? cpu = (int)a.A0 switch
        {
            RUSAGE_SELF => Kernel.CpuTime(p),
            RUSAGE_THREAD => (long)p.Kernel.CurrentThread.Cpu.Retired,
            RUSAGE_CHILDREN => p.ChildrenCpuTime,
            _ => null,
        };
        if (cpu == null) return -Errno.EINVAL;
        long maxRssKb = (int)a.A0 == RUSAGE_CHILDREN ? 0 : (long)p.Memory.ResidentPages * (X86Vm.Cpu.Memory.Page.Size / 1024);
        return WriteRusage(p, a.A1, cpu.Value, maxRssKb) ? 0 : -Errno.EFAULT;
    }

    /// <summary>struct rusage: ru_utime, ru_stime (timevals), then ru_maxrss in KiB and thirteen counters left zero.</summary>
    internal static bool WriteRusage(GuestProcess p, ulong address, long cpuNanoseconds, long maxRssKb)
    {
        var buffer = new byte[RusageSize];
        BitConverter.TryWriteBytes(buffer.AsSpan(0), cpuNanoseconds / 1_000_000_000L);
        BitConverter.TryWriteBytes(buffer.AsSpan(8), cpuNanoseconds % 1_000_000_000L / 1000);
        BitConverter.TryWriteBytes(buffer.AsSpan(32), maxRssKb);
        return p.Memory.TryWrite(address, buffer);
    }

    [Syscall(100, "p", Partial = "no system time")]
    static long Times(GuestProcess p, in SyscallArgs a)
    {
        const long nsPerTick = 1_000_000_000L / TicksPerSecond;
        if (a.A0 != 0)
        {
            // struct tms: tms_utime, tms_stime, tms_cutime, tms_cstime.
            var buffer = new byte[32];
            BitConverter.TryWriteBytes(buffer.AsSpan(0), Kernel.CpuTime(p) / nsPerTick);
            BitConverter.TryWriteBytes(buffer.AsSpan(16), p.ChildrenCpuTime / nsPerTick);
            if (!p.Memory.TryWrite(a.A0, buffer)) return -Errno.EFAULT;
        }
        // Clock ticks since an arbitrary point: the VM's monotonic clock, which starts well above zero.
        return p.Kernel.Clock.MonotonicNanoseconds / nsPerTick;
    }
}
