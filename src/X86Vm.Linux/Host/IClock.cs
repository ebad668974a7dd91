using X86Vm.Cpu.State;

namespace X86Vm.Linux.Host;

/// <summary>
/// The guest's only source of time. The host clock is the default; deterministic mode uses a
/// <see cref="VirtualClock"/> derived from the VM's instruction count instead, so no syscall reads host time directly.
/// </summary>
public interface IClock
{
    /// <summary>CLOCK_REALTIME in nanoseconds since the Unix epoch.</summary>
    long RealtimeNanoseconds { get; }

    /// <summary>CLOCK_MONOTONIC in nanoseconds since an arbitrary start.</summary>
    long MonotonicNanoseconds { get; }

    /// <summary>
    /// True when time passes only as the VM runs: then nothing waits on the host, and when every thread waits the
    /// scheduler moves time to the next deadline (<see cref="AdvanceTo"/>) instead of sleeping.
    /// </summary>
    bool IsVirtual => false;

    /// <summary>Moves a virtual clock forward to <paramref name="monotonicNanoseconds"/> (never back).</summary>
    void AdvanceTo(long monotonicNanoseconds) => throw new NotSupportedException("the host clock cannot be advanced");
}

public sealed class HostClock : IClock
{
    /// <summary>A host timestamp: meaningless in another process, so a snapshot leaves it out (<see cref="ContinueFrom"/>).</summary>
    [NotSnapshot] long _start = System.Diagnostics.Stopwatch.GetTimestamp();
    /// <summary>CLOCK_MONOTONIC at <see cref="_start"/>.</summary>
    long _base = BootOffset;
    // Monotonic time starts at a fixed offset like a machine that booted a while ago.
    public const long BootOffset = 1_000_000_000L * 3600;

    public long RealtimeNanoseconds => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    public long MonotonicNanoseconds =>
        _base + (long)(System.Diagnostics.Stopwatch.GetElapsedTime(_start).Ticks * 100);

    /// <summary>After a restore: monotonic time goes on from <paramref name="monotonicNanoseconds"/>, its reading when the VM was saved.</summary>
    public void ContinueFrom(long monotonicNanoseconds)
    {
        _base = monotonicNanoseconds;
        _start = System.Diagnostics.Stopwatch.GetTimestamp();
    }
}
