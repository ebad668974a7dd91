namespace X86Vm.Linux.Process;

/// <summary>
/// A POSIX per-process timer (timer_create(2)). Expiries are kept as absolute monotonic nanoseconds
/// (a CLOCK_REALTIME timer is converted when armed) and checked by the scheduler at its scheduling points.
/// </summary>
public sealed class PosixTimer
{
    public const int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;

    public int Id { get; init; }
    public int Clock { get; init; }
    public int Notify { get; init; }
    public int Signo { get; init; }
    /// <summary>sigev_value, delivered as si_value.</summary>
    public ulong Value { get; init; }
    /// <summary>SIGEV_THREAD_ID: the thread that receives the signal.</summary>
    public int TargetTid { get; init; }

    /// <summary>Next expiry (monotonic ns); null when disarmed.</summary>
    public long? Expiry { get; set; }
    public long Interval { get; set; }

    /// <summary>Expiries while the previous signal was still queued (the running overrun count).</summary>
    public int Overrun { get; set; }
    /// <summary>timer_getoverrun: the overrun count of the last delivered expiry.</summary>
    public int LastOverrun { get; set; }
    /// <summary>True while the timer's signal is queued and not yet taken.</summary>
    public bool Queued { get; set; }
}

/// <summary>
/// An interval timer (setitimer(2)): ITIMER_REAL counts monotonic time; ITIMER_VIRTUAL and ITIMER_PROF count the
/// process's CPU time, which in this VM is its retired instructions at 1 ns each (deterministic).
/// </summary>
public sealed class IntervalTimer
{
    /// <summary>Absolute expiry on the timer's clock; null when disarmed.</summary>
    public long? Expiry { get; set; }
    public long Interval { get; set; }
}
