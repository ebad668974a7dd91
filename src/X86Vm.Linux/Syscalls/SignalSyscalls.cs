using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Process.SignalNumbers;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Signal syscalls (signal(7)): dispositions, per-thread masks, waiting for signals, sending them, the alternate
/// stack, rt_sigreturn and signalfd. Delivery itself is the kernel's (Kernel.Signals.cs).
/// </summary>
[SyscallFamily]
static class SignalSyscalls
{
    const int SigsetSize = 8;

    static bool ValidSignal(int sig) => sig >= 1 && sig <= SIGRTMAX;

    [Syscall(13, "d,p,p,u")]
    static long RtSigaction(GuestProcess p, in SyscallArgs a)
    {
        if (a.A3 != SigsetSize) return -Errno.EINVAL;
        byte[]? raw = null;
        if (a.A1 != 0)
        {
            raw = new byte[32];
            if (!p.Memory.TryRead(a.A1, raw)) return -Errno.EFAULT;
        }
        long err = SetAction(p, (int)a.A0, raw, out byte[] old);
        if (err != 0) return err;
        if (a.A2 != 0 && !p.Memory.TryWrite(a.A2, old)) return -Errno.EFAULT;
        return 0;
    }

    /// <summary>
    /// rt_sigaction's work for every ABI: installs <paramref name="raw"/> (the x86-64 struct sigaction, 32 bytes; null to
    /// only query) for <paramref name="sig"/> and returns the previous one in <paramref name="old"/>.
    /// </summary>
    internal static long SetAction(GuestProcess p, int sig, byte[]? raw, out byte[] old)
    {
        old = [];
        SignalAction? updated = raw == null ? null : SignalAction.Decode(raw);
        if (!ValidSignal(sig) || (updated != null && sig is Signals.SIGKILL or Signals.SIGSTOP)) return -Errno.EINVAL;
        old = p.SignalActions[sig];
        if (updated is { } act)
        {
            // Unknown flags are dropped (so SA_UNSUPPORTED probes work); SIGKILL and SIGSTOP cannot be masked.
            p.SignalActions[sig] = (act with { Flags = act.Flags & SignalAction.KnownFlags, Mask = act.Mask & ~Unblockable }).Encode();
            p.Kernel.FlushIgnored(p, sig);
        }
        return 0;
    }

    [Syscall(14, "d,p,p,u")]
    static long RtSigprocmask(GuestProcess p, in SyscallArgs a)
    {
        const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
        if (a.A3 != SigsetSize) return -Errno.EINVAL;
        GuestThread t = p.Kernel.CurrentThread;
        ulong old = t.SignalMask;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong set)) return -Errno.EFAULT;
            set &= ~Unblockable;
            switch ((int)a.A0)
            {
                case SIG_BLOCK: t.SignalMask |= set; break;
                case SIG_UNBLOCK: t.SignalMask &= ~set; break;
                case SIG_SETMASK: t.SignalMask = set; break;
                default: return -Errno.EINVAL;
            }
            p.Kernel.RecalcSignalPending(t);
        }
        if (a.A2 != 0 && !GuestIo.WriteU64(p, a.A2, old)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(127, "p,u")]
    static long RtSigpending(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 > SigsetSize) return -Errno.EINVAL;
        GuestThread t = p.Kernel.CurrentThread;
        ulong set = Kernel.PendingFor(t) & t.SignalMask;
        return p.Memory.TryWrite(a.A0, BitConverter.GetBytes(set).AsSpan(0, (int)a.A1)) ? 0 : -Errno.EFAULT;
    }

    /// <summary>Waits until a handler runs (pause, sigsuspend): never ready by itself; a signal interrupts it with EINTR.</summary>
    sealed class SignalWait(string what) : IWaitCondition
    {
        public bool IsReady(Kernel kernel) => false;
        public override string ToString() => what;
    }

    [Syscall(34)]
    static long Pause(GuestProcess p, in SyscallArgs a) => p.Kernel.Block(new SignalWait("pause"));

    [Syscall(130, "p,u")]
    static long RtSigsuspend(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 != SigsetSize) return -Errno.EINVAL;
        if (!GuestIo.ReadU64(p, a.A0, out ulong mask)) return -Errno.EFAULT;
        GuestThread t = p.Kernel.CurrentThread;
        // The frame of the handler that ends the wait saves the old mask, so sigreturn restores it.
        t.SavedSignalMask = t.SignalMask;
        t.SignalMask = mask & ~Unblockable;
        return p.Kernel.Block(new SignalWait("sigsuspend"));
    }

    [Syscall(128, "p,p,p,u")]
    static long RtSigtimedwait(GuestProcess p, in SyscallArgs a) => RtSigtimedwait(p, a, Timespec.Time64);

    internal static long RtSigtimedwait(GuestProcess p, in SyscallArgs a, Timespec ts)
    {
        if (a.A3 != SigsetSize) return -Errno.EINVAL;
        if (!GuestIo.ReadU64(p, a.A0, out ulong set)) return -Errno.EFAULT;
        set &= ~Unblockable;
        Kernel k = p.Kernel;
        GuestThread t = k.CurrentThread;
        long? deadline = null;
        if (t.Resumed is ConditionWait earlier) deadline = earlier.Deadline; // a restarted wait keeps its deadline
        else if (a.A2 != 0)
        {
            if (!ts.Read(p, a.A2, out ulong sec, out ulong nsec)) return -Errno.EFAULT;
            if ((long)sec < 0 || nsec >= 1_000_000_000UL) return -Errno.EINVAL;
            deadline = k.Clock.MonotonicNanoseconds + (long)Math.Min(sec, 1UL << 32) * 1_000_000_000L + (long)nsec;
        }
        SigInfo? info = k.DequeueSignal(t, set);
        if (info != null)
        {
            if (a.A1 != 0 && !p.Memory.TryWrite(a.A1, SigInfoLayout.Of(p, info))) return -Errno.EFAULT;
            return info.Signo;
        }
        if (deadline != null && k.Clock.MonotonicNanoseconds >= deadline) return -Errno.EAGAIN;
        return k.Block(new SignalSetWait(t, set, deadline));
    }

    [Syscall(129, "d,d,p")]
    static long RtSigqueueinfo(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0, sig = (int)a.A1;
        byte[]? raw = SigInfoLayout.Read(p, a.A2);
        if (raw == null) return -Errno.EFAULT;
        int code = BitConverter.ToInt32(raw, 8);
        // Only the kernel may send siginfo claiming to be from kill/tkill or the kernel (to another process).
        if ((code >= 0 || code == SI_TKILL) && pid != p.Pid) return -Errno.EPERM;
        if (sig < 0 || sig > SIGRTMAX) return -Errno.EINVAL;
        GuestProcess? target = p.Kernel.FindProcess(pid);
        if (target == null || target.Exited) return -Errno.ESRCH;
        if (sig != 0) p.Kernel.SendSignal(target, sig, SigInfo.FromUser(sig, raw));
        return 0;
    }

    [Syscall(297, "d,d,d,p")]
    static long RtTgsigqueueinfo(GuestProcess p, in SyscallArgs a)
    {
        int tgid = (int)a.A0, tid = (int)a.A1, sig = (int)a.A2;
        if (tgid <= 0 || tid <= 0) return -Errno.EINVAL;
        byte[]? raw = SigInfoLayout.Read(p, a.A3);
        if (raw == null) return -Errno.EFAULT;
        int code = BitConverter.ToInt32(raw, 8);
        if ((code >= 0 || code == SI_TKILL) && tgid != p.Pid) return -Errno.EPERM;
        if (sig < 0 || sig > SIGRTMAX) return -Errno.EINVAL;
        GuestThread? t = p.Kernel.FindProcess(tgid)?.FindThread(tid);
        if (t == null || t.State == GuestThreadState.Exited) return -Errno.ESRCH;
        if (sig != 0) p.Kernel.SendSignal(t, sig, SigInfo.FromUser(sig, raw));
        return 0;
    }

    [Syscall(131, "p,p")]
    static long Sigaltstack(GuestProcess p, in SyscallArgs a)
    {
        GuestThread t = p.Kernel.CurrentThread;
        ulong sp = t.Cpu.Rsp;
        // stack_t: ss_sp, ss_flags (int, padded), ss_size.
        var old = new byte[24];
        BitConverter.TryWriteBytes(old.AsSpan(0), t.AltStackBase);
        BitConverter.TryWriteBytes(old.AsSpan(8), AltStack.Flags(t, sp) | (t.AltStackFlags & AltStack.SS_FLAG_BITS));
        BitConverter.TryWriteBytes(old.AsSpan(16), t.AltStackSize);
        if (a.A0 != 0)
        {
            var ss = new byte[24];
            if (!p.Memory.TryRead(a.A0, ss)) return -Errno.EFAULT;
            int err = AltStack.Set(t, BitConverter.ToUInt64(ss, 0), BitConverter.ToInt32(ss, 8), BitConverter.ToUInt64(ss, 16), sp);
            if (err != 0) return err;
        }
        if (a.A1 != 0 && !p.Memory.TryWrite(a.A1, old)) return -Errno.EFAULT;
        return 0;
    }

    /// <summary>
    /// rt_sigreturn: the registers come back from the frame, RAX included — the handler's return value is the restored
    /// RAX, so the syscall dispatcher writes back exactly what the frame held.
    /// </summary>
    [Syscall(15)]
    static long RtSigreturn(GuestProcess p, in SyscallArgs a) => Sigreturn(p, SignalFrame.Restore);

    /// <summary>
    /// The work of every ABI's sigreturn: <paramref name="restore"/> reads the frame (x86-64's, or i386's two kinds);
    /// a bad one forces SIGSEGV.
    /// </summary>
    internal static long Sigreturn(GuestProcess p, Func<GuestThread, bool> restore)
    {
        Kernel k = p.Kernel;
        GuestThread t = k.CurrentThread;
        if (!restore(t))
        {
            k.ForceBadFrame(t);
            return 0;
        }
        k.RecalcSignalPending(t);
        return (long)t.Cpu.Rax;
    }

    [Syscall(62, "d,d")]
    static long Kill(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0, sig = (int)a.A1;
        if (sig < 0 || sig > SIGRTMAX) return -Errno.EINVAL;
        Kernel k = p.Kernel;
        // The implicit init: signals it has no handler for are ignored (signal(7): init gets only those it handles).
        if (pid == InitProcess.Pid && k.FindProcess(pid) == null) return InitProcess.MaySignal(p) ? 0 : -Errno.EPERM;
        List<GuestProcess> targets = pid switch
        {
            > 0 => k.FindProcess(pid) is { } one ? [one] : [],
            0 => k.Processes.Where(x => x.ProcessGroup == p.ProcessGroup).ToList(),
            -1 => k.Processes.Where(x => x != p).ToList(), // every process but init and the caller
            _ => k.Processes.Where(x => x.ProcessGroup == -pid).ToList(),
        };
        // A zombie still exists until reaped: kill succeeds and the signal goes nowhere (kill(2)).
        if (targets.Count == 0) return -Errno.ESRCH;
        // kill_ok_by_cred: the sender's real or effective uid is the target's real or saved uid, or it has CAP_KILL.
        // A group or broadcast kill succeeds when any target accepts it.
        var allowed = targets.Where(t => MaySignal(p, t)).ToList();
        if (allowed.Count == 0) return -Errno.EPERM;
        foreach (GuestProcess target in allowed)
            if (sig != 0) k.SendSignal(target, sig, SigInfo.FromProcess(sig, SI_USER, p.Pid, (int)p.Credentials.Uid));
        return 0;
    }

    internal static bool MaySignal(GuestProcess sender, GuestProcess target)
    {
        Credentials s = sender.Credentials, t = target.Credentials;
        return s.Has(Credentials.CAP_KILL) || s.Euid == t.Suid || s.Euid == t.Uid || s.Uid == t.Suid || s.Uid == t.Uid;
    }

    [Syscall(234, "d,d,d")]
    static long Tgkill(GuestProcess p, in SyscallArgs a)
    {
        int tgid = (int)a.A0, tid = (int)a.A1;
        if (tgid <= 0 || tid <= 0) return -Errno.EINVAL;
        GuestProcess? target = p.Kernel.FindProcess(tgid);
        return SendToThread(p, target?.FindThread(tid), (int)a.A2);
    }

    [Syscall(200, "d,d")]
    static long Tkill(GuestProcess p, in SyscallArgs a)
    {
        int tid = (int)a.A0;
        if (tid <= 0) return -Errno.EINVAL;
        return SendToThread(p, p.Kernel.Threads.FirstOrDefault(t => t.Tid == tid), (int)a.A1);
    }

    static long SendToThread(GuestProcess p, GuestThread? t, int sig)
    {
        if (sig < 0 || sig > SIGRTMAX) return -Errno.EINVAL;
        if (t == null || t.State == GuestThreadState.Exited) return -Errno.ESRCH;
        if (sig != 0) p.Kernel.SendSignal(t, sig, SigInfo.FromProcess(sig, SI_TKILL, p.Pid, 0));
        return 0;
    }

    [Syscall(282, "d,p,u")]
    static long Signalfd(GuestProcess p, in SyscallArgs a) => SignalfdCommon(p, (int)a.A0, a.A1, a.A2, 0);

    [Syscall(289, "d,p,u,x")]
    static long Signalfd4(GuestProcess p, in SyscallArgs a) => SignalfdCommon(p, (int)a.A0, a.A1, a.A2, (int)a.A3);

    static long SignalfdCommon(GuestProcess p, int fd, ulong maskAddress, ulong size, int flags)
    {
        const int SFD_NONBLOCK = OpenFlags.NonBlock, SFD_CLOEXEC = OpenFlags.CloseOnExec;
        if ((flags & ~(SFD_NONBLOCK | SFD_CLOEXEC)) != 0 || size != SigsetSize) return -Errno.EINVAL;
        if (!GuestIo.ReadU64(p, maskAddress, out ulong mask)) return -Errno.EFAULT;
        mask &= ~Unblockable;
        if (fd != -1)
        {
            if (p.Files.Get(fd) is not SignalFd existing) return p.Files.Get(fd) == null ? -Errno.EBADF : -Errno.EINVAL;
            existing.Mask = mask;
            return fd;
        }
        var file = new SignalFd(p.Kernel, p, mask) { StatusFlags = OpenFlags.ReadWrite | (flags & SFD_NONBLOCK) };
        int result = p.Files.Add(file, (flags & SFD_CLOEXEC) != 0);
        if (result < 0) file.Release();
        return result;
    }
}
