using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Process.SignalNumbers;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// alarm(2), getitimer/setitimer(2) and POSIX timers (timer_create(2) and friends). Expiry is checked by the
/// scheduler (Kernel.Timers.cs); signals are generated at scheduling points, i.e. on instruction-count boundaries.
/// </summary>
[SyscallFamily]
static class TimerSyscalls
{
    const long NsPerSec = 1_000_000_000L;
    const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7;
    const int TIMER_ABSTIME = 1;

    /// <summary>Now on an interval timer's clock: monotonic time for ITIMER_REAL, process CPU time for the others.</summary>
    static long ItimerNow(GuestProcess p, int which) =>
        which == Kernel.ITIMER_REAL ? p.Kernel.Clock.MonotonicNanoseconds : Kernel.CpuTime(p);

    static (long Value, long Interval) ItimerGet(GuestProcess p, int which)
    {
        IntervalTimer t = p.IntervalTimers[which];
        if (t.Expiry == null) return (0, t.Interval);
        // A timer that expired but was not yet checked reports the smallest non-zero value, as an hrtimer about to fire.
        return (Math.Max(1000, t.Expiry.Value - ItimerNow(p, which)), t.Interval);
    }

    static void ItimerSet(GuestProcess p, int which, long value, long interval)
    {
        IntervalTimer t = p.IntervalTimers[which];
        t.Interval = interval;
        t.Expiry = value == 0 ? null : ItimerNow(p, which) + value;
    }

    /// <summary>struct itimerval: it_interval, it_value (struct timeval each).</summary>
    static bool WriteItimerval(GuestProcess p, ulong address, long value, long interval)
    {
        static (ulong, ulong) Tv(long ns) => ((ulong)(ns / NsPerSec), (ulong)(ns % NsPerSec / 1000));
        var (isec, iusec) = Tv(interval);
        var (vsec, vusec) = Tv(value);
        // struct itimerval: two struct timeval of longs (4 bytes each in the i386 ABI).
        ulong w = (ulong)p.Abi.PointerSize();
        return GuestIo.WriteWord(p, address, isec) && GuestIo.WriteWord(p, address + w, iusec) &&
               GuestIo.WriteWord(p, address + 2 * w, vsec) && GuestIo.WriteWord(p, address + 3 * w, vusec);
    }

    [Syscall(36, "d,p")]
    static long Getitimer(GuestProcess p, in SyscallArgs a)
    {
        int which = (int)a.A0;
        if (which is < 0 or > 2) return -Errno.EINVAL;
        var (value, interval) = ItimerGet(p, which);
        return WriteItimerval(p, a.A1, value, interval) ? 0 : -Errno.EFAULT;
    }

    [Syscall(38, "d,p,p")]
    static long Setitimer(GuestProcess p, in SyscallArgs a)
    {
        int which = (int)a.A0;
        if (which is < 0 or > 2) return -Errno.EINVAL;
        long value = 0, interval = 0;
        if (a.A1 != 0) // a null new value disarms (historical Linux behaviour)
        {
            ulong w = (ulong)p.Abi.PointerSize();
            if (!GuestIo.ReadLong(p, a.A1, out ulong isec) || !GuestIo.ReadLong(p, a.A1 + w, out ulong iusec) ||
                !GuestIo.ReadLong(p, a.A1 + 2 * w, out ulong vsec) || !GuestIo.ReadLong(p, a.A1 + 3 * w, out ulong vusec))
                return -Errno.EFAULT;
            if ((long)isec < 0 || (long)vsec < 0 || iusec >= 1_000_000 || vusec >= 1_000_000) return -Errno.EINVAL;
            interval = (long)Math.Min(isec, 1UL << 32) * NsPerSec + (long)iusec * 1000;
            value = (long)Math.Min(vsec, 1UL << 32) * NsPerSec + (long)vusec * 1000;
        }
        var (oldValue, oldInterval) = ItimerGet(p, which);
        ItimerSet(p, which, value, interval);
        if (a.A2 != 0 && !WriteItimerval(p, a.A2, oldValue, oldInterval)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(37, "u")]
    static long Alarm(GuestProcess p, in SyscallArgs a)
    {
        var (oldValue, _) = ItimerGet(p, Kernel.ITIMER_REAL);
        ItimerSet(p, Kernel.ITIMER_REAL, (long)Math.Min((uint)a.A0, uint.MaxValue) * NsPerSec, 0);
        // alarm_setitimer: whole seconds, rounded to nearest (a pending alarm never reports 0).
        long sec = oldValue / NsPerSec, usec = oldValue % NsPerSec / 1000;
        if ((sec == 0 && usec != 0) || usec >= 500_000) sec++;
        return sec;
    }

    // ---------------------------------------------------------------- POSIX timers

    static long? ClockNow(GuestProcess p, int clock) => clock switch
    {
        CLOCK_REALTIME => p.Kernel.Clock.RealtimeNanoseconds,
        CLOCK_MONOTONIC or CLOCK_BOOTTIME => p.Kernel.Clock.MonotonicNanoseconds,
        _ => null,
    };

    [Syscall(222, "d,p,p")]
    static long TimerCreate(GuestProcess p, in SyscallArgs a)
    {
        int clock = (int)a.A0;
        if (ClockNow(p, clock) == null) return -Errno.EINVAL;
        int notify = PosixTimer.SIGEV_SIGNAL, signo = Signals.SIGALRM, tid = 0;
        ulong value = 0;
        bool defaultValue = true;
        if (a.A1 != 0)
        {
            // struct sigevent: sigev_value (a pointer-sized union: 8 bytes, 4 in the i386 ABI), sigev_signo, sigev_notify,
            // then _tid for SIGEV_THREAD_ID.
            var ev = new byte[64];
            if (!p.Memory.TryRead(a.A1, ev)) return -Errno.EFAULT;
            int w = p.Abi.PointerSize();
            value = w == 8 ? BitConverter.ToUInt64(ev, 0) : BitConverter.ToUInt32(ev, 0);
            signo = BitConverter.ToInt32(ev, w);
            notify = BitConverter.ToInt32(ev, w + 4);
            tid = BitConverter.ToInt32(ev, w + 8);
            defaultValue = false;
            switch (notify)
            {
                case PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID:
                    GuestThread? target = p.FindThread(tid);
                    if (target == null || target.State == GuestThreadState.Exited) return -Errno.EINVAL;
                    goto case PosixTimer.SIGEV_SIGNAL;
                case PosixTimer.SIGEV_SIGNAL:
                case PosixTimer.SIGEV_THREAD:
                    if (signo < 1 || signo > SIGRTMAX) return -Errno.EINVAL;
                    break;
                case PosixTimer.SIGEV_NONE:
                    break;
                default:
                    return -Errno.EINVAL;
            }
        }
        int id = 0;
        while (p.PosixTimers.ContainsKey(id)) id++;
        var timer = new PosixTimer
        {
            Id = id, Clock = clock, Notify = notify, Signo = signo, TargetTid = tid, Value = defaultValue ? (ulong)id : value,
        };
        if (!GuestIo.WriteU32(p, a.A2, (uint)id)) return -Errno.EFAULT;
        p.PosixTimers[id] = timer;
        return 0;
    }

    static (long Value, long Interval) TimerGet(GuestProcess p, PosixTimer t) =>
        t.Expiry == null ? (0, t.Interval) : (Math.Max(1, t.Expiry.Value - p.Kernel.Clock.MonotonicNanoseconds), t.Interval);

    [Syscall(223, "d,d,p,p")]
    static long TimerSettime(GuestProcess p, in SyscallArgs a) => TimerSettime(p, a, Timespec.Time64);

    /// <summary>timer_settime with struct itimerspec in layout <paramref name="ts"/> (i386's old call: old_timespec32).</summary>
    internal static long TimerSettime(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        if (!p.PosixTimers.TryGetValue((int)a.A0, out PosixTimer? t)) return -Errno.EINVAL;
        int flags = (int)a.A1;
        if (a.A2 == 0) return -Errno.EINVAL;
        if (!ts.Read(p, a.A2, out ulong isec, out ulong insec) || !ts.Read(p, a.A2 + (ulong)ts.Size, out ulong vsec, out ulong vnsec))
            return -Errno.EFAULT;
        if ((long)isec < 0 || (long)vsec < 0 || insec >= (ulong)NsPerSec || vnsec >= (ulong)NsPerSec) return -Errno.EINVAL;
        long interval = (long)Math.Min(isec, 1UL << 32) * NsPerSec + (long)insec;
        long value = (long)Math.Min(vsec, 1UL << 32) * NsPerSec + (long)vnsec;
        var (oldValue, oldInterval) = TimerGet(p, t);
        long now = p.Kernel.Clock.MonotonicNanoseconds;
        if (value == 0)
        {
            t.Expiry = null;
            t.Interval = 0;
        }
        else
        {
            // Absolute times are on the timer's clock; they become monotonic deadlines (already passed: fires at once).
            long relative = (flags & TIMER_ABSTIME) != 0 ? value - ClockNow(p, t.Clock)!.Value : value;
            t.Expiry = now + Math.Max(0, relative);
            t.Interval = interval;
        }
        t.Overrun = 0;
        if (a.A3 != 0 && !ts.WriteItimerspec(p, a.A3, oldValue, oldInterval)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(224, "d,p")]
    static long TimerGettime(GuestProcess p, in SyscallArgs a) => TimerGettime(p, a, Timespec.Time64);

    internal static long TimerGettime(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        if (!p.PosixTimers.TryGetValue((int)a.A0, out PosixTimer? t)) return -Errno.EINVAL;
        var (value, interval) = TimerGet(p, t);
        return ts.WriteItimerspec(p, a.A1, value, interval) ? 0 : -Errno.EFAULT;
    }

    [Syscall(225, "d")]
    static long TimerGetoverrun(GuestProcess p, in SyscallArgs a) =>
        p.PosixTimers.TryGetValue((int)a.A0, out PosixTimer? t) ? t.LastOverrun : -Errno.EINVAL;

    [Syscall(226, "d")]
    static long TimerDelete(GuestProcess p, in SyscallArgs a)
    {
        if (!p.PosixTimers.Remove((int)a.A0, out PosixTimer? t)) return -Errno.EINVAL;
        t.Expiry = null;
        return 0;
    }
}
