using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// The signal mask some waits install for their duration (ppoll, pselect6, epoll_pwait/pwait2): it is in force while
/// the call waits; when a signal interrupts the wait it stays for the handler frame (so sigreturn restores the caller's
/// mask, as sigsuspend does); otherwise the caller's mask comes back when the call completes (ppoll(2), select(2)).
/// </summary>
static class SyscallSignalMask
{
    const ulong SigsetSize = 8;

    /// <summary>Runs <paramref name="call"/> with the mask at <paramref name="sigmask"/> (0 = keep the current mask).</summary>
    public static long With(GuestProcess p, ulong sigmask, ulong sigsetsize, Func<long> call)
    {
        if (sigmask == 0) return call();
        Kernel k = p.Kernel;
        GuestThread t = k.CurrentThread;
        if (sigsetsize != SigsetSize) return -Errno.EINVAL;
        if (!GuestIo.ReadU64(p, sigmask, out ulong mask)) return -Errno.EFAULT;
        // A call re-executed after waiting already has its mask in force (and the caller's saved).
        if (t.Resumed == null)
        {
            t.SavedSignalMask = t.SignalMask;
            t.SignalMask = mask & ~SignalNumbers.Unblockable;
        }
        long result = call();
        if (result != SyscallTable.Blocked && t.SavedSignalMask is ulong saved)
        {
            t.SignalMask = saved;
            t.SavedSignalMask = null;
            k.RecalcSignalPending(t);
        }
        return result;
    }
}
