using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAIT_BITSET, WAKE_BITSET (private and shared alike).</summary>
[SyscallFamily]
static class FutexSyscalls
{
    const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
        FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
    const int FUTEX_CLOCK_REALTIME = 256;

    [Syscall(202, "p,d,u,p,p,u", Partial = "no priority-inheritance ops; shared futexes are keyed per address space")]
    static long Futex(GuestProcess p, in SyscallArgs a) => Futex(p, a, Timespec.Time64);

    /// <summary>futex with the timeout in layout <paramref name="ts"/> (i386's futex takes old_timespec32, futex_time64 the 64-bit one).</summary>
    internal static long Futex(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        int op = (int)a.A1 & 0x7F;
        ulong address = a.A0;
        Kernel k = p.Kernel;
        switch (op)
        {
            case FUTEX_WAIT:
            case FUTEX_WAIT_BITSET:
            {
                uint bitset = op == FUTEX_WAIT ? uint.MaxValue : (uint)a.A5;
                if (bitset == 0) return -Errno.EINVAL;
                GuestThread t = k.CurrentThread;
                if (t.Resumed is Futexes.Waiter resumed)
                {
                    // Restarted after the wait ended: woken, or timed out.
                    if (resumed.Woken) return 0;
                    k.Futexes.Remove(p.Memory, address, resumed);
                    return -Errno.ETIMEDOUT;
                }
                if ((address & 3) != 0) return -Errno.EINVAL;
                Span<byte> word = stackalloc byte[4];
                if (!p.Memory.TryRead(address, word)) return -Errno.EFAULT;
                if (BitConverter.ToUInt32(word) != (uint)a.A2) return -Errno.EAGAIN;
                long? deadline = null;
                if (a.A3 != 0)
                {
                    if (!ts.Read(p, a.A3, out ulong sec, out ulong nsec)) return -Errno.EFAULT;
                    if ((long)sec < 0 || nsec >= 1_000_000_000) return -Errno.EINVAL;
                    long ns = (long)Math.Min(sec, 1UL << 32) * 1_000_000_000L + (long)nsec;
                    if (op == FUTEX_WAIT) deadline = k.Clock.MonotonicNanoseconds + ns; // relative timeout
                    else if (((int)a.A1 & FUTEX_CLOCK_REALTIME) != 0) deadline = k.Clock.MonotonicNanoseconds + (ns - k.Clock.RealtimeNanoseconds);
                    else deadline = ns; // absolute CLOCK_MONOTONIC
                }
                var waiter = new Futexes.Waiter(t, bitset, deadline);
                k.Futexes.Enqueue(p.Memory, address, waiter);
                return k.Block(waiter);
            }
            case FUTEX_WAKE:
                return k.Futexes.Wake(p.Memory, address, (int)Math.Min(a.A2, int.MaxValue), uint.MaxValue);
            case FUTEX_WAKE_BITSET:
                if ((uint)a.A5 == 0) return -Errno.EINVAL;
                return k.Futexes.Wake(p.Memory, address, (int)Math.Min(a.A2, int.MaxValue), (uint)a.A5);
            case FUTEX_REQUEUE:
            case FUTEX_CMP_REQUEUE:
            {
                if (op == FUTEX_CMP_REQUEUE)
                {
                    Span<byte> word = stackalloc byte[4];
                    if (!p.Memory.TryRead(address, word)) return -Errno.EFAULT;
                    if (BitConverter.ToUInt32(word) != (uint)a.A5) return -Errno.EAGAIN;
                }
                int woken = k.Futexes.Wake(p.Memory, address, (int)Math.Min(a.A2, int.MaxValue), uint.MaxValue);
                // For the requeue forms the fourth argument is a count, not a timeout (val2).
                int moved = k.Futexes.Requeue(p.Memory, address, a.A4, (int)Math.Min(a.A3, int.MaxValue));
                return woken + moved;
            }
            case FUTEX_WAKE_OP:
                return WakeOp(p, a);
            default:
                return -Errno.ENOSYS;
        }
    }

    /// <summary>FUTEX_WAKE_OP: atomically modify *uaddr2, wake uaddr, and wake uaddr2 if the old value passes the compare.</summary>
    static long WakeOp(GuestProcess p, in SyscallArgs a)
    {
        uint encoded = (uint)a.A5;
        int opKind = (int)(encoded >> 28) & 7, cmp = (int)(encoded >> 24) & 15;
        uint oparg = (encoded >> 12) & 0xFFF, cmparg = encoded & 0xFFF;
        if ((encoded >> 31) != 0) oparg = 1u << (int)(oparg & 31);
        Span<byte> word = stackalloc byte[4];
        if (!p.Memory.TryRead(a.A4, word)) return -Errno.EFAULT;
        uint old = BitConverter.ToUInt32(word);
        uint updated = opKind switch { 0 => oparg, 1 => old + oparg, 2 => old | oparg, 3 => old & ~oparg, 4 => old ^ oparg, _ => old };
        if (!GuestIo.WriteU32(p, a.A4, updated)) return -Errno.EFAULT;
        int woken = p.Kernel.Futexes.Wake(p.Memory, a.A0, (int)Math.Min(a.A2, int.MaxValue), uint.MaxValue);
        bool pass = cmp switch
        {
            0 => old == cmparg, 1 => old != cmparg, 2 => (int)old < (int)cmparg, 3 => (int)old <= (int)cmparg,
            4 => (int)old > (int)cmparg, 5 => (int)old >= (int)cmparg, _ => false,
        };
        if (pass) woken += p.Kernel.Futexes.Wake(p.Memory, a.A4, (int)Math.Min(a.A3, int.MaxValue), uint.MaxValue);
        return woken;
    }
}
