namespace X86Vm.Linux.Host;

/// <summary>
/// Deterministic time: one nanosecond per unit of the VM's <see cref="InstructionMeter"/> (a 1 GHz machine that
/// retires one instruction per cycle), plus the time skipped while every thread waited. It reads nothing from the
/// host, so the same run sees the same times on every host (docs/determinism.md).
/// </summary>
public sealed class VirtualClock(InstructionMeter meter) : IClock
{
    /// <summary>CLOCK_REALTIME at boot: 2025-01-01T00:00:00Z.</summary>
    public const long BootRealtime = 1_735_689_600L * 1_000_000_000L;

    /// <summary>Nanoseconds the scheduler skipped while every thread waited.</summary>
    public long Skipped { get; private set; }

    long SinceBoot => (long)meter.Now + Skipped;

    public long RealtimeNanoseconds => BootRealtime + SinceBoot;

    public long MonotonicNanoseconds => HostClock.BootOffset + SinceBoot;

    public bool IsVirtual => true;

    public void AdvanceTo(long monotonicNanoseconds)
    {
        long now = MonotonicNanoseconds;
        if (monotonicNanoseconds > now) Skipped += monotonicNanoseconds - now;
    }

    /// <summary>Restores the skipped time (a VM resumed from saved state).</summary>
    public void Restore(long skipped) => Skipped = skipped;
}
