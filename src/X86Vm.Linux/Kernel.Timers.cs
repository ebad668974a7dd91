using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Process.SignalNumbers;

namespace X86Vm.Linux;

// Timers (alarm, setitimer, timer_create) are driven by the VM clock and checked by the scheduler at its
// scheduling points (between quanta and when every thread waits): a timer's signal is generated there, so its
// delivery falls on an instruction-count boundary like every other signal. While a timer is armed the scheduler
// uses the short quantum even for a single thread, so expiry is noticed within a quantum; when every thread
// waits, the scheduler sleeps until the earliest timer deadline (WaitForEvent).
//
// timerfds are timers too: the scheduler knows the armed ones, counts their next expiry among its deadlines (so a
// thread blocked reading one, or in epoll_wait on one, is woken at expiry instead of looking like a deadlock) and,
// at a scheduling point past an expiry, wakes the timer's pollers (its epoll interests) in expiry order.
public sealed partial class Kernel
{
    public const int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

    /// <summary>timerfds that are armed, in the order they were armed.</summary>
    readonly List<TimerFd> _timerFds = new();

    /// <summary>A timerfd was set, disarmed or closed.</summary>
    internal void TimerFdChanged(TimerFd t)
    {
        bool armed = t.Expiry != null && t.References > 0;
        if (armed && !_timerFds.Contains(t)) _timerFds.Add(t);
        else if (!armed) _timerFds.Remove(t);
    }

    /// <summary>
    /// Fires the timerfds that expired by now. Called by epoll before it looks at its ready list, so an expiry that fell
    /// between the last scheduling point and the look is queued, in expiry order, as a hrtimer would have done.
    /// </summary>
    internal void FireDueTimerFds() => FireTimerFds(Clock.MonotonicNanoseconds);

    /// <summary>Wakes the pollers of every timerfd that expired, earliest expiry first; forgets the ones that ran out.</summary>
    void FireTimerFds(long now)
    {
        if (_timerFds.Count == 0) return;
        List<TimerFd>? due = null;
        foreach (TimerFd t in _timerFds)
            if (t.WakeDeadline <= now) (due ??= new()).Add(t);
        if (due != null)
            foreach (TimerFd t in due.OrderBy(t => t.Expiry).ThenBy(t => t.Order)) t.Advance(now);
        _timerFds.RemoveAll(t => t.Expiry == null || t.References == 0);
    }

    /// <summary>A process's CPU time: its threads' retired instructions at 1 ns each (as CLOCK_PROCESS_CPUTIME_ID).</summary>
    public static long CpuTime(GuestProcess p) => p.Threads.Sum(t => (long)t.Cpu.Retired);

    /// <summary>True while some live process has a timer armed.</summary>
    bool TimersArmed()
    {
        foreach (GuestProcess p in _processes.Values)
        {
            if (p.Exited) continue;
            if (p.IntervalTimers.Any(x => x.Expiry != null) || p.PosixTimers.Values.Any(x => x.Expiry != null)) return true;
        }
        foreach (TimerFd t in _timerFds)
            if (t.WakeDeadline != null) return true;
        return false;
    }

    /// <summary>The earliest monotonic deadline of a wall-clock timer, for the scheduler's sleep.</summary>
    long? NextTimerDeadline()
    {
        long? earliest = null;
        void Consider(long? d)
        {
            if (d != null && (earliest == null || d < earliest)) earliest = d;
        }
        foreach (GuestProcess p in _processes.Values)
        {
            if (p.Exited) continue;
            Consider(p.IntervalTimers[ITIMER_REAL].Expiry);
            foreach (PosixTimer t in p.PosixTimers.Values) Consider(t.Expiry);
        }
        foreach (TimerFd t in _timerFds) Consider(t.WakeDeadline);
        return earliest;
    }

    /// <summary>Generates the signals of every timer that expired. Called by the scheduler at each scheduling point.</summary>
    void FireTimers()
    {
        long now = Clock.MonotonicNanoseconds;
        foreach (GuestProcess p in _processes.Values.ToList())
        {
            if (p.Exited) continue;
            FireInterval(p, p.IntervalTimers[ITIMER_REAL], now, Signals.SIGALRM);
            if (p.IntervalTimers[ITIMER_VIRTUAL].Expiry != null || p.IntervalTimers[ITIMER_PROF].Expiry != null)
            {
                long cpu = CpuTime(p);
                FireInterval(p, p.IntervalTimers[ITIMER_VIRTUAL], cpu, SIGVTALRM);
                FireInterval(p, p.IntervalTimers[ITIMER_PROF], cpu, SIGPROF);
            }
            foreach (PosixTimer t in p.PosixTimers.Values.ToList())
                if (t.Expiry != null && t.Expiry <= now) FirePosix(p, t, now);
        }
        FireTimerFds(now);
    }

    void FireInterval(GuestProcess p, IntervalTimer timer, long now, int sig)
    {
        if (timer.Expiry == null || timer.Expiry > now) return;
        if (timer.Interval > 0)
        {
            long missed = (now - timer.Expiry.Value) / timer.Interval;
            timer.Expiry += (missed + 1) * timer.Interval;
        }
        else timer.Expiry = null;
        SendSignal(p, sig, SigInfo.Kernel(sig));
    }

    void FirePosix(GuestProcess p, PosixTimer t, long now)
    {
        long expiries = 1;
        if (t.Interval > 0)
        {
            expiries += (now - t.Expiry!.Value) / t.Interval;
            t.Expiry += expiries * t.Interval;
        }
        else t.Expiry = null;
        if (t.Notify == PosixTimer.SIGEV_NONE) return;
        if (t.Queued)
        {
            // The previous expiry's signal has not been taken yet: count an overrun instead of queueing another.
            t.Overrun = (int)Math.Min(int.MaxValue, t.Overrun + expiries);
            return;
        }
        t.Overrun = (int)Math.Min(int.MaxValue, expiries - 1);
        var info = SigInfo.FromTimer(t.Signo, t);
        GuestThread? target = (t.Notify & PosixTimer.SIGEV_THREAD_ID) != 0 ? p.FindThread(t.TargetTid) : null;
        bool queued = target != null && target.State != GuestThreadState.Exited ? SendSignal(target, t.Signo, info) : SendSignal(p, t.Signo, info);
        t.Queued = queued;
    }
}
