using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// The layout of a struct timespec a syscall reads or writes: the 64-bit one (x86-64, and the i386 *_time64 calls:
/// Linux's get_timespec64/put_timespec64) or old_timespec32 (the original i386 calls: get_old_timespec32), whose
/// seconds are a signed 32-bit value. A shared implementation takes the layout from the entry point that called it.
/// </summary>
public readonly record struct Timespec(int FieldSize)
{
    public static readonly Timespec Time64 = new(8), Old32 = new(4);

    /// <summary>Two longs of the process's ABI: struct timeval (whose second field counts microseconds), and old_timespec32 on i386.</summary>
    public static Timespec Longs(GuestProcess p) => p.Abi == ProcessAbi.I386 ? Old32 : Time64;

    public bool Read(GuestProcess p, ulong address, out ulong sec, out ulong nsec)
    {
        nsec = 0;
        if (FieldSize == 8) return GuestIo.ReadU64(p, address, out sec) && GuestIo.ReadU64(p, address + 8, out nsec);
        bool ok = GuestIo.ReadU32(p, address, out uint s) & GuestIo.ReadU32(p, address + 4, out uint n);
        sec = (ulong)(long)(int)s;
        nsec = (ulong)(long)(int)n;
        return ok;
    }

    /// <summary>Reads a timespec as nanoseconds; false on a fault. <paramref name="valid"/> is timespec64_valid.</summary>
    public bool ReadNs(GuestProcess p, ulong address, out long ns, out bool valid)
    {
        ns = 0;
        valid = false;
        if (!Read(p, address, out ulong sec, out ulong nsec)) return false;
        valid = (long)sec >= 0 && nsec < 1_000_000_000UL;
        if (valid) ns = (long)Math.Min(sec, 1UL << 33) * 1_000_000_000L + (long)nsec;
        return true;
    }

    /// <summary>Bytes of the structure.</summary>
    public int Size => 2 * FieldSize;

    /// <summary>struct itimerspec: it_interval, then it_value, each a timespec of this layout.</summary>
    public bool WriteItimerspec(GuestProcess p, ulong address, long value, long interval) =>
        Write(p, address, interval) && Write(p, address + (ulong)Size, value);

    /// <summary>Writes <paramref name="ns"/> nanoseconds (not negative) as seconds and nanoseconds (microseconds for a timeval).</summary>
    public bool Write(GuestProcess p, ulong address, long ns, bool microseconds = false)
    {
        ulong sec = (ulong)(ns / 1_000_000_000L), frac = (ulong)(microseconds ? ns % 1_000_000_000L / 1000 : ns % 1_000_000_000L);
        return FieldSize == 8
            ? GuestIo.WriteU64(p, address, sec) && GuestIo.WriteU64(p, address + 8, frac)
            : GuestIo.WriteU32(p, address, (uint)sec) && GuestIo.WriteU32(p, address + 4, (uint)frac);
    }
}
