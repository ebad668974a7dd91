using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>eventfd, eventfd2 (eventfd(2)) and timerfd_create, timerfd_settime, timerfd_gettime (timerfd_create(2)).</summary>
[SyscallFamily]
static class EventSyscalls
{
    const long NsPerSec = 1_000_000_000L;

    // ---------------------------------------------------------------- eventfd

    [Syscall(284, "u")]
    static long Eventfd(GuestProcess p, in SyscallArgs a) => CreateEventFd(p, (uint)a.A0, 0);

    [Syscall(290, "u,x")]
    static long Eventfd2(GuestProcess p, in SyscallArgs a) => CreateEventFd(p, (uint)a.A0, (int)a.A1);

    static long CreateEventFd(GuestProcess p, uint initial, int flags)
    {
        if ((flags & ~(EventFd.EFD_SEMAPHORE | OpenFlags.NonBlock | OpenFlags.CloseOnExec)) != 0) return -Errno.EINVAL;
        return Install(p, new EventFd(initial, flags), flags);
    }

    static long Install(GuestProcess p, OpenFile f, int flags)
    {
        int fd = p.Files.Add(f, (flags & OpenFlags.CloseOnExec) != 0);
        if (fd < 0) f.Release();
        return fd;
    }

    // ---------------------------------------------------------------- timerfd

    [Syscall(283, "d,x")]
    static long TimerfdCreate(GuestProcess p, in SyscallArgs a)
    {
        int clock = (int)a.A0, flags = (int)a.A1;
        if ((flags & ~(OpenFlags.NonBlock | OpenFlags.CloseOnExec)) != 0) return -Errno.EINVAL;
        if (clock is not (TimerFd.CLOCK_REALTIME or TimerFd.CLOCK_MONOTONIC or TimerFd.CLOCK_BOOTTIME
            or TimerFd.CLOCK_REALTIME_ALARM or TimerFd.CLOCK_BOOTTIME_ALARM)) return -Errno.EINVAL;
        return Install(p, new TimerFd(p.Kernel, clock, flags), flags);
    }

    /// <summary>The timerfd behind <paramref name="fd"/>: EBADF when there is none, EINVAL when it is another file.</summary>
    static long Timer(GuestProcess p, int fd, out TimerFd? timer)
    {
        OpenFile? f = p.Files.Get(fd);
        timer = f as TimerFd;
        return f == null || f is PathFile ? -Errno.EBADF : timer == null ? -Errno.EINVAL : 0;
    }

    [Syscall(286, "d,x,p,p")]
    static long TimerfdSettime(GuestProcess p, in SyscallArgs a) => TimerfdSettime(p, a, Timespec.Time64);

    /// <summary>timerfd_settime with struct itimerspec in layout <paramref name="ts"/> (i386's old call: old_timespec32).</summary>
    internal static long TimerfdSettime(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        int flags = (int)a.A1;
        if (!ts.ReadNs(p, a.A2, out long interval, out bool intervalValid) ||
            !ts.ReadNs(p, a.A2 + (ulong)ts.Size, out long value, out bool valueValid)) return -Errno.EFAULT;
        if ((flags & ~(TimerFd.TFD_TIMER_ABSTIME | TimerFd.TFD_TIMER_CANCEL_ON_SET)) != 0 || !intervalValid || !valueValid)
            return -Errno.EINVAL;
        long e = Timer(p, (int)a.A0, out TimerFd? t);
        if (e != 0) return e;
        var (oldValue, oldInterval) = t!.Get();
        long? expiry = null;
        if (value != 0)
        {
            long now = p.Kernel.Clock.MonotonicNanoseconds;
            // An absolute time is on the timer's clock; it becomes a monotonic deadline (a past one expires at once).
            // TFD_TIMER_CANCEL_ON_SET is accepted: the VM's realtime clock is never set, so nothing is ever cancelled.
            bool realtime = t.ClockId is TimerFd.CLOCK_REALTIME or TimerFd.CLOCK_REALTIME_ALARM;
            expiry = (flags & TimerFd.TFD_TIMER_ABSTIME) == 0 ? now + value
                : realtime ? now + (value - p.Kernel.Clock.RealtimeNanoseconds) : value;
        }
        t.Set(expiry, interval);
        if (a.A3 != 0 && !ts.WriteItimerspec(p, a.A3, oldValue, oldInterval)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(287, "d,p")]
    static long TimerfdGettime(GuestProcess p, in SyscallArgs a) => TimerfdGettime(p, a, Timespec.Time64);

    internal static long TimerfdGettime(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        long e = Timer(p, (int)a.A0, out TimerFd? t);
        if (e != 0) return e;
        var (value, interval) = t!.Get();
        return ts.WriteItimerspec(p, a.A1, value, interval) ? 0 : -Errno.EFAULT;
    }
}
