using System.Buffers.Binary;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// timerfd_create(2): a timer whose expirations are read as an 8-byte count. The expiry is kept as a monotonic deadline
/// (absolute CLOCK_REALTIME times are converted when the timer is set) and expirations are counted lazily from the VM
/// clock, so a read or a poll sees exactly the expirations up to now. The kernel's scheduler knows every armed timerfd
/// (Kernel.Timers.cs): it sleeps until the next expiry when every thread waits, and wakes the timer's pollers at
/// expiry. As in Linux, a periodic timer that fired wakes pollers once; it wakes them again only after a read (or
/// timerfd_gettime) forwarded it.
/// </summary>
public sealed class TimerFd : OpenFile, IPollSource
{
    public const int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
    public const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;

    readonly Kernel _kernel;
    readonly PollWaitQueue _queue = new();
    /// <summary>Expirations not yet read (the kernel's ctx->ticks).</summary>
    ulong _ticks;
    ulong _wakes;

    public TimerFd(Kernel kernel, int clock, int flags)
    {
        _kernel = kernel;
        ClockId = clock;
        Order = kernel.NextTimerFdOrder();
        Path = "anon_inode:[timerfd]";
        StatusFlags = OpenFlags.ReadWrite | (flags & OpenFlags.NonBlock);
    }

    public int ClockId { get; }
    /// <summary>Creation order: timers expiring at the same time fire in this order.</summary>
    public long Order { get; }
    /// <summary>The next expiry (monotonic ns) not yet counted; null when disarmed.</summary>
    public long? Expiry { get; private set; }
    public long Interval { get; private set; }

    public override void WriteState(State.StateWriter w) => w.I64(Order).OptionalI64(Expiry).I64(Interval).Bool(Fired);
    /// <summary>The timer fired and was not forwarded since (ctx->expired): it has no wake-up pending.</summary>
    public bool Fired { get; private set; }

    /// <summary>When the scheduler must look at this timer next: its expiry, unless it fired and waits to be read.</summary>
    public long? WakeDeadline => Fired ? null : Expiry;

    bool NonBlocking => (StatusFlags & OpenFlags.NonBlock) != 0;
    long Now => _kernel.Clock.MonotonicNanoseconds;

    /// <summary>Counts the expirations up to <paramref name="now"/>; the first since the timer was (re)armed or read wakes pollers.</summary>
    public void Advance(long now)
    {
        if (Expiry is not long expiry || now < expiry) return;
        long periods = Interval > 0 ? (now - expiry) / Interval + 1 : 1;
        _ticks += (ulong)periods;
        Expiry = Interval > 0 ? expiry + periods * Interval : null;
        if (Fired) return;
        Fired = true;
        _wakes++;
        _queue.Wake(PollEvents.In);
    }

    public override long Read(Span<byte> buffer)
    {
        if (buffer.Length < 8) return -Errno.EINVAL;
        Advance(Now);
        if (_ticks == 0) return NonBlocking ? -Errno.EAGAIN : WouldBlock;
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, _ticks);
        _ticks = 0;
        Fired = false; // a periodic timer runs (and wakes) again
        return 8;
    }

    /// <summary>timerfd_gettime: the time to the next expiry (0 when disarmed or a one-shot expired) and the interval.</summary>
    public (long Value, long Interval) Get()
    {
        long now = Now;
        Advance(now);
        if (Fired && Interval > 0) Fired = false; // gettime forwards a periodic timer, as a read does
        return (Expiry is long e ? Math.Max(0, e - now) : 0, Interval);
    }

    /// <summary>timerfd_settime with a value already converted to a monotonic deadline (null disarms).</summary>
    public void Set(long? expiry, long interval)
    {
        _ticks = 0;
        Fired = false;
        Expiry = expiry;
        Interval = interval;
        _kernel.TimerFdChanged(this);
    }

    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => Offset; // noop_llseek
    public override FileStatus Status() => AnonymousInode.Status;

    public override PollEvents Poll()
    {
        Advance(Now);
        return _ticks > 0 ? PollEvents.In : 0;
    }

    /// <summary>Counts the wake-ups (expirations that fired).</summary>
    public override ulong ReadinessGeneration
    {
        get
        {
            Advance(Now);
            return _wakes;
        }
    }

    public PollWaitQueue PollQueue(GuestProcess poller) => _queue;

    public override void Release()
    {
        Expiry = null;
        _kernel.TimerFdChanged(this);
    }
}
