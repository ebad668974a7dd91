using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>Clocks and sleeping. Time comes only from the VM's <see cref="Host.IClock"/>.</summary>
[SyscallFamily]
static class TimeSyscalls
{
    const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
        CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;

    static long? Now(GuestProcess p, int clock) => clock switch
    {
        CLOCK_REALTIME or CLOCK_REALTIME_COARSE => p.Kernel.Clock.RealtimeNanoseconds,
        CLOCK_MONOTONIC or CLOCK_MONOTONIC_RAW or CLOCK_MONOTONIC_COARSE or CLOCK_BOOTTIME => p.Kernel.Clock.MonotonicNanoseconds,
        // CPU time: the instructions retired at a nominal 1 ns each, so it is deterministic.
        CLOCK_PROCESS_CPUTIME_ID => Kernel.CpuTime(p),
        CLOCK_THREAD_CPUTIME_ID => (long)p.Kernel.CurrentThread.Cpu.Retired,
        _ => null,
    };

    [Syscall(228, "d,p")]
    static long ClockGettime(GuestProcess p, in SyscallArgs a) => ClockGettime(p, a, Timespec.Time64);

    internal static long ClockGettime(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        long? now = Now(p, (int)a.A0);
        if (now == null) return -Errno.EINVAL;
        return ts.Write(p, a.A1, now.Value) ? 0 : -Errno.EFAULT;
    }

    [Syscall(229, "d,p")]
    static long ClockGetres(GuestProcess p, in SyscallArgs a) => ClockGetres(p, a, Timespec.Time64);

    internal static long ClockGetres(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        if (Now(p, (int)a.A0) == null) return -Errno.EINVAL;
        return a.A1 == 0 || ts.Write(p, a.A1, 1) ? 0 : -Errno.EFAULT;
    }

    [Syscall(96, "p,p")]
    static long Gettimeofday(GuestProcess p, in SyscallArgs a)
    {
        long ns = p.Kernel.Clock.RealtimeNanoseconds;
        // struct timeval: two longs (4 bytes each in the i386 ABI, which has no 64-bit gettimeofday).
        ulong w = (ulong)p.Abi.PointerSize();
        if (a.A0 != 0 && !(GuestIo.WriteWord(p, a.A0, (ulong)(ns / 1_000_000_000L)) && GuestIo.WriteWord(p, a.A0 + w, (ulong)(ns % 1_000_000_000L / 1000))))
            return -Errno.EFAULT;
        if (a.A1 != 0 && !GuestIo.WriteU64(p, a.A1, 0)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(201, "p")]
    static long Time(GuestProcess p, in SyscallArgs a)
    {
        long sec = p.Kernel.Clock.RealtimeNanoseconds / 1_000_000_000L;
        if (a.A0 != 0 && !GuestIo.WriteU64(p, a.A0, (ulong)sec)) return -Errno.EFAULT;
        return sec;
    }

    [Syscall(35, "p,p")]
    static long Nanosleep(GuestProcess p, in SyscallArgs a) => Sleep(p, a.A0, Timespec.Time64);

    internal static long Nanosleep(GuestProcess p, in SyscallArgs a, Timespec ts) => Sleep(p, a.A0, ts);

    [Syscall(230, "d,d,p,p")]
    static long ClockNanosleep(GuestProcess p, in SyscallArgs a) => ClockNanosleep(p, a, Timespec.Time64);

    internal static long ClockNanosleep(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        const int TIMER_ABSTIME = 1;
        if (Now(p, (int)a.A0) == null) return -Errno.EINVAL;
        if (((int)a.A1 & TIMER_ABSTIME) != 0)
        {
            if (!ts.Read(p, a.A2, out ulong s, out ulong n)) return -Errno.EFAULT;
            long remaining = (long)s * 1_000_000_000L + (long)n - Now(p, (int)a.A0)!.Value;
            return SleepFor(p, Math.Max(0, remaining));
        }
        return Sleep(p, a.A2, ts);
    }

    /// <summary>Blocks the calling thread until the deadline; other threads run meanwhile.</summary>
    static long Sleep(GuestProcess p, ulong request, Timespec ts)
    {
        if (p.Kernel.CurrentThread.Resumed is SleepUntil) return SleepFor(p, 0);
        if (!ts.Read(p, request, out ulong s, out ulong n)) return -Errno.EFAULT;
        if ((long)s < 0 || n >= 1_000_000_000UL) return -Errno.EINVAL;
        return SleepFor(p, (long)Math.Min(s, long.MaxValue / 2_000_000_000UL) * 1_000_000_000L + (long)n);
    }

    static long SleepFor(GuestProcess p, long ns)
    {
        // A restarted call keeps the deadline it computed the first time.
        if (p.Kernel.CurrentThread.Resumed is SleepUntil earlier)
            return earlier.IsReady(p.Kernel) ? 0 : p.Kernel.Block(earlier);
        if (ns == 0) return 0;
        return p.Kernel.Block(new SleepUntil(p.Kernel.Clock.MonotonicNanoseconds + ns));
    }
}
